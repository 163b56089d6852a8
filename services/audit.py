"""The audit log as people read it, and the conflict a stale form meets.

A Change (services.models.changes) keeps whole manifests before and after; `field_changes`
walks them as `revisions.changed_fields` does, so each dotted field comes with the value it had
and the value it got. A page form carries the revision it was loaded at (`REVISION_FIELD`, the
object's ETag); a save that finds another revision raises `revisions.PreconditionFailed`, and
`conflict_context` is what the page shows then: the changes since, and what is stored now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import Change, Topology
from .revisions import PreconditionFailed, object_revision

REVISION_FIELD = "revision"  # the hidden input every edit form carries (the If-Match of a page)
ABSENT = "(absent)"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str  # shown: JSON for lists and mappings, ABSENT when the field was not there
    after: str
    before_absent: bool = False
    after_absent: bool = False


@dataclass(frozen=True)
class ChangeView:
    """One change as the audit page and the conflict panel show it."""

    object: str
    revision: int
    user: str | None
    time: datetime | str
    action: str  # created, changed, deleted
    fields: list[FieldChange]

    @property
    def kind(self) -> str:
        return self.object.partition("/")[0]


_MISSING = object()


def shown(value: Any) -> str:
    if value is _MISSING:
        return ABSENT
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(", ", ": "))


def field_changes(before: Any, after: Any, prefix: str = "") -> list[FieldChange]:
    """Each changed dotted field with its value before and after (the walk of changed_fields:
    mappings descend, lists and scalars compare whole; a created or deleted object lists its
    top-level fields)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[FieldChange] = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            old, new = before.get(key, _MISSING), after.get(key, _MISSING)
            if old is _MISSING or new is _MISSING:
                out.append(FieldChange(path, shown(old), shown(new), old is _MISSING, new is _MISSING))
            elif old != new:
                out += field_changes(old, new, path)
        return out
    if before is None and isinstance(after, dict):
        return field_changes({}, after, prefix)
    if after is None and isinstance(before, dict):
        return field_changes(before, {}, prefix)
    return [FieldChange(prefix, shown(before), shown(after))] if before != after and prefix else []


def action_of(before: Any, after: Any) -> str:
    return "created" if before is None else "deleted" if after is None else "changed"


def view_of(change: Change | dict[str, Any]) -> ChangeView:
    """A Change row, or its `as_dict()` shape (a 412's / PreconditionFailed's `changes`)."""
    data = change.as_dict() if isinstance(change, Change) else change
    when = change.time if isinstance(change, Change) else data["time"]
    return ChangeView(data["object"], data["revision"], data["user"], when, action_of(data["before"], data["after"]),
                      field_changes(data["before"], data["after"]))


def object_etag(topology: Topology, label: str) -> int:
    """The revision a page form carries for one object (0: never recorded), as `changes()` compares it."""
    return object_revision(topology, label) or 0


def posted_revision(data: Any) -> str | None:
    """The revision a submitted form was loaded at; None when the form carried none (applied as is)."""
    value = (data.get(REVISION_FIELD) or "").strip()
    return value or None


def conflict_context(exc: PreconditionFailed, current: str) -> dict[str, Any]:
    """What a page shows when a save met a newer revision: who changed what since the form was
    loaded, what is stored now (`current`, as text), and the revision a deliberate resubmit carries."""
    return {"changes": [view_of(c) for c in exc.changes], "current": current, "revision": exc.current}

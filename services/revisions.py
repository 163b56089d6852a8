"""The revision and change record of a topology: every write goes through `changes()`.

    with changes(topology, user, if_match=etag, object_label=label) as cs:
        ...save or delete rows...
        cs.record(label, before_manifest, after_manifest)

`changes` locks the topology row (SELECT ... FOR UPDATE), so writers queue one behind the
other; `cs.revision` is the revision this write makes. On leaving the block, if anything was
recorded, the topology's revision becomes `cs.revision` and one Change row per object is
written, in the same transaction as the rows themselves: all or nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from .models import Change, Topology


class PreconditionFailed(Exception):
    """`If-Match` named another revision than the current one: nothing was written."""

    def __init__(self, current: int, changes: list[dict[str, Any]]):
        self.current = current
        self.changes = changes
        super().__init__(f"the revision changed: now {current}")


def changed_fields(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two manifests differ (lists compare whole: `spec.ports`)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in before or key not in after:
                out.append(path)
            elif before[key] != after[key]:
                out += changed_fields(before[key], after[key], path)
        return out
    if before is None and isinstance(after, dict):
        return changed_fields({}, after, prefix)
    if after is None and isinstance(before, dict):
        return changed_fields(before, {}, prefix)
    return [prefix] if before != after and prefix else []


def parse_etag(value: str | None) -> str | None:
    """`"12"` (quoted, maybe weak `W/"12"`), `12` or `*` -> `"12"`/`"*"`; None when absent."""
    if value is None:
        return None
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def object_revision(topology: Topology, label: str) -> int | None:
    """The revision at which the object `label` last changed (its ETag), None if never recorded."""
    return Change.objects.filter(topology=topology, object=label).aggregate(r=Max("revision"))["r"]


def object_revisions(topology: Topology) -> dict[str, int]:
    """Every object's ETag revision, in one query (lists)."""
    rows = Change.objects.filter(topology=topology).values("object").annotate(r=Max("revision"))
    return {r["object"]: r["r"] for r in rows}


@dataclass
class ChangeSet:
    topology: Topology
    user: Any
    revision: int
    entries: list[Change] = field(default_factory=list)

    def record(self, label: str, before: dict | None, after: dict | None) -> None:
        if before == after:
            return
        user = self.user if getattr(self.user, "is_authenticated", False) else None
        self.entries.append(Change(topology=self.topology, object=label, revision=self.revision, user=user,
                                   fields=changed_fields(before, after), before=before, after=after))


@contextlib.contextmanager
def held(topology: Topology) -> Iterator[None]:
    """A transaction holding the topology's row lock, for a write that reads before it writes
    (a merge patch): no other write lands between the read and `changes()` inside it."""
    with transaction.atomic():
        Topology.objects.select_for_update().filter(pk=topology.pk).first()
        yield


@contextlib.contextmanager
def changes(topology: Topology, user: Any = None, *, if_match: str | None = None,
            object_label: str | None = None) -> Iterator[ChangeSet]:
    """One write: lock, check `If-Match`, let the caller write and record, bump the revision once.

    `if_match` is compared with the topology's revision, or with the object's (its latest
    Change) when `object_label` is given; `*` matches any. A mismatch raises PreconditionFailed
    with the changes made since that revision, before the caller writes anything."""
    with transaction.atomic():
        locked = Topology.objects.select_for_update().get(pk=topology.pk)
        tag = parse_etag(if_match)
        if tag is not None and tag != "*":
            current = (object_revision(locked, object_label) or 0) if object_label else locked.revision
            if tag != str(current):
                since = Change.objects.filter(topology=locked).select_related("user")
                if object_label:
                    since = since.filter(object=object_label)
                if tag.isdigit():
                    since = since.filter(revision__gt=int(tag))
                raise PreconditionFailed(current, [c.as_dict() for c in since.order_by("revision", "pk")])
        cs = ChangeSet(locked, user, locked.revision + 1)
        yield cs
        if cs.entries:
            Topology.objects.filter(pk=locked.pk).update(revision=F("revision") + 1, updated=timezone.now())
            Change.objects.bulk_create(cs.entries)
            topology.revision = cs.revision

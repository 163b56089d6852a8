"""Import from the browser: a preview that is the atomic import itself, rolled back, and the
apply. A whole cluster's dump imported into a bootstrapped topology first takes the place of
what only the bootstrap made, so it ends as `kubenet import` into a new topology does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kubenet_site.semantics.manifests import ManifestError, load_documents
from kubenet_site.semantics.types import Diagnostic
from services.models import OtherObject, Topology, topology_rows

from .operations import ImportRefused, ImportSummary, import_manifests, object_name
from .registry import identity, model_for


@dataclass
class Preview:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept_verbatim: list[str] = field(default_factory=list)
    replaced_bootstrap: list[str] = field(default_factory=list)
    refusals: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    unreadable: str = ""

    @property
    def ok(self) -> bool:
        return not self.refusals and not self.unreadable


class _RollBack(Exception):
    pass


def apply_import(topology: Topology, documents: list[dict], user: Any = None,
                 if_match: str | None = None) -> tuple[ImportSummary, list[str]]:
    """The import, all or nothing (ManifestError, ImportRefused; PreconditionFailed when the
    topology moved past `if_match`, the revision a preview was made at); a whole cluster's dump
    takes the place of what only the bootstrap made (import_manifests does it, and records it)."""
    summary = import_manifests(topology, documents, user=user, if_match=if_match)
    return summary, summary.deleted


def preview_import(topology: Topology, sources: list[str]) -> Preview:
    preview = Preview()
    try:
        documents = [doc for source in sources for doc in load_documents(source)]
    except ManifestError as exc:
        preview.unreadable = f"{exc.where}: {exc.message}" if getattr(exc, "where", "") else str(exc)
        return preview
    existing = {identity(r.manifest): r.manifest for r in topology_rows(topology)}
    for doc in documents:
        name = object_name(doc)
        if model_for(doc) is OtherObject:
            preview.kept_verbatim.append(name)
        before = existing.get(identity(doc))
        (preview.added if before is None else preview.unchanged if before == doc else preview.changed).append(name)
    try:
        with transaction.atomic():
            summary, preview.replaced_bootstrap = apply_import(topology, documents)
            preview.warnings = summary.warnings
            raise _RollBack
    except _RollBack:
        pass
    except ImportRefused as exc:
        preview.refusals = exc.errors
    topology.refresh_from_db(fields=["revision"])  # the rolled-back import had moved it in memory
    return preview


def documents_of(sources: list[str]) -> list[dict]:
    return [doc for source in sources for doc in load_documents(source)]

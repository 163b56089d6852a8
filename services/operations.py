"""Write side for one object (forms, the YAML editor and the REST API): validate the way import
does, save all or nothing, and record the change (services.revisions.changes: one revision per
write, If-Match checked under the topology's row lock).

The validator is the engine's, asked through services.hooks (checks.snapshot answers, as for
`KubeObject.clean()` and import): an edit is refused when it brings an error the topology did
not already have, each with its object and field path as the API server prints them.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Max

from kubenet_site.semantics.types import Diagnostic

from . import hooks
from .models import EndpointSlice, KubeObject, Namespace, OtherObject, Topology, row_models
from .revisions import changes


class ObjectRefused(Exception):
    """The API server would refuse the object (or what it does to others): nothing was saved."""

    def __init__(self, errors: list[Diagnostic]):
        self.errors = errors
        super().__init__("; ".join(f"{e.object}: {e.field}: {e.message}" if e.field else f"{e.object}: {e.message}"
                                   for e in errors))


def object_name_of(manifest: dict, namespaced: bool) -> str:
    meta = manifest.get("metadata") or {}
    kind, name = manifest.get("kind", ""), meta.get("name", "")
    ns = meta.get("namespace") or ""
    return f"{kind}/{ns}/{name}" if namespaced and ns else f"{kind}/{name}"


def _duplicate(model: type[KubeObject], topology: Topology, row: KubeObject) -> bool:
    others = model.objects.filter(topology=topology, namespace=row.namespace, name=row.name)
    if isinstance(row, (OtherObject, EndpointSlice)):
        others = others.filter(kind_name=row.kind_name)
    if isinstance(row, OtherObject):
        others = others.filter(api_version=row.api_version)
    if row.pk:
        others = others.exclude(pk=row.pk)
    return others.exists()


def stored_manifest(row: KubeObject) -> dict:
    """The row's manifest as stored now (read under the topology's lock, so the recorded `before`
    is what this write replaces even when another writer saved since `row` was read); an object
    deleted meanwhile is refused rather than brought back."""
    stored = type(row).objects.filter(pk=row.pk).values_list("manifest", flat=True).first()
    if stored is None:
        raise ObjectRefused([Diagnostic("error", row.object_name, "", "not-found",
                                        "the object was deleted by another write since it was read")])
    return copy.deepcopy(stored)


def save_object(topology: Topology, model: type[KubeObject], manifest: dict,
                row: KubeObject | None = None, *, user: Any = None, if_match: str | None = None) -> KubeObject:
    """Create (row None) or replace one object from its manifest, all or nothing.

    Raises ObjectRefused or PreconditionFailed (`if_match`: the object's ETag on a replace, the
    topology's on a create); the topology is then unchanged."""
    manifest = copy.deepcopy(manifest)
    if row is not None and manifest.get("kind") != row.kind:
        raise ObjectRefused([Diagnostic("error", row.object_name, "kind", "field-immutable",
                                        f"Invalid value: {manifest.get('kind')!r}: the kind of an object cannot change")])
    label = row.object_name if row is not None else None
    with changes(topology, user, if_match=if_match, object_label=label) as cs:
        topology = cs.topology
        before = stored_manifest(row) if row is not None else None
        target = row if row is not None else model(topology=topology)
        target.manifest = manifest
        if isinstance(target, (OtherObject, EndpointSlice)):
            target.kind_name = str(manifest.get("kind", "")) or model.KIND
        if isinstance(target, OtherObject):
            target.api_version = str(manifest.get("apiVersion", ""))
        target.fill_columns()
        if _duplicate(model, topology, target):
            raise ObjectRefused([Diagnostic("error", object_name_of(manifest, model.NAMESPACED), "metadata.name",
                                            "already-exists", f"Duplicate value: {target.name!r}: already exists")])
        errors = hooks.refusals(topology, manifest, row)
        if errors:
            raise ObjectRefused(errors)
        if row is None:
            target.position = 1 + max((m.objects.filter(topology=topology).aggregate(p=Max("position"))["p"] or 0)
                                      for m in row_models())
        target.save()
        if label is not None and label != target.object_name:  # renamed: the old one is gone
            cs.record(label, before, None)
            before = None
        cs.record(target.object_name, before, manifest)
    return target


def in_namespace(row: KubeObject) -> list[KubeObject]:
    """The objects a Namespace holds (deleting a namespace deletes them, as the namespace
    controller does); nothing for other kinds."""
    if not isinstance(row, Namespace):
        return []
    return [r for model in row_models() if model.NAMESPACED or model is OtherObject
            for r in model.objects.filter(topology_id=row.topology_id, namespace=row.name)]


def delete_object(row: KubeObject, *, user: Any = None, if_match: str | None = None) -> list[str]:
    """Delete one object (a Namespace with what it holds); the names of what went with it.
    PreconditionFailed when `if_match` is not the object's ETag."""
    with changes(row.topology, user, if_match=if_match, object_label=row.object_name) as cs:
        row.manifest = stored_manifest(row)
        held = in_namespace(row)
        for other in held:
            cs.record(other.object_name, other.manifest, None)
            other.delete()
        cs.record(row.object_name, row.manifest, None)
        row.delete()
    return [r.object_name for r in held]

"""Write side: create, re-configure and rename topologies, import manifests atomically, export
(one object's writes: services.operations).

Every write here goes through `services.revisions.changes`: the topology's revision moves
once per write and each object changed gets its Change record, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kubenet_site.semantics.manifests import export_yaml, load_documents
from kubenet_site.semantics.types import Diagnostic
from services.models import KubeObject, OtherObject, Team, Topology, topology_rows
from services.revisions import changes

from .bootstrap import new_cluster_manifests
from .registry import identity, model_for
from .snapshot import build_manifests, topology_manifests


class ImportRefused(Exception):
    """The import would leave objects the API server refuses: nothing was saved."""

    def __init__(self, errors: list[Diagnostic]):
        self.errors = errors
        lines = [f"{e.object}: {e.field}: {e.message}" if e.field else f"{e.object}: {e.message}" for e in errors]
        super().__init__("import refused, nothing was saved:\n  " + "\n  ".join(lines))


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # objects of kinds kubenet keeps verbatim
    unmodelled: list[str] = field(default_factory=list)  # their kinds
    deleted: list[str] = field(default_factory=list)  # what only the bootstrap had made, replaced
    generated: list[str] = field(default_factory=list)  # objects derived from workloads, not stored
    warnings: list[Diagnostic] = field(default_factory=list)
    revision: int = 0

    def lines(self) -> list[str]:
        out = [f"created {len(self.created)}, updated {len(self.updated)} objects"]
        if self.unchanged:
            out.append(f"unchanged {len(self.unchanged)} objects")
        if self.deleted:
            out.append("replaced what the bootstrap made: " + ", ".join(self.deleted))
        if self.unmodelled:
            out.append("kept verbatim (kinds kubenet does not model): " + ", ".join(self.unmodelled))
        out += [f"warning: {w.object}: {w.message}" for w in self.warnings]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The REST API's import answer (interfaces.md): lists of `Kind/ns/name` (warnings: the
        objects warned about, once each), and `warningDetails` (added): each warning in full."""
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "keptVerbatim": self.kept, "generated": self.generated,
                "warnings": list(dict.fromkeys(w.object for w in self.warnings)),
                "warningDetails": [{"object": w.object, "field": w.field or None, "message": w.message}
                                   for w in self.warnings],
                "revision": self.revision}


def object_name(manifest: dict) -> str:
    _, kind, ns, name = identity(manifest)
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


def create_topology(team: Team, name: str, description: str = "", bootstrap: bool = True, *, user: Any = None,
                    **cluster) -> Topology:
    """A new topology starts as a new cluster does (checks.bootstrap), unless `bootstrap` is
    off (manifests that describe a whole cluster, such as a `kubectl get -A` dump)."""
    with transaction.atomic():
        topology = Topology(team=team, name=name, description=description, **cluster)
        topology.full_clean()
        topology.save()
        with changes(topology, user) as cs:
            cs.record(f"Topology/{topology.name}", None, settings_document(topology))
        if bootstrap:
            import_manifests(topology, new_cluster_manifests(topology.cluster_config()), user=user)
    topology.refresh_from_db()
    return topology


def settings_document(topology: Topology) -> dict[str, Any]:
    """What a topology-level Change records: its name, description and cluster block."""
    return {"name": topology.name, "description": topology.description, "cluster": topology.cluster_document()}


def update_topology(topology: Topology, *, user: Any = None, if_match: str | None = None,
                    **values: Any) -> Topology:
    """Rename, describe or re-configure a topology (`name`, `description`, `cluster`: a
    cluster block merged over the current one). ValidationError names the field."""
    cluster = values.pop("cluster", None)
    for key, value in values.items():
        setattr(topology, key, value)
    if cluster is not None:
        for column, value in Topology.cluster_columns(cluster).items():
            setattr(topology, column, value)
    topology.full_clean()
    return save_topology(topology, user=user, if_match=if_match)


def save_topology(topology: Topology, *, user: Any = None, if_match: str | None = None) -> Topology:
    """Store a topology whose fields were set (the API, a settings form, the admin) as one
    recorded change: before and after are its name, description and cluster block."""
    with changes(topology, user, if_match=if_match) as cs:
        before = settings_document(cs.topology)  # the locked row, as stored
        columns = [f.name for f in Topology._meta.concrete_fields if f.name not in ("id", "revision", "created")]
        topology.save(update_fields=columns)  # (its rename bookkeeping; the revision moves in `changes`)
        cs.record(f"Topology/{topology.name}", before, settings_document(topology))
    return topology


def describes_whole_cluster(manifests: list[dict]) -> bool:
    """Manifests that bring their own cluster DNS Service are a whole cluster's objects."""
    return any(identity(m)[1:] == ("Service", "kube-system", "kube-dns") for m in manifests)


def bootstrap_only(topology: Topology, rows: dict[tuple, KubeObject]) -> list[tuple]:
    """Identities of the rows still exactly as the bootstrap made them."""
    made = {identity(m): m for m in new_cluster_manifests(topology.cluster_config())}
    return [key for key, row in rows.items() if key in made and row.manifest == made[key]]


def generated_names(result: Any, stored: list[dict]) -> list[str]:
    """Pods the engine derived from workloads (in the snapshot, not among the stored objects)."""
    have = {object_name(m) for m in stored if m.get("kind") == "Pod"}
    return [name for name in (f"Pod/{p.key}" for p in result.snapshot.pods) if name not in have]


def import_manifests(topology: Topology, source: str | bytes | list | dict, *, user: Any = None,
                     if_match: str | None = None) -> ImportSummary:
    """Add and update objects from manifests, all or nothing.

    Raises ManifestError (unreadable input), ImportRefused (objects the API server would
    refuse, each error naming the object and field path) or PreconditionFailed; the topology
    is then unchanged. Manifests that bring their own `kube-system/kube-dns` replace what only
    the bootstrap made."""
    incoming = load_documents(source)
    with changes(topology, user, if_match=if_match) as cs:
        top = cs.topology
        rows = {identity(r.manifest): r for r in topology_rows(top)}
        replaced = bootstrap_only(top, rows) if describes_whole_cluster(incoming) else []
        incoming_keys = {identity(m) for m in incoming}
        replaced = [k for k in replaced if k not in incoming_keys]
        existing = {key: r.manifest for key, r in rows.items()}
        merged = {k: m for k, m in existing.items() if k not in replaced}
        for manifest in incoming:
            merged[identity(manifest)] = manifest  # an update keeps its place in creation order
        cluster = top.cluster_config()
        result = build_manifests(list(merged.values()), cluster)
        # Refuse what the import brings: every error the topology did not already have.
        known = {(e.object, e.field, e.message) for e in build_manifests(list(existing.values()), cluster).errors}
        errors = [e for e in result.errors if (e.object, e.field, e.message) not in known]
        if errors:
            raise ImportRefused(errors)
        names = {object_name(m) for m in incoming}
        summary = ImportSummary(warnings=[w for w in result.warnings if w.object in names])
        for key in replaced:
            row = rows.pop(key)
            cs.record(row.object_name, row.manifest, None)
            summary.deleted.append(row.object_name)
            row.delete()
        position = max((r.position for r in rows.values()), default=0)
        created: dict[type, dict[int, Any]] = {}  # model -> new rows (inserted together below)
        for manifest in incoming:
            key = identity(manifest)
            row = rows.get(key)
            label = object_name(manifest)
            if row is None:
                position += 1
                row = new_row(top, manifest, position)
                summary.created.append(label)
                rows[key] = row
                created.setdefault(type(row), {})[id(row)] = row
                before = None
            elif row.manifest == manifest:
                if label not in summary.unchanged:
                    summary.unchanged.append(label)
                continue
            else:
                before = row.manifest
                row.manifest = manifest
                summary.updated.append(label)
            row.fill_columns()
            if id(row) not in created.get(type(row), {}):
                row.save()
            cs.record(label, before, manifest)
            if isinstance(row, OtherObject):
                summary.kept.append(label)
                if row.kind_name not in summary.unmodelled:
                    summary.unmodelled.append(row.kind_name)
        for model, new in created.items():
            model.create_many(list(new.values()))
        summary.generated = generated_names(result, list(merged.values()))
    summary.revision = topology.revision
    return summary


def new_row(topology: Topology, manifest: dict, position: int) -> KubeObject:
    model = model_for(manifest)
    row = model(topology=topology, manifest=manifest, position=position)
    if isinstance(row, OtherObject):
        row.kind_name = str(manifest.get("kind", ""))
        row.api_version = str(manifest.get("apiVersion", ""))
    elif model.__name__ == "EndpointSlice":
        row.kind_name = str(manifest.get("kind", "EndpointSlice"))
    return row


def export_topology(topology: Topology) -> str:
    """The topology's objects as multi-document YAML, as they were imported or edited."""
    return export_yaml(topology_manifests(topology))

"""Write side: create topologies, import manifests atomically, export them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from kubenet_site.semantics.manifests import export_yaml, load_documents
from kubenet_site.semantics.types import Diagnostic
from services.models import KubeObject, OtherObject, Team, Topology, topology_rows

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
    unmodelled: list[str] = field(default_factory=list)  # kinds kubenet keeps but does not model
    warnings: list[Diagnostic] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"created {len(self.created)}, updated {len(self.updated)} objects"]
        if self.unmodelled:
            out.append("kept verbatim (kinds kubenet does not model): " + ", ".join(self.unmodelled))
        out += [f"warning: {w.object}: {w.message}" for w in self.warnings]
        return out


def object_name(manifest: dict) -> str:
    _, kind, ns, name = identity(manifest)
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


def create_topology(team: Team, name: str, description: str = "", bootstrap: bool = True, **cluster) -> Topology:
    """A new topology starts as a new cluster does (checks.bootstrap), unless `bootstrap` is
    off (manifests that describe a whole cluster, such as a `kubectl get -A` dump)."""
    with transaction.atomic():
        topology = Topology(team=team, name=name, description=description, **cluster)
        topology.full_clean()
        topology.save()
        if bootstrap:
            import_manifests(topology, new_cluster_manifests(topology.cluster_config()))
    return topology


def describes_whole_cluster(manifests: list[dict]) -> bool:
    """Manifests that bring their own cluster DNS Service are a whole cluster's objects."""
    return any(identity(m)[1:] == ("Service", "kube-system", "kube-dns") for m in manifests)


def import_manifests(topology: Topology, source: str | bytes | list | dict) -> ImportSummary:
    """Add and update objects from manifests, all or nothing.

    Raises ManifestError (unreadable input) or ImportRefused (objects the API server would
    refuse, each error naming the object and field path); the topology is then unchanged."""
    incoming = load_documents(source)
    with transaction.atomic():
        topology = Topology.objects.select_for_update().get(pk=topology.pk)
        existing = {identity(m): m for m in topology_manifests(topology)}
        merged = dict(existing)
        for manifest in incoming:
            merged[identity(manifest)] = manifest  # an update keeps its place in creation order
        cluster = topology.cluster_config()
        result = build_manifests(list(merged.values()), cluster)
        # Refuse what the import brings: every error the topology did not already have.
        known = {(e.object, e.field, e.message) for e in build_manifests(list(existing.values()), cluster).errors}
        errors = [e for e in result.errors if (e.object, e.field, e.message) not in known]
        if errors:
            raise ImportRefused(errors)
        names = {object_name(m) for m in incoming}
        summary = ImportSummary(warnings=[w for w in result.warnings if w.object in names])
        rows = {(identity(r.manifest)): r for r in topology_rows(topology)}
        position = max((r.position for r in rows.values()), default=0)
        created: dict[type, dict[int, Any]] = {}  # model -> new rows (inserted together below)
        for manifest in incoming:
            key = identity(manifest)
            row = rows.get(key)
            if row is None:
                position += 1
                row = new_row(topology, manifest, position)
                summary.created.append(object_name(manifest))
                rows[key] = row
                created.setdefault(type(row), {})[id(row)] = row
            else:
                row.manifest = manifest
                summary.updated.append(object_name(manifest))
            row.fill_columns()
            if id(row) not in created.get(type(row), {}):
                row.save()
            if isinstance(row, OtherObject) and row.kind_name not in summary.unmodelled:
                summary.unmodelled.append(row.kind_name)
        for model, new in created.items():
            model.create_many(list(new.values()))
        topology.bump_revision()
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

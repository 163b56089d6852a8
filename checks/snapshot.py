"""Rows -> Snapshot: the one place that turns a topology's rows (or the manifests a check run
pinned, or an import's proposal) into the engine's input.

It is also the hook behind whole-topology questions of the apps below (`services`,
`ingress`): "what would the API server say of this object in its topology" needs every kind,
so `checks` installs `validation_errors` at start-up (ChecksConfig.ready) and the models ask
through services.hooks.
"""

from __future__ import annotations

from typing import Any

from kubenet_site.semantics.manifests import BuildResult, build_snapshot, parse_cluster
from kubenet_site.semantics.types import ClusterConfig, Diagnostic, Snapshot
from services.models import KubeObject, Topology, topology_rows


def topology_manifests(topology: Topology) -> list[dict]:
    return [row.manifest for row in topology_rows(topology)]


def build(topology: Topology) -> BuildResult:
    """The topology as the engine sees it (objects the API server would refuse left out)."""
    return build_snapshot(topology_manifests(topology), topology.cluster_config())


def build_manifests(manifests: list[dict], cluster: ClusterConfig | None) -> BuildResult:
    """Manifests that are not (yet) rows: an import's proposal over a topology's objects."""
    return build_snapshot(manifests, cluster)


# The last run's build in this process: a run's input never changes (it is pinned), and a
# worker taking several blocks of one run then builds it once and keeps its memos (classes,
# policy answers, DNS look-ups) from block to block.
_LAST_RUN: dict[tuple[Any, ...], BuildResult] = {}


def run_build(run: Any) -> BuildResult:
    """The cluster of the revision a check run pinned (its `input`, read only when this process
    has not built it yet: a block's row may leave it deferred), with what was refused."""
    key = (run.pk, getattr(run, "created", None))
    build = _LAST_RUN.get(key) if run.pk is not None else None
    if build is None:
        build = build_snapshot(run.input.get("manifests") or [], parse_cluster(run.input.get("cluster")))
        _LAST_RUN.clear()
        if run.pk is not None:
            _LAST_RUN[key] = build
    return build


def run_snapshot(run: Any) -> Snapshot:
    """The Snapshot of the revision a check run pinned (its `input`)."""
    return run_build(run).snapshot


def validation_errors(row: KubeObject, manifest: dict) -> list[str]:
    """What the API server would say of `manifest` in place of `row` in its topology: the
    engine's validator, the one validation path for forms, API and import alike."""
    manifests = []
    placed = False
    for other in topology_rows(row.topology):
        if other.pk == row.pk and type(other) is type(row):
            manifests.append(manifest)
            placed = True
        else:
            manifests.append(other.manifest)
    if not placed:
        manifests.append(manifest)
    result = build_snapshot(manifests, row.topology.cluster_config())
    kind = manifest.get("kind", row.kind)
    meta = manifest.get("metadata") or {}
    name = meta.get("name", "")
    ns = meta.get("namespace") or (row.DEFAULT_NAMESPACE if row.NAMESPACED else "")
    me = f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"
    return [f"{e.field}: {e.message}" if e.field else e.message for e in result.errors if e.object == me]


def refusals(topology: Topology, manifest: dict, row: KubeObject | None = None) -> list[Diagnostic]:
    """What saving `manifest` in place of `row` (None: a new object) would bring that the API
    server refuses: every error the topology did not already have, as import judges."""
    rows = topology_rows(topology)
    cluster = topology.cluster_config()
    before = [r.manifest for r in rows]
    after = [manifest if row is not None and r.pk == row.pk and type(r) is type(row) else r.manifest for r in rows]
    if row is None:
        after.append(manifest)
    known = {(e.object, e.field, e.message) for e in build_snapshot(before, cluster).errors}
    return [e for e in build_snapshot(after, cluster).errors if (e.object, e.field, e.message) not in known]

"""Rows -> Snapshot: the one place that turns a topology's rows into the engine's input."""

from __future__ import annotations

from kubenet_site.semantics.manifests import BuildResult, build_snapshot
from services.models import Topology, topology_rows


def topology_manifests(topology: Topology) -> list[dict]:
    return [row.manifest for row in topology_rows(topology)]


def build(topology: Topology) -> BuildResult:
    """The topology as the engine sees it (objects the API server would refuse left out)."""
    return build_snapshot(topology_manifests(topology), topology.cluster_config())

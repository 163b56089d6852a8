"""What this app asks of the layers above it, without importing them (imports only go down).

`checks` (which knows every kind) provides the topology's snapshot when it loads.
"""

from __future__ import annotations

from collections.abc import Callable

from kubenet_site.semantics.manifests import BuildResult

from .models import Topology

_snapshot: list[Callable[[Topology], BuildResult]] = []


def provide_snapshot(build: Callable[[Topology], BuildResult]) -> None:
    _snapshot[:] = [build]


def topology_snapshot(topology: Topology) -> BuildResult:
    """The topology as the engine sees it (checks.snapshot.build)."""
    if not _snapshot:
        raise RuntimeError("no snapshot provider: the checks app provides it when it is installed")
    return _snapshot[0](topology)

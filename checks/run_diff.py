"""The two sides of a diff, from files, a stored topology or a check run, and the diff of two
check runs (for the run pages and `GET /api/v1/runs/{a}/diff/{b}/`).

A side is the engine's diff.Side: the snapshot, the findings and assertion results `kubenet
check` gives for the same objects, and, for a run, the matrices it already stored (its
`routing/*`, `ingress` and `policy/*` steps), so only what the run did not compute is computed
on demand from the objects it pinned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubenet_site.semantics import diff as engine
from kubenet_site.semantics.manifests import ManifestError, build_snapshot, parse_cluster
from kubenet_site.semantics.matrix import matrix_from_json

from .check_command import CheckUsageError, Loaded, check, load_objects
from .steps import step_error

# A run's matrix steps -> the engine's Side.matrices keys.
STEP_MATRICES = {"routing/ClusterIP": "clusterip", "routing/NodePort": "nodeport",
                 "routing/LoadBalancer": "loadbalancer", "routing/ExternalName": "externalname",
                 "ingress": engine.INGRESS}


def side_from_loaded(loaded: Loaded, cluster: Mapping[str, Any] | None) -> engine.Side:
    """What `kubenet check` sees of these objects (its report), as one side of a diff."""
    try:
        report = check(loaded, cluster)
        snapshot = build_snapshot(loaded.objects, parse_cluster(cluster)).snapshot
    except ManifestError as exc:  # the cluster block
        raise CheckUsageError(f"{exc.where}: {exc.message}" if exc.where else exc.message) from exc
    return engine.Side(snapshot, [f.as_dict() for f in report.findings], [a.as_dict() for a in report.assertions])


def stored_matrices(run: Any) -> dict[str, Any]:
    """The matrices a run stored (steps that failed are left to be computed)."""
    out = {}
    for key, value in run.steps.filter(key__in=[*STEP_MATRICES]).values_list("key", "value"):
        if value and not step_error(value):
            out[STEP_MATRICES[key]] = matrix_from_json(value)
    for key, value in run.steps.filter(key__startswith="policy/").values_list("key", "value"):
        _, port, proto = key.split("/")
        if value and not step_error(value):
            out[engine.pods_key(port, proto)] = matrix_from_json(value)
    return out


def side_from_run(run: Any) -> engine.Side:
    """The objects and cluster a run pinned, with the matrices it stored."""
    pinned = run.input or {}
    loaded = load_objects(pinned.get("manifests") or [], f"run #{run.pk}")
    side = side_from_loaded(loaded, pinned.get("cluster"))
    side.matrices.update(stored_matrices(run))
    return side


def diff_runs(a: Any, b: Any) -> dict[str, Any]:
    """The diff document (interfaces.md `diff` JSON) from run `a` to run `b`."""
    return engine.diff(side_from_run(a), side_from_run(b)).as_dict()

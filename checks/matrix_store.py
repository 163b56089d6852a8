"""Where a topology's matrix comes from (interfaces.md "Pages" and "REST API"): the latest
check run of the topology's current revision that stored it (a stale run describes the past
and is ignored), else the matrix kept for this revision (`KeptMatrix`), else computed now as
the run's step would compute it (checks.kinds) and kept for the revision.

Decoding a large stored matrix costs more than reading its row, so decoded matrices are held
in this process, keyed by the row they came from (a new revision means new rows).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from kubenet_site.semantics import matrix
from kubenet_site.semantics.matrix_result import CompressedMatrix
from services.models import Topology

from .models import CheckRun, CheckRunStep, KeptMatrix
from .snapshot import build
from .steps import matrix_from_json, matrix_json

# page type -> the Service type a run's routing step names
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "externalname": "ExternalName"}
MATRIX_TYPES = (*SERVICE_TYPES, "ingress", "pods")
PROTOCOLS = ("TCP", "UDP", "SCTP")
DECODED_KEPT = 8  # decoded matrices held per process


class MatrixRequestError(ValueError):
    """A matrix that cannot be asked for (an unknown type, a pods matrix without a port)."""


@dataclass(frozen=True)
class MatrixSource:
    matrix: CompressedMatrix
    revision: int
    run_id: int | None  # the check run it was read from; None: computed and kept


def matrix_key(kind: str, port: int | str | None = None, protocol: str = "TCP") -> str:
    """The run step (and kept matrix) key: `routing/ClusterIP`, `ingress`, `policy/80/TCP`."""
    if kind in SERVICE_TYPES:
        return f"routing/{SERVICE_TYPES[kind]}"
    if kind == "ingress":
        return "ingress"
    if kind == "pods":
        return f"policy/{port}/{protocol}"
    raise MatrixRequestError(f"no matrix type {kind!r} (types: {', '.join(MATRIX_TYPES)})")


def parse_port(kind: str, port: str | None, protocol: str | None) -> tuple[int | str | None, str]:
    """A pods matrix's port (a number or a port name) and protocol from a query string."""
    proto = (protocol or "TCP").strip().upper()
    if kind != "pods":
        return None, proto
    text = (port or "").strip()
    if not text:
        raise MatrixRequestError("port: the pods matrix needs a port (a number or a port name)")
    value: int | str = int(text) if text.isdigit() else text
    if isinstance(value, int) and not 0 < value < 65536:
        raise MatrixRequestError("port: a number from 1 to 65535 or a port name")
    if proto not in PROTOCOLS:
        raise MatrixRequestError("protocol: TCP, UDP or SCTP")
    return value, proto


def compute(topology: Topology, kind: str, port: int | str | None, protocol: str) -> CompressedMatrix:
    """The matrix as a run's step computes it (checks.kinds plan_routing, plan_ingress, plan_policy)."""
    snap = build(topology).snapshot
    if kind == "pods":
        return matrix.canonical(matrix.pod_matrix(snap, port, protocol))
    return matrix.canonical(matrix.service_matrix(snap, kind, protocol=None))


_decoded: OrderedDict[tuple[str, int], CompressedMatrix] = OrderedDict()


def forget_decoded() -> None:
    """Drop the matrices this process holds decoded (benchmarks time a cold read with it)."""
    _decoded.clear()


def decoded(origin: str, pk: int, load: Any) -> CompressedMatrix:
    """The decoded matrix of one stored row (`load()` reads its JSON), held per process."""
    key = (origin, pk)
    m = _decoded.get(key)
    if m is None:
        m = matrix_from_json(load())
        _decoded[key] = m
        while len(_decoded) > DECODED_KEPT:
            _decoded.popitem(last=False)
    else:
        _decoded.move_to_end(key)
    return m


def latest_run_step(topology: Topology, key: str) -> tuple[int, int] | None:
    """(step pk, run pk) of the newest run of the current revision that stored this matrix."""
    runs = CheckRun.objects.filter(topology=topology, revision=topology.revision).order_by("-created", "-pk")
    for run_id in runs.values_list("pk", flat=True):
        step = CheckRunStep.objects.filter(run_id=run_id, key=key, value__has_key="cells").values_list(
            "pk", flat=True).first()
        if step is not None:  # (a step in error holds {"error": ...})
            return step, run_id
    return None


def matrix_for(topology: Topology, kind: str, port: int | str | None = None, protocol: str = "TCP") -> MatrixSource:
    """The topology's matrix of this type (and port, for pods), as the module docstring says."""
    key = matrix_key(kind, port, protocol)
    found = latest_run_step(topology, key)
    if found is not None:
        step_pk, run_id = found
        m = decoded("step", step_pk, lambda: CheckRunStep.objects.values_list("value", flat=True).get(pk=step_pk))
        return MatrixSource(m, topology.revision, run_id)
    kept = KeptMatrix.objects.filter(topology=topology, revision=topology.revision, key=key).values_list(
        "pk", flat=True).first()
    if kept is None:
        m = compute(topology, kind, port, protocol)
        try:
            with transaction.atomic():
                KeptMatrix.objects.filter(topology=topology, revision__lt=topology.revision).delete()
                kept = KeptMatrix.objects.create(topology=topology, revision=topology.revision, key=key,
                                                 value=matrix_json(m)).pk
        except IntegrityError:  # another request kept the same matrix first
            return MatrixSource(m, topology.revision, None)
        _decoded[("kept", kept)] = m
        return MatrixSource(m, topology.revision, None)
    pk = kept
    m = decoded("kept", pk, lambda: KeptMatrix.objects.values_list("value", flat=True).get(pk=pk))
    return MatrixSource(m, topology.revision, None)

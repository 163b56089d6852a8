"""What a change does, before it is applied: the difference between two clusters' answers.

`diff(old, new)` compares two Sides (a Snapshot, plus the findings and assertion results a
check gives for it, plus any matrices already computed, e.g. stored by a check run) and
answers interfaces.md's `diff` document:

- cells: every matrix a check run computes (matrix.py): the Service types' matrices (ClusterIP,
  NodePort, LoadBalancer, ExternalName: compared as one, so a Service that changes type is
  the same column with a new type), the Ingress matrix (cells of type `ingress`), and the pod
  matrix of every port either side's pods declare; compared compressed (diff_matrix.py);
- endpoints per Service port, DNS answers per class of pods and name form, kube-proxy routes,
  findings added and removed, assertions broken and fixed (diff_answers.py).

The diff is empty exactly when both sides give the same answers: the same outcome in every
cell for every member, the same endpoints, DNS answers and routes, the same findings (their
source file apart), and no assertion broken (failing now, passing or absent before) or fixed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import matrix
from .answer_sets import declared_ports
from .diff_answers import assertion_changes, dns_changes, endpoint_changes, finding_changes, route_changes
from .diff_matrix import ABSENT, CellChange, TypedMatrix, combine, diff_matrices, typed
from .matrix import CompressedMatrix
from .types import Snapshot

__all__ = ["ABSENT", "CellChange", "Diff", "Side", "cell_changes", "diff", "direction", "pods_key"]

# The Service types' matrices, compared as one (matrix.SERVICE_TYPES' keys).
SERVICE_KINDS = ("clusterip", "nodeport", "loadbalancer", "externalname")
INGRESS = "ingress"
OPENING = {"reachable": 2, "not-proxied": 2, "partial": 1}  # anything else: 0 (closed)


def pods_key(port: int | str, protocol: str) -> str:
    return f"pods/{port}/{protocol.upper()}"


@dataclass
class Side:
    """One side of a diff. `matrices` may hold matrices computed elsewhere (keys: the
    SERVICE_KINDS, `ingress`, pods_key(port, protocol)); the others are computed on demand
    and dropped by `release` once compared (a 10,000-pod matrix is large)."""

    snapshot: Snapshot
    findings: Sequence[Mapping[str, Any]] = ()
    assertions: Sequence[Mapping[str, Any]] = ()
    matrices: dict[str, CompressedMatrix] = field(default_factory=dict)
    computed: dict[str, CompressedMatrix] = field(default_factory=dict, repr=False)

    def matrix(self, key: str) -> CompressedMatrix:
        m = self.matrices.get(key) or self.computed.get(key)
        if m is None:
            if key.startswith("pods/"):
                _, port, proto = key.split("/")
                m = matrix.pod_matrix(self.snapshot, int(port) if port.isdigit() else port, proto)
            else:
                m = matrix.service_matrix(self.snapshot, key, protocol=None)
            self.computed[key] = m
        return m

    def release(self) -> None:
        self.computed.clear()


def direction(before: str, after: str) -> str:
    """`opened` (a path now gets through that did not, or gets through more), `closed`, or
    `changed` (e.g. reachable -> not-proxied, blocked -> absent)."""
    a, b = OPENING.get(before, 0), OPENING.get(after, 0)
    return "opened" if b > a else "closed" if b < a else "changed"


@dataclass
class Diff:
    cells: list[CellChange]
    endpoints: list[dict[str, Any]]
    dns: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    findings: dict[str, list[Any]]
    assertions: dict[str, list[Any]]

    @property
    def empty(self) -> bool:
        return not (self.cells or self.endpoints or self.dns or self.routes or any(self.findings.values())
                    or any(self.assertions.values()))

    def as_dict(self) -> dict[str, Any]:
        return {"cells": [c.as_dict() for c in self.cells], "endpoints": self.endpoints, "dns": self.dns,
                "routes": self.routes, "findings": self.findings, "assertions": self.assertions}


def _services(side: Side) -> TypedMatrix:
    return combine([(k, side.matrix(k)) for k in SERVICE_KINDS])


def _policy_inputs(snap: Snapshot) -> tuple[Any, ...]:
    """What a pod matrix's outcomes are made of: NetworkPolicy over pods, their namespaces
    and nodes (matrix_pods.py; Services only shape its classes, not their verdicts)."""
    return (snap.cluster, snap.namespaces, snap.nodes, snap.pods, snap.network_policies)


def cell_changes(old: Side, new: Side) -> list[CellChange]:
    """Every matrix cell whose outcome differs (Service types, Ingress, each declared port's
    pod matrix). Equal clusters have equal matrices, and pod matrices over equal policy
    inputs equal outcomes: those are not computed at all."""
    if old.snapshot == new.snapshot:
        return []

    def compare(a: TypedMatrix, b: TypedMatrix) -> list[CellChange]:
        got = diff_matrices(a, b)
        old.release()
        new.release()
        return got

    out = compare(_services(old), _services(new))
    out += compare(typed(INGRESS, old.matrix(INGRESS)), typed(INGRESS, new.matrix(INGRESS)))
    if _policy_inputs(old.snapshot) == _policy_inputs(new.snapshot):
        return out
    ports = sorted(set(declared_ports(old.snapshot)) | set(declared_ports(new.snapshot)),
                   key=lambda pp: (pp[1], pp[0]))
    for port, proto in ports:
        key = pods_key(port, proto)
        out += compare(typed("pods", old.matrix(key), port, proto), typed("pods", new.matrix(key), port, proto))
    return out


def diff(old: Side, new: Side) -> Diff:
    return Diff(
        cells=cell_changes(old, new),
        endpoints=endpoint_changes(old.snapshot, new.snapshot),
        dns=dns_changes(old.snapshot, new.snapshot),
        routes=route_changes(old.snapshot, new.snapshot),
        findings=finding_changes(old.findings, new.findings),
        assertions=assertion_changes(old.assertions, new.assertions),
    )

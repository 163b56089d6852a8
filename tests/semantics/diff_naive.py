"""A naive oracle for the diff property: every answer of two clusters, member by member.

Cells: each matrix expanded to (row member, column) outcomes (`member_verdict`; pod matrices
to (pod, pod) pairs, a pod and itself left out). DNS: every pod present on both sides
resolving every name form of every Service of either side, pod by pod (no classes). Routes:
every route target of every Service of either side (no skipping of unchanged Services).
Endpoints: each Service's endpoints answer.
"""

from __future__ import annotations

from typing import Any

from kubenet_site.semantics import dns, matrix, proxy
from kubenet_site.semantics.answer_sets import declared_ports
from kubenet_site.semantics.diff import SERVICE_KINDS, Diff, pods_key
from kubenet_site.semantics.diff_answers import route_targets
from kubenet_site.semantics.diff_matrix import ABSENT
from kubenet_site.semantics.dnsnames import service_name_forms
from kubenet_site.semantics.endpoints import answer_endpoints, port_key
from kubenet_site.semantics.types import EXTERNAL_NAME, QueryError, Snapshot


def _expand(out: dict[tuple[str, str, str], str], key: str, m: matrix.CompressedMatrix) -> None:
    for g in m.rows:
        for member in g.members or (g.id,):
            for c, col in enumerate(m.columns):
                outcome = m.member_verdict(member, c).outcome
                if m.kind == "pods":
                    for target in col.members:
                        if target != member:
                            out[(key, member, target)] = outcome
                else:
                    out[(key, member, col.id)] = outcome


def cells(snap: Snapshot, ports: list[tuple[int, str]]) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for kind in SERVICE_KINDS:
        _expand(out, "services", matrix.service_matrix(snap, kind, protocol=None))
    _expand(out, "ingress", matrix.service_matrix(snap, "ingress", protocol=None))
    for port, proto in ports:
        _expand(out, pods_key(port, proto), matrix.pod_matrix(snap, port, proto))
    return out


def endpoints(snap: Snapshot) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME:
            out[svc.key] = EXTERNAL_NAME
            continue
        keys = sorted({port_key(sp) for sp in svc.ports} | ({""} if svc.headless and not svc.ports else set()))
        out[svc.key] = (keys, answer_endpoints(snap, {"service": svc.key})["ports"])
    return out


def _dns(snap: Snapshot, other: Snapshot) -> dict[tuple[str, str], Any]:
    common = [p for p in snap.pods if other.pod(p.key) is not None]
    out = {}
    for p in common:
        for name in set(service_name_forms(snap, p.namespace)) | set(service_name_forms(other, p.namespace)):
            ans = dns.answer_dns(snap, {"from": p.key, "name": name})
            out[(p.key, name)] = (ans.get("rcode"), sorted(str(a.get("data")) for a in ans.get("answers", [])))
    return out


def _routes(snap: Snapshot, targets: set[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    out = {}
    for src, dst in targets:
        try:
            v = proxy.trace(snap, src, dst)
            out[(src, dst)] = (v.outcome, sorted(v.details.get("endpoints") or ()))
        except QueryError:
            out[(src, dst)] = (ABSENT, [])
    return out


def answers(a: Snapshot, b: Snapshot) -> tuple[dict[str, Any], dict[str, Any]]:
    ports = sorted(set(declared_ports(a)) | set(declared_ports(b)))
    targets = {t for snap in (a, b) for svc in snap.services for t in route_targets(snap, svc)}
    return tuple({"cells": cells(s, ports), "endpoints": endpoints(s), "dns": _dns(s, o),  # type: ignore[return-value]
                  "routes": _routes(s, targets)} for s, o in ((a, b), (b, a)))


def differing(old: dict[Any, str], new: dict[Any, str]) -> set[Any]:
    return {k for k in old.keys() | new.keys() if old.get(k, ABSENT) != new.get(k, ABSENT)}


def changed_pairs(result: Diff) -> set[tuple[str, str, str]]:
    out = set()
    for c in result.cells:
        if c.type == "pods":
            key = pods_key(c.port, c.protocol)  # type: ignore[arg-type]
            out |= {(key, m, t) for m in c.members for t in c.column_members if t != m}
        else:
            key = "ingress" if c.type == "ingress" else "services"
            out |= {(key, m, c.column) for m in c.members}
    return out

"""What differs between two clusters' answers other than matrix cells: endpoints per Service
port, DNS answers per class of pods resolving alike and name form, kube-proxy routes,
findings and assertion results. Each compares the answers the query kinds give
(interfaces.md `endpoints`, `dns`, `route`), so a difference here is one a query would show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import dns, proxy
from .answer_sets import dns_classes, service_names
from .endpoints import answer_endpoints, port_key, service_endpoints
from .types import EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT, QueryError, Service, Snapshot

ABSENT = "absent"
ENDPOINT_LISTS = ("ready", "notReady", "serving", "terminating")


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    return list(dict.fromkeys([*first, *second]))


# --- endpoints -------------------------------------------------------------------------------------

def _endpoint_ports(snap: Snapshot, svc: Service | None) -> dict[str, dict[str, list[str]]]:
    """Every port key of the Service (its declared ports, as the endpoints answer names them)
    with its four address lists, empty lists included."""
    if svc is None:
        return {}
    keys = [port_key(sp) for sp in svc.ports] or ([""] if svc.headless else [])
    answered = answer_endpoints(snap, {"service": svc.key})["ports"]
    out = {}
    for k in _union(keys, answered):
        got = answered.get(k, {})
        out[k] = {name: list(got.get(name, ())) for name in ENDPOINT_LISTS}
    return out


def endpoint_changes(old: Snapshot, new: Snapshot) -> list[dict[str, Any]]:
    """Per Service port: the addresses before and after (null where the Service or the
    port does not exist on that side)."""
    out = []
    for key in _union((s.key for s in new.services), (s.key for s in old.services)):
        sa, sb = old.service_by_key.get(key), new.service_by_key.get(key)
        if sa is not None and sb is not None and sa.type == EXTERNAL_NAME == sb.type:
            continue  # no endpoints either side
        pa, pb = _endpoint_ports(old, sa), _endpoint_ports(new, sb)
        for port in _union(pb, pa):
            before, after = pa.get(port), pb.get(port)
            if before != after:
                out.append({"service": key, "port": port, "before": before, "after": after})
    return out


# --- DNS -------------------------------------------------------------------------------------------

def _dns_answer(snap: Snapshot, pod_key: str, name: str) -> dict[str, Any]:
    ans = dns.answer_dns(snap, {"from": pod_key, "name": name})
    return {"rcode": ans.get("rcode"), "answers": sorted(str(a.get("data")) for a in ans.get("answers", []))}


def dns_changes(old: Snapshot, new: Snapshot) -> list[dict[str, Any]]:
    """For each set of pods that resolve alike on both sides (a class on the old side met
    with a class on the new one) and every name form of every Service either side has in
    reach (answer_sets.service_names), the A answer before and after. Pods present on one
    side only are left out: they have no before (or after) to compare; their cells say so."""
    classes_a, classes_b = dns_classes(old), dns_classes(new)
    where_a = {p.key: i for i, pods in enumerate(classes_a) for p in pods}
    parts: dict[tuple[int, int], str] = {}
    for j, pods in enumerate(classes_b):
        for p in pods:
            i = where_a.get(p.key)
            if i is not None:
                parts.setdefault((i, j), p.key)
    cache_a: dict[tuple[int, str], dict[str, Any]] = {}
    cache_b: dict[tuple[int, str], dict[str, Any]] = {}
    out = []
    for (i, j), member in parts.items():
        rep_a, rep_b = classes_a[i][0], classes_b[j][0]
        names = _union(service_names(new, rep_b.namespace), service_names(old, rep_a.namespace))
        for name in names:
            before = cache_a.get((i, name))
            if before is None:
                before = cache_a[(i, name)] = _dns_answer(old, rep_a.key, name)
            after = cache_b.get((j, name))
            if after is None:
                after = cache_b[(j, name)] = _dns_answer(new, rep_b.key, name)
            if before != after:
                out.append({"pod": member, "name": name, "type": "A", "before": before, "after": after})
    return out


# --- routes ----------------------------------------------------------------------------------------

def route_targets(snap: Snapshot, svc: Service | None) -> list[tuple[str, str]]:
    """(from, to) of the routes a Service offers: its cluster IP from every node, its node
    port on every node and its load balancer from outside the cluster."""
    if svc is None or svc.type == EXTERNAL_NAME or not svc.ports:
        return []
    out: list[tuple[str, str]] = []
    nodes = [n.name for n in snap.nodes]
    for sp in svc.ports:
        tail = f"{sp.port}/{sp.protocol}"
        out += [(f"node:{n}", f"svc:{svc.key}:{tail}") for n in nodes]
        if svc.type in (NODE_PORT, LOAD_BALANCER) and sp.node_port:
            out += [("external", f"node:{n}:{sp.node_port}/{sp.protocol}") for n in nodes]
        if svc.type == LOAD_BALANCER:
            out.append(("external", f"lb:{svc.key}:{tail}"))
    return out


def _route(snap: Snapshot, src: str, dst: str) -> tuple[str, tuple[str, ...]]:
    try:
        v = proxy.trace(snap, src, dst)
    except QueryError:
        return ABSENT, ()
    return v.outcome, tuple(sorted(v.details.get("endpoints") or ()))


def route_changes(old: Snapshot, new: Snapshot) -> list[dict[str, Any]]:
    """Routes whose outcome or backends differ. A Service whose object and endpoints are the
    same on both sides, in a cluster with the same nodes, routes the same and is skipped:
    kube-proxy's rules are a function of exactly those."""
    same_nodes = old.nodes == new.nodes
    out = []
    for key in _union((s.key for s in new.services), (s.key for s in old.services)):
        sa, sb = old.service_by_key.get(key), new.service_by_key.get(key)
        if same_nodes and sa is not None and sa == sb and service_endpoints(old, sa) == service_endpoints(new, sb):
            continue
        for src, dst in dict.fromkeys(route_targets(new, sb) + route_targets(old, sa)):
            before, eps_a = _route(old, src, dst)
            after, eps_b = _route(new, src, dst)
            if (before, eps_a) != (after, eps_b):
                out.append({"from": src, "to": dst, "before": before, "after": after,
                            "beforeEndpoints": list(eps_a), "afterEndpoints": list(eps_b)})
    return out


# --- findings and assertions -----------------------------------------------------------------------

FINDING_KEY = ("code", "severity", "object", "field", "message")


def _finding_key(f: Mapping[str, Any]) -> tuple[Any, ...]:
    # Where a finding came from (its file) is no part of it: two directories differ in names.
    return tuple(f.get(k) for k in FINDING_KEY)


def finding_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    ka = {_finding_key(f) for f in old}
    kb = {_finding_key(f) for f in new}
    return {"added": [dict(f) for f in new if _finding_key(f) not in ka],
            "removed": [dict(f) for f in old if _finding_key(f) not in kb]}


def assertion_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """broken: fails now and passed before (or did not exist); fixed: passes now and failed
    before. Matched by name."""
    before = {a["name"]: a for a in old}
    broken, fixed = [], []
    for b in new:
        a = before.get(b["name"])
        entry = {"name": b["name"], "before": a.get("verdict") if a else ABSENT, "after": b.get("verdict"),
                 "message": b.get("message", "")}
        if not b.get("passed") and (a is None or a.get("passed")):
            broken.append(entry)
        elif b.get("passed") and a is not None and not a.get("passed"):
            fixed.append(entry)
    return {"broken": broken, "fixed": fixed}

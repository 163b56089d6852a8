"""What differs between two clusters' answers other than matrix cells: endpoints per Service
port, DNS answers per class of pods resolving alike and name form, kube-proxy routes,
findings and assertion results. Each compares the answers the query kinds give
(interfaces.md `endpoints`, `dns`, `route`), so a difference here is one a query would show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from . import dns, policy_dns, proxy, resolver
from .answer_sets import resolving_alike
from .dnsnames import service_name_forms
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

BLOCKED_DNS = "its egress or the DNS pods' ingress (NetworkPolicy)"


def _records(records: Iterable[Any]) -> list[str]:
    return sorted(str(r.as_dict().get("data", r)) for r in records)


class _Resolving:
    """One side's DNS: answers per (class, name), and the cluster DNS server's own answers
    per name (cached: many classes try the same candidates)."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.classes = resolving_alike(snap)
        self._answers: dict[tuple[int, str], dict[str, Any]] = {}
        self._server: dict[str, tuple[str, list[str]]] = {}

    def mode(self, i: int) -> str:
        """`blocked` (every query times out), `cluster` (the cluster DNS answers) or `other`
        (a nameserver that knows no cluster names): resolver.resolve's three cases."""
        (_, conf, access), _ = self.classes[i]
        if access == policy_dns.BLOCKED:
            return "blocked"
        server = conf.nameservers[0] if conf.nameservers else None
        return "cluster" if server is not None and resolver.is_cluster_dns(self.snap, server) else "other"

    def answer(self, i: int, name: str) -> dict[str, Any]:
        got = self._answers.get((i, name))
        if got is None:
            rep = self.classes[i][1][0]
            # dns.answer_dns: NetworkPolicy keeping the pod from its nameservers times every query out.
            r = dns.resolve(self.snap, rep, name, dns.A, BLOCKED_DNS if self.mode(i) == "blocked" else None)
            got = self._answers[(i, name)] = {"rcode": r.rcode,
                                              "answers": _records(r.answers) if r.rcode == dns.NOERROR else []}
        return got

    def server(self, candidate: str) -> tuple[str, list[str]]:
        got = self._server.get(candidate)
        if got is None:
            resp = dns.server_lookup(self.snap, candidate, dns.A)
            got = self._server[candidate] = (resp.rcode, _records(resp.answers))
        return got


def _dns_inputs(snap: Snapshot) -> tuple[Any, ...]:
    """Everything the cluster DNS answers from (dns.py: Services, their endpoints, pods)."""
    return (snap.cluster, snap.namespaces, snap.services, snap.endpoint_slices, snap.pods)


def dns_changes(old: Snapshot, new: Snapshot) -> list[dict[str, Any]]:
    """For each set of pods that resolve alike on both sides (a class on the old side met
    with a class on the new one) and every name form of every Service either side has in
    reach (answer_sets.service_names), the A answer before and after. Pods present on one
    side only are left out: they have no before (or after) to compare; their cells say so.

    Exact shortcuts: two classes with the same resolv.conf, namespace and DNS access
    resolve a name alike when the cluster DNS answers each candidate the stub resolver
    may try (resolver.candidates) alike, and always when neither reaches the cluster DNS."""
    a, b = _Resolving(old), _Resolving(new)
    where_a = {p.key: i for i, (_, pods) in enumerate(a.classes) for p in pods}
    parts: dict[tuple[int, int], str] = {}
    for j, (_, pods) in enumerate(b.classes):
        for p in pods:
            i = where_a.get(p.key)
            if i is not None:
                parts.setdefault((i, j), p.key)
    same_data = _dns_inputs(old) == _dns_inputs(new)
    out = []
    for (i, j), member in parts.items():
        key_a, key_b = a.classes[i][0], b.classes[j][0]
        mode = a.mode(i)
        alike = key_a == key_b and mode == b.mode(j)
        if alike and (same_data or mode != "cluster"):
            continue
        ns_a, ns_b = key_a[0], key_b[0]
        for name in _union(service_name_forms(new, ns_b), service_name_forms(old, ns_a)):
            if alike and all(a.server(c) == b.server(c) for c in resolver.candidates(name, key_a[1])[0]):
                continue
            before, after = a.answer(i, name), b.answer(j, name)
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
    same on both sides, in a cluster with the same nodes and settings, routes the same and is
    skipped: kube-proxy builds its rules from exactly those (kubernetes cmd/kube-proxy/app/
    server.go watches Services, EndpointSlices and its Node; pkg/proxy/iptables/proxier.go
    syncProxyRules)."""
    same_nodes = old.nodes == new.nodes and old.cluster == new.cluster
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

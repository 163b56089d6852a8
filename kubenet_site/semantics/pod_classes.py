"""Pods that behave alike: the classes the matrices are computed over (architecture.md
"Matrices stay compressed").

Two pods share a class when nothing the topology's Services, NetworkPolicies and ingress
controllers look at can tell them apart. The class key is built from exactly those inputs:

- the namespace (so every namespaceSelector result is shared);
- the result of every distinct selector that can apply to a pod of that namespace: Service
  selectors of the namespace (endpoints only take pods of the Service's namespace,
  endpointslice controller), the podSelector of each policy of the namespace and each of its
  peers without a namespaceSelector (networking/v1: a podSelector alone means the policy's own
  namespace), the podSelector of every peer whose namespaceSelector picks the namespace, and
  the ingress controllers' pod labels (cluster.controller_mappings). Each selector is evaluated
  once per distinct (namespace, pod labels);
- the pod's container ports whose names any Service targetPort, policy port or the matrix's own
  port refers to (named ports resolve per pod: FindPort, policy port matching);
- for every distinct ipBlock of any policy, whether the pod's address falls in it (cidr minus
  except, evaluated like policy.ip_block_matches), so an ipBlock over pod addresses splits
  classes by IP;
- hostNetwork (outside NetworkPolicy, carries the node's IP; then the node too), phase, IP
  presence, readiness and termination (EndpointSlice conditions), dnsPolicy and dnsConfig;
- the IP addresses listed in manual EndpointSlices (endpoints by address, not by selector).

The node of ordinary pods is NOT in the key: it matters only for Services with
internalTrafficPolicy Local and for hostNetwork peers (the own-node rule); matrix.py evaluates
those cells per node of the members instead (see `node_sensitive` there), which keeps the
number of classes independent of how pods are spread over nodes.

Rows group pods by namespace and workload (`workload_of`); a workload whose pods fall into
several classes becomes several rows, labelled `ns/name (k of n pods)`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import policy as pol
from .labels import map_selects, selects
from .types import IPBlock, LabelSelector, NetworkPolicy, Pod, Snapshot

# apimachinery pkg/util/rand SafeEncodeString: the alphabet of pod-template-hash suffixes.
_SAFE = set("bcdfghjklmnpqrstvwxz2456789")


def workload_of(pod: Pod) -> str:
    """The pod's workload name: its controller owner (a ReplicaSet named `<deployment>-<hash>`
    counts as the Deployment, pkg/controller/deployment: the ReplicaSet name is the Deployment
    name plus `-` plus the pod-template-hash), else the `app.kubernetes.io/name` or `app` label
    (the recommended labels), else the pod itself."""
    for ref in pod.owner_references:
        if not ref.controller:
            continue
        name = ref.name
        if ref.kind == "ReplicaSet":
            h = pod.labels.get("pod-template-hash")
            if h and name.endswith("-" + h):
                name = name[: -len(h) - 1]
            elif "-" in name:
                base, _, suffix = name.rpartition("-")
                if base and 1 <= len(suffix) <= 10 and set(suffix) <= _SAFE:
                    name = base
        return name
    for key in ("app.kubernetes.io/name", "app"):
        if pod.labels.get(key):
            return pod.labels[key]
    return pod.name


def _sel_key(sel: LabelSelector) -> tuple[Any, ...]:
    return ("sel", tuple(sorted(sel.match_labels.items())), sel.match_expressions)


@dataclass
class PodClass:
    id: int
    key: tuple[Any, ...]
    members: list[Pod] = field(default_factory=list)

    @property
    def rep(self) -> Pod:
        return self.members[0]

    @property
    def namespace(self) -> str:
        return self.rep.namespace


@dataclass
class ClassIndex:
    """The classes of one snapshot, with look-ups the matrices need."""

    snap: Snapshot
    classes: list[PodClass]
    class_of: dict[str, int]
    ip_blocks: list[IPBlock]
    named_ports: frozenset[str]

    @property
    def all_bits(self) -> int:
        return (1 << len(self.classes)) - 1

    def bits_where(self, pred: Any, candidates: Iterable[int] | None = None) -> int:
        out = 0
        for i in (range(len(self.classes)) if candidates is None else candidates):
            if pred(self.classes[i]):
                out |= 1 << i
        return out

    def in_namespaces(self, names: Iterable[str]) -> list[int]:
        out: list[int] = []
        for n in names:
            out.extend(self.by_namespace.get(n, ()))
        return out

    @cached_property
    def by_namespace(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for c in self.classes:
            out.setdefault(c.namespace, []).append(c.id)
        return out


def iter_bits(bits: int) -> Iterator[int]:
    """The indices of the set bits, lowest first."""
    if bits.bit_count() > 48:  # dense sets: a byte at a time, through a table
        data = bits.to_bytes((bits.bit_length() + 7) // 8, "little")
        return iter([k * 8 + i for k, byte in enumerate(data) if byte for i in _BYTE_BITS[byte]])
    return _sparse_bits(bits)


def _sparse_bits(bits: int) -> Iterator[int]:
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


_BYTE_BITS = tuple(tuple(i for i in range(8) if (b >> i) & 1) for b in range(256))  # byte -> its set bits


def _policy_selectors(p: NetworkPolicy) -> Iterator[tuple[LabelSelector | None, LabelSelector | None]]:
    for rule in p.ingress + p.egress:
        for peer in rule.peers:
            yield peer.namespace_selector, peer.pod_selector


class IPBlockMatcher:
    """policy.ip_block_matches over many addresses: networks as (version, first, last) ints."""

    def __init__(self, blocks: list[IPBlock]) -> None:
        self.nets: list[tuple[int, int, int, list[tuple[int, int]]] | None] = []
        for b in blocks:
            try:
                net = ipaddress.ip_network(b.cidr, strict=False)
            except ValueError:
                self.nets.append(None)
                continue
            exc = []
            for e in b.except_:
                try:
                    en = ipaddress.ip_network(e, strict=False)
                except ValueError:
                    continue
                if en.version == net.version:
                    exc.append((int(en.network_address), int(en.broadcast_address)))
            self.nets.append((net.version, int(net.network_address), int(net.broadcast_address), exc))

    def bits(self, ips: tuple[str, ...]) -> tuple[bool, ...]:
        addrs: dict[int, int] = {}
        for ip in ips:
            try:
                a = ipaddress.ip_address(ip)
            except ValueError:
                continue
            addrs.setdefault(a.version, int(a))  # policy._ip_of_family: the first of the family
        out = []
        for entry in self.nets:
            if entry is None:
                out.append(False)
                continue
            version, lo, hi, exc = entry
            a = addrs.get(version)
            out.append(a is not None and lo <= a <= hi and not any(elo <= a <= ehi for elo, ehi in exc))
        return tuple(out)


def party_ips(snap: Snapshot, pod: Pod) -> tuple[str, ...]:
    """The addresses NetworkPolicy sees for the pod as a peer (policy.party_of_pod)."""
    party = pol.party_of_pod(snap, pod)
    if party.kind == pol.POD:
        return tuple(pod.pod_ips)
    return (party.ip,) if party.ip else ()


def distinct_ip_blocks(snap: Snapshot) -> list[IPBlock]:
    seen: dict[tuple[str, tuple[str, ...]], IPBlock] = {}
    for p in snap.network_policies:
        for rule in p.ingress + p.egress:
            for peer in rule.peers:
                if peer.ip_block is not None:
                    seen.setdefault((peer.ip_block.cidr, tuple(peer.ip_block.except_)), peer.ip_block)
    return list(seen.values())


def used_port_names(snap: Snapshot, extra: Iterable[str] = ()) -> frozenset[str]:
    names = set(extra)
    for s in snap.services:
        for sp in s.ports:
            if isinstance(sp.target_port, str) and not sp.target_port.isdigit():
                names.add(sp.target_port)
    for p in snap.network_policies:
        for rule in p.ingress + p.egress:
            for pp in rule.ports:
                if isinstance(pp.port, str) and not pp.port.isdigit():
                    names.add(pp.port)
    return frozenset(names)


def build_classes(snap: Snapshot, port_names: Iterable[str] = ()) -> ClassIndex:
    """Group the snapshot's pods into behaviour classes (see the module docstring)."""
    names = used_port_names(snap, port_names)
    blocks = distinct_ip_blocks(snap)
    matcher = IPBlockMatcher(blocks)

    # Selectors per namespace, deduplicated: (key, evaluate(labels) -> bool).
    per_ns: dict[str, dict[tuple[Any, ...], Any]] = {}

    def add(ns: str, key: tuple[Any, ...], fn: Any) -> None:
        per_ns.setdefault(ns, {}).setdefault(key, fn)

    for s in snap.services:
        if s.selector:
            sel = dict(s.selector)
            add(s.namespace, ("map", tuple(sorted(sel.items()))), lambda lb, sel=sel: map_selects(sel, lb))
    cross: list[tuple[LabelSelector, LabelSelector]] = []
    for p in snap.network_policies:
        ps = p.pod_selector
        add(p.namespace, _sel_key(ps), lambda lb, ps=ps: selects(ps, lb))
        for ns_sel, pod_sel in _policy_selectors(p):
            if pod_sel is None:
                continue
            if ns_sel is None:
                add(p.namespace, _sel_key(pod_sel), lambda lb, s2=pod_sel: selects(s2, lb))
            else:
                cross.append((ns_sel, pod_sel))
    namespaces = {n.name for n in snap.namespaces} | set(snap.pods_by_namespace)
    for ns_sel, pod_sel in cross:
        for ns in namespaces:
            if selects(ns_sel, snap.namespace_labels(ns)):
                add(ns, _sel_key(pod_sel), lambda lb, s2=pod_sel: selects(s2, lb))
    for m in snap.cluster.controller_mappings:
        lbls = dict(m.pod_labels)
        for ns in ([m.namespace] if m.namespace else namespaces):
            add(ns, ("map", tuple(sorted(lbls.items()))), lambda lb, sel=lbls: map_selects(sel, lb))

    manual: dict[str, set[str]] = {}
    for sl in snap.endpoint_slices:
        for ep in sl.endpoints:
            for a in ep.addresses:
                manual.setdefault(a, set()).add(sl.key)

    sel_cache: dict[tuple[str, frozenset[tuple[str, str]]], tuple[bool, ...]] = {}
    ip_cache: dict[tuple[str, ...], tuple[bool, ...]] = {}
    classes: list[PodClass] = []
    by_key: dict[tuple[Any, ...], PodClass] = {}
    class_of: dict[str, int] = {}
    for pod in snap.pods:
        lk = (pod.namespace, frozenset(pod.labels.items()))
        sel_bits = sel_cache.get(lk)
        if sel_bits is None:
            fns = per_ns.get(pod.namespace, {})
            sel_bits = tuple(fn(pod.labels) for fn in fns.values())
            sel_cache[lk] = sel_bits
        ips = party_ips(snap, pod)
        ip_bits = ip_cache.get(ips)
        if ip_bits is None:
            ip_bits = matcher.bits(ips)
            ip_cache[ips] = ip_bits
        ports = tuple(sorted((cp.name, cp.container_port, cp.protocol)
                             for c in pod.containers + pod.sidecars for cp in c.ports
                             if cp.name and cp.name in names))
        key = (
            pod.namespace, sel_bits, ports, ip_bits,
            pod.host_network, pod.node_name if pod.host_network else None,
            pod.phase, tuple(":" in ip for ip in pod.pod_ips), pod.ready, pod.terminating,  # IP families
            pod.dns_policy, pod.dns_config,
            tuple(sorted(set().union(*(manual.get(ip, set()) for ip in pod.pod_ips)))) if manual else (),
        )
        c = by_key.get(key)
        if c is None:
            c = PodClass(len(classes), key)
            classes.append(c)
            by_key[key] = c
        c.members.append(pod)
        class_of[pod.key] = c.id
    return ClassIndex(snap, classes, class_of, blocks, names)


@dataclass(frozen=True)
class RowSpec:
    """One matrix row of pods: a workload's pods of one class."""

    id: str
    label: str
    class_id: int
    members: tuple[Pod, ...]


def pod_rows(index: ClassIndex) -> list[RowSpec]:
    """Pods grouped by namespace and workload, a workload split by behaviour class; ordered by
    namespace, workload, then the class of its first pod."""
    groups: dict[tuple[str, str], list[Pod]] = {}
    for pod in index.snap.pods:
        groups.setdefault((pod.namespace, workload_of(pod)), []).append(pod)
    rows: list[RowSpec] = []
    for (ns, wl) in sorted(groups):
        pods = groups[(ns, wl)]
        by_class: dict[int, list[Pod]] = {}
        for p in pods:
            by_class.setdefault(index.class_of[p.key], []).append(p)
        base = f"{ns}/{wl}"
        if len(by_class) == 1:
            cid, members = next(iter(by_class.items()))
            rows.append(RowSpec(base, base, cid, tuple(members)))
            continue
        for j, (cid, members) in enumerate(by_class.items(), start=1):
            rows.append(RowSpec(f"{base}#{j}", f"{base} ({len(members)} of {len(pods)} pods)", cid,
                                tuple(members)))
    return rows

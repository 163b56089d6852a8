"""Reachability matrices, kept compressed (architecture.md "Matrices stay compressed").

`service_matrix(snap, service_type)` answers, for every client and every Service of one type
(or every served Ingress host+path), whether a connection gets through and why not:

- rows: pods grouped by namespace and workload (pod_classes.workload_of), one row per
  workload and behaviour class: a workload whose pods behave differently is split into rows
  labelled `ns/name (k of n pods)`; then every node (`node:<name>`), then `external`;
- columns: one per Service port (`svc:<ns>/<name>:<port>/<PROTO>`), one per ExternalName
  Service, or one per served Ingress (host, path);
- cells: indices into `verdicts`, the distinct Verdicts. Outcomes: `reachable`, `blocked`,
  `partial` (backends, nodes or a row's members disagree; details say which),
  `not-applicable` (an outside client and a cluster IP), `not-proxied` (ExternalName, and a
  headless Service for clients without cluster DNS).

A cell for pods is: the Service name resolves (policy_dns.dns_access: UDP 53 to the cluster DNS
allowed by NetworkPolicy, and a resolver that uses the cluster DNS), kube-proxy delivers
(proxy.trace from a representative pod to the cluster IP), and NetworkPolicy allows the
connection at every backend after DNAT (policy.py's egress AND ingress, judged per class in
matrix_eval.py). Nodes: proxy.trace from the node, then NetworkPolicy with the node as source
(a pod's own node is always allowed). External: NodePort through each node's IP, the load
balancer through its address; with externalTrafficPolicy Cluster the receiving node SNATs
the client, so policies at the backend see that node's IP (an ipBlock for the client's
address does not match; a backend on the receiving node counts as its own node), with Local
the client's IP is preserved and nodes without a local endpoint drop it (proxy.py).

Rows whose members differ in a cell (a node-dependent column: internalTrafficPolicy Local,
or a hostNetwork backend and the own-node rule) get a `partial` cell whose details count the
members per outcome; `expand_row` gives each member's exact verdicts.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import matrix_eval as mev
from . import policy as pol
from . import policy_dns, policy_services, proxy
from .endpoints import selected_pods
from .pod_classes import ClassIndex, RowSpec, build_classes, iter_bits
from .types import (
    CLUSTER_IP,
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Pod,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
    Verdict,
)

REACHABLE, BLOCKED, PARTIAL = "reachable", "blocked", "partial"
_SHARED_CACHES = ("namespace_by_name", "node_by_name", "pod_by_key", "pods_by_namespace", "ingress_class_by_name")
NOT_APPLICABLE, NOT_PROXIED = "not-applicable", "not-proxied"
SERVICE_TYPES = {"clusterip": CLUSTER_IP, "nodeport": NODE_PORT, "loadbalancer": LOAD_BALANCER,
                 "externalname": EXTERNAL_NAME, "ingress": "Ingress"}


@dataclass(frozen=True)
class Group:
    """A row or column: its id, a label, its members (pod keys, node or Service names)."""

    id: str
    label: str
    members: tuple[str, ...] = ()
    kind: str = "pods"  # pods, node, external, service, ingress
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "kind": self.kind,
                               "members": list(self.members)}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def _vkey(v: Verdict) -> tuple[Any, ...]:
    # details are built deterministically (sorted keys) by this module, so repr is canonical.
    return (v.outcome, v.trace, repr(v.details))


class _Interner:
    def __init__(self) -> None:
        self.verdicts: list[Verdict] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def add(self, v: Verdict) -> int:
        k = _vkey(v)
        i = self._index.get(k)
        if i is None:
            i = len(self.verdicts)
            self.verdicts.append(v)
            self._index[k] = i
        return i


@dataclass
class CompressedMatrix:
    """Rows and columns of groups; `cells[r][c]` indexes `verdicts` (distinct Verdicts).

    `member_cells[r][member][c]` overrides a cell for one member of row r where the row's
    members differ (see the module docstring). Rows that share a behaviour class may share
    one cells list: treat `cells` as read-only."""

    kind: str
    rows: list[Group]
    columns: list[Group]
    cells: list[list[int]]
    verdicts: list[Verdict]
    member_cells: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)
    row_offset: int = 0  # the first row's index in the full matrix (a row_block)
    total_rows: int | None = None

    def _row(self, row: int | str) -> int:
        if isinstance(row, int):
            return row
        for i, g in enumerate(self.rows):
            if g.id == row:
                return i
        raise KeyError(f"no row {row!r}")

    def _col(self, col: int | str) -> int:
        if isinstance(col, int):
            return col
        for i, g in enumerate(self.columns):
            if g.id == col:
                return i
        raise KeyError(f"no column {col!r}")

    def cell(self, row: int | str, col: int | str) -> Verdict:
        return self.verdicts[self.cells[self._row(row)][self._col(col)]]

    def expand_row(self, row: int | str) -> dict[str, list[Verdict]]:
        """Each member of the row with its own verdict per column."""
        r = self._row(row)
        base = self.cells[r]
        over = self.member_cells.get(r, {})
        members = self.rows[r].members or (self.rows[r].id,)
        out: dict[str, list[Verdict]] = {}
        for m in members:
            mo = over.get(m, {})
            out[m] = [self.verdicts[mo.get(c, base[c])] for c in range(len(self.columns))]
        return out

    def member_verdict(self, member: str, col: int | str) -> Verdict:
        """The verdict of one pod (or node, or `external`) for one column."""
        c = self._col(col)
        for r, g in enumerate(self.rows):
            if member in g.members or g.id == member:
                idx = self.member_cells.get(r, {}).get(member, {}).get(c, self.cells[r][c])
                return self.verdicts[idx]
        raise KeyError(f"no row holds {member!r}")

    def to_dict(self, page: int = 1, page_size: int = 100) -> dict[str, Any]:
        """One page of rows (1-based), every column, and the verdicts the page uses."""
        page = max(1, page)
        page_size = max(1, page_size)
        lo, hi = (page - 1) * page_size, page * page_size
        rows = self.rows[lo:hi]
        cells = [list(c) for c in self.cells[lo:hi]]
        used = sorted({i for row in cells for i in row}
                      | {i for r in range(lo, min(hi, len(self.rows)))
                         for mo in self.member_cells.get(r, {}).values() for i in mo.values()})
        total = len(self.rows)
        return {
            "kind": self.kind,
            "page": page, "pageSize": page_size, "totalRows": total,
            "pages": (total + page_size - 1) // page_size,
            "columns": [g.as_dict() for g in self.columns],
            "rows": [g.as_dict() for g in rows],
            "cells": cells,
            "memberCells": {str(r - lo): {m: {str(c): i for c, i in mo.items()} for m, mo in v.items()}
                            for r, v in self.member_cells.items() if lo <= r < hi},
            "verdicts": {str(i): {"outcome": self.verdicts[i].outcome, "trace": list(self.verdicts[i].trace),
                                  "details": self.verdicts[i].details} for i in used},
        }

    def outcome_table(self) -> list[list[str]]:
        """Every cell's outcome (for tests and small matrices)."""
        return [[self.verdicts[i].outcome for i in row] for row in self.cells]


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class _Column:
    group: Group
    svc: Service | None = None
    sp: ServicePort | None = None
    ingress: tuple[str, str, str] | None = None  # (host, path, pathType)


def _port_id(sp: ServicePort) -> str:
    return f"{sp.port}/{sp.protocol}"


def service_columns(snap: Snapshot, service_type: str, port: int | None = None,
                    protocol: str | None = "TCP") -> list[_Column]:
    kind = SERVICE_TYPES.get(service_type.lower())
    if kind is None:
        raise QueryError(f"unknown matrix type {service_type!r}: one of {', '.join(SERVICE_TYPES)}")
    cols: list[_Column] = []
    if kind == "Ingress":
        from . import ingress as ing  # the ingress module is only needed for this type

        for host, path, ptype in ing.ingress_columns(snap):
            cid = f"ingress:{host or '*'}{path}"
            cols.append(_Column(Group(cid, f"{host or '*'}{path} ({ptype})", (host, path), "ingress"),
                                ingress=(host, path, ptype)))
        return cols
    proto = protocol.upper() if protocol else None
    for svc in snap.services:
        if svc.type != kind:
            continue
        if kind == EXTERNAL_NAME:
            cols.append(_Column(Group(f"svc:{svc.key}", svc.key, (svc.key,), "service"), svc))
            continue
        for sp in svc.ports:
            if port is not None and sp.port != port:
                continue
            if proto and sp.protocol.upper() != proto:
                continue
            label = f"{svc.key}:{_port_id(sp)}" + (f" ({sp.name})" if sp.name else "")
            cols.append(_Column(Group(f"svc:{svc.key}:{_port_id(sp)}", label, (svc.key,), "service"), svc, sp))
    return cols


# --------------------------------------------------------------------------- helpers


def _aggregate(outcomes: Iterable[str]) -> str:
    s = set(outcomes)
    if not s:
        return BLOCKED
    if s == {pol.ALLOWED} or s == {REACHABLE}:
        return REACHABLE
    if s <= {pol.BLOCKED, BLOCKED}:
        return BLOCKED
    return PARTIAL


def _sanitize(lines: Sequence[str], replacements: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Replace whole names only (`10.0.0.4` must not touch `10.0.0.45`)."""
    reps = [(re.compile(r"(?<![\w./-])" + re.escape(old) + r"(?![\w/-]|\.\d)"), new)
            for old, new in replacements if old]
    out = []
    for line in lines:
        for rx, new in reps:
            line = rx.sub(new, line)
        out.append(line)
    return tuple(out)


def _split_addr(addr: str) -> tuple[str, int | None]:
    if addr.startswith("["):
        host, _, rest = addr[1:].partition("]:")
        return host, int(rest) if rest else None
    host, sep, port = addr.rpartition(":")
    if not sep:
        return addr, None
    return host, int(port)


@dataclass(frozen=True)
class _Backend:
    addr: str
    ip: str
    port: int
    pod: Pod | None
    cid: int | None


# --------------------------------------------------------------------------- the engine


class _Engine:
    def __init__(self, snap: Snapshot, kind: str, port_names: Iterable[str] = ()) -> None:
        self.snap, self.kind = snap, kind
        self.index: ClassIndex = build_classes(snap, port_names)
        self.pc = mev.PolicyCache(snap, self.index)
        self.out = _Interner()
        self._proxy: dict[tuple[Any, ...], Verdict] = {}
        self._dns: dict[int, tuple[bool, str]] = {}
        self._dns_sig: dict[tuple[Any, ...], tuple[bool, str]] = {}
        self._backends: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._backend_sets: dict[tuple[str, ...], tuple[_Backend, ...]] = {}
        self._sensitive: dict[str, bool] = {}
        self._views: dict[str, Snapshot] = {}
        self._dns_bits: dict[int, int] = {}
        self._lines: dict[tuple[Any, ...], tuple[str, str]] = {}
        self._pp: dict[tuple[Any, ...], tuple[str, str]] = {}
        self.ip_pod: dict[str, Pod] = {}
        for p in snap.pods:  # policy.party_of_ip: a running pod's IP is that pod
            if p.finished:
                continue
            for ip in p.pod_ips:
                if not p.host_network or ip not in self.ip_pod:
                    self.ip_pod[ip] = p
        n = len(self.index.classes)
        self.kind_bits = {"pod": 0, "host": 0, "noip": 0}
        for c in self.index.classes:
            rep = c.rep
            k = "noip" if (rep.finished or not rep.pod_ips) else "host" if rep.host_network else "pod"
            self.kind_bits[k] |= 1 << c.id
        self.n = n

    # --- DNS ------------------------------------------------------------------------------
    def cluster_resolver(self, pod: Pod) -> bool:
        # concepts/services-networking/dns-pod-service "Pod's DNS Policy" (policy_dns.pod_nameservers)
        return any(ns in self.snap.cluster.cluster_dns for ns in policy_dns.pod_nameservers(self.snap, pod))

    def dns_state(self, cid: int) -> tuple[bool, str]:
        """(names resolve, a note for the row) for a pod class."""
        st = self._dns.get(cid)
        if st is not None:
            return st
        rep = self.index.classes[cid].rep
        if not self.cluster_resolver(rep):
            servers = ", ".join(policy_dns.pod_nameservers(self.snap, rep)) or "none"
            st = (False, f"DNS: dnsPolicy {rep.dns_policy}{' (hostNetwork)' if rep.host_network else ''} "
                         f"uses nameservers {servers}, not the cluster DNS: Service names do not resolve")
        else:
            sig = self._dns_signature(cid)
            st = self._dns_sig.get(sig)
            if st is None:
                v = policy_dns.dns_access(self.snap, rep)
                lines = _sanitize(v.trace[1:], [(rep.key, "the client")])
                if v.outcome == pol.BLOCKED:
                    st = (False, "DNS: queries to the cluster DNS time out (UDP 53 blocked): "
                                 + " | ".join(line.strip() for line in lines))
                else:
                    st = (True, "DNS: the cluster DNS answers" + (" (some DNS backends blocked)"
                                                                   if v.outcome != pol.ALLOWED else ""))
                self._dns_sig[sig] = st
        self._dns[cid] = st
        return st

    def dns_bits(self, within: int) -> int:
        """The classes of `within` whose pods can resolve Service names."""
        got = self._dns_bits.get(within)
        if got is None:
            got = 0
            for cid in iter_bits(within):
                if self.dns_state(cid)[0]:
                    got |= 1 << cid
            self._dns_bits[within] = got
        return got

    def _dns_signature(self, cid: int) -> tuple[Any, ...]:
        """What policy_dns.dns_access can depend on for this class: its resolver, its egress
        profile and how the DNS backends' ingress rules see it."""
        c = self.index.classes[cid]
        rep = c.rep
        base = (rep.dns_policy, rep.dns_config, rep.host_network, self.pc.egress_profile[cid])
        dns_cids = self._dns_backend_classes()
        if dns_cids is None or cid in dns_cids:
            return base + (("class", cid),)
        parts = tuple((self.pc.ingress(d, cid, 53, proto).text, self.pc.egress(cid, d, 53, proto).text)
                      for d in sorted(dns_cids) for proto in ("UDP", "TCP"))
        return base + (parts,)

    def _dns_backend_classes(self) -> set[int] | None:
        if "_dnsb" in self.__dict__:
            return self.__dict__["_dnsb"]
        out: set[int] | None = set()
        svc = self.snap.service("kube-system/kube-dns")
        ips = set(self.snap.cluster.cluster_dns)
        svcs = [s for s in self.snap.services if s.has_cluster_ip and (set(s.cluster_ips) | {s.cluster_ip}) & ips]
        if svc is not None and svc not in svcs:
            svcs.append(svc)
        for s in svcs:
            for sp in s.ports:
                for ep in policy_services.service_backends(self.snap, s, sp):
                    p = self.snap.pod(ep.pod_key) if ep.pod_key else None
                    if p is None:
                        out = None
                        break
                    assert out is not None
                    out.add(self.index.class_of[p.key])
        if not svcs or out == set():
            out = None  # CoreDNS assumed by policy.py: judge every class on its own
        self.__dict__["_dnsb"] = out
        return out

    # --- kube-proxy -----------------------------------------------------------------------
    def proxy(self, source: str, dest: str, key: tuple[Any, ...],
              repl: Sequence[tuple[str, str]] = (), svc: Service | None = None) -> Verdict:
        """proxy.trace, cached under `key`; the trace without its first hop ("from ...") and
        with the source's own names replaced by `repl`, so it holds for the whole group."""
        v = self._proxy.get(key)
        if v is None:
            try:
                raw = proxy.trace(self.view(dest, svc), source, dest)
            except QueryError as exc:
                raw = Verdict("error", ("", str(exc)), {"error": str(exc)})
            v = Verdict(raw.outcome, _sanitize(raw.trace[1:], repl), raw.details)
            self._proxy[key] = v
        return v

    def view(self, dest: str, svc: Service | None = None) -> Snapshot:
        """The snapshot as proxy.trace needs it for one Service's destination: the same
        cluster with only that Service in `services` (a trace to one Service's cluster IP,
        node port or load balancer only reads that Service: addresses are unique, API-server
        validation), sharing the parent's look-up caches. It also keeps each column's answer
        about its own Service where generated clusters reuse an address or a node port."""
        if svc is None:
            kind, _, rest = dest.partition(":")
            key = rest.rsplit(":", 1)[0] if kind in ("svc", "lb") else None
            svc = self.snap.service(key) if key else None
        if svc is None:
            return self.snap
        got = self._views.get(svc.key)
        if got is None:
            # Endpoints read only the pods of the Service's namespace its selector picks
            # (endpoints.selected_pods); give the view just those, so each trace does not scan
            # the namespace. Sources are looked up through the shared pod_by_key.
            # (An ExternalName Service gets none: nothing traced to it reads pods.)
            chosen = selected_pods(self.snap, svc)
            got = dataclasses.replace(self.snap, services=(svc,), pods=chosen)
            for name in _SHARED_CACHES:
                got.__dict__[name] = getattr(self.snap, name)
            got.__dict__["pods_by_namespace"] = {svc.namespace: chosen} if chosen else {}
            self._views[svc.key] = got
        return got

    def backends(self, addrs: Iterable[str]) -> tuple[_Backend, ...]:
        """The backends behind these addresses, sorted (cached per address set: many
        columns and nodes share one)."""
        key = tuple(addrs)
        b = self._backend_sets.get(key)
        if b is None:
            out = []
            for a in sorted(key):
                ip, port = _split_addr(a)
                if port is None:
                    continue
                pod = self.ip_pod.get(ip)
                out.append(_Backend(a, ip, port, pod, self.index.class_of[pod.key] if pod else None))
            b = tuple(out)
            self._backend_sets[key] = b
        return b

    # --- one pod-class cell ---------------------------------------------------------------
    def policy_pod(self, cid: int, client_node: str | None, be: _Backend, proto: str) -> tuple[str, str]:
        """(outcome for the members of `cid` other than the backend itself, explanation)."""
        pc = self.pc
        sparty = pc.parties[cid]
        if be.pod is None or be.cid is None:
            party = pol.party_of_ip(self.snap, be.ip)
            e = pc.egress_to_party(cid, party, be.port, proto)
            return (pol.ALLOWED if e.allowed else pol.BLOCKED), f"{e.text}; {party.label} is no pod: not isolated"
        dparty = pc.parties[be.cid]
        if sparty.kind == pol.NODE and dparty.kind == pol.POD and sparty.node_name == be.pod.node_name:
            return pol.ALLOWED, "traffic between a pod and its own node is always allowed"
        if dparty.kind == pol.NODE and sparty.kind == pol.POD and client_node is not None \
                and client_node == be.pod.node_name:
            return pol.ALLOWED, "traffic between a pod and its own node is always allowed"
        key = (cid, be.cid, be.port, proto)
        got = self._pp.get(key)
        if got is None:
            ans = pc.pod_to_pod(cid, be.cid, be.port, proto)
            got = (ans.outcome, ans.text)
            self._pp[key] = got
        return got

    def judge_backends(self, cid: int, client_node: str | None, backends: Sequence[_Backend],
                       proto: str) -> tuple[str, list[str], dict[str, str]]:
        # Every pod of a class is a backend when one is (the class key holds what endpoints
        # depend on), so each client pod is one of the `own` backends of its class: it reaches
        # itself (policy.connect's self rule); the other `own - 1` are judged by policy.
        own = sum(1 for be in backends if be.cid == cid)
        lines: list[str] = []
        results: dict[str, str] = {}
        outs: list[str] = []
        for be in backends:
            who = f" ({be.pod.key})" if be.pod else ""
            if be.cid == cid:
                if own == 1:
                    results[be.addr] = pol.ALLOWED
                    outs.append(pol.ALLOWED)
                    lines.append(f"backend {be.addr}{who}: allowed: the client itself (a pod never blocks "
                                 "traffic to itself)")
                    continue
                o, text = self.policy_pod(cid, client_node, be, proto)
                # One verdict for the whole class: the backend pod itself is allowed, its peers not
                # necessarily; say both rather than one that is wrong for some member.
                results[be.addr] = o if o == pol.ALLOWED else f"{pol.ALLOWED} from itself, {o} from the others"
                outs += [pol.ALLOWED, o]
                lines.append(f"backend {be.addr}{who}: the client's own class: each pod reaches itself; "
                             f"the other pods of the class: {o}: {text}")
                continue
            o, text = self.policy_pod(cid, client_node, be, proto)
            results[be.addr] = o
            outs.append(o)
            lines.append(f"backend {be.addr}{who}: {o}: {text}")
        return _aggregate(outs), lines, results

    def pod_service_cell(self, cid: int, col: _Column, client: Pod) -> Verdict:
        svc, sp = col.svc, col.sp
        assert svc is not None
        fqdn = f"{svc.name}.{svc.namespace}.svc.{self.snap.cluster.domain}"
        ok, note = self.dns_state(cid)
        if svc.type == EXTERNAL_NAME:
            if not ok:
                return Verdict(BLOCKED, (f"DNS: {fqdn} cannot be resolved by the client (see the row's notes)",),
                               {"hop": "dns"})
            return Verdict(NOT_PROXIED, (f"DNS: {fqdn} is a CNAME to {svc.external_name}; kube-proxy does not "
                                         "proxy ExternalName Services and their ports mean nothing",),
                           {"cname": svc.external_name})
        assert sp is not None
        if not ok:
            return Verdict(BLOCKED, ("DNS: the client cannot resolve Service names (see the row's notes)",),
                           {"hop": "dns"})
        dest = f"svc:{svc.key}:{sp.port}/{sp.protocol}"
        sensitive = self.node_sensitive(col)
        key = self.proxy_key(dest, svc, cid, client, sensitive)
        # The first hop ("from pod ...") is dropped; only the client's node is named after it.
        repl = [(f"node {client.node_name}", "the client's node")]
        pv = self.proxy(client.key, dest, key, repl)
        plines = pv.trace
        proto = sp.protocol.upper()
        if svc.headless:
            eps = self.svc_backends(svc, sp)
            if not eps:
                return Verdict(BLOCKED, (f"DNS: {fqdn} is headless and has no ready endpoint: no address",),
                               {"hop": "dns"})
            backends = self.backends(e.address for e in eps)
            head = [f"DNS: {fqdn} is headless: its A records are the endpoints; the client connects to "
                    "them directly (no kube-proxy)"]
        elif pv.outcome != "delivered":
            return Verdict(BLOCKED, (f"DNS: {fqdn} -> {svc.cluster_ip}",) + plines,
                           {"hop": "kube-proxy", "proxy": pv.outcome})
        else:
            backends = self.backends(pv.details.get("endpoints", ()))
            head = [f"DNS: {fqdn} -> {svc.cluster_ip}", *plines]
        node = client.node_name
        outcome, lines, results = self.judge_backends(cid, node, backends, proto)
        details: dict[str, Any] = {"backends": results}
        return Verdict(outcome, tuple(head + lines), details)

    def proxy_key(self, dest: str, svc: Service, cid: int, client: Pod, sensitive: bool) -> tuple[Any, ...]:
        """What a pod client's trace to `dest` depends on: its kind (pod, hostNetwork, no IP),
        its node when the column is node-dependent or it is hostNetwork, and whether it is
        itself a backend (hairpin traffic is masqueraded: proxy_paths._deliver)."""
        pk = self._proxy_kind(cid)
        ips = self._endpoint_ips(svc)
        # Whether kube-proxy picks the client itself depends on its endpoint conditions.
        hairpin = (client.ready, client.terminating) if any(ip in ips for ip in client.pod_ips) else None
        return (dest, pk, client.node_name if (sensitive or pk == "host") else None, hairpin)

    def _endpoint_ips(self, svc: Service) -> frozenset[str]:
        key = ("ips", svc.key)
        got = self._backends.get(key)
        if got is None:
            got = frozenset(e.ip for e in self.endpoints_of(svc))  # type: ignore[assignment]
            self._backends[key] = got  # type: ignore[assignment]
        return got  # type: ignore[return-value]

    def _proxy_kind(self, cid: int) -> str:
        for k, bits in self.kind_bits.items():
            if (bits >> cid) & 1:
                return k
        return "pod"

    def svc_backends(self, svc: Service, sp: ServicePort) -> tuple[Any, ...]:
        """policy_services.service_backends, cached per Service port."""
        key = ("svc_backends", svc.key, sp.port, sp.protocol)
        got = self._backends.get(key)
        if got is None:
            got = tuple(policy_services.service_backends(self.view("", svc), svc, sp))
            self._backends[key] = got
        return got

    def endpoints_of(self, svc: Service) -> tuple[Any, ...]:
        """endpoints.service_endpoints, cached per Service."""
        key = ("endpoints", svc.key)
        got = self._backends.get(key)
        if got is None:
            from .endpoints import service_endpoints

            got = service_endpoints(self.view("", svc), svc)
            self._backends[key] = got
        return got

    def node_sensitive(self, col: _Column) -> bool:
        got = self._sensitive.get(col.group.id)
        if got is None:
            got = self._node_sensitive(col)
            self._sensitive[col.group.id] = got
        return got

    def _node_sensitive(self, col: _Column) -> bool:
        """Whether a pod client's node changes the cell: internalTrafficPolicy Local (kube-proxy
        uses the client node's endpoints) or a hostNetwork backend (the own-node rule)."""
        svc = col.svc
        if svc is None or svc.type == EXTERNAL_NAME:
            return False
        if svc.internal_traffic_policy == "Local":
            return True
        # Any host-network pod the selector picks (a superset of the backends: safe, the
        # node-dependent path is exact, only slower), or one a manual EndpointSlice lists.
        if any(p.host_network for p in self.view("", svc).pods):
            return True
        if any(sl.namespace == svc.namespace and sl.service_name == svc.name for sl in self.snap.endpoint_slices):
            for sp in svc.ports if col.sp is None else (col.sp,):
                for ep in self.svc_backends(svc, sp):
                    p = self.ip_pod.get(ep.ip)
                    if p is not None and p.host_network:
                        return True
        return False


# --------------------------------------------------------------------------- rows


def _pod_row_groups(engine: _Engine, specs: Sequence[RowSpec]) -> list[Group]:
    out = []
    for r in specs:
        notes = _row_notes(engine, r.class_id)
        out.append(Group(r.id, r.label, tuple(p.key for p in r.members), "pods", notes))
    return out


def _row_notes(engine: _Engine, cid: int) -> tuple[str, ...]:
    pc = engine.pc
    notes = []
    prof = pc.egress_profile[cid]
    if pc.parties[cid].kind != pol.POD:
        notes.append("hostNetwork: outside NetworkPolicy; its traffic carries the node's IP")
    elif prof:
        notes.append("egress isolated by " + ", ".join(pc.policies[i].key for i in prof))
    else:
        notes.append("egress: not isolated")
    if pc.ingress_set[cid] and pc.parties[cid].kind == pol.POD:
        notes.append("ingress isolated by " + ", ".join(pc.policies[i].key for i in pc.ingress_set[cid]))
    if engine.kind != "pods":
        notes.append(engine.dns_state(cid)[1])
    return tuple(notes)


def _block(total: int, row_block: tuple[int, int] | None) -> range:
    if row_block is None:
        return range(total)
    lo, hi = row_block
    return range(max(0, lo), min(total, hi))


# --------------------------------------------------------------------------- service matrix


def service_matrix(snap: Snapshot, service_type: str, port: int | None = None, protocol: str | None = "TCP",
                   row_block: tuple[int, int] | None = None) -> CompressedMatrix:
    """Clients x Services of one type (clusterip, nodeport, loadbalancer, externalname) or x
    served Ingress host+paths (ingress). `protocol=None` keeps every protocol's ports;
    `row_block=(start, stop)` computes only those rows (merge_blocks joins blocks)."""
    from .matrix_service import compute_service_matrix

    return compute_service_matrix(snap, service_type, port, protocol, row_block)


def pod_matrix(snap: Snapshot, port: int | str, protocol: str = "TCP",
               row_block: tuple[int, int] | None = None) -> CompressedMatrix:
    """Pod classes x pod classes for one port (a number, or a name resolved on each
    destination) and protocol: NetworkPolicy alone decides (the `reachability` query's
    semantics). Rows and columns are the workload groups; a cell of a group with itself
    describes two different pods of the group (each pod always reaches itself)."""
    from .matrix_pods import compute_pod_matrix

    return compute_pod_matrix(snap, port, protocol, row_block)


def canonical(m: CompressedMatrix) -> CompressedMatrix:
    """The same matrix with verdicts numbered in order of first use (row-major cells, then
    the member overrides by row, member and column), so equal matrices compare equal
    whatever order they were computed in."""
    first = dict.fromkeys(itertools.chain.from_iterable(m.cells))
    for r in sorted(m.member_cells):
        for mem in sorted(m.member_cells[r]):
            mo = m.member_cells[r][mem]
            for c in sorted(mo):
                first.setdefault(mo[c])
    order = {old: new for new, old in enumerate(first)}
    verdicts = [m.verdicts[old] for old in order]
    shared: dict[int, list[int]] = {}
    cells = []
    for row in m.cells:
        new_row = shared.get(id(row))
        if new_row is None:
            new_row = [order[i] for i in row]
            shared[id(row)] = new_row
        cells.append(new_row)
    members = {r: {mem: {c: order[i] for c, i in mo.items()} for mem, mo in v.items()}
               for r, v in m.member_cells.items()}
    return CompressedMatrix(m.kind, list(m.rows), list(m.columns), cells, verdicts, members,
                            m.row_offset, m.total_rows)


def merge_blocks(blocks: Sequence[CompressedMatrix]) -> CompressedMatrix:
    """Join row blocks of one matrix (any order) into the matrix one call would give."""
    if not blocks:
        raise ValueError("merge_blocks needs at least one block")
    ordered = sorted(blocks, key=lambda b: b.row_offset)
    first = ordered[0]
    out = _Interner()
    rows: list[Group] = []
    cells: list[list[int]] = []
    members: dict[int, dict[str, dict[int, int]]] = {}
    for b in ordered:
        if [g.id for g in b.columns] != [g.id for g in first.columns]:
            raise ValueError("blocks of different matrices")
        remap = [out.add(v) for v in b.verdicts]
        shared: dict[int, list[int]] = {}
        for r, row in enumerate(b.cells):
            new = shared.get(id(row))
            if new is None:
                new = [remap[i] for i in row]
                shared[id(row)] = new
            members_r = b.member_cells.get(r)
            if members_r:
                members[len(rows)] = {m: {c: remap[i] for c, i in mo.items()} for m, mo in members_r.items()}
            rows.append(b.rows[r])
            cells.append(new)
    merged = CompressedMatrix(first.kind, rows, list(first.columns), cells, out.verdicts, members, 0,
                              first.total_rows)
    return canonical(merged)


__all__ = [
    "BLOCKED", "NOT_APPLICABLE", "NOT_PROXIED", "PARTIAL", "REACHABLE", "SERVICE_TYPES",
    "CompressedMatrix", "Group", "canonical", "merge_blocks", "pod_matrix", "service_columns",
    "service_matrix",
]

"""The matrices' cell evaluator: one client class (or node, or outside client) against one
column, with the caches the matrix types share. matrix_service.py and matrix_pods.py build
their matrices with it; matrix.py describes the semantics of a cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from . import matrix_eval as mev
from . import policy as pol
from . import policy_dns, policy_services, proxy
from .endpoints import per_snapshot, selected_pods, service_endpoints
from .matrix_result import BLOCKED, NOT_PROXIED, PARTIAL, REACHABLE, Group, Interner
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

SERVICE_TYPES = {"clusterip": CLUSTER_IP, "nodeport": NODE_PORT, "loadbalancer": LOAD_BALANCER,
                 "externalname": EXTERNAL_NAME, "ingress": "Ingress"}
_UNSET = object()


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    group: Group
    svc: Service | None = None
    sp: ServicePort | None = None
    ingress: tuple[str, str, str] | None = None  # (host, path, pathType)


def port_id(sp: ServicePort) -> str:
    return f"{sp.port}/{sp.protocol}"


def service_columns(snap: Snapshot, service_type: str, port: int | None = None,
                    protocol: str | None = "TCP") -> list[Column]:
    kind = SERVICE_TYPES.get(service_type.lower())
    if kind is None:
        raise QueryError(f"unknown matrix type {service_type!r}: one of {', '.join(SERVICE_TYPES)}")
    cols: list[Column] = []
    if kind == "Ingress":
        from . import ingress as ing  # the ingress module is only needed for this type

        for host, path, ptype in ing.ingress_columns(snap):
            cid = f"ingress:{host or '*'}{path}"
            cols.append(Column(Group(cid, f"{host or '*'}{path} ({ptype})", (host, path), "ingress"),
                                ingress=(host, path, ptype)))
        return cols
    proto = protocol.upper() if protocol else None
    for svc in snap.services:
        if svc.type != kind:
            continue
        if kind == EXTERNAL_NAME:
            cols.append(Column(Group(f"svc:{svc.key}", svc.key, (svc.key,), "service"), svc))
            continue
        for sp in svc.ports:
            if port is not None and sp.port != port:
                continue
            if proto and sp.protocol.upper() != proto:
                continue
            label = f"{svc.key}:{port_id(sp)}" + (f" ({sp.name})" if sp.name else "")
            cols.append(Column(Group(f"svc:{svc.key}:{port_id(sp)}", label, (svc.key,), "service"), svc, sp))
    return cols


# --------------------------------------------------------------------------- helpers


def aggregate(outcomes: Iterable[str]) -> str:
    s = set(outcomes)
    if not s:
        return BLOCKED
    if s == {pol.ALLOWED} or s == {REACHABLE}:
        return REACHABLE
    if s <= {pol.BLOCKED, BLOCKED}:
        return BLOCKED
    return PARTIAL


def sanitize(lines: Sequence[str], replacements: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """Replace whole names only (`10.0.0.4` must not touch `10.0.0.45`)."""
    reps = [(re.compile(r"(?<![\w./-])" + re.escape(old) + r"(?![\w/-]|\.\d)"), new)
            for old, new in replacements if old]
    out = []
    for line in lines:
        for rx, new in reps:
            line = rx.sub(new, line)
        out.append(line)
    return tuple(out)


def split_host_port(addr: str) -> tuple[str, int | None]:
    """`ip:port` or `[ipv6]:port` (endpoints.join_host_port's form) -> (ip, port); no port, or
    one that is not a number: (the address, None)."""
    if addr.startswith("["):
        host, _, rest = addr[1:].partition("]:")
        return host, int(rest) if rest.isdigit() else None
    host, sep, port = addr.rpartition(":")
    if not sep or not port.isdigit():
        return addr, None
    return host, int(port)


@dataclass(frozen=True)
class Backend:
    addr: str
    ip: str
    port: int
    pod: Pod | None
    cid: int | None


# --------------------------------------------------------------------------- the engine


class CellEvaluator:
    """Evaluates cells of one matrix type over a snapshot's behaviour classes (pod_classes)
    and shares its partial answers (DNS, kube-proxy traces, backends, policy) across cells."""

    def __init__(self, snap: Snapshot, kind: str, port_names: Iterable[str] = ()) -> None:
        self.snap, self.kind = snap, kind
        # The classes and their policy answers depend on the snapshot and the port names
        # alone (every PolicyCache memo is keyed by port and protocol): built once for all the
        # matrices of a snapshot, not once per matrix.
        shared: dict[tuple[str, ...], tuple[ClassIndex, mev.PolicyCache]] = per_snapshot(
            snap, "matrix_cells.classes", dict)
        names = tuple(sorted(set(port_names)))
        if names not in shared:
            index = build_classes(snap, names)
            shared[names] = (index, mev.PolicyCache(snap, index))
        self.index, self.pc = shared[names]
        self.out = Interner()
        # Caches, each keyed by what its answer depends on (see the method that fills it).
        self.proxy_verdicts: dict[tuple[Any, ...], Verdict] = {}  # proxy(); node cells (matrix_service_cells)
        self.line_cache: dict[tuple[Any, ...], tuple[str, str]] = {}  # node cells' policy lines
        self._dns: dict[int, tuple[bool, str]] = {}  # dns_state per class
        self._dns_sig: dict[tuple[Any, ...], tuple[bool, str]] = {}  # dns_state per _dns_signature
        self._dns_bits: dict[int, int] = {}  # dns_bits
        self._dns_backends: set[int] | None | object = _UNSET  # _dns_backend_classes, once
        self._backends: dict[tuple[Any, ...], Any] = {}  # endpoint_ips, svc_backends, endpoints_of
        self._backend_sets: dict[tuple[str, ...], tuple[Backend, ...]] = {}  # backends
        self._sensitive: dict[str, bool] = {}  # node_sensitive per column id
        self._views: dict[str, Snapshot] = {}  # view per Service key
        self._pp: dict[tuple[Any, ...], tuple[str, str]] = {}  # policy_pod
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
                lines = sanitize(v.trace[1:], [(rep.key, "the client")])
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
        if self._dns_backends is not _UNSET:
            return self._dns_backends  # type: ignore[return-value]
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
        self._dns_backends = out
        return out

    # --- kube-proxy -----------------------------------------------------------------------
    def proxy(self, source: str, dest: str, key: tuple[Any, ...],
              repl: Sequence[tuple[str, str]] = (), svc: Service | None = None) -> Verdict:
        """proxy.trace, cached under `key`; the trace without its first hop ("from ...") and
        with the source's own names replaced by `repl`, so it holds for the whole group."""
        v = self.proxy_verdicts.get(key)
        if v is None:
            try:
                raw = proxy.trace(self.view(dest, svc), source, dest)
            except QueryError as exc:
                raw = Verdict("error", ("", str(exc)), {"error": str(exc)})
            v = Verdict(raw.outcome, sanitize(raw.trace[1:], repl), raw.details)
            self.proxy_verdicts[key] = v
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
            got = self.snap.restricted((svc,), selected_pods(self.snap, svc))
            self._views[svc.key] = got
        return got

    def backends(self, addrs: Iterable[str]) -> tuple[Backend, ...]:
        """The backends behind these addresses, sorted (cached per address set: many
        columns and nodes share one)."""
        key = tuple(addrs)
        b = self._backend_sets.get(key)
        if b is None:
            out = []
            for a in sorted(key):
                ip, port = split_host_port(a)
                if port is None:
                    continue
                pod = self.ip_pod.get(ip)
                out.append(Backend(a, ip, port, pod, self.index.class_of[pod.key] if pod else None))
            b = tuple(out)
            self._backend_sets[key] = b
        return b

    # --- one pod-class cell ---------------------------------------------------------------
    def policy_pod(self, cid: int, client_node: str | None, be: Backend, proto: str) -> tuple[str, str]:
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

    def judge_backends(self, cid: int, client_node: str | None, backends: Sequence[Backend],
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
        return aggregate(outs), lines, results

    def pod_service_cell(self, cid: int, col: Column, client: Pod) -> Verdict:
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
        ips = self.endpoint_ips(svc)
        # Whether kube-proxy picks the client itself depends on its endpoint conditions.
        hairpin = (client.ready, client.terminating) if any(ip in ips for ip in client.pod_ips) else None
        return (dest, pk, client.node_name if (sensitive or pk == "host") else None, hairpin)

    def endpoint_ips(self, svc: Service) -> frozenset[str]:
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
            got = service_endpoints(self.view("", svc), svc)
            self._backends[key] = got
        return got

    def node_sensitive(self, col: Column) -> bool:
        got = self._sensitive.get(col.group.id)
        if got is None:
            got = self._node_sensitive(col)
            self._sensitive[col.group.id] = got
        return got

    def _node_sensitive(self, col: Column) -> bool:
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


def pod_row_groups(engine: CellEvaluator, specs: Sequence[RowSpec]) -> list[Group]:
    out = []
    for r in specs:
        notes = _row_notes(engine, r.class_id)
        out.append(Group(r.id, r.label, tuple(p.key for p in r.members), "pods", notes))
    return out


def _row_notes(engine: CellEvaluator, cid: int) -> tuple[str, ...]:
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

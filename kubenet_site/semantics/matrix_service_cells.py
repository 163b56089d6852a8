"""The service matrix's columns and cells: pod classes per part of a column, node rows,
the outside client (see matrix.py for what each cell means).

A column's pod classes are evaluated per *part*: the classes that the DNS check, kube-proxy
and every backend's NetworkPolicy halves cannot tell apart (matrix_eval.py); one
representative per part is evaluated and its Verdict shared. Node rows are cached per
(column, what the node changes: local endpoints, own-node backends, its address's ipBlock bits).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from . import matrix_eval as mev
from . import policy as pol
from .matrix_cells import Backend, CellEvaluator, Column, aggregate, split_host_port
from .matrix_result import BLOCKED, NOT_APPLICABLE, NOT_PROXIED, PARTIAL
from .pod_classes import iter_bits
from .proxy_topology import external_policy_local
from .types import EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT, Node, Service, Verdict

EXTERNAL_ROW = "external"


class IngressColumns(Protocol):
    """What the cells of an Ingress column ask of matrix_ingress.IngressParts."""

    def node_cell(self, node: Node, col: Column) -> Verdict: ...

    def external_cell(self, col: Column) -> Verdict: ...


def members_differ(eng: CellEvaluator, idxs: dict[str, int]) -> Verdict:
    counts: dict[str, int] = {}
    for i in idxs.values():
        o = eng.out.verdicts[i].outcome
        counts[o] = counts.get(o, 0) + 1
    return Verdict(PARTIAL, ("the row's pods differ here (their node matters: internalTrafficPolicy Local "
                             "or the own-node rule); expand the row for each pod's verdict",),
                   {"members": dict(sorted(counts.items()))})


# --------------------------------------------------------------------------- pod rows


def pod_column(eng: CellEvaluator, col: Column, block_bits: int) -> list[int]:
    """Verdict index per class (-1 outside the block), evaluating one class per part."""
    svc, sp = col.svc, col.sp
    assert svc is not None
    dns_ok = eng.dns_bits(block_bits)
    all_parts: list[int] = []
    for kind in ("pod", "host", "noip"):
        kb = block_bits & eng.kind_bits[kind]
        if not kb:
            continue
        parts = mev.refine([kb], dns_ok)
        if kind == "host":  # each hostNetwork class is its own node: the own-node rule
            parts = [1 << c for c in iter_bits(kb)]
        elif svc.type != EXTERNAL_NAME and sp is not None:
            rep_cid = mev.lowest(kb & dns_ok) if kb & dns_ok else None
            if rep_cid is not None:
                for be in _distinct(_column_backends(eng, col, rep_cid)):
                    parts = _refine_for_backend(eng, parts, be, sp.protocol.upper(), kb)
        all_parts += parts
    return mev.spread(all_parts, lambda cid: eng.out.add(eng.pod_service_cell(cid, col, eng.index.classes[cid].rep)),
                      len(eng.index.classes), eng.index.all_bits, block_bits)


def sensitive_column(eng: CellEvaluator, col: Column, class_nodes: dict[int, dict[str | None, Any]]
                      ) -> dict[tuple[int, str | None], int]:
    """A node-dependent column: (class, node) -> verdict index. Nodes are grouped by what
    they change (the Service's local endpoints under internalTrafficPolicy Local; the node
    itself when a backend is host-network), and each group is partitioned like a column."""
    svc, sp = col.svc, col.sp
    assert svc is not None and sp is not None
    own_node = any(ep.pod_key and (p := eng.snap.pod(ep.pod_key)) is not None and p.host_network
                   for ep in eng.svc_backends(svc, sp))
    local = svc.internal_traffic_policy == "Local"

    local_eps: dict[str | None, set[str]] = {}
    if local:
        for e in eng.endpoints_of(svc):
            local_eps.setdefault(e.node_name, set()).add(e.address)
    sigs: dict[str | None, Any] = {}

    def sig(node: str | None) -> Any:
        got = sigs.get(node, sigs)
        if got is sigs:
            got = (frozenset(local_eps.get(node, ())) if local else None, node if own_node else None)
            sigs[node] = got
        return got

    groups: dict[Any, dict[int, list[tuple[str | None, Any]]]] = {}
    for cid, by_node in class_nodes.items():
        for node, member in by_node.items():
            groups.setdefault(sig(node), {}).setdefault(cid, []).append((node, member))
    out: dict[tuple[int, str | None], int] = {}
    dns_all = eng.dns_bits(eng.index.all_bits)
    for members in groups.values():
        bits = 0
        for cid in members:
            bits |= 1 << cid
        parts: list[int] = []
        for kind in ("pod", "host", "noip"):
            kb = bits & eng.kind_bits[kind]
            if not kb:
                continue
            kparts = mev.refine([kb], dns_all)
            if kind == "host":
                kparts = [1 << c for c in iter_bits(kb)]
            elif kb & dns_all:
                rep = mev.lowest(kb & dns_all)
                for be in _distinct(_column_backends(eng, col, rep, members[rep][0][1])):
                    kparts = _refine_for_backend(eng, kparts, be, sp.protocol.upper(), kb)
            parts += kparts
        for part in parts:
            cid = mev.lowest(part)
            idx = eng.out.add(eng.pod_service_cell(cid, col, members[cid][0][1]))
            for c in iter_bits(part):
                for node, _m in members[c]:
                    out[(c, node)] = idx
    return out


def _column_backends(eng: CellEvaluator, col: Column, cid: int, client: Any = None) -> Sequence[Backend]:
    """The backends the column sends this class's clients to (`client`: the member whose
    node counts, for a node-dependent column)."""
    svc, sp = col.svc, col.sp
    assert svc is not None and sp is not None
    if svc.headless:
        eps = eng.svc_backends(svc, sp)
        dest = f"svc:{svc.key}:{sp.port}/{sp.protocol}"
        return eng.backends(e.address for e in eps)
    client = client if client is not None else eng.index.classes[cid].rep
    dest = f"svc:{svc.key}:{sp.port}/{sp.protocol}"
    key = eng.proxy_key(dest, svc, cid, client, eng.node_sensitive(col))
    pv = eng.proxy(client.key, dest, key, [(f"node {client.node_name}", "the client's node")])
    if pv.outcome != "delivered":
        return ()
    eps = tuple(pv.details.get("endpoints", ()))
    return eng.backends(eps)


def _distinct(backends: Sequence[Backend]) -> list[Backend]:
    """One backend per (class, port): the others split the clients the same way."""
    seen: dict[tuple[int | None, int, str | None], Backend] = {}
    for be in backends:
        seen.setdefault((be.cid, be.port, be.ip if be.cid is None else None), be)
    return list(seen.values())


def _refine_for_backend(eng: CellEvaluator, parts: list[int], be: Backend, proto: str, within: int) -> list[int]:
    pc = eng.pc
    if be.cid is None:  # not a pod: egress toward an address depends on the egress profile
        for _prof, bits in pc.profile_bits.items():
            parts = mev.refine(parts, bits)
        return parts
    if (within >> be.cid) & 1:
        parts = mev.refine(parts, 1 << be.cid)  # the backend's own class: the self rule
    for bits, _half in pc.egress_groups(be.cid, be.port, proto, within):
        parts = mev.refine(parts, bits)
    for bits, _half in pc.ingress_groups(be.cid, be.port, proto):
        parts = mev.refine(parts, bits)
    return parts


# --------------------------------------------------------------------------- node rows


def _local_sig(eng: CellEvaluator, svc: Service, node: Node) -> frozenset[str] | None:
    """What a node changes for a Service: its local endpoints, when a traffic policy is Local."""
    if svc.internal_traffic_policy != "Local" and not external_policy_local(svc):
        return None
    return frozenset(e.address for e in eng.endpoints_of(svc) if e.node_name == node.name)


def node_column(eng: CellEvaluator, col: Column, nodes: Sequence[Node], ing: IngressColumns | None) -> list[int]:
    """One column's verdict index for each node row. Nodes differ only by what a Local
    traffic policy makes them see, by the backends they host (own node) and by which
    ipBlocks hold their address; each distinct combination is evaluated once."""
    if not nodes:
        return []
    svc = col.svc
    if ing is not None or svc is None or col.sp is None or svc.type == EXTERNAL_NAME or svc.headless:
        return [eng.out.add(node_cell(eng, n, col, ing)) for n in nodes]
    local = svc.internal_traffic_policy == "Local" or external_policy_local(svc)
    memo: dict[tuple[Any, ...], int] = {}
    host_of: dict[str | None, str] = {}
    if not local and svc.type != NODE_PORT:
        # Same trace from every node: the backends are known once.
        v0 = node_cell(eng, nodes[0], col, None)
        for addr in v0.details.get("backends", {}):
            pod = eng.ip_pod.get(split_host_port(addr)[0])
            if pod is not None:
                host_of[pod.node_name] = host_of.get(pod.node_name, "") + addr + " "
    out = []
    for n in nodes:
        if local or svc.type == NODE_PORT:
            out.append(eng.out.add(node_cell(eng, n, col, None)))
            continue
        key = (eng.pc.index_bucket(eng.pc.node_party(n)), host_of.get(n.name, ""))
        idx = memo.get(key)
        if idx is None:
            idx = eng.out.add(node_cell(eng, n, col, None))
            memo[key] = idx
        out.append(idx)
    return out


def node_cell(eng: CellEvaluator, node: Node, col: Column, ing: IngressColumns | None) -> Verdict:
    if ing is not None:
        return ing.node_cell(node, col)
    svc, sp = col.svc, col.sp
    assert svc is not None
    if svc.type == EXTERNAL_NAME:
        return _external_name(svc, "a node resolves names with its own resolv.conf, not the cluster DNS")
    assert sp is not None
    if svc.type == NODE_PORT:
        dest = f"node:{node.name}:{sp.node_port}/{sp.protocol}"
        generic = f"nodeport:{svc.key}:{sp.node_port}/{sp.protocol}"
        how = f"to its own NodePort {sp.node_port}/{sp.protocol}"
    elif svc.type == LOAD_BALANCER:
        dest = f"lb:{svc.key}:{sp.port}/{sp.protocol}"
        generic, how = dest, f"to the load balancer address, port {sp.port}/{sp.protocol}"
    else:
        if svc.headless:
            return Verdict(NOT_PROXIED, (f"Service {svc.key} is headless: no virtual IP for kube-proxy; a node "
                                         "reaches its endpoints only by their pod IPs",), {})
        dest = f"svc:{svc.key}:{sp.port}/{sp.protocol}"
        generic, how = dest, f"to the cluster IP {svc.cluster_ip}:{sp.port}/{sp.protocol}"
    sig = _local_sig(eng, svc, node)
    # Only the phrases naming the node as the client: endpoint lists name backends' nodes.
    repl = [(f"node {node.name} {ip}", "this node <its IP>") for ip in node.ips]
    repl += [(f"node {node.name}", "this node")]
    hairpin = node.name if set(node.ips) & eng.endpoint_ips(svc) else None  # a host-network backend
    pv = eng.proxy(f"node:{node.name}", dest, ("node", generic, sig, hairpin), repl, svc)
    if pv.outcome != "delivered":
        return Verdict(BLOCKED if pv.outcome != NOT_PROXIED else NOT_PROXIED,
                       (f"node {how}",) + pv.trace, {"hop": "kube-proxy", "proxy": pv.outcome})
    backends = eng.backends(pv.details.get("endpoints", ()))
    party = eng.pc.node_party(node)
    key = ("nodecell", col.group.id, generic, sig, eng.pc.index_bucket(party),
           tuple(b.addr for b in backends if b.pod is not None and b.pod.node_name == node.name))
    cached = eng.proxy_verdicts.get(key)
    if cached is not None:
        return cached
    outs, lines, results = [], [], {}
    bucket = eng.pc.index_bucket(party)
    for be in backends:
        own = be.pod is not None and be.pod.node_name == node.name
        lk = ("nodeline", be.addr, sp.protocol, bucket, own)
        got = eng.line_cache.get(lk)
        if got is None:
            o, text = _from_party(eng, party, be, sp.protocol.upper(), "the node")
            got = (o, f"backend {be.addr}{f' ({be.pod.key})' if be.pod else ''}: {o}: {text}")
            eng.line_cache[lk] = got
        outs.append(got[0])
        results[be.addr] = got[0]
        lines.append(got[1])
    v = Verdict(aggregate(outs), (f"node {how}",) + pv.trace + tuple(lines), {"backends": results})
    eng.proxy_verdicts[key] = v
    return v


def _from_party(eng: CellEvaluator, party: pol.Party, be: Backend, proto: str, what: str) -> tuple[str, str]:
    if be.pod is None or be.cid is None:
        return pol.ALLOWED, f"{be.ip} is no pod: NetworkPolicy does not apply"
    ans = eng.pc.from_party(party, be.cid, be.pod, be.port, proto, what)
    return ans.outcome, ans.text


def _external_name(svc: Service, why: str) -> Verdict:
    return Verdict(NOT_PROXIED, (f"Service {svc.key} is ExternalName: a CNAME to {svc.external_name}; "
                                 f"kube-proxy does not proxy it ({why})",), {"cname": svc.external_name})


# --------------------------------------------------------------------------- external row


def external_cell(eng: CellEvaluator, col: Column, ing: IngressColumns | None) -> Verdict:
    if ing is not None:
        return ing.external_cell(col)
    svc, sp = col.svc, col.sp
    assert svc is not None
    if svc.type == EXTERNAL_NAME:
        return _external_name(svc, "outside the cluster the cluster DNS does not answer for it")
    assert sp is not None
    proto = sp.protocol.upper()
    client = pol.Party(pol.EXTERNAL, ip=pol.DEFAULT_EXTERNAL_IP)
    if svc.type == NODE_PORT:
        return _external_nodeport(eng, svc, sp, client)
    if svc.type == LOAD_BALANCER or svc.external_ips:
        # The load balancer's address; for other types the first externalIP, which kube-proxy
        # serves like the cluster IP on the nodes that receive it (service.md "External IPs").
        ext = svc.external_ips[0] if svc.type != LOAD_BALANCER else None
        dest = f"lb:{svc.key}:{sp.port}/{proto}" if ext is None else \
            (f"[{ext}]:{sp.port}/{proto}" if ":" in ext else f"{ext}:{sp.port}/{proto}")
        pv = eng.proxy("external", dest, ("external", dest), (), svc)
        if pv.outcome != "delivered":
            return Verdict(BLOCKED, pv.trace, {"hop": "load balancer / kube-proxy", "proxy": pv.outcome})
        backends = eng.backends(pv.details["endpoints"])
        preserved = bool(pv.details.get("sourceIPPreserved"))
        outs, lines, results = [], [], {}
        for be in backends:
            if preserved:
                o, text = _from_party(eng, client, be, proto, "the external client (source IP preserved)")
            else:
                o, text = _snat_any_node(eng, be, proto)
            outs.append(o)
            results[be.addr] = o
            lines.append(f"backend {be.addr}{f' ({be.pod.key})' if be.pod else ''}: {o}: {text}")
        note = ("source IP preserved (externalTrafficPolicy Local): policies see 198.51.100.7" if preserved else
                "SNAT: the receiving node masquerades the client, so policies at the backend see a node's IP")
        return Verdict(aggregate(outs), pv.trace + (note,) + tuple(lines),
                       {"backends": results, "sourceIPPreserved": preserved})
    return Verdict(NOT_APPLICABLE, (f"{svc.cluster_ip}:{sp.port}/{proto} is a cluster IP: virtual, programmed "
                                    "only on the nodes, not routable from outside the cluster",), {})


def _snat_any_node(eng: CellEvaluator, be: Backend, proto: str) -> tuple[str, str]:
    """Behind a load balancer with externalTrafficPolicy Cluster any node may receive the
    connection and SNAT it to its own IP: a backend on the receiving node counts as its own
    node (always allowed), any other node is judged by its IP (ipBlocks)."""
    if be.pod is None or be.cid is None:
        return pol.ALLOWED, f"{be.ip} is no pod: NetworkPolicy does not apply"
    seen: dict[str, str] = {}
    for n in eng.snap.nodes:
        o = eng.pc.from_party(eng.pc.node_party(n), be.cid, be.pod, be.port, proto, "the SNAT address").outcome
        seen.setdefault(o, n.name)
    if len(seen) == 1:
        o = next(iter(seen))
        return o, ("whichever node receives it, " + ("its IP is allowed" if o == pol.ALLOWED else
                                                      "its IP is not allowed by the backend's ingress rules"))
    return PARTIAL, ("allowed when the receiving node is its own node or a node the ingress rules allow, "
                     "blocked through the other nodes")


def _external_nodeport(eng: CellEvaluator, svc: Service, sp: Any, client: pol.Party) -> Verdict:
    proto = sp.protocol.upper()
    per_node: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    for n in eng.snap.nodes:
        sig = _local_sig(eng, svc, n)
        dest = f"node:{n.name}:{sp.node_port}/{proto}"
        repl = [(f"node {n.name} {ip}", "the receiving node <its IP>") for ip in n.ips]
        repl += [(f"node {n.name}", "the receiving node")]
        pv = eng.proxy("external", dest, ("external", f"nodeport:{svc.key}:{sp.node_port}", sig), repl, svc)
        if pv.outcome != "delivered":
            per_node[n.name] = BLOCKED
            texts.setdefault(f"{pv.outcome}: " + " ".join(t.strip() for t in pv.trace[-1:]), []).append(n.name)
            continue
        backends = eng.backends(pv.details["endpoints"])
        preserved = bool(pv.details.get("sourceIPPreserved"))
        party = client if preserved else eng.pc.node_party(n)  # SNAT to the receiving node
        outs = []
        for be in backends:
            o, _t = _from_party(eng, party, be, proto, "the client" if preserved else "the SNAT address")
            outs.append(o)
        o = aggregate(outs)
        per_node[n.name] = o
        how = "source IP preserved" if preserved else "SNAT to the node's IP"
        texts.setdefault(f"{o} ({how})", []).append(n.name)
    if not per_node:
        return Verdict(BLOCKED, ("no node: nothing listens on the NodePort",), {"hop": "kube-proxy"})
    lines = [f"via {len(ns)} node(s) ({', '.join(ns[:5])}{', ...' if len(ns) > 5 else ''}): {t}"
             for t, ns in sorted(texts.items())]
    head = (f"external client -> every node's IP:{sp.node_port}/{proto} (NodePort of {svc.key}, "
            f"externalTrafficPolicy {svc.external_traffic_policy or 'Cluster'})",)
    return Verdict(aggregate(per_node.values()), head + tuple(lines), {"nodes": dict(sorted(per_node.items()))})


# --------------------------------------------------------------------------- ingress

"""kube-proxy: where a packet to a Service address ends up (the `route` query).

`trace(snap, source, destination)` follows one packet: client -> load balancer ->
node:nodePort -> cluster IP -> pod:targetPort, with the decisions kube-proxy makes on the
node that handles it (see proxy_paths.py for the modelled configuration and sources, and
proxy_topology.py for endpoint selection). NetworkPolicy takes no part.

Sources: Kubernetes docs "Service", "Virtual IPs and Service Proxies", "Using Source IP",
"Create an External Load Balancer"; kubernetes `pkg/proxy/iptables/proxier.go` and the
packet-flow tests of `pkg/proxy/{iptables,nftables}/proxier_test.go`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .endpoints import per_snapshot, service_endpoints
from .ipaddr import parse_ip_sloppy
from .proxy_parse import (
    Source,
    find_node,
    find_service,
    parse_ip_port,
    parse_port_proto,
    parse_source,
)
from .proxy_paths import (
    Flow,
    external,
    family,
    firewall_allows,
    in_cidrs,
    internal,
    merge,
    port_endpoints,
)
from .proxy_topology import categorize, lb_vips, local_ready_count, needs_health_check, port_info
from .types import (
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Node,
    Pod,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
    Verdict,
)

# The service controller leaves nodes with this label out of load balancers (KEP-1143).
EXCLUDE_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
HIDDEN_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


# --- who owns an address (computed once per snapshot) ----------------------------------------

@dataclass
class _ServiceAddresses:
    """The Services' addresses and ports, each mapped to what route_ip's scans in snapshot
    order find first, so a packet costs a look-up instead of a pass over every Service."""

    cluster_ip: dict[str, Service] = field(default_factory=dict)  # 1. cluster IPs
    external: dict[str, list[Service]] = field(default_factory=dict)  # 2. externalIPs, LB VIPs
    proxied_lb: dict[str, Service] = field(default_factory=dict)  # 3. any LB ingress IP
    node_port: dict[tuple[int | None, str], Service] = field(default_factory=dict)
    health_check: dict[int | None, Service] = field(default_factory=dict)


def _build_service_addresses(snap: Snapshot) -> _ServiceAddresses:
    a = _ServiceAddresses()
    for svc in snap.services:
        if svc.has_cluster_ip:
            for ip in _canon(svc.cluster_ips or (svc.cluster_ip,)):
                a.cluster_ip.setdefault(ip, svc)
        if svc.type != EXTERNAL_NAME:
            for ip in dict.fromkeys(_canon(svc.external_ips) + _canon(lb_vips(svc))):
                a.external.setdefault(ip, []).append(svc)
        if svc.type == LOAD_BALANCER:
            for ip in _canon(i.ip for i in svc.load_balancer_ingress if i.ip):
                a.proxied_lb.setdefault(ip, svc)
        if svc.type in (NODE_PORT, LOAD_BALANCER):
            for sp in svc.ports:
                a.node_port.setdefault((sp.node_port, sp.protocol), svc)
        if needs_health_check(svc):
            a.health_check.setdefault(svc.health_check_node_port, svc)
    return a


def _service_addresses(snap: Snapshot) -> _ServiceAddresses:
    return per_snapshot(snap, "_proxy_services", lambda: _build_service_addresses(snap))


def _node_addresses(snap: Snapshot) -> dict[str, Node]:
    """4. Node addresses -> the first node holding each."""
    def build() -> dict[str, Node]:
        out: dict[str, Node] = {}
        for node in snap.nodes:
            for ip in _canon(node.ips):
                out.setdefault(ip, node)
        return out
    return per_snapshot(snap, "_proxy_nodes", build)


def _pod_addresses(snap: Snapshot) -> dict[str, Pod]:
    """5. Pod IPs -> the first running pod on the pod network with each."""
    def build() -> dict[str, Pod]:
        out: dict[str, Pod] = {}
        for pod in snap.pods:
            if not pod.host_network and not pod.finished:
                for ip in _canon(pod.pod_ips):
                    out.setdefault(ip, pod)
        return out
    return per_snapshot(snap, "_proxy_pods", build)


def _pods_on_node(snap: Snapshot, node_name: str) -> list[Pod]:
    def build() -> dict[str | None, list[Pod]]:
        out: dict[str | None, list[Pod]] = {}
        for pod in snap.pods:
            out.setdefault(pod.node_name, []).append(pod)
        return out
    return per_snapshot(snap, "_proxy_pods_on_node", build).get(node_name, [])


# --- routing by destination IP ---------------------------------------------------------------

def _match_port(svc: Service, port: int, proto: str, node_port: bool = False) -> ServicePort | None:
    for sp in svc.ports:
        if sp.protocol == proto and (sp.node_port if node_port else sp.port) == port:
            return sp
    return None


def _eps(snap: Snapshot, svc: Service, sp: ServicePort, fam: int):
    info = port_info(svc, sp)
    return info, port_endpoints(service_endpoints(snap, svc), info, fam)


def _src_node(snap: Snapshot, src: Source) -> Node | None:
    return snap.node_by_name.get(src.node_name or "")


def _lb_nodes(snap: Snapshot) -> list[Node]:
    return [n for n in snap.nodes if EXCLUDE_LB_LABEL not in n.labels and n.internal_ip]


def _annotations(flow: Flow, svc: Service) -> None:
    if svc.load_balancer_class:
        flow.hop(f"  loadBalancerClass {svc.load_balancer_class}: provisioned by that implementation")
    for k, v in sorted(svc.annotations.items()):
        if k not in HIDDEN_ANNOTATIONS:
            flow.hop(f"  annotation {k}: {v}")


def _via_load_balancer(flow: Flow, snap: Snapshot, svc: Service, sp: ServicePort, addr: str,
                       src_ip: str, fam: int, proxying: bool) -> None:
    """A client outside the nodes' kube-proxy reaches the provider's load balancer, which
    sends to nodes (docs "Create an External Load Balancer"; KEP-1669 health checks)."""
    info, eps = _eps(snap, svc, sp, fam)
    flow.hop(f"-> load balancer {addr}:{sp.port}/{sp.protocol} (Service {svc.key}, externalTrafficPolicy "
             f"{svc.external_traffic_policy or 'Cluster'})")
    _annotations(flow, svc)
    ranges = svc.load_balancer_source_ranges
    if ranges and not in_cidrs(src_ip, ranges):
        flow.outcome = "dropped"
        flow.hop(f"  source {src_ip} is outside loadBalancerSourceRanges {', '.join(ranges)}: dropped "
                 "(provider firewall; kube-proxy's KUBE-FW chain drops it too)")
        return
    nodes = _lb_nodes(snap)
    if not nodes:
        flow.outcome = "dropped"
        flow.hop("  no node can receive load-balancer traffic: dropped")
        return
    if needs_health_check(svc):
        all_eps = service_endpoints(snap, svc)
        healthy = []
        for n in nodes:
            count = local_ready_count(all_eps, n.name)
            status = 200 if count else 503
            flow.hop(f"  health check {n.internal_ip}:{svc.health_check_node_port} on {n.name}: "
                     f"{status} (localEndpoints {count})")
            if count:
                healthy.append(n)
        if not healthy:
            flow.hop("  no node passes the health check: providers then fail open and use every node")
        nodes = healthy or nodes
    elif not info.external_policy_local and len(nodes) > 1:
        # eTP Cluster: every node forwards the same way (any endpoint, SNAT); show one.
        flow.hop(f"  the load balancer spreads connections over all {len(nodes)} nodes; each forwards "
                 f"alike, e.g. {nodes[0].name}")
        nodes = nodes[:1]
    subflows = []
    for n in nodes:
        sub = Flow()
        n_ip = next((ip for ip in n.ips if family(ip) == fam), n.internal_ip)
        if sp.node_port:
            sub.hop(f"-> node {n.name} {n_ip}:{sp.node_port}/{sp.protocol} (NodePort; a VIP-style load "
                    "balancer may deliver to the LB IP instead, which kube-proxy handles the same way)")
            entry = "NodePort"
        else:
            why = ("allocateLoadBalancerNodePorts false" if svc.allocate_load_balancer_node_ports is False
                   else "this port has no NodePort")
            sub.hop(f"-> node {n.name}: packets still addressed to {addr}:{sp.port} ({why}: the load "
                    "balancer must deliver to the LB IP, which kube-proxy captures on the node)")
            entry = "load-balancer IP"
        external(sub, snap, n, n.name, info, eps, src_ip, entry)
        subflows.append(sub)
    merge(subflows, flow)
    if proxying and flow.outcome == "delivered":
        flow.masq = True
        flow.hop("  the load balancer proxies connections (ipMode Proxy): backends see its address, "
                 "not the client's")


def _health_check(flow: Flow, snap: Snapshot, node: Node, svc: Service) -> None:
    """pkg/proxy/healthcheck service_health.go: 200 with localEndpoints > 0, else 503."""
    count = local_ready_count(service_endpoints(snap, svc), node.name)
    status = 200 if count else 503
    flow.outcome = "delivered"
    flow.http_status = status
    flow.hop(f"-> GET http://{node.internal_ip}:{svc.health_check_node_port}/ on node {node.name} "
             f"(kube-proxy health check for Service {svc.key})")
    flow.hop(f"  localEndpoints: {count} ready endpoint(s) on {node.name} -> HTTP {status}")


def route_ip(flow: Flow, snap: Snapshot, src: Source, ip: str, port: int, proto: str) -> None:
    fam = family(ip)
    src_ip = src.ip_for(fam)
    if not src_ip:
        flow.outcome = "dropped"
        flow.hop(f"  the source has no IPv{fam} address (a pod that has not started or has finished "
                 "cannot send): dropped")
        return
    target = f"{ip}:{port}/{proto}" if fam == 4 else f"[{ip}]:{port}/{proto}"

    addrs = _service_addresses(snap)
    # 1. Cluster IPs (KUBE-SERVICES "cluster IP" rules).
    svc = addrs.cluster_ip.get(ip)
    if svc is not None:
        flow.hop(f"-> cluster IP {target} (Service {svc.key})")
        if src.kind == "external":
            flow.outcome = "dropped"
            flow.hop("  cluster IPs are virtual, programmed only on the nodes: not routable from "
                     "outside the cluster, dropped")
            return
        sp = _match_port(svc, port, proto)
        if sp is None:
            flow.outcome = "dropped"
            flow.hop(f"  Service {svc.key} has no port {port}/{proto}: kube-proxy has no rule for it, "
                     "the packet falls through to the default route and is lost (nftables mode "
                     "rejects it instead)")
            return
        info, eps = _eps(snap, svc, sp, fam)
        flow.hop(f"  kube-proxy on node {src.node_name}: Service port {sp.name or sp.port} -> "
                 f"targetPort {sp.target_port}")
        internal(flow, snap, src.node_name, info, eps, src_ip)
        return
    if in_cidrs(ip, snap.cluster.service_cidrs):
        flow.outcome = "dropped"
        flow.hop(f"-> {target}: inside the service CIDR but no Service has this IP: dropped")
        return

    # 2. externalIPs and load-balancer VIPs (KUBE-SERVICES "external IP"/"loadbalancer IP").
    # Every Service holding the address, in order: the first with the port takes it.
    for svc in addrs.external.get(ip, ()):
        is_ext, is_lb = ip in _canon(svc.external_ips), ip in _canon(lb_vips(svc))
        sp = _match_port(svc, port, proto)
        if sp is None:
            continue
        if is_lb and src.kind == "external":
            _via_load_balancer(flow, snap, svc, sp, ip, src_ip, fam, proxying=False)
            return
        info, eps = _eps(snap, svc, sp, fam)
        kind = "external IP" if is_ext else "load-balancer IP"
        flow.hop(f"-> {kind} {target} (Service {svc.key})")
        if is_lb:
            _annotations(flow, svc)
        if src.kind != "external":
            node = _src_node(snap, src)
            flow.hop(f"  captured by kube-proxy on node {src.node_name} (the source's node): "
                     "it never leaves for the network")
            if is_lb and categorize(eps, info, src.node_name).has_any and not firewall_allows(info, src_ip, ip, node):
                flow.outcome = "dropped"
                flow.hop(f"  source {src_ip} is outside loadBalancerSourceRanges "
                         f"{', '.join(svc.load_balancer_source_ranges)}: KUBE-PROXY-FIREWALL drops it")
                return
            external(flow, snap, node, src.node_name, info, eps, src_ip, kind)
            return
        owners = [n for n in snap.nodes if ip in n.ips]
        nodes = owners or list(snap.nodes)
        if not nodes:
            flow.outcome = "dropped"
            flow.hop("  no node receives it: dropped")
            return
        flow.hop(f"  routed to node {owners[0].name}, which has this address" if owners else
                 "  the network routes externalIPs to some node (the cluster administrator's job); "
                 "kube-proxy on whichever node receives it handles it")
        subflows = []
        for n in nodes:
            sub = Flow()
            sub.hop(f"  on node {n.name}:")
            external(sub, snap, n, n.name, info, eps, src_ip, kind)
            subflows.append(sub)
        merge(subflows, flow)
        return

    # 3. Load-balancer addresses kube-proxy does not capture (ipMode Proxy).
    svc = addrs.proxied_lb.get(ip)
    if svc is not None:
        sp = _match_port(svc, port, proto)
        if sp is None:
            flow.outcome = "dropped"
            flow.hop(f"-> load balancer {target} (Service {svc.key}) has no listener on {port}/{proto}: dropped")
            return
        _via_load_balancer(flow, snap, svc, sp, ip, _egress_ip(snap, src, fam, src_ip), fam, proxying=True)
        return

    # 4. Node addresses: NodePorts, health checks, host networking.
    node = _node_addresses(snap).get(ip)
    if node is not None:
        _to_node(flow, snap, src, node, ip, port, proto, src_ip, fam)
        return

    # 5. Pod IPs: not kube-proxy's business, the pod network delivers them.
    pod = _pod_addresses(snap).get(ip)
    if pod is not None:
        flow.hop(f"-> pod {pod.key} {target} on node {pod.node_name}: a pod IP, not proxied by kube-proxy")
        if src.kind == "external":
            flow.outcome = "dropped"
            flow.hop("  pod IPs live on the cluster's pod network: not routable from outside, dropped")
            return
        declared = any(cp.container_port == port and cp.protocol == proto
                       for c in pod.containers + pod.sidecars for cp in c.ports)
        if not declared:
            flow.hop(f"  (no container declares {port}/{proto}; delivered if a process listens on it)")
        flow.outcome = "delivered"
        flow.endpoints.add(target.rsplit("/", 1)[0])
        return

    flow.outcome = "dropped"
    flow.hop(f"-> {target}: no Service, node or pod in the cluster has this address: dropped")


def _canon(ips) -> tuple[str, ...]:
    """Addresses in canonical form (IPv6 compressed, lower case) for comparison."""
    return tuple(_canon_one(str(ip)) for ip in ips)


@lru_cache(maxsize=1 << 16)
def _canon_one(ip: str) -> str:
    parsed = parse_ip_sloppy(ip.strip())
    return ip if parsed is None else str(parsed)


def _egress_ip(snap: Snapshot, src: Source, fam: int, src_ip: str) -> str:
    """Pod traffic leaving the cluster is SNATed to its node's address by the CNI."""
    if src.kind == "pod":
        node = _src_node(snap, src)
        if node:
            return next((ip for ip in node.ips if family(ip) == fam), src_ip)
    return src_ip


def _to_node(flow: Flow, snap: Snapshot, src: Source, node: Node, ip: str, port: int, proto: str,
             src_ip: str, fam: int) -> None:
    target = f"{ip}:{port}/{proto}" if fam == 4 else f"[{ip}]:{port}/{proto}"
    addrs = _service_addresses(snap)
    svc = addrs.node_port.get((port, proto))
    if svc is not None:
        sp = _match_port(svc, port, proto, node_port=True)
        assert sp is not None
        flow.hop(f"-> node {node.name} {target} (NodePort of Service {svc.key}, port {sp.name or sp.port})")
        info, eps = _eps(snap, svc, sp, fam)
        external(flow, snap, node, node.name, info, eps, src_ip, "NodePort")
        return
    svc = addrs.health_check.get(port)
    if svc is not None and proto == "TCP":
        _health_check(flow, snap, node, svc)
        return
    for pod in _pods_on_node(snap, node.name):
        if pod.finished:
            continue
        for c in pod.containers + pod.sidecars:
            for cp in c.ports:
                if cp.protocol != proto:
                    continue
                if pod.host_network and cp.container_port == port:
                    flow.hop(f"-> node {node.name} {target}: host-network pod {pod.key} listens there")
                    flow.outcome = "delivered"
                    flow.endpoints.add(target.rsplit("/", 1)[0])
                    return
                if cp.host_port == port and pod.ip:
                    flow.hop(f"-> node {node.name} {target}: hostPort of pod {pod.key} "
                             f"(CNI portmap DNAT to {pod.ip}:{cp.container_port})")
                    flow.outcome = "delivered"
                    flow.endpoints.add(f"{pod.ip}:{cp.container_port}" if ":" not in pod.ip
                                       else f"[{pod.ip}]:{cp.container_port}")
                    return
    flow.outcome = "not-proxied"
    flow.hop(f"-> node {node.name} {target}: no NodePort, health check or known host port: kube-proxy "
             "does not handle it; the node's own network stack answers")


# --- entry points ----------------------------------------------------------------------------

def trace(snap: Snapshot, source: str, destination: str) -> Verdict:
    """Follow one packet from `source` to `destination` (the `route` query's string forms)."""
    if not isinstance(source, str) or not isinstance(destination, str):
        raise QueryError("route: `from` and `to` must be strings")
    src = parse_source(snap, source)
    flow = Flow()
    flow.hop(f"from {src.label}")
    dest = destination.strip()
    if dest.startswith("healthcheck:"):
        node_name, sep, key = dest[len("healthcheck:"):].partition(":")
        if not sep:
            raise QueryError(f"to: {dest!r} is not healthcheck:<node>:<ns>/<name>")
        node = find_node(snap, node_name, "to")
        svc = find_service(snap, key, "to")
        if not needs_health_check(svc) or not svc.health_check_node_port:
            raise QueryError(f"to: Service {svc.key} has no healthCheckNodePort (only LoadBalancer "
                             "Services with externalTrafficPolicy Local have one)")
        _health_check(flow, snap, node, svc)
    elif dest.startswith(("svc:", "lb:")):
        kind, _, rest = dest.partition(":")
        key, sep, pp = rest.partition(":")
        if not sep:
            raise QueryError(f"to: {dest!r} is not {kind}:<ns>/<name>:<port>/<PROTO>")
        svc = find_service(snap, key, "to")
        port, proto = parse_port_proto(pp, "to")
        if kind == "svc":
            _to_service(flow, snap, src, svc, port, proto)
        else:
            _to_lb(flow, snap, src, svc, port, proto)
    elif dest.startswith("node:"):
        name, sep, pp = dest[len("node:"):].partition(":")
        if not sep:
            raise QueryError(f"to: {dest!r} is not node:<node>:<port>/<PROTO>")
        node = find_node(snap, name, "to")
        port, proto = parse_port_proto(pp, "to")
        if not node.internal_ip:
            raise QueryError(f"to: node {name} has no InternalIP address")
        route_ip(flow, snap, src, node.internal_ip, port, proto)
    else:
        route_ip(flow, snap, src, *parse_ip_port(dest, "to"))
    details: dict[str, Any] = {
        "endpoints": sorted(flow.endpoints),
        "sourceIPPreserved": not flow.masq,
        "sticky": flow.sticky and flow.outcome == "delivered",
    }
    if flow.http_status is not None:
        details["httpStatus"] = flow.http_status
    return Verdict(outcome=flow.outcome, trace=tuple(flow.lines), details=details)


def _to_service(flow: Flow, snap: Snapshot, src: Source, svc: Service, port: int, proto: str) -> None:
    if svc.type == EXTERNAL_NAME:
        flow.outcome = "not-proxied"
        flow.hop(f"-> Service {svc.key} is ExternalName: DNS answers a CNAME to {svc.external_name}; "
                 "kube-proxy programs nothing and its ports mean nothing")
        return
    if not svc.has_cluster_ip:
        flow.outcome = "not-proxied"
        flow.hop(f"-> Service {svc.key} is headless (clusterIP None): no virtual IP, kube-proxy ignores it; "
                 "DNS returns the ready endpoints' pod IPs and clients connect to them directly")
        return
    route_ip(flow, snap, src, svc.cluster_ip or svc.cluster_ips[0], port, proto)


def _to_lb(flow: Flow, snap: Snapshot, src: Source, svc: Service, port: int, proto: str) -> None:
    if svc.type != LOAD_BALANCER:
        raise QueryError(f"to: Service {svc.key} is {svc.type}, not LoadBalancer")
    ingress = svc.load_balancer_ingress
    first = next((i for i in ingress if i.ip), None) or next((i for i in ingress if i.hostname), None)
    if first is None:
        raise QueryError(f"to: the load balancer of Service {svc.key} is pending (no status.loadBalancer.ingress)")
    if first.ip:
        route_ip(flow, snap, src, first.ip, port, proto)
        return
    # A hostname load balancer (e.g. AWS ELB): kube-proxy captures nothing, everyone goes out to it.
    sp = _match_port(svc, port, proto)
    if sp is None:
        flow.outcome = "dropped"
        flow.hop(f"-> load balancer {first.hostname} (Service {svc.key}) has no listener on {port}/{proto}: dropped")
        return
    fam = 4
    src_ip = src.ip_for(fam) or (src.ips[0] if src.ips else None)
    if not src_ip:
        flow.outcome = "dropped"
        flow.hop("  the source has no IP: dropped")
        return
    fam = family(src_ip)
    if src.kind != "external":
        flow.hop("  kube-proxy captures nothing for a hostname load balancer: the packet leaves the "
                 f"cluster through node {src.node_name} (SNAT to its address) and comes back in")
    _via_load_balancer(flow, snap, svc, sp, str(first.hostname), _egress_ip(snap, src, fam, src_ip),
                       fam, proxying=False)


def answer_route(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """interfaces.md `route`: in `from`, `to`; out outcome, endpoints, sourceIPPreserved,
    sticky, httpStatus (health checks), trace."""
    src, dst = q.get("from"), q.get("to")
    if not isinstance(src, str) or not src.strip():
        raise QueryError("route: `from` is required (ns/pod, external, external:<ip> or node:<node>)")
    if not isinstance(dst, str) or not dst.strip():
        raise QueryError("route: `to` is required")
    verdict = trace(snap, src, dst)
    out: dict[str, Any] = {"outcome": verdict.outcome, **verdict.details, "trace": list(verdict.trace)}
    return out

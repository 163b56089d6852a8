"""What kube-proxy on one node does with one packet to one Service port.

Sources (kubernetes/kubernetes): `pkg/proxy/iptables/proxier.go` syncProxyRules (the
KUBE-SERVICES / KUBE-EXT / KUBE-FW / KUBE-SEP chains), `pkg/proxy/nftables/proxier.go` (same
decisions), the packet-flow tests of both `proxier_test.go`, and `pkg/proxy/topology.go`.

Modelled configuration (the kubeadm and EKS default): kube-proxy in iptables mode,
`masqueradeAll: false`, `clusterCIDR` set to the pod CIDR (so traffic to a cluster IP from
outside the pod CIDR, e.g. from a node, is masqueraded), `nodePortAddresses` unset (NodePorts
open on every node address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from .proxy_topology import PortInfo, categorize
from .types import Endpoint, Node, Snapshot

DEFAULT_AFFINITY_TIMEOUT = 10800  # core/v1 defaults: sessionAffinityConfig.clientIP.timeoutSeconds


@dataclass
class Flow:
    """The running result of one trace: outcome, backends, whether SNAT happened, the hops."""

    outcome: str = "dropped"
    endpoints: set[str] = field(default_factory=set)
    masq: bool = False
    sticky: bool = False
    http_status: int | None = None
    lines: list[str] = field(default_factory=list)

    def hop(self, text: str) -> None:
        self.lines.append(text)


def in_cidrs(ip: str | None, cidrs: Iterable[str]) -> bool:
    if not ip:
        return False
    addr = _address(ip)
    if addr is None:
        return False
    for c in cidrs:
        net = _network(c)
        if net is not None and addr in net:
            return True
    return False


# Parsed once: traces ask about the same few addresses and CIDRs over and over.
@lru_cache(maxsize=1 << 16)
def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(ip)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 12)
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        # serviceport.go trims whitespace around loadBalancerSourceRanges entries.
        return ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None


def family(ip: str | None) -> int:
    addr = _address(ip or "")
    return addr.version if addr is not None else 0


def port_endpoints(eps: Iterable[Endpoint], info: PortInfo, fam: int) -> tuple[Endpoint, ...]:
    """The endpoints of one Service port in one IP family (kube-proxy runs one proxier per
    family; endpointslicecache.go matches slice ports to Service ports by name)."""
    sp = info.port
    return tuple(
        e for e in eps
        if e.service_port is not None and e.port is not None
        and e.service_port.name == sp.name and e.service_port.protocol == sp.protocol
        and e.service_port.port == sp.port and family(e.ip) == fam
    )


def _describe(eps: Iterable[Endpoint]) -> str:
    out = []
    for e in sorted(eps, key=lambda x: x.address):
        where = f" on {e.node_name}" if e.node_name else ""
        who = f" ({e.pod_key})" if e.pod_key else ""
        state = "ready" if e.ready else ("serving, terminating" if e.serving and e.terminating else "not ready")
        out.append(f"{e.address}{who}{where} [{state}]")
    return ", ".join(out) or "none"


def _deliver(flow: Flow, chosen: tuple[Endpoint, ...], src_ip: str | None, masq: bool,
             info: PortInfo, why: str) -> None:
    """KUBE-SVC/KUBE-SVL -> KUBE-SEP: DNAT to one of `chosen`; hairpin traffic (an endpoint
    talking to its own Service) is masqueraded by the KUBE-SEP rule `-s <endpoint IP>`."""
    flow.outcome = "delivered"
    flow.endpoints.update(e.address for e in chosen)
    flow.hop(f"  {why}: DNAT to one of {_describe(chosen)}")
    if any(e.ip == src_ip for e in chosen):
        flow.hop("  hairpin: the source is itself a backend, so that path is masqueraded (KUBE-SEP -s rule)")
        masq = True
    flow.masq = flow.masq or masq
    svc = info.service
    if svc.session_affinity == "ClientIP":
        timeout = svc.session_affinity_timeout or DEFAULT_AFFINITY_TIMEOUT
        flow.sticky = True
        flow.hop(f"  sessionAffinity ClientIP: a client IP sticks to one backend for {timeout}s")


def internal(flow: Flow, snap: Snapshot, node_name: str | None, info: PortInfo,
             eps: tuple[Endpoint, ...], src_ip: str | None) -> None:
    """Traffic to the cluster IP (KUBE-SERVICES -> KUBE-SVC or KUBE-SVL), on `node_name`."""
    cat = categorize(eps, info, node_name)
    if not cat.has_any:
        # proxier.go: "has no endpoints" -> REJECT in the filter table.
        flow.outcome = "rejected"
        flow.hop(f"  no usable endpoint (ready, or serving and terminating): REJECT; endpoints: {_describe(eps)}")
        return
    # clusterCIDR-based masquerading: `-d <clusterIP> ! -s <clusterCIDR> -j KUBE-MARK-MASQ`
    # (no pod CIDR known: no local-traffic detector, nothing masqueraded here).
    masq = bool(snap.cluster.pod_cidrs) and not in_cidrs(src_ip, snap.cluster.pod_cidrs)
    if masq:
        flow.hop(f"  source {src_ip} is outside the pod CIDR {', '.join(snap.cluster.pod_cidrs)}: masqueraded")
    if info.internal_policy_local:
        chosen = cat.local or ()
        if not chosen:
            # proxier.go: iTP Local without local endpoints -> DROP (REJECT only when none anywhere).
            flow.outcome = "dropped"
            flow.hop(f"  internalTrafficPolicy Local: no usable endpoint on node {node_name}: DROP")
            return
        note = " (serving-terminating fallback)" if cat.local_fallback else ""
        _deliver(flow, chosen, src_ip, masq, info, f"internalTrafficPolicy Local, node {node_name}'s endpoints{note}")
        return
    note = " (no ready endpoint: serving-terminating fallback)" if cat.cluster_fallback else ""
    _deliver(flow, cat.cluster or (), src_ip, masq, info, f"internalTrafficPolicy Cluster{note}")


def external(flow: Flow, snap: Snapshot, node: Node | None, node_name: str | None, info: PortInfo,
             eps: tuple[Endpoint, ...], src_ip: str | None, entry: str) -> None:
    """Traffic to a NodePort, externalIP or load-balancer IP (KUBE-EXT chain) on a node."""
    cat = categorize(eps, info, node_name)
    if not cat.has_any:
        flow.outcome = "rejected"
        flow.hop(f"  {entry}: no usable endpoint anywhere: REJECT; endpoints: {_describe(eps)}")
        return
    if not info.external_policy_local:
        # "masquerade traffic for ... external destinations"
        flow.hop(f"  {entry}: externalTrafficPolicy Cluster: masqueraded (SNAT to the node), any endpoint")
        note = " (no ready endpoint: serving-terminating fallback)" if cat.cluster_fallback else ""
        _deliver(flow, cat.cluster or (), src_ip, True, info, f"Cluster endpoints{note}")
        return
    node_ips = node.ips if node else ()
    if in_cidrs(src_ip, snap.cluster.pod_cidrs):
        # "pod traffic for ... external destinations" short-circuits to the Cluster chain.
        flow.hop(f"  {entry}: externalTrafficPolicy Local, but the source is a pod: short-circuit "
                 "to the Cluster endpoints, not masqueraded")
        _deliver(flow, cat.cluster or (), src_ip, False, info, "Cluster endpoints")
        return
    if src_ip in node_ips:
        # "masquerade LOCAL traffic" + "route LOCAL traffic" to the Cluster chain.
        flow.hop(f"  {entry}: externalTrafficPolicy Local, but the source is node {node_name} itself: "
                 "masqueraded and sent to the Cluster endpoints")
        _deliver(flow, cat.cluster or (), src_ip, True, info, "Cluster endpoints")
        return
    chosen = cat.local or ()
    if not chosen:
        flow.outcome = "dropped"
        flow.hop(f"  {entry}: externalTrafficPolicy Local and node {node_name} has no usable local "
                 "endpoint: DROP")
        return
    note = " (serving-terminating fallback)" if cat.local_fallback else ""
    flow.hop(f"  {entry}: externalTrafficPolicy Local: only node {node_name}'s endpoints, source IP kept")
    _deliver(flow, chosen, src_ip, False, info, f"local endpoints{note}")


def firewall_allows(info: PortInfo, src_ip: str | None, lb_ip: str, node: Node | None) -> bool:
    """KUBE-FW chain: loadBalancerSourceRanges on a VIP. The LB IP itself is allowed as a
    source when a range covers the node's IP (node traffic SNATted to the VIP)."""
    ranges = info.service.load_balancer_source_ranges
    if not ranges:
        return True
    if in_cidrs(src_ip, ranges):
        return True
    node_ip = node.internal_ip if node else None
    return src_ip == lb_ip and in_cidrs(node_ip, ranges)


def merge(flows: list[Flow], into: Flow) -> None:
    """Several nodes may take the packet: delivered if any delivers (every backend listed)."""
    for f in flows:
        into.lines.extend(f.lines)
    delivered = [f for f in flows if f.outcome == "delivered"]
    if delivered:
        into.outcome = "delivered"
        for f in delivered:
            into.endpoints.update(f.endpoints)
            into.masq = into.masq or f.masq
            into.sticky = into.sticky or f.sticky
        if len(delivered) < len(flows):
            into.hop("note: on the other nodes above the packet is not delivered")
    elif flows:
        into.outcome = "rejected" if any(f.outcome == "rejected" for f in flows) else "dropped"

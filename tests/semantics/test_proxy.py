"""kube-proxy packet flows (the `route` query), in the shape of kubernetes
pkg/proxy/{iptables,nftables}/proxier_test.go `runPacketFlowTests`.

Upstream conventions kept as literals: pod IPs 10.0.0.0/8, cluster IPs 172.30.0.0/16, node
test-node at 192.168.0.2 (also 192.168.1.2), externalIPs 192.168.99.0/24, LB IPs 1.2.3.4,
5.6.7.8, 9.10.11.12, external client 203.0.113.2 (inside the source range 203.0.113.0/25),
203.0.113.130 (outside it). Endpoints come from EndpointSlices as upstream builds them; an
upstream endpoint without NodeName sits on a node that is not in the snapshot.

`output` is the set of backends ("10.180.0.1:80, 10.180.2.1:80"), "REJECT" or "DROP"
(or "HTTP <status>" for a health check, "NOT-PROXIED"); `masq` is upstream's masquerade
flag, i.e. `sourceIPPreserved == not masq`. Adaptations to interfaces.md are marked.
"""

from __future__ import annotations

from functools import cache

import pytest

from kubenet_site.semantics.proxy import answer_route, trace
from kubenet_site.semantics.types import (
    ClusterConfig,
    EndpointSlice,
    LoadBalancerIngress,
    Node,
    NodeAddress,
    QueryError,
    SliceEndpoint,
    SlicePort,
)
from tests.semantics.builders import node, pod, ports, snapshot, sport, svc

CFG = ClusterConfig(service_cidrs=("172.30.0.0/16", "fd00:10:96::/112"),
                    pod_cidrs=("10.0.0.0/8", "fd00:10::/64"))
POD = "clients/client"  # 10.0.0.2 (and fd00:10::2) on test-node
EXT = "external:203.0.113.2"  # testExternalClient
EXT_BLOCKED = "external:203.0.113.130"  # testExternalClientBlocked
NODE = "node:test-node"


def upstream_node(*extra: NodeAddress) -> Node:
    return Node(name="test-node", addresses=(
        NodeAddress("InternalIP", "192.168.0.2"), NodeAddress("InternalIP", "192.168.1.2"),
        NodeAddress("InternalIP", "2001:db8::1"), NodeAddress("InternalIP", "2001:db8:1::2"),
        NodeAddress("Hostname", "test-node"), *extra))


CLIENT = pod("client", ns="clients", ip=("10.0.0.2", "fd00:10::2"), node="test-node")


def ep(ip: str, node_name: str | None = None, ready: bool | None = None,
       serving: bool | None = None, terminating: bool | None = None) -> SliceEndpoint:
    return SliceEndpoint(addresses=(ip,), ready=ready, serving=serving, terminating=terminating,
                         node_name=node_name)


def slice_(ns: str, name: str, *eps: SliceEndpoint, port_name: str = "p80",
           port_list: tuple[tuple[str, int, str], ...] | None = None, family: str = "IPv4") -> EndpointSlice:
    plist = port_list or ((port_name, 80, "TCP"),)
    return EndpointSlice(namespace=ns, name=f"{name}-1", service_name=name, address_type=family,
                         endpoints=eps, ports=tuple(SlicePort(port=p, name=n, protocol=pr) for n, p, pr in plist))


def lb(*ips: str) -> tuple[LoadBalancerIngress, ...]:
    return tuple(LoadBalancerIngress(ip=i) for i in ips)


def P80(node_port: int | None = None, name: str = "p80"):
    return (sport(80, name=name, node_port=node_port),)


# --- the upstream test fixtures, as snapshots ----------------------------------------------

def _overall():
    """TestOverallNFTablesRules / TestOverallIPTablesRules."""
    return snapshot(
        upstream_node(), CLIENT,
        svc("svc1", ns="ns1", cluster_ip="172.30.0.41", ports=P80()),
        svc("svc2", ns="ns2", type="LoadBalancer", external_traffic_policy="Local", cluster_ip="172.30.0.42",
            ports=P80(3001), load_balancer_ingress=lb("1.2.3.4"), external_ips=("192.168.99.22",),
            health_check_node_port=30000),
        svc("svc3", ns="ns3", type="NodePort", cluster_ip="172.30.0.43", ports=P80(3003)),
        svc("svc4", ns="ns4", type="NodePort", cluster_ip="172.30.0.44", external_ips=("192.168.99.33",),
            ports=P80()),
        svc("svc5", ns="ns5", type="LoadBalancer", cluster_ip="172.30.0.45", ports=P80(3002),
            load_balancer_ingress=lb("5.6.7.8"), health_check_node_port=30000,
            load_balancer_source_ranges=(" 203.0.113.0/25",), session_affinity="ClientIP",
            session_affinity_timeout=10800),
        svc("svc6", ns="ns6", cluster_ip="172.30.0.46", ports=P80()),
        slice_("ns1", "svc1", ep("10.180.0.1")),
        slice_("ns2", "svc2", ep("10.180.0.2")),
        slice_("ns3", "svc3", ep("10.180.0.3")),
        slice_("ns4", "svc4", ep("10.180.0.4"), ep("10.180.0.5", "test-node")),
        slice_("ns5", "svc5", ep("10.180.0.3")),
        cluster=CFG)


def _no_endpoints():
    """TestNoEndpointsReject."""
    return snapshot(
        upstream_node(NodeAddress("ExternalIP", "192.168.99.11")), CLIENT,
        svc("svc1", ns="ns1", type="LoadBalancer", cluster_ip="172.30.0.41", external_ips=("192.168.99.11",),
            ports=P80(3001), load_balancer_ingress=lb("1.2.3.4")),
        cluster=CFG)


def _cluster_ip_general():
    """TestClusterIPGeneral."""
    return snapshot(
        upstream_node(), CLIENT,
        pod("client2", ns="clients", ip="10.180.0.2", node="test-node"),
        pod("ep1", ns="ns1", ip="10.180.0.1", node="test-node"),
        svc("svc1", ns="ns1", cluster_ip="172.30.0.41", ports=(sport(80, name="http"),)),
        svc("svc2", ns="ns2", cluster_ip="172.30.0.42", ports=(
            sport(80, name="http"), sport(443, 8443, name="https"), sport(53, name="dns-udp", protocol="UDP"),
            sport(53, 5353, name="dns-tcp"), sport(53, name="dns-sctp", protocol="SCTP"))),
        slice_("ns1", "svc1", ep("10.180.0.1", "test-node"), port_name="http"),
        slice_("ns2", "svc2", ep("10.180.0.1", "test-node"), ep("10.180.2.1", "node2"), port_list=(
            ("http", 80, "TCP"), ("https", 8443, "TCP"), ("dns-udp", 53, "UDP"), ("dns-tcp", 5353, "TCP"),
            ("dns-sctp", 53, "SCTP"))),
        cluster=CFG)


def _load_balancer():
    """TestLoadBalancer."""
    return snapshot(
        upstream_node(), CLIENT,
        svc("svc1", ns="ns1", type="LoadBalancer", cluster_ip="172.30.0.41", ports=P80(3001),
            load_balancer_ingress=lb("1.2.3.4", "5.6.7.8"),
            load_balancer_source_ranges=("192.168.0.0/24", " 203.0.113.0/25")),
        slice_("ns1", "svc1", ep("10.180.0.1")),
        cluster=CFG)


def _node_ports():
    """TestNodePorts (iptables mode, every node address), IPv4 and IPv6."""
    return snapshot(
        upstream_node(), CLIENT,
        svc("svc1", ns="ns1", type="NodePort", cluster_ip="172.30.0.41", ports=P80(3001)),
        slice_("ns1", "svc1", ep("10.180.0.1"), ep("10.180.2.1", "test-node")),
        svc("svc6", ns="ns6", type="NodePort", cluster_ip="fd00:172:30::41", ip_families=("IPv6",),
            ports=P80(3006)),
        slice_("ns6", "svc6", ep("fd00:10:180::1"), ep("fd00:10:180::2:1", "test-node"), family="IPv6"),
        cluster=CFG)


def _etp(policy: str):
    """TestExternalTrafficPolicyLocal / TestExternalTrafficPolicyCluster (plus node-b, a node
    without endpoints, for the health-check and other-node rows)."""
    return snapshot(
        upstream_node(NodeAddress("ExternalIP", "192.168.99.11")), node("node-b", "192.168.0.3"), CLIENT,
        svc("svc1", ns="ns1", type="LoadBalancer", external_traffic_policy=policy, cluster_ip="172.30.0.41",
            external_ips=("192.168.99.11",), ports=P80(3001),
            health_check_node_port=30000 if policy == "Local" else None, load_balancer_ingress=lb("1.2.3.4")),
        slice_("ns1", "svc1", ep("10.180.0.1"), ep("10.180.2.1", "test-node")),
        cluster=CFG)


ITP_ENDPOINTS = {
    "cluster": ("Cluster", (("10.0.1.1", "test-node"), ("10.0.1.2", "node1"), ("10.0.1.3", "node2"))),
    "one local": ("Local", (("10.0.1.1", "test-node"), ("10.0.1.2", "node1"), ("10.0.1.3", "node2"))),
    "multiple local": ("Local", (("10.0.1.1", "test-node"), ("10.0.1.2", "test-node"), ("10.0.1.3", "node2"))),
    "no local": ("Local", (("10.0.1.1", "node0"), ("10.0.1.2", "node1"), ("10.0.1.3", "node2"))),
    "deleted": ("Local", ()),
}


def _itp(case: str):
    """TestInternalTrafficPolicy."""
    policy, eps = ITP_ENDPOINTS[case]
    objs = [slice_("ns1", "svc1", *(ep(ip, n, ready=True) for ip, n in eps), port_name="")] if eps else []
    return snapshot(upstream_node(), CLIENT, svc("svc1", ns="ns1", cluster_ip="172.30.1.1",
                                             internal_traffic_policy=policy, ports=(sport(80),)),
                    *objs, cluster=CFG)


R, ST, NS = (True, True, False), (False, True, True), (False, False, True)  # ready, serving-term., neither
TERMINATING = {
    "Local": {
        "ready endpoints exist": (("10.0.1.1", R, "test-node"), ("10.0.1.2", R, "test-node"),
                                  ("10.0.1.3", ST, "test-node"), ("10.0.1.4", NS, "test-node"),
                                  ("10.0.1.5", R, "node-1")),
        "only terminating endpoints exist": (("10.0.1.2", ST, "test-node"), ("10.0.1.3", ST, "test-node"),
                                             ("10.0.1.4", NS, "test-node"), ("10.0.1.5", R, "node-1")),
        "terminating endpoints on remote node": (("10.0.1.5", ST, "node-1"),),
        "no usable endpoints on any node": (("10.0.1.5", NS, "test-node"), ("10.0.1.5", NS, "node-1")),
        "endpoints deleted": (),
    },
    "Cluster": {
        "ready endpoints exist": (("10.0.1.1", R, "test-node"), ("10.0.1.2", R, "test-node"),
                                  ("10.0.1.3", ST, "another-node"), ("10.0.1.4", NS, "another-node"),
                                  ("10.0.1.5", R, "another-node")),
        "only terminating endpoints exist": (("10.0.1.2", ST, "test-node"), ("10.0.1.3", ST, "test-node"),
                                             ("10.0.1.4", NS, "another-node"), ("10.0.1.5", ST, "another-node")),
        "terminating endpoints on remote node": (("10.0.1.5", ST, "node-1"),),
        "no usable endpoints on any node": (("10.0.1.5", NS, "test-node"), ("10.0.1.5", NS, "node-1")),
    },
}


def _terminating(policy: str, case: str):
    """TestTerminatingEndpointsTrafficPolicyLocal / ...Cluster: LB 1.2.3.4, no NodePort."""
    eps = [ep(ip, n, ready=c[0], serving=c[1], terminating=c[2]) for ip, c, n in TERMINATING[policy][case]]
    objs = [slice_("ns1", "svc1", *eps, port_name="")] if eps else []
    return snapshot(upstream_node(), CLIENT,
                    svc("svc1", ns="ns1", type="LoadBalancer", external_traffic_policy=policy,
                        cluster_ip="172.30.1.1", ports=(sport(80),), health_check_node_port=30000,
                        load_balancer_ingress=lb("1.2.3.4")),
                    *objs, cluster=CFG)


def _masquerade():
    """TestInternalExternalMasquerade ("base": working local detector, no masqueradeAll)."""
    return snapshot(
        upstream_node(), CLIENT,
        svc("svc1", ns="ns1", type="LoadBalancer", cluster_ip="172.30.0.41", ports=P80(3001),
            health_check_node_port=30001, load_balancer_ingress=lb("1.2.3.4")),
        svc("svc2", ns="ns2", type="LoadBalancer", cluster_ip="172.30.0.42", ports=P80(3002),
            external_traffic_policy="Local", health_check_node_port=30002, load_balancer_ingress=lb("5.6.7.8")),
        svc("svc3", ns="ns3", type="LoadBalancer", cluster_ip="172.30.0.43", ports=P80(3003),
            internal_traffic_policy="Local", health_check_node_port=30003, load_balancer_ingress=lb("9.10.11.12")),
        slice_("ns1", "svc1", ep("10.180.0.1", "test-node"), ep("10.180.1.1", "remote")),
        slice_("ns2", "svc2", ep("10.180.0.2", "test-node"), ep("10.180.1.2", "remote")),
        slice_("ns3", "svc3", ep("10.180.0.3", "test-node"), ep("10.180.1.3", "remote")),
        cluster=CFG)


@cache
def fixture(name: str):
    kind, _, arg = name.partition(":")
    builders = {
        "overall": _overall, "no-endpoints": _no_endpoints, "clusterip": _cluster_ip_general,
        "lb": _load_balancer, "nodeports": _node_ports, "masq": _masquerade,
    }
    if kind in builders:
        return builders[kind]()
    if kind == "etp":
        return _etp(arg)
    if kind == "itp":
        return _itp(arg)
    policy, _, case = arg.partition("/")
    return _terminating(policy, case)


def row(fix: str, source: str, dest: str, output: str, masq: bool = False, *, id: str):
    return pytest.param(fix, source, dest, output, masq, id=id)


TL, TC = "term:Local/", "term:Cluster/"
PACKET_FLOWS = [
    # --- corner cases first ----------------------------------------------------------------
    row("clusterip", POD, "172.30.0.42:80/UDP", "DROP",
        id="TCP-only port does not match UDP traffic (iptables: no rule, falls through)"),
    row("clusterip", POD, "172.30.0.41:443/TCP", "DROP",
        id="svc1 does not accept svc2's ports (iptables: falls through)"),
    row("clusterip", POD, "172.30.0.50:80/TCP", "DROP", id="packet to unallocated cluster ip"),
    row("clusterip", "ns1/ep1", "172.30.0.41:80/TCP", "10.180.0.1:80", True, id="hairpin to cluster IP"),
    row("itp:no local", POD, "172.30.1.1:80/TCP", "DROP",
        id="internalTrafficPolicy Local, every endpoint remote: DROP, not REJECT"),
    row("itp:deleted", POD, "172.30.1.1:80/TCP", "REJECT", id="internalTrafficPolicy Local, endpoints deleted"),
    row(TL + "terminating endpoints on remote node", EXT, "1.2.3.4:80/TCP", "DROP",
        id="eTP Local: external to LB, no locally-usable endpoints"),
    row(TL + "no usable endpoints on any node", EXT, "1.2.3.4:80/TCP", "REJECT",
        id="eTP Local: external to LB, no usable endpoints"),
    row("lb", EXT_BLOCKED, "1.2.3.4:80/TCP", "DROP", id="blocked external to LB1"),
    row("lb", POD, "1.2.3.4:80/TCP", "DROP", id="pod to LB1 (blocked by LoadBalancerSourceRanges)"),
    row("lb", EXT_BLOCKED, "192.168.0.2:3001/TCP", "10.180.0.1:80", True,
        id="nodePort bypasses LoadBalancerSourceRanges"),
    row("masq", EXT, "172.30.0.41:80/TCP", "DROP",
        id="external to ClusterIP (adapted: interfaces.md, cluster IPs are not routable from outside)"),
    # --- TestOverall*Rules (iptables TestTracePacket static data, and the rules' meaning) ---
    row("overall", POD, "10.0.0.3:80/TCP", "DROP", id="no match (nothing has 10.0.0.3)"),
    row("overall", POD, "172.30.0.41:80/TCP", "10.180.0.1:80", id="single endpoint"),
    row("overall", POD, "172.30.0.44:80/TCP", "10.180.0.4:80, 10.180.0.5:80", id="multiple endpoints"),
    row("overall", NODE, "192.168.99.22:80/TCP", "10.180.0.2:80", True, id="LOCAL, KUBE-MARK-MASQ"),
    row("overall", EXT, "192.168.99.22:80/TCP", "DROP", id="DROP (eTP Local externalIP, no local endpoint)"),
    row("overall", NODE, "192.168.0.2:30000/TCP", "HTTP 503", id="ACCEPT (NodePortHealthCheck)"),
    row("overall", POD, "172.30.0.46:80/TCP", "REJECT", id="REJECT (svc6 has no endpoints)"),
    row("overall", EXT, "192.168.0.2:3003/TCP", "10.180.0.3:80", True, id="svc3: external to NodePort"),
    row("overall", EXT, "192.168.99.33:80/TCP", "10.180.0.4:80, 10.180.0.5:80", True,
        id="svc4: external to externalIP, masqueraded"),
    row("overall", EXT, "5.6.7.8:80/TCP", "10.180.0.3:80", True, id="svc5: source in range to LB"),
    row("overall", EXT_BLOCKED, "5.6.7.8:80/TCP", "DROP", id="svc5: source outside range to LB"),
    row("overall", EXT, "192.168.0.2:3001/TCP", "DROP", id="svc2: external to eTP Local NodePort, no local endpoint"),
    row("overall", EXT, "1.2.3.4:80/TCP", "DROP", id="svc2: external to eTP Local LB, no local endpoint"),
    row("overall", POD, "1.2.3.4:80/TCP", "10.180.0.2:80", id="svc2: pod to eTP Local LB short-circuits"),
    # --- TestNoEndpointsReject ---------------------------------------------------------------
    row("no-endpoints", POD, "172.30.0.41:80/TCP", "REJECT", id="pod to cluster IP with no endpoints"),
    row("no-endpoints", EXT, "192.168.99.11:80/TCP", "REJECT", id="external to external IP with no endpoints"),
    row("no-endpoints", POD, "192.168.0.2:3001/TCP", "REJECT", id="pod to NodePort with no endpoints"),
    row("no-endpoints", EXT, "192.168.0.2:3001/TCP", "REJECT", id="external to NodePort with no endpoints"),
    row("no-endpoints", POD, "1.2.3.4:80/TCP", "REJECT", id="pod to LoadBalancer IP with no endpoints"),
    row("no-endpoints", EXT, "1.2.3.4:80/TCP", "REJECT", id="external to LoadBalancer IP with no endpoints"),
    # --- TestClusterIPGeneral ----------------------------------------------------------------
    row("clusterip", "clients/client2", "172.30.0.41:80/TCP", "10.180.0.1:80", id="simple clusterIP"),
    row("clusterip", "clients/client2", "172.30.0.42:80/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="clusterIP with multiple endpoints"),
    row("clusterip", "clients/client2", "172.30.0.42:443/TCP", "10.180.0.1:8443, 10.180.2.1:8443",
        id="clusterIP with TargetPort"),
    row("clusterip", "clients/client2", "172.30.0.42:53/TCP", "10.180.0.1:5353, 10.180.2.1:5353",
        id="clusterIP with TCP, UDP, and SCTP on same port (TCP)"),
    row("clusterip", "clients/client2", "172.30.0.42:53/UDP", "10.180.0.1:53, 10.180.2.1:53",
        id="clusterIP with TCP, UDP, and SCTP on same port (UDP)"),
    row("clusterip", "clients/client2", "172.30.0.42:53/SCTP", "10.180.0.1:53, 10.180.2.1:53",
        id="clusterIP with TCP, UDP, and SCTP on same port (SCTP)"),
    # --- TestLoadBalancer --------------------------------------------------------------------
    row("lb", POD, "172.30.0.41:80/TCP", "10.180.0.1:80", id="LB: pod to cluster IP"),
    row("lb", EXT, "192.168.0.2:3001/TCP", "10.180.0.1:80", True, id="LB: external to nodePort"),
    row("lb", EXT, "1.2.3.4:80/TCP", "10.180.0.1:80", True, id="accepted external to LB1"),
    row("lb", EXT, "5.6.7.8:80/TCP", "10.180.0.1:80", True, id="accepted external to LB2"),
    row("lb", EXT_BLOCKED, "5.6.7.8:80/TCP", "DROP", id="blocked external to LB2"),
    row("lb", POD, "5.6.7.8:80/TCP", "DROP", id="pod to LB2 (blocked by LoadBalancerSourceRanges)"),
    row("lb", NODE, "1.2.3.4:80/TCP", "10.180.0.1:80", True, id="node to LB1 (allowed by LoadBalancerSourceRanges)"),
    row("lb", NODE, "5.6.7.8:80/TCP", "10.180.0.1:80", True, id="node to LB2 (allowed by LoadBalancerSourceRanges)"),
    # --- TestNodePorts -----------------------------------------------------------------------
    row("nodeports", POD, "172.30.0.41:80/TCP", "10.180.0.1:80, 10.180.2.1:80", id="ipv4: pod to cluster IP"),
    row("nodeports", EXT, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="ipv4: external to nodePort"),
    row("nodeports", NODE, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="ipv4: node to nodePort"),
    row("nodeports", EXT, "192.168.1.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="ipv4: external to nodePort on secondary IP (iptables mode: every node address)"),
    row("nodeports", POD, "[fd00:172:30::41]:80/TCP", "[fd00:10:180::1]:80, [fd00:10:180::2:1]:80",
        id="ipv6: pod to cluster IP"),
    row("nodeports", "external:2600:5200::1", "[2001:db8::1]:3006/TCP",
        "[fd00:10:180::1]:80, [fd00:10:180::2:1]:80", True, id="ipv6: external to nodePort"),
    row("nodeports", NODE, "[2001:db8::1]:3006/TCP", "[fd00:10:180::1]:80, [fd00:10:180::2:1]:80", True,
        id="ipv6: node to nodePort"),
    # --- TestExternalTrafficPolicyLocal ------------------------------------------------------
    row("etp:Local", POD, "172.30.0.41:80/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="pod to cluster IP hits both endpoints, unmasqueraded"),
    row("etp:Local", POD, "192.168.99.11:80/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="pod to external IP hits both endpoints, unmasqueraded"),
    row("etp:Local", EXT, "192.168.99.11:80/TCP", "10.180.2.1:80",
        id="external to external IP hits only local endpoint, unmasqueraded"),
    row("etp:Local", POD, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="pod to LB IP hits only both endpoints, unmasqueraded"),
    row("etp:Local", EXT, "1.2.3.4:80/TCP", "10.180.2.1:80",
        id="external to LB IP hits only local endpoint, unmasqueraded"),
    row("etp:Local", POD, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="pod to NodePort hits both endpoints, unmasqueraded"),
    row("etp:Local", EXT, "192.168.0.2:3001/TCP", "10.180.2.1:80",
        id="external to NodePort hits only local endpoint, unmasqueraded"),
    row("etp:Local", EXT, "192.168.0.3:3001/TCP", "DROP",
        id="external to NodePort of a node without local endpoint"),
    row("etp:Local", "node:node-b", "192.168.0.2:3001/TCP", "10.180.2.1:80",
        id="another node to NodePort is external traffic there (not LOCAL, not pod CIDR)"),
    row("etp:Local", EXT, "healthcheck:test-node:ns1/svc1", "HTTP 200", id="healthCheckNodePort, local endpoint"),
    row("etp:Local", EXT, "healthcheck:node-b:ns1/svc1", "HTTP 503", id="healthCheckNodePort, no local endpoint"),
    row("etp:Local", EXT, "192.168.0.3:30000/TCP", "HTTP 503", id="healthCheckNodePort by address"),
    # --- TestExternalTrafficPolicyCluster ----------------------------------------------------
    row("etp:Cluster", POD, "172.30.0.41:80/TCP", "10.180.0.1:80, 10.180.2.1:80",
        id="eTP Cluster: pod to cluster IP hits both endpoints, unmasqueraded"),
    row("etp:Cluster", POD, "192.168.99.11:80/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="pod to external IP hits both endpoints, masqueraded"),
    row("etp:Cluster", EXT, "192.168.99.11:80/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="external to external IP hits both endpoints, masqueraded"),
    row("etp:Cluster", POD, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="pod to LB IP hits both endpoints, masqueraded"),
    row("etp:Cluster", EXT, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="external to LB IP hits both endpoints, masqueraded"),
    row("etp:Cluster", POD, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="pod to NodePort hits both endpoints, masqueraded"),
    row("etp:Cluster", EXT, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.2.1:80", True,
        id="external to NodePort hits both endpoints, masqueraded"),
    # --- TestInternalTrafficPolicy -----------------------------------------------------------
    row("itp:cluster", POD, "172.30.1.1:80/TCP", "10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80",
        id="internalTrafficPolicy is cluster: pod to ClusterIP hits all endpoints"),
    row("itp:one local", POD, "172.30.1.1:80/TCP", "10.0.1.1:80",
        id="internalTrafficPolicy is local and there is one local endpoint"),
    row("itp:multiple local", POD, "172.30.1.1:80/TCP", "10.0.1.1:80, 10.0.1.2:80",
        id="internalTrafficPolicy is local and there are multiple local endpoints"),
    # --- TestTerminatingEndpointsTrafficPolicyLocal -------------------------------------------
    row(TL + "ready endpoints exist", POD, "172.30.1.1:80/TCP", "10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80",
        id="eTP Local, ready endpoints exist: pod to clusterIP"),
    row(TL + "ready endpoints exist", EXT, "1.2.3.4:80/TCP", "10.0.1.1:80, 10.0.1.2:80",
        id="eTP Local, ready endpoints exist: external to LB"),
    row(TL + "only terminating endpoints exist", POD, "172.30.1.1:80/TCP", "10.0.1.5:80",
        id="eTP Local, only terminating endpoints exist: pod to clusterIP"),
    row(TL + "only terminating endpoints exist", EXT, "1.2.3.4:80/TCP", "10.0.1.2:80, 10.0.1.3:80",
        id="eTP Local, only terminating endpoints exist: external to LB"),
    row(TL + "terminating endpoints on remote node", POD, "172.30.1.1:80/TCP", "10.0.1.5:80",
        id="eTP Local, terminating endpoints on remote node: pod to clusterIP"),
    row(TL + "no usable endpoints on any node", POD, "172.30.1.1:80/TCP", "REJECT",
        id="eTP Local: pod to clusterIP, no usable endpoints"),
    row(TL + "endpoints deleted", POD, "172.30.1.1:80/TCP", "REJECT", id="pod to clusterIP after endpoints deleted"),
    row(TL + "endpoints deleted", EXT, "1.2.3.4:80/TCP", "REJECT", id="external to LB after endpoints deleted"),
    # --- TestTerminatingEndpointsTrafficPolicyCluster -----------------------------------------
    row(TC + "ready endpoints exist", POD, "172.30.1.1:80/TCP", "10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80",
        id="eTP Cluster, ready endpoints exist: pod to clusterIP"),
    row(TC + "ready endpoints exist", EXT, "1.2.3.4:80/TCP", "10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80", True,
        id="eTP Cluster, ready endpoints exist: external to LB"),
    row(TC + "only terminating endpoints exist", POD, "172.30.1.1:80/TCP", "10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80",
        id="eTP Cluster, only terminating endpoints exist: pod to clusterIP"),
    row(TC + "only terminating endpoints exist", EXT, "1.2.3.4:80/TCP", "10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80",
        True, id="eTP Cluster, only terminating endpoints exist: external to LB"),
    row(TC + "terminating endpoints on remote node", POD, "172.30.1.1:80/TCP", "10.0.1.5:80",
        id="eTP Cluster, terminating endpoints on remote node: pod to clusterIP"),
    row(TC + "terminating endpoints on remote node", EXT, "1.2.3.4:80/TCP", "10.0.1.5:80", True,
        id="eTP Cluster, terminating endpoints on remote node: external to LB"),
    row(TC + "no usable endpoints on any node", POD, "172.30.1.1:80/TCP", "REJECT",
        id="eTP Cluster: pod to clusterIP, no usable endpoints"),
    row(TC + "no usable endpoints on any node", EXT, "1.2.3.4:80/TCP", "REJECT",
        id="eTP Cluster: external to LB, no usable endpoints"),
    # --- TestInternalExternalMasquerade ("base") ----------------------------------------------
    row("masq", POD, "172.30.0.41:80/TCP", "10.180.0.1:80, 10.180.1.1:80", id="pod to ClusterIP"),
    row("masq", POD, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="pod to NodePort"),
    row("masq", POD, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="pod to LB"),
    row("masq", NODE, "172.30.0.41:80/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="node to ClusterIP"),
    row("masq", NODE, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="node to NodePort"),
    row("masq", NODE, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="node to LB"),
    row("masq", EXT, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="external to NodePort"),
    row("masq", EXT, "1.2.3.4:80/TCP", "10.180.0.1:80, 10.180.1.1:80", True, id="external to LB"),
    row("masq", POD, "172.30.0.42:80/TCP", "10.180.0.2:80, 10.180.1.2:80", id="pod to ClusterIP with eTP:Local"),
    row("masq", POD, "192.168.0.2:3002/TCP", "10.180.0.2:80, 10.180.1.2:80", id="pod to NodePort with eTP:Local"),
    row("masq", POD, "5.6.7.8:80/TCP", "10.180.0.2:80, 10.180.1.2:80", id="pod to LB with eTP:Local"),
    row("masq", NODE, "172.30.0.42:80/TCP", "10.180.0.2:80, 10.180.1.2:80", True,
        id="node to ClusterIP with eTP:Local"),
    row("masq", NODE, "192.168.0.2:3001/TCP", "10.180.0.1:80, 10.180.1.1:80", True,
        id="node to NodePort with eTP:Local (upstream's row uses svc1's port 3001)"),
    row("masq", NODE, "192.168.0.2:3002/TCP", "10.180.0.2:80, 10.180.1.2:80", True,
        id="node to svc2 NodePort with eTP:Local short-circuits LOCAL traffic"),
    row("masq", NODE, "5.6.7.8:80/TCP", "10.180.0.2:80, 10.180.1.2:80", True, id="node to LB with eTP:Local"),
    row("masq", EXT, "172.30.0.42:80/TCP", "DROP", id="external to ClusterIP with eTP:Local (adapted: not routable)"),
    row("masq", EXT, "192.168.0.2:3002/TCP", "10.180.0.2:80", id="external to NodePort with eTP:Local"),
    row("masq", EXT, "5.6.7.8:80/TCP", "10.180.0.2:80", id="external to LB with eTP:Local"),
    row("masq", POD, "172.30.0.43:80/TCP", "10.180.0.3:80", id="pod to ClusterIP with iTP:Local"),
    row("masq", POD, "192.168.0.2:3003/TCP", "10.180.0.3:80, 10.180.1.3:80", True, id="pod to NodePort with iTP:Local"),
    row("masq", POD, "9.10.11.12:80/TCP", "10.180.0.3:80, 10.180.1.3:80", True, id="pod to LB with iTP:Local"),
    row("masq", NODE, "172.30.0.43:80/TCP", "10.180.0.3:80", True, id="node to ClusterIP with iTP:Local"),
    row("masq", NODE, "192.168.0.2:3003/TCP", "10.180.0.3:80, 10.180.1.3:80", True,
        id="node to NodePort with iTP:Local"),
    row("masq", NODE, "9.10.11.12:80/TCP", "10.180.0.3:80, 10.180.1.3:80", True, id="node to LB with iTP:Local"),
    row("masq", EXT, "172.30.0.43:80/TCP", "DROP", id="external to ClusterIP with iTP:Local (adapted: not routable)"),
    row("masq", EXT, "192.168.0.2:3003/TCP", "10.180.0.3:80, 10.180.1.3:80", True,
        id="external to NodePort with iTP:Local"),
    row("masq", EXT, "9.10.11.12:80/TCP", "10.180.0.3:80, 10.180.1.3:80", True, id="external to LB with iTP:Local"),
]


def check(verdict, output: str, masq: bool) -> None:
    shown = f"\noutcome {verdict.outcome} {dict(verdict.details)}\n" + "\n".join(verdict.trace)
    if output in ("REJECT", "DROP", "NOT-PROXIED"):
        expected = {"REJECT": "rejected", "DROP": "dropped", "NOT-PROXIED": "not-proxied"}[output]
        assert verdict.outcome == expected, shown
        assert verdict.details["endpoints"] == [], shown
        return
    if output.startswith("HTTP "):
        assert verdict.outcome == "delivered", shown
        assert verdict.details["httpStatus"] == int(output[5:]), shown
        return
    assert verdict.outcome == "delivered", shown
    assert verdict.details["endpoints"] == sorted(output.split(", ")), shown
    assert verdict.details["sourceIPPreserved"] is (not masq), shown


@pytest.mark.parametrize("fix, source, dest, output, masq", PACKET_FLOWS)
def test_packet_flow(fix, source, dest, output, masq):
    check(trace(fixture(fix), source, dest), output, masq)


# --- beyond upstream's tables: the whole pipeline from pods and Services ---------------------

EXCLUDE = {"node.kubernetes.io/exclude-from-external-load-balancers": ""}
AWS_ANNOTATIONS = {"service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                   "service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval": "10"}


@cache
def cluster():
    web = {"app": "web"}
    return snapshot(
        node("n1", "10.0.0.11"), node("n2", "10.0.0.12"), node("n3", "10.0.0.13", labels=EXCLUDE),
        pod("web-1", ns="shop", labels=web, ip="10.244.1.10", node="n1", container_ports=ports("http:8080")),
        pod("web-2", ns="shop", labels=web, ip="10.244.2.10", node="n2", container_ports=ports("http:9090")),
        pod("client", ns="shop", ip="10.244.1.20", node="n1"),
        pod("pending", ns="shop", ip=None, node=None, phase="Pending", ready=False),
        pod("hostnet", ns="shop", ip="10.0.0.11", node="n1", host_network=True,
            container_ports=ports("metrics:9100")),
        pod("down-1", ns="shop", labels={"app": "down"}, ip="10.244.2.30", node="n2", ready=False),
        pod("drain-1", ns="shop", labels={"app": "drain"}, ip="10.244.2.40", node="n2", terminating=True),
        svc("web", ns="shop", selector=web, cluster_ip="10.96.0.20", ports=(sport(80, "http"),),
            session_affinity="ClientIP", session_affinity_timeout=600),
        svc("headless", ns="shop", selector=web, cluster_ip="None", ports=(sport(80, "http"),)),
        svc("ext", ns="shop", type="ExternalName", cluster_ip=None, external_name="db.example.com"),
        svc("pending", ns="shop", type="LoadBalancer", selector=web, cluster_ip="10.96.0.21",
            ports=(sport(80, "http", node_port=30300),)),
        svc("aws", ns="shop", type="LoadBalancer", selector=web, cluster_ip="10.96.0.22",
            ports=(sport(80, "http", node_port=30100),), annotations=AWS_ANNOTATIONS,
            load_balancer_ingress=(LoadBalancerIngress(hostname="abc.elb.amazonaws.com"),)),
        svc("nonp", ns="shop", type="LoadBalancer", selector=web, cluster_ip="10.96.0.23",
            ports=(sport(80, "http"),), allocate_load_balancer_node_ports=False,
            load_balancer_ingress=lb("203.0.113.50")),
        svc("proxied", ns="shop", type="LoadBalancer", selector=web, cluster_ip="10.96.0.24",
            ports=(sport(80, "http", node_port=30200),),
            load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.60", ip_mode="Proxy"),)),
        svc("down", ns="shop", selector={"app": "down"}, cluster_ip="10.96.0.30", ports=(sport(80),)),
        svc("drain", ns="shop", selector={"app": "drain"}, cluster_ip="10.96.0.31", ports=(sport(80),)),
    )


C = "shop/client"
PIPELINE = [
    row("", C, "svc:shop/web:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090",
        id="named targetPort resolved per pod"),
    row("", C, "svc:shop/headless:80/TCP", "NOT-PROXIED", id="headless Service is not proxied"),
    row("", C, "svc:shop/ext:443/TCP", "NOT-PROXIED", id="ExternalName is not proxied"),
    row("", C, "svc:shop/web:80/UDP", "DROP", id="svc: a TCP port does not serve UDP"),
    row("", C, "svc:shop/down:80/TCP", "REJECT", id="only not-ready endpoints: REJECT"),
    row("", C, "svc:shop/drain:80/TCP", "10.244.2.40:80",
        id="only a serving terminating endpoint: it takes the traffic"),
    row("", "shop/hostnet", "svc:shop/web:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="hostNetwork pod is its node: off-pod-CIDR source masqueraded"),
    row("", "node:n2", "10.96.0.20:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="node to cluster IP masqueraded (clusterCIDR set)"),
    row("", "shop/pending", "svc:shop/web:80/TCP", "DROP", id="a pod without IP cannot send"),
    row("", C, "10.244.2.10:9090/TCP", "10.244.2.10:9090", id="pod IP: straight to the pod, not proxied"),
    row("", "external", "10.244.2.10:9090/TCP", "DROP", id="pod IP from outside the cluster"),
    row("", "external", "10.96.0.20:80/TCP", "DROP", id="cluster IP from outside the cluster"),
    row("", C, "10.0.0.11:9100/TCP", "10.0.0.11:9100", id="node address: host-network pod listening"),
    row("", C, "10.0.0.11:22/TCP", "NOT-PROXIED", id="node address, no NodePort: not kube-proxy's"),
    row("", "external", "198.51.100.99:80/TCP", "DROP", id="an address nothing in the cluster has"),
    row("", "external", "lb:shop/aws:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="hostname load balancer (AWS) -> NodePort, eTP Cluster"),
    row("", "external", "10.0.0.13:30100/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="NodePort opens on nodes excluded from load balancers too"),
    row("", "external", "node:n1:30100/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True, id="node:<n>:<nodePort>"),
    row("", "external", "lb:shop/nonp:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="allocateLoadBalancerNodePorts false: kube-proxy captures the LB IP"),
    row("", "external", "lb:shop/proxied:80/TCP", "10.244.1.10:8080, 10.244.2.10:9090", True,
        id="ipMode Proxy: the load balancer proxies, source IP lost"),
    row("", C, "lb:shop/nonp:81/TCP", "DROP", id="load balancer without that port"),
]


@pytest.mark.parametrize("fix, source, dest, output, masq", PIPELINE)
def test_pipeline(fix, source, dest, output, masq):
    check(trace(cluster(), source, dest), output, masq)


def test_trace_shows_what_matters():
    snap = cluster()
    sticky = trace(snap, C, "svc:shop/web:80/TCP")
    assert sticky.details["sticky"] is True and any("600s" in line for line in sticky.trace)
    ext = trace(snap, C, "svc:shop/ext:80/TCP")
    assert any("db.example.com" in line for line in ext.trace)
    aws = trace(snap, "external", "lb:shop/aws:80/TCP")
    text = "\n".join(aws.trace)
    assert "aws-load-balancer-healthcheck-interval: 10" in text and "abc.elb.amazonaws.com" in text
    assert "n3" not in text  # excluded from load balancers
    assert any("allocateLoadBalancerNodePorts false" in line
               for line in trace(snap, "external", "lb:shop/nonp:80/TCP").trace)


@pytest.mark.parametrize("source, dest", [
    pytest.param("shop/nope", "svc:shop/web:80/TCP", id="absent pod"),
    pytest.param("node:nope", "svc:shop/web:80/TCP", id="absent node"),
    pytest.param("external:not-an-ip", "svc:shop/web:80/TCP", id="malformed external IP"),
    pytest.param("somewhere", "svc:shop/web:80/TCP", id="malformed source"),
    pytest.param(C, "svc:shop/nope:80/TCP", id="absent Service"),
    pytest.param(C, "svc:shop/web:80/HTTP", id="unknown protocol"),
    pytest.param(C, "10.96.0.20", id="no port"),
    pytest.param(C, "10.96.0.20:99999/TCP", id="port out of range"),
    pytest.param(C, "node:nope:30100/TCP", id="absent destination node"),
    pytest.param("external", "lb:shop/pending:80/TCP", id="pending load balancer"),
    pytest.param("external", "lb:shop/web:80/TCP", id="lb: of a ClusterIP Service"),
    pytest.param("external", "healthcheck:n1:shop/aws", id="health check of an eTP Cluster Service"),
    pytest.param("external", "healthcheck:nope:shop/aws", id="health check on an absent node"),
])
def test_query_errors(source, dest):
    with pytest.raises(QueryError):
        trace(cluster(), source, dest)


def test_answer_route_contract():
    out = answer_route(fixture("etp:Local"), {"from": "external", "to": "healthcheck:test-node:ns1/svc1"})
    assert out["outcome"] == "delivered" and out["httpStatus"] == 200 and isinstance(out["trace"], list)
    out = answer_route(cluster(), {"from": C, "to": "svc:shop/web:80/TCP"})
    assert set(out) == {"outcome", "endpoints", "sourceIPPreserved", "sticky", "trace"}
    assert out["endpoints"] == ["10.244.1.10:8080", "10.244.2.10:9090"] and out["sticky"] is True
    with pytest.raises(QueryError):
        answer_route(cluster(), {"from": C})

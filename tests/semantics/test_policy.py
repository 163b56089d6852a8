"""NetworkPolicy corner cases through policy.connect, answer_connect and dns_access.

Sources: kubernetes/website network-policies.md (own node, hostNetwork, ipBlock caveats, empty
from/to, policyTypes defaults), pkg/apis/networking/types.go (field semantics),
test/e2e/network/netpol (ipBlock on pod IPs), interfaces.md (`connect`).
"""

from __future__ import annotations

from typing import Any

import pytest

from kubenet_site.semantics.policy import connect
from kubenet_site.semantics.policy_dns import dns_access
from kubenet_site.semantics.policy_services import answer_connect
from kubenet_site.semantics.types import Container, QueryError
from tests.semantics.builders import node, ns, pod, ports, snapshot, sport, svc
from tests.semantics.test_netpol_e2e import (
    EVERYTHING,
    POD_IP,
    expr,
    labels,
    model_objects,
    model_snapshot,
    netpol,
    peer,
    port,
    rule,
)

DENY_ALL_X = netpol("deny-all", "x", EVERYTHING, ingress=[], egress=[])
DENY_INGRESS_X = netpol("deny-ingress", "x", EVERYTHING, ingress=[])
DENY_EGRESS_X = netpol("deny-egress", "x", EVERYTHING, egress=[])
HOST = pod("agent", ns="y", labels={"pod": "agent"}, ip="192.168.0.2", node="node-2", host_network=True)


def _check(snap: Any, source: Any, dest: Any, probe: int | str, protocol: str, expected: str) -> None:
    v = connect(snap, source, dest, probe, protocol)
    if v.outcome != expected:
        print("\n".join(v.trace))
    assert v.outcome == expected


CONNECT = [
    # ---- self and own node
    pytest.param([DENY_ALL_X], "x/a", "x/a", 80, "TCP", "allowed", id="a pod never blocks traffic to itself"),
    pytest.param([DENY_ALL_X], "x/a", POD_IP["x/a"], 80, "TCP", "allowed",
                 id="a pod reaching its own IP is itself"),
    pytest.param([DENY_ALL_X], "192.168.0.1", "x/a", 80, "TCP", "allowed",
                 id="traffic from a pod's own node is always allowed (deny-all ingress)"),
    pytest.param([DENY_ALL_X], "x/a", "192.168.0.1", 10250, "TCP", "allowed",
                 id="traffic to a pod's own node is always allowed (deny-all egress)"),
    pytest.param([DENY_ALL_X], "192.168.0.2", "x/a", 80, "TCP", "blocked",
                 id="another node's IP is judged like any address (deny-all ingress)"),
    pytest.param([netpol("from-node-2", "x", EVERYTHING, ingress=[rule(peer(cidr="192.168.0.2/32"))])],
                 "192.168.0.2", "x/a", 80, "TCP", "allowed", id="another node's IP allowed by an ipBlock"),
    pytest.param([DENY_ALL_X], "node:node-2", "x/a", 80, "TCP", "blocked", id="node:<name> form, remote node"),
    # ---- hostNetwork pods
    pytest.param([DENY_INGRESS_X, HOST], "y/agent", "x/b", 80, "TCP", "allowed",
                 id="hostNetwork source on the destination's node is node traffic (allowed)"),
    pytest.param([DENY_INGRESS_X, HOST], "y/agent", "x/a", 80, "TCP", "blocked",
                 id="hostNetwork source on another node is blocked by deny-all ingress"),
    pytest.param([netpol("from-agent", "x", EVERYTHING, ingress=[rule(peer(pods=labels(pod="agent"),
                                                                         namespaces=EVERYTHING))]), HOST],
                 "y/agent", "x/a", 80, "TCP", "blocked",
                 id="selectors never match a hostNetwork source (its packets carry the node IP)"),
    pytest.param([netpol("from-node-2", "x", EVERYTHING, ingress=[rule(peer(cidr="192.168.0.0/24"))]), HOST],
                 "y/agent", "x/a", 80, "TCP", "allowed", id="a hostNetwork source matches an ipBlock of its node IP"),
    pytest.param([DENY_EGRESS_X, HOST], "x/a", "y/agent", 80, "TCP", "blocked",
                 id="egress deny-all blocks a hostNetwork destination on another node"),
    pytest.param([DENY_EGRESS_X, HOST], "x/b", "y/agent", 80, "TCP", "allowed",
                 id="a hostNetwork destination on the source's own node is node traffic"),
    pytest.param([netpol("to-agent", "x", EVERYTHING, egress=[rule(peer(pods=labels(pod="agent"),
                                                                      namespaces=EVERYTHING))]), HOST],
                 "x/a", "y/agent", 80, "TCP", "blocked", id="egress selectors never match a hostNetwork destination"),
    pytest.param([netpol("deny-y", "y", EVERYTHING, ingress=[]), HOST], "x/a", "y/agent", 80, "TCP", "allowed",
                 id="a hostNetwork destination is never isolated"),
    pytest.param([netpol("deny-egress-y", "y", EVERYTHING, egress=[]), HOST], "y/agent", "x/a", 80, "TCP", "allowed",
                 id="a hostNetwork source is not subject to its namespace's egress policy"),
    # ---- ipBlock and outside clients
    pytest.param([netpol("from-docs-net", "x", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.0/24"))])],
                 "198.51.100.7", "x/a", 80, "TCP", "allowed", id="external client inside an ingress ipBlock"),
    pytest.param([netpol("from-docs-net", "x", EVERYTHING,
                         ingress=[rule(peer(cidr="198.51.100.0/24", except_=("198.51.100.0/29",)))])],
                 "198.51.100.7", "x/a", 80, "TCP", "blocked", id="external client inside an except range"),
    pytest.param([netpol("from-docs-net", "x", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.0/24"))])],
                 "203.0.113.9", "x/a", 80, "TCP", "blocked", id="external client outside the ipBlock"),
    pytest.param([netpol("from-pods", "x", EVERYTHING, ingress=[rule(peer(pods=EVERYTHING, namespaces=EVERYTHING))])],
                 "198.51.100.7", "x/a", 80, "TCP", "blocked",
                 id="selectors {} {} match every pod but no outside client"),
    pytest.param([netpol("allow-all", "x", EVERYTHING, ingress=[rule()])], "external", "x/a", 80, "TCP", "allowed",
                 id="the empty rule {} allows outside clients too"),
    pytest.param([netpol("ports-only", "x", EVERYTHING, ingress=[rule(ports=(port(80),))])],
                 "external:203.0.113.9", "x/a", 80, "TCP", "allowed", id="a rule without from allows every source"),
    pytest.param([netpol("from-pod-ip", "x", labels(pod="a"), ingress=[rule(peer(cidr=POD_IP["y/c"] + "/32"))])],
                 "y/c", "x/a", 80, "TCP", "allowed", id="an ingress ipBlock matches a pod IP"),
    pytest.param([netpol("v6-only", "x", labels(pod="a"), ingress=[rule(peer(cidr="::/0"))])],
                 "y/c", "x/a", 80, "TCP", "blocked", id="an IPv6 ipBlock does not match an IPv4-only pod"),
    pytest.param([netpol("to-world", "x", EVERYTHING, egress=[rule(peer(cidr="0.0.0.0/0"), ports=(port(443),))])],
                 "x/a", "203.0.113.9", 443, "TCP", "allowed", id="egress to an outside IP through 0.0.0.0/0"),
    pytest.param([netpol("to-world", "x", EVERYTHING, egress=[rule(ports=(port("serve-80-tcp"),))])],
                 "x/a", "203.0.113.9", 80, "TCP", "blocked", id="an egress named port never matches an outside IP"),
    # ---- policyTypes, empty lists, namespaces
    pytest.param([netpol("egress-only", "x", EVERYTHING, egress=[rule()])], "y/a", "x/a", 80, "TCP", "allowed",
                 id="policyTypes [Egress] leaves ingress open"),
    pytest.param([netpol("ingress-type-only", "x", EVERYTHING, ingress=[rule()], egress=[],
                         types=("Ingress",))], "x/a", "y/a", 80, "TCP", "allowed",
                 id="egress rules are ignored when policyTypes lacks Egress"),
    pytest.param([netpol("egress-type-only", "x", EVERYTHING, ingress=[], egress=[rule()],
                         types=("Egress",))], "y/a", "x/a", 80, "TCP", "allowed",
                 id="ingress: [] is ignored when policyTypes lacks Ingress"),
    pytest.param([netpol("deny-all-y", "y", EVERYTHING, ingress=[], egress=[])], "x/a", "x/b", 80, "TCP", "allowed",
                 id="a policy never selects pods of another namespace"),
    pytest.param([netpol("ns-any-pod-b", "x", labels(pod="a"),
                         ingress=[rule(peer(pods=labels(pod="b"), namespaces=EVERYTHING))])],
                 "z/b", "x/a", 80, "TCP", "allowed", id="namespaceSelector {} with a podSelector: that pod anywhere"),
    pytest.param([netpol("pod-b-local", "x", labels(pod="a"), ingress=[rule(peer(pods=labels(pod="b")))])],
                 "z/b", "x/a", 80, "TCP", "blocked", id="podSelector alone: the policy's own namespace only"),
    pytest.param([netpol("notin", "x", labels(pod="a"), ingress=[rule(peer(pods=expr("tier", "NotIn", "db")))])],
                 "x/b", "x/a", 80, "TCP", "allowed", id="NotIn matches pods without the key"),
    pytest.param([netpol("exists", "x", labels(pod="a"), ingress=[rule(peer(pods=expr("tier", "Exists")))])],
                 "x/b", "x/a", 80, "TCP", "blocked", id="Exists does not match pods without the key"),
    # ---- ports
    pytest.param([netpol("sctp", "x", labels(pod="a"), ingress=[rule(ports=(port(80, "SCTP"),))])],
                 "y/a", "x/a", 80, "SCTP", "allowed", id="an SCTP rule allows SCTP"),
    pytest.param([netpol("default-tcp", "x", labels(pod="a"), ingress=[rule(ports=(port(80),))])],
                 "y/a", "x/a", 80, "UDP", "blocked", id="a port without protocol is TCP only"),
    pytest.param([netpol("named-udp-as-tcp", "x", labels(pod="a"),
                         ingress=[rule(ports=(port("serve-80-udp", "TCP"),))])],
                 "y/a", "x/a", 80, "TCP", "blocked", id="a named UDP port under protocol TCP matches nothing"),
    pytest.param([netpol("named", "x", labels(pod="a"), ingress=[rule(ports=(port("serve-81-sctp", "SCTP"),))])],
                 "y/a", "x/a", "serve-81-sctp", "SCTP", "allowed", id="a query by port name, resolved on the destination"),
    pytest.param([], "y/a", "x/a", "metrics", "TCP", "blocked", id="a port name the destination lacks: nothing to reach"),
    pytest.param([netpol("range", "x", labels(pod="a"), ingress=[rule(ports=(port(30000, end=32767),))])],
                 "y/a", "x/a", 32767, "TCP", "allowed", id="endPort is inclusive"),
    pytest.param([netpol("range", "x", labels(pod="a"), ingress=[rule(ports=(port(30000, end=32767),))])],
                 "y/a", "x/a", 29999, "TCP", "blocked", id="below the range"),
    # ---- union across policies, both directions
    pytest.param([netpol("deny-egress", "x", labels(pod="a"), egress=[]),
                  netpol("allow-egress-y", "x", labels(pod="a"), egress=[rule(peer(namespaces=labels(ns="y")))])],
                 "x/a", "y/b", 80, "TCP", "allowed", id="policies add up: one allowing rule is enough"),
    pytest.param([netpol("allow-egress-y", "x", labels(pod="a"), egress=[rule(peer(namespaces=labels(ns="y")))]),
                  netpol("deny-y-b", "y", labels(pod="b"), ingress=[])],
                 "x/a", "y/b", 80, "TCP", "blocked", id="egress allowed but the destination's ingress denies"),
    pytest.param([netpol("allow-client-a-via-cidr-egress-rule", "x", labels(pod="a"),
                         egress=[rule(peer(cidr="0.0.0.0/4", except_=(POD_IP["x/b"] + "/32",)))]),
                  netpol("allow-x-b", "x", labels(pod="a"), egress=[rule(peer(cidr=POD_IP["x/b"] + "/32"))])],
                 "x/a", "x/b", 80, "TCP", "allowed", id="an IP in one policy's except but another's cidr is allowed"),
]


@pytest.mark.parametrize(("items", "source", "dest", "probe", "protocol", "expected"), CONNECT)
def test_connect(items: list[Any], source: str, dest: str, probe: int | str, protocol: str, expected: str) -> None:
    from kubenet_site.semantics.types import NetworkPolicy

    policies = [i for i in items if isinstance(i, NetworkPolicy)]
    extra_pods = [i for i in items if not isinstance(i, NetworkPolicy)]
    snap = snapshot(*model_objects(), *extra_pods, *policies)
    _check(snap, source, dest, probe, protocol, expected)


def test_connect_trace_names_policies_and_rules() -> None:
    snap = model_snapshot(netpol("deny", "x", labels(pod="a"), ingress=[]),
                          netpol("allow-y", "x", labels(pod="a"), ingress=[rule(peer(pods=labels(pod="zz"))),
                                                                           rule(peer(namespaces=labels(ns="y")))]))
    ok = answer_connect(snap, {"from": "y/b", "to": "x/a", "port": 80})
    assert ok["verdict"] == "allowed"
    assert any("isolated by x/deny, x/allow-y; allowed by x/allow-y ingress[1]" in t for t in ok["trace"]), ok
    no = answer_connect(snap, {"from": "z/b", "to": "x/a", "port": 80})
    assert no["verdict"] == "blocked"
    assert any("isolated by x/deny, x/allow-y; no ingress rule allows from z/b on 80/TCP" in t for t in no["trace"])
    free = answer_connect(snap, {"from": "x/a", "to": "y/b", "port": 80})
    assert any("not isolated" in t for t in free["trace"]), free


# ---------------------------------------------------------------- connect to a Service (after DNAT)

def _svc_world(*objs: Any):
    web = dict(labels={"app": "web"})
    return snapshot(
        ns("shop"), ns("edge"), node("node-1", "192.168.0.1"), node("node-2", "192.168.0.2"),
        pod("web-1", ns="shop", ip="10.244.1.10", node="node-1", container_ports=ports("http:8080"), **web),
        pod("web-2", ns="shop", ip="10.244.2.10", node="node-2", container_ports=ports("http:9090"),
            labels={"app": "web", "canary": "yes"}),
        pod("client", ns="edge", labels={"app": "client"}, ip="10.244.1.20", node="node-1"),
        svc("web", ns="shop", selector={"app": "web"}, ports=(sport(80, "http", name="http"),),
            cluster_ip="10.96.0.50"),
        svc("web-np", ns="shop", selector={"app": "web"}, ports=(sport(80, "http", name="http", node_port=30080),),
            cluster_ip="10.96.0.51", type="NodePort"),
        svc("web-local", ns="shop", selector={"app": "web"},
            ports=(sport(80, "http", name="http", node_port=30081),), cluster_ip="10.96.0.52", type="NodePort",
            external_traffic_policy="Local"),
        *objs,
    )


SERVICE = [
    pytest.param([], {"from": "edge/client", "to": "svc:shop/web:80"}, "allowed",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "allowed"}, id="no policy: every backend"),
    pytest.param([netpol("only-8080", "shop", EVERYTHING, ingress=[rule(ports=(port(8080),))])],
                 {"from": "edge/client", "to": "svc:shop/web:80"}, "partial",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "blocked"},
                 id="named targetPort resolves per pod: backends disagree (partial)"),
    pytest.param([netpol("only-http", "shop", EVERYTHING, ingress=[rule(ports=(port("http"),))])],
                 {"from": "edge/client", "to": "svc:shop/web", "port": "http"}, "allowed",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "allowed"},
                 id="policy named port matches each backend's own number; Service port by name"),
    pytest.param([netpol("deny-canary", "shop", labels(canary="yes"), ingress=[])],
                 {"from": "10.244.1.20", "to": "svc:shop/web:80/TCP"}, "partial",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "blocked"}, id="source given by pod IP"),
    pytest.param([netpol("deny-egress", "edge", EVERYTHING, egress=[])],
                 {"from": "edge/client", "to": "svc:shop/web:80"}, "blocked",
                 {"10.244.1.10:8080": "blocked", "10.244.2.10:9090": "blocked"},
                 id="the source's egress is judged against the backend pods, not the cluster IP"),
    pytest.param([netpol("egress-to-vip", "edge", EVERYTHING, egress=[rule(peer(cidr="10.96.0.0/12"))])],
                 {"from": "edge/client", "to": "svc:shop/web:80"}, "blocked",
                 {"10.244.1.10:8080": "blocked", "10.244.2.10:9090": "blocked"},
                 id="an egress ipBlock of the service CIDR does not match (DNAT happens first)"),
    pytest.param([netpol("from-client-ip", "shop", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.7/32"))])],
                 {"from": "198.51.100.7", "to": "svc:shop/web-np:80"}, "blocked",
                 {"10.244.1.10:8080": "blocked", "10.244.2.10:9090": "blocked"},
                 id="externalTrafficPolicy Cluster: SNAT hides the client IP from an ipBlock"),
    pytest.param([netpol("from-client-ip", "shop", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.7/32"))])],
                 {"from": "198.51.100.7", "to": "svc:shop/web-local:80"}, "allowed",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "allowed"},
                 id="externalTrafficPolicy Local: the client IP is preserved"),
    pytest.param([netpol("from-nodes", "shop", EVERYTHING, ingress=[rule(peer(cidr="192.168.0.0/24"))])],
                 {"from": "198.51.100.7", "to": "svc:shop/web-np:80"}, "allowed",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "allowed"},
                 id="externalTrafficPolicy Cluster: an ipBlock of the node IPs admits the SNATed traffic"),
    pytest.param([netpol("deny-canary", "shop", labels(canary="yes"), ingress=[])],
                 {"from": "edge/client", "to": "10.96.0.50", "port": 80}, "partial",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "blocked"},
                 id="to a cluster IP: judged at the backends after DNAT"),
    pytest.param([netpol("from-client-ip", "shop", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.7/32"))])],
                 {"from": "198.51.100.7", "to": "192.168.0.1", "port": 30080}, "partial",
                 {"10.244.1.10:8080": "allowed", "10.244.2.10:9090": "blocked"},
                 id="node IP:nodePort, Cluster: SNAT to node-1, own-node backend allowed, the other not"),
    pytest.param([netpol("from-client-ip", "shop", EVERYTHING, ingress=[rule(peer(cidr="198.51.100.7/32"))])],
                 {"from": "198.51.100.7", "to": "192.168.0.2", "port": 30081}, "allowed",
                 {"10.244.2.10:9090": "allowed"},
                 id="node IP:nodePort, Local: only that node's endpoints, client IP preserved"),
    pytest.param([netpol("from-client", "shop", EVERYTHING, ingress=[rule(peer(pods=labels(app="client"),
                                                                             namespaces=EVERYTHING))])],
                 {"from": "edge/client", "to": "192.168.0.2", "port": 30080}, "partial",
                 {"10.244.1.10:8080": "blocked", "10.244.2.10:9090": "allowed"},
                 id="a pod via a node port (Cluster) is SNATed too: its selector no longer matches"),
]


@pytest.mark.parametrize(("items", "query", "verdict", "backends"), SERVICE)
def test_connect_service(items: list[Any], query: dict[str, Any], verdict: str, backends: dict[str, str]) -> None:
    snap = _svc_world(*items)
    answer = answer_connect(snap, query)
    if answer["verdict"] != verdict or answer["backends"] != backends:
        print("\n".join(answer["trace"]))
    assert answer["verdict"] == verdict
    assert answer["backends"] == backends


def test_connect_service_trace_explains_snat() -> None:
    answer = answer_connect(_svc_world(), {"from": "198.51.100.7", "to": "svc:shop/web-np:80"})
    assert any("SNAT" in line for line in answer["trace"]), answer


@pytest.mark.parametrize(("query", "message"), [
    pytest.param({"from": "edge/nope", "to": "shop/web-1", "port": 80}, "no pod", id="unknown source pod"),
    pytest.param({"from": "edge/client", "to": "svc:shop/nope:80"}, "no Service", id="unknown Service"),
    pytest.param({"from": "edge/client", "to": "svc:shop/web:81"}, "no port", id="unknown Service port"),
    pytest.param({"from": "edge/client", "to": "shop/web-1"}, "port", id="missing port"),
    pytest.param({"from": "not-an-ip", "to": "shop/web-1", "port": 80}, "not an IP", id="bad address"),
    pytest.param({"from": "edge/client", "to": "shop/web-1", "port": 80, "protocol": "ICMP"}, "protocol",
                 id="bad protocol"),
])
def test_connect_query_errors(query: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        answer_connect(_svc_world(), query)


# ---------------------------------------------------------------- DNS access

def _dns_world(*objs: Any, with_coredns: bool = True):
    items: list[Any] = [ns("app"), node("node-1", "192.168.0.1"),
                        pod("api", ns="app", labels={"app": "api"}, ip="10.244.1.5")]
    if with_coredns:
        items += [
            pod("coredns-1", ns="kube-system", labels={"k8s-app": "kube-dns"}, ip="10.244.1.2",
                containers=(Container("coredns", ports=ports("dns:53/UDP", "dns-tcp:53/TCP", "metrics:9153")),)),
            svc("kube-dns", ns="kube-system", selector={"k8s-app": "kube-dns"}, cluster_ip="10.96.0.10",
                ports=(sport(53, "dns", name="dns", protocol="UDP"), sport(53, "dns-tcp", name="dns-tcp"),
                       sport(9153, 9153, name="metrics"))),
        ]
    return snapshot(*items, *objs)


DNS_EGRESS_UDP = netpol("allow-dns", "app", EVERYTHING, egress=[rule(
    peer(namespaces=labels(**{"kubernetes.io/metadata.name": "kube-system"}), pods=labels(**{"k8s-app": "kube-dns"})),
    ports=(port(53, "UDP"),))])
DENY_EGRESS_APP = netpol("deny-egress", "app", EVERYTHING, egress=[])

DNS = [
    pytest.param([], True, "allowed", True, id="no policy"),
    pytest.param([DENY_EGRESS_APP], True, "blocked", False, id="default-deny egress blocks DNS"),
    pytest.param([DENY_EGRESS_APP, DNS_EGRESS_UDP], True, "allowed", False,
                 id="egress UDP 53 to kube-dns allowed, TCP 53 blocked (warning)"),
    pytest.param([DENY_EGRESS_APP, DNS_EGRESS_UDP, netpol("lock-dns", "kube-system", EVERYTHING, ingress=[])], True,
                 "blocked", False, id="kube-dns pods' ingress denies"),
    pytest.param([DENY_EGRESS_APP, netpol("dns-by-ip", "app", EVERYTHING,
                                          egress=[rule(peer(cidr="10.96.0.10/32"), ports=(port(53, "UDP"),))])],
                 True, "blocked", False, id="an egress ipBlock of the DNS Service IP does not survive DNAT"),
    pytest.param([DENY_EGRESS_APP, DNS_EGRESS_UDP], False, "allowed", False,
                 id="no CoreDNS in the manifests: assumed kube-system pods k8s-app=kube-dns"),
    pytest.param([DENY_EGRESS_APP], False, "blocked", False, id="no CoreDNS in the manifests, egress denied"),
    pytest.param([DENY_EGRESS_APP, netpol("dns-any", "app", EVERYTHING, egress=[rule(ports=(port(53, "UDP"),
                                                                                         port(53, "TCP")))])],
                 True, "allowed", True, id="egress to any peer on 53 UDP and TCP"),
]


@pytest.mark.parametrize(("items", "coredns", "outcome", "tcp"), DNS)
def test_dns_access(items: list[Any], coredns: bool, outcome: str, tcp: bool) -> None:
    snap = _dns_world(*items, with_coredns=coredns)
    v = dns_access(snap, snap.pod("app/api"))
    if v.outcome != outcome or v.details["tcp"] != tcp:
        print("\n".join(v.trace))
    assert v.outcome == outcome
    assert v.details["tcp"] is tcp
    if outcome == "allowed" and not tcp:
        assert any("TCP 53 is blocked" in t for t in v.trace)


def test_dns_access_host_network_and_default_policy() -> None:
    snap = _dns_world(DENY_EGRESS_APP, pod("hn", ns="app", ip="192.168.0.1", host_network=True),
                      pod("dflt", ns="app", ip="10.244.1.6", dns_policy="Default"))
    assert dns_access(snap, snap.pod("app/hn")).outcome == "allowed"
    v = dns_access(snap, snap.pod("app/dflt"))
    assert v.outcome == "blocked" and v.details["servers"] == ["10.0.0.2"], v.trace

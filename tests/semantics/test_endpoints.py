"""endpoints.py: Service endpoints as the EndpointSlice controllers publish them.

Expected values come from upstream: staging/src/k8s.io/endpointslice (podToEndpoint,
ShouldPodBeInEndpoints, FindPort), pkg/api/v1/pod/util_test.go TestFindPort, the
EndpointSliceMirroring controller, and the discovery/v1 condition docs.
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics import endpoints as E
from kubenet_site.semantics.types import (
    Container,
    ContainerPort,
    EndpointSlice,
    QueryError,
    ServicePort,
    SliceEndpoint,
    SlicePort,
)
from tests.semantics.builders import node, pod, ports, snapshot, sport, svc

WEB = {"app": "web"}


def answer(objects, key="default/web"):
    snap = snapshot(*objects)
    return E.answer_endpoints(snap, {"service": key})


def as_sets(result):
    return {k: {kind: set(v) for kind, v in entry.items()} for k, entry in result["ports"].items()}


def R(*addrs):  # a ready, serving, not terminating address set
    return {"ready": set(addrs), "serving": set(addrs)}


HTTP_SLICE = (SlicePort(80, "http"),)


def eslice(name, service, *eps, ports_=HTTP_SLICE, address_type="IPv4",
           kind="EndpointSlice", ns="default", raw=None):
    return EndpointSlice(namespace=ns, name=name, service_name=service, address_type=address_type,
                         endpoints=tuple(eps), ports=tuple(ports_), source_kind=kind, raw=raw or {})


HTTP = (sport(80, 8080, name="http"),)

CASES = [
    # --- which pods ---------------------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", ns="other", labels=WEB, ip="10.244.0.9")],
                 {}, id="pod in another namespace is never an endpoint"),
    pytest.param([svc("web", selector=WEB, ports=HTTP), pod("a", labels=WEB, ip="10.244.0.5")],
                 {"http": R("10.244.0.5:8080")}, id="running ready pod: ready and serving"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", ready=False)],
                 {"http": {"notReady": {"10.244.0.5:8080"}}}, id="running not ready pod: notReady only"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", ready=False, phase="Pending")],
                 {"http": {"notReady": {"10.244.0.5:8080"}}}, id="pending pod with an IP is published not ready"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip=None, ready=False, phase="Pending")],
                 {}, id="pod without IP drops out"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", ready=False, phase="Succeeded")],
                 {}, id="Succeeded pod drops out"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", ready=True, phase="Failed")],
                 {}, id="Failed pod drops out even with a stale Ready condition"),
    pytest.param([svc("web", selector={"app": "web", "tier": "fe"}, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5")],
                 {}, id="selector needs every key"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels={"app": "web", "extra": "x"}, ip="10.244.0.5")],
                 {"http": R("10.244.0.5:8080")}, id="extra pod labels do not matter"),
    # --- terminating and publishNotReadyAddresses (utils.go podToEndpoint) ---------------------
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", terminating=True)],
                 {"http": {"notReady": {"10.244.0.5:8080"}, "serving": {"10.244.0.5:8080"},
                           "terminating": {"10.244.0.5:8080"}}},
                 id="terminating ready pod: not ready, serving, terminating"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5", terminating=True, ready=False)],
                 {"http": {"notReady": {"10.244.0.5:8080"}, "terminating": {"10.244.0.5:8080"}}},
                 id="terminating not ready pod: not ready, not serving, terminating"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, publish_not_ready_addresses=True),
                  pod("a", labels=WEB, ip="10.244.0.5", ready=False)],
                 {"http": {"ready": {"10.244.0.5:8080"}}},
                 id="publishNotReadyAddresses: not ready pod is ready but not serving"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, publish_not_ready_addresses=True),
                  pod("a", labels=WEB, ip="10.244.0.5", terminating=True)],
                 {"http": {"ready": {"10.244.0.5:8080"}, "serving": {"10.244.0.5:8080"},
                           "terminating": {"10.244.0.5:8080"}}},
                 id="publishNotReadyAddresses: terminating pod stays ready"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, publish_not_ready_addresses=True),
                  pod("a", labels=WEB, ip="10.244.0.5", phase="Succeeded")],
                 {}, id="publishNotReadyAddresses does not bring back finished pods"),
    # --- target ports ---------------------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, ports=(sport(80, "http", name="web"),)),
                  pod("a", labels=WEB, ip="10.244.0.5", container_ports=ports("http:8080")),
                  pod("b", labels=WEB, ip="10.244.0.6", container_ports=ports("http:9090"))],
                 {"web": R("10.244.0.5:8080", "10.244.0.6:9090")},
                 id="named targetPort resolved per pod"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80, "http", name="web"), sport(81, name="m"))),
                  pod("a", labels=WEB, ip="10.244.0.5", container_ports=ports("http:8080")),
                  pod("b", labels=WEB, ip="10.244.0.6", container_ports=ports("other:9090"))],
                 {"web": R("10.244.0.5:8080"), "m": R("10.244.0.5:81", "10.244.0.6:81")},
                 id="pod lacking the port name is no endpoint for that port only"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80, "http", name="web"),)),
                  pod("a", labels=WEB, ip="10.244.0.5", container_ports=ports("http:8080/UDP"))],
                 {}, id="named targetPort with another protocol does not resolve"),
    pytest.param([svc("web", selector=WEB, ports=(sport(53, "dns", name="dns", protocol="UDP"),
                                                  sport(53, "dns", name="dns-tcp"))),
                  pod("a", labels=WEB, ip="10.244.0.5",
                      container_ports=ports("dns:5353/UDP", "dns:5354"))],
                 {"dns": R("10.244.0.5:5353"), "dns-tcp": R("10.244.0.5:5354")},
                 id="one name, two protocols: each port picks its protocol"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80, "http", name="web"),)),
                  pod("a", labels=WEB, ip="10.244.0.5", containers=(Container("main"),),
                      init_containers=(Container("proxy", ports=ports("http:15001"), role="sidecar"),))],
                 {"web": R("10.244.0.5:15001")}, id="named port found on a sidecar container"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80, "http", name="web"),)),
                  pod("a", labels=WEB, ip="10.244.0.5", containers=(Container("main"),),
                      init_containers=(Container("init", ports=ports("http:15001"), role="init"),))],
                 {}, id="named port on a plain init container is not used"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80, 9999, name="web"),)),
                  pod("a", labels=WEB, ip="10.244.0.5", container_ports=ports("http:8080"))],
                 {"web": R("10.244.0.5:9999")}, id="numeric targetPort needs no declared containerPort"),
    pytest.param([svc("web", selector=WEB, ports=(sport(80),)), pod("a", labels=WEB, ip="10.244.0.5")],
                 {"80/TCP": R("10.244.0.5:80")}, id="unnamed port keyed port/PROTOCOL"),
    # --- headless ------------------------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, cluster_ip="None"),
                  pod("a", labels=WEB, ip="10.244.0.5"), pod("b", labels=WEB, ip="10.244.0.6", ready=False)],
                 {"": {"ready": {"10.244.0.5"}, "serving": {"10.244.0.5"}, "notReady": {"10.244.0.6"}}},
                 id="headless without ports: portless endpoints"),
    pytest.param([svc("web", selector=WEB, cluster_ip="None", ports=HTTP),
                  pod("a", labels=WEB, ip="10.244.0.5")],
                 {"http": R("10.244.0.5:8080")}, id="headless with ports"),
    # --- dual-stack -----------------------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, ports=HTTP, ip_families=("IPv4", "IPv6")),
                  pod("a", labels=WEB, ip=("10.244.0.5", "fd00::5"))],
                 {"http": R("10.244.0.5:8080", "[fd00::5]:8080")}, id="dual-stack Service: both families"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, ip_families=("IPv6",), cluster_ip="fd00:10::1"),
                  pod("a", labels=WEB, ip=("10.244.0.5", "fd00::5"))],
                 {"http": R("[fd00::5]:8080")}, id="IPv6 single-stack Service: IPv6 addresses only"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  pod("a", labels=WEB, ip=("10.244.0.5", "fd00::5"))],
                 {"http": R("10.244.0.5:8080")}, id="no ipFamilies: the cluster IP's family"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, ip_families=("IPv6",), cluster_ip="fd00:10::1"),
                  pod("a", labels=WEB, ip="10.244.0.5")],
                 {}, id="IPv6 Service, IPv4-only pod: no endpoint"),
    # --- nodes ----------------------------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, ports=HTTP), node("node-1", "10.0.0.1"),
                  pod("a", labels=WEB, ip="10.244.0.5", node="node-9")],
                 {}, id="pod on a Node that does not exist is skipped"),
    pytest.param([svc("web", selector=WEB, ports=HTTP, publish_not_ready_addresses=True),
                  node("node-1", "10.0.0.1"), pod("a", labels=WEB, ip="10.244.0.5", node="node-9")],
                 {"http": {"ready": {"10.244.0.5:8080"}, "serving": {"10.244.0.5:8080"}}},
                 id="publishNotReadyAddresses keeps a pod whose Node does not exist"),
    # --- ExternalName and selectors -------------------------------------------------------------
    pytest.param([svc("web", selector=WEB, ports=HTTP, type="ExternalName", cluster_ip=None,
                      external_name="db.example.com"), pod("a", labels=WEB)],
                 {}, id="ExternalName Service has no endpoints even with a selector"),
    pytest.param([svc("web", selector={}, ports=HTTP), pod("a", labels=WEB)],
                 {}, id="empty selector selects nothing"),
    pytest.param([svc("web", selector=None, ports=HTTP), pod("a", labels=WEB)],
                 {}, id="no selector and no slices: no endpoints"),
]


@pytest.mark.parametrize("objects,expected", CASES)
def test_endpoints(objects, expected):
    result = answer(objects)
    assert as_sets(result) == expected, "\n".join(result["trace"])


# --- manual EndpointSlices and mirrored Endpoints --------------------------------------------

def tr(ip, name):
    return {"kind": "Pod", "namespace": "default", "name": name}


MANUAL = [
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",)), SliceEndpoint(("10.1.0.2",), ready=False),
                         ports_=(SlicePort(8443, "http"),))],
                 {"http": {"ready": {"10.1.0.1:8443"}, "serving": {"10.1.0.1:8443"},
                           "notReady": {"10.1.0.2:8443"}}},
                 id="selector-less Service uses its EndpointSlice; serving unset follows ready"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",), ready=None, serving=None, terminating=None))],
                 {"http": R("10.1.0.1:80")}, id="unset conditions: ready, serving, not terminating"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",), ready=False, serving=True, terminating=True))],
                 {"http": {"notReady": {"10.1.0.1:80"}, "serving": {"10.1.0.1:80"}, "terminating": {"10.1.0.1:80"}}},
                 id="slice conditions kept as given"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",)), ports_=(SlicePort(80, "other"),))],
                 {}, id="slice port with another name serves no Service port"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",)), ports_=(SlicePort(80, "http", "UDP"),))],
                 {}, id="slice port with another protocol serves no Service port"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "other", SliceEndpoint(("10.1.0.1",)))],
                 {}, id="slice for another Service is ignored"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",)), ns="other")],
                 {}, id="slice in another namespace is ignored"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("fd00::1",)), address_type="IPv6")],
                 {}, id="IPv6 slice for an IPv4 Service is ignored"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1", "10.1.0.9")))],
                 {"http": R("10.1.0.1:80")}, id="only the first address of a slice endpoint is used"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web", "web", SliceEndpoint(("10.1.0.1",)), kind="Endpoints")],
                 {"http": R("10.1.0.1:80")}, id="legacy Endpoints mirrored for a selector-less Service"),
    pytest.param([svc("web", selector={}, ports=HTTP),
                  eslice("web", "web", SliceEndpoint(("10.1.0.1",)), kind="Endpoints")],
                 {"http": R("10.1.0.1:80")}, id="empty selector counts as none for mirroring"),
    pytest.param([svc("web", selector=WEB, ports=HTTP),
                  eslice("web", "web", SliceEndpoint(("10.1.0.1",)), kind="Endpoints")],
                 {}, id="Endpoints of a Service with a selector are not mirrored"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web", "web", SliceEndpoint(("10.1.0.1",)), kind="Endpoints",
                         raw={"metadata": {"labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}}})],
                 {}, id="skip-mirror label stops mirroring"),
    pytest.param([svc("web", ports=HTTP),
                  eslice("web", "web", SliceEndpoint(("10.1.0.1",)), kind="Endpoints"),
                  eslice("web-x", "web", SliceEndpoint(("10.1.0.2",)))],
                 {"http": R("10.1.0.1:80", "10.1.0.2:80")},
                 id="mirrored Endpoints and a manual slice both count"),
    pytest.param([svc("web", selector=WEB, ports=HTTP), pod("a", labels=WEB, ip="10.244.0.5"),
                  eslice("web-x", "web", SliceEndpoint(("10.1.0.2",)))],
                 {"http": R("10.244.0.5:8080", "10.1.0.2:80")},
                 id="a hand-made slice labelled for a selector Service is still read"),
    pytest.param([svc("web", cluster_ip="None"),
                  eslice("web-1", "web", SliceEndpoint(("10.1.0.1",), hostname="db-0"), ports_=())],
                 {"": R("10.1.0.1")}, id="headless selector-less Service with a portless slice"),
]


@pytest.mark.parametrize("objects,expected", MANUAL)
def test_manual_endpoints(objects, expected):
    result = answer(objects)
    assert as_sets(result) == expected, "\n".join(result["trace"])


# --- hostnames, nodes, zones -----------------------------------------------------------------

@pytest.mark.parametrize("subdomain,hostname,expected", [
    pytest.param("web", "web-0", {"10.244.0.5": "web-0"}, id="hostname with subdomain = Service name"),
    pytest.param("other", "web-0", {}, id="subdomain naming another Service: no hostname"),
    pytest.param("web", None, {}, id="subdomain without hostname: no hostname"),
])
def test_hostnames(subdomain, hostname, expected):
    result = answer([svc("web", selector=WEB, cluster_ip="None"),
                     pod("a", labels=WEB, ip="10.244.0.5", hostname=hostname, subdomain=subdomain)])
    assert result["hostnames"] == expected


def test_node_name_and_zone_from_node_labels():
    snap = snapshot(svc("web", selector=WEB, ports=HTTP), node("node-1", "10.0.0.1", zone="eu-1a"),
                    node("node-2", "10.0.0.2", labels={"failure-domain.beta.kubernetes.io/zone": "old"}),
                    pod("a", labels=WEB, ip="10.244.0.5", node="node-1"),
                    pod("b", labels=WEB, ip="10.244.0.6", node="node-2"))
    eps = E.service_endpoints(snap, snap.service("default/web"))
    assert [(e.ip, e.node_name, e.zone, e.pod_key) for e in eps] == [
        ("10.244.0.5", "node-1", "eu-1a", "default/a"),
        ("10.244.0.6", "node-2", None, "default/b"),  # only topology.kubernetes.io/zone is read
    ]


def test_order_is_by_port_then_address():
    snap = snapshot(svc("web", selector=WEB, ports=(sport(81, name="b"), sport(80, name="a"))),
                    pod("z", labels=WEB, ip="10.244.0.10"), pod("y", labels=WEB, ip="10.244.0.9"))
    eps = E.service_endpoints(snap, snap.service("default/web"))
    assert [e.address for e in eps] == ["10.244.0.9:81", "10.244.0.10:81", "10.244.0.9:80", "10.244.0.10:80"]


# --- FindPort: pkg/api/v1/pod/util_test.go TestFindPort ----------------------------------------

def cps(*specs):
    return tuple(ContainerPort(container_port=n, name=name or None, protocol=proto) for name, n, proto in specs)


FIND_PORT = [
    pytest.param((Container("c"),), 93, 93, id="valid int, no ports"),
    pytest.param((Container("c", cps(("", 11, "TCP"), ("p", 22, "TCP"))),), 93, 93, id="valid int, with ports"),
    pytest.param((Container("c"),), "p", None, id="valid str, no ports"),
    pytest.param((Container("c", cps(("", 11, "UDP"), ("p", 22, "TCP"), ("q", 33, "TCP"))),), "q", 33,
                 id="valid str, one ctr with ports"),
    pytest.param((Container("a"), Container("c", cps(("", 11, "UDP"), ("p", 22, "TCP"), ("q", 33, "TCP")))),
                 "q", 33, id="valid str, two ctr with ports"),
    pytest.param((Container("a"), Container("c", cps(("", 11, "UDP"), ("p", 22, "TCP"), ("q", 22, "TCP")))),
                 "q", 22, id="valid str, two ctr with same port"),
    pytest.param((Container("a"), Container("c", cps(("a", 11, "snmp")))), "a", None,
                 id="valid str, invalid protocol"),
    pytest.param((Container("a"), Container("c", (ContainerPort(11, "a", "TCP", host_port=81),))), "a", 11,
                 id="valid hostPort"),
]


@pytest.mark.parametrize("containers,target,expected", FIND_PORT)
def test_find_port(containers, target, expected):
    p = pod("x", containers=containers)
    assert E.resolve_target_port(p, ServicePort(port=1, protocol="TCP", target_port=target)) == expected


# --- selected_pods and the select/endpoints queries --------------------------------------------

def test_selected_pods_ignores_phase_and_readiness():
    snap = snapshot(svc("web", selector=WEB), pod("a", labels=WEB, phase="Succeeded"),
                    pod("b", labels=WEB, ready=False, ip=None, phase="Pending"),
                    pod("c", labels={"app": "db"}), pod("d", ns="x", labels=WEB))
    assert {p.key for p in E.selected_pods(snap, snap.service("default/web"))} == {"default/a", "default/b"}


@pytest.mark.parametrize("query,expected", [
    pytest.param({"service": "default/web"}, {"default/a", "default/b"}, id="Service selector"),
    pytest.param({"service": "default/nosel"}, set(), id="Service without selector selects nothing"),
    pytest.param({"namespace": "default", "labelSelector": {}}, {"default/a", "default/b", "default/c"},
                 id="labelSelector {} matches every pod of the namespace"),
    pytest.param({"namespace": "default", "labelSelector": None}, set(), id="labelSelector null matches none"),
    pytest.param({"namespace": "default", "labelSelector": {"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": ["web"]}]}}, {"default/c"},
        id="NotIn matches a pod that lacks the key"),
    pytest.param({"namespace": "x", "labelSelector": {"matchLabels": {"app": "web"}}}, {"x/d"},
                 id="labelSelector is namespaced"),
])
def test_answer_select(query, expected):
    snap = snapshot(svc("web", selector=WEB), svc("nosel"), pod("a", labels=WEB), pod("b", labels=WEB),
                    pod("c"), pod("d", ns="x", labels=WEB))
    result = E.answer_select(snap, query)
    assert set(result["pods"]) == expected, result["trace"]


@pytest.mark.parametrize("fn,query", [
    pytest.param(E.answer_select, {"service": "default/missing"}, id="select: absent Service"),
    pytest.param(E.answer_select, {"service": "web"}, id="select: service not ns/name"),
    pytest.param(E.answer_select, {"namespace": "nope", "labelSelector": {}}, id="select: absent namespace"),
    pytest.param(E.answer_select, {}, id="select: neither service nor namespace"),
    pytest.param(E.answer_select, {"namespace": "default", "labelSelector": {"matchExpressions": [
        {"key": "a", "operator": "In", "values": []}]}}, id="select: In with no values"),
    pytest.param(E.answer_select, {"namespace": "default", "labelSelector": {"matchExpressions": [
        {"key": "a", "operator": "Exists", "values": ["x"]}]}}, id="select: Exists with values"),
    pytest.param(E.answer_select, {"namespace": "default", "labelSelector": {"matchExpressions": [
        {"key": "a", "operator": "Equals", "values": ["x"]}]}}, id="select: unknown operator"),
    pytest.param(E.answer_select, {"namespace": "default", "labelSelector": "app=web"},
                 id="select: labelSelector not a mapping"),
    pytest.param(E.answer_endpoints, {"service": "default/missing"}, id="endpoints: absent Service"),
    pytest.param(E.answer_endpoints, {}, id="endpoints: no service"),
])
def test_query_errors(fn, query):
    with pytest.raises(QueryError):
        fn(snapshot(svc("web", selector=WEB)), query)


def test_answer_endpoints_shape():
    result = answer([svc("web", selector=WEB, ports=HTTP), pod("a", labels=WEB, ip="10.244.0.5")])
    assert result["ports"] == {"http": {"ready": ["10.244.0.5:8080"], "serving": ["10.244.0.5:8080"]}}
    assert result["hostnames"] == {}
    assert result["trace"]


# --- utils_test.go TestPodToEndpoint (ns "test", pod1 1.2.3.5 on node-1, Service port 80) -------

def _pod1(ready=True, terminating=False, **kw):
    return pod("pod1", ns="test", labels={"foo": "bar"}, ip=kw.pop("ip", "1.2.3.5"), node="node-1",
               ready=ready, terminating=terminating, **kw)


NODE1 = node("node-1", "10.0.0.1", labels={"topology.kubernetes.io/zone": "us-central1-a",
                                           "topology.kubernetes.io/region": "us-central1"})

POD_TO_ENDPOINT = [
    pytest.param(_pod1(), False, None, ("1.2.3.5", True, True, False, None, None), id="Ready pod"),
    pytest.param(_pod1(), True, None, ("1.2.3.5", True, True, False, None, None),
                 id="Ready pod + publishNotReadyAddresses"),
    pytest.param(_pod1(ready=False), False, None, ("1.2.3.5", False, False, False, None, None), id="Unready pod"),
    pytest.param(_pod1(ready=False), True, None, ("1.2.3.5", True, False, False, None, None),
                 id="Unready pod + publishNotReadyAddresses"),
    pytest.param(_pod1(), False, NODE1, ("1.2.3.5", True, True, False, "us-central1-a", None),
                 id="Ready pod + node labels"),
    pytest.param(_pod1(ip=("1.2.3.4", "1234::5678:0000:0000:9abc:def0")), False, NODE1,
                 ("1.2.3.4", True, True, False, "us-central1-a", None), id="Multi IP Ready pod + node labels"),
    pytest.param(_pod1(subdomain="foo", hostname="example-hostname"), False, NODE1,
                 ("1.2.3.5", True, True, False, "us-central1-a", "example-hostname"), id="Ready pod + hostname"),
    pytest.param(_pod1(terminating=True), False, None, ("1.2.3.5", False, True, True, None, None),
                 id="Ready terminating pod"),
    pytest.param(_pod1(ready=False, terminating=True), False, None, ("1.2.3.5", False, False, True, None, None),
                 id="Not ready terminating pod"),
]


@pytest.mark.parametrize("p,pnra,node_obj,expected", POD_TO_ENDPOINT)
def test_pod_to_endpoint(p, pnra, node_obj, expected):
    service = svc("foo", ns="test", selector={"foo": "bar"}, ports=(sport(80, name="foo"),),
                  ip_families=("IPv4",), publish_not_ready_addresses=pnra)
    snap = snapshot(service, p, *([node_obj] if node_obj else []))
    (ep,) = E.service_endpoints(snap, service)
    assert (ep.ip, ep.ready, ep.serving, ep.terminating, ep.zone, ep.hostname) == expected
    assert (ep.node_name, ep.pod_key, ep.port) == ("node-1", "test/pod1", 80)


# --- utils_test.go TestSupportedServiceAddressType ----------------------------------------------

@pytest.mark.parametrize("cluster_ip,families,expected", [
    pytest.param("10.0.0.10", (), {"IPv4"}, id="v4 service with no ip families (cluster upgrade)"),
    pytest.param("2000::1", (), {"IPv6"}, id="v6 service with no ip families (cluster upgrade)"),
    pytest.param("10.0.0.10", ("IPv4",), {"IPv4"}, id="v4 service"),
    pytest.param("2000::1", ("IPv6",), {"IPv6"}, id="v6 services"),
    pytest.param("10.0.0.10", ("IPv4", "IPv6"), {"IPv4", "IPv6"}, id="v4,v6 service"),
    pytest.param("2000::1", ("IPv6", "IPv4"), {"IPv4", "IPv6"}, id="v6,v4 service"),
    pytest.param("None", (), {"IPv4", "IPv6"}, id="headless with no families (old api-server)"),
    pytest.param("None", ("IPv4", "IPv6"), {"IPv4", "IPv6"}, id="headless with families"),
])
def test_supported_address_types(cluster_ip, families, expected):
    assert E.address_types(svc("s", cluster_ip=cluster_ip, ip_families=families)) == expected


# --- utils_test.go TestGetEndpointPorts ------------------------------------------------------

def test_get_endpoint_ports_named_and_numeric():
    service = svc("s", selector=WEB, ports=(sport(80, 80, name="http"), sport(0, "https", name="https")))
    p = pod("a", labels=WEB, ip="10.244.0.5", container_ports=ports("https:443"))
    assert [(e.service_port.name, e.port) for e in E.service_endpoints(snapshot(service, p), service)] == [
        ("http", 80), ("https", 443)]

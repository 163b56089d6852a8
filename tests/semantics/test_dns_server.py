"""CoreDNS (kubernetes plugin, kubeadm Corefile) answers, in CoreDNS's test.Case shape.

Rows transcribed from coredns/coredns plugin/kubernetes handler_test.go, reverse_test.go,
handler_pod_insecure_test.go and kubernetes/dns docs/specification.md, with the fixture
rebuilt from pods and Services (svcempty gets 10.0.0.4 instead of sharing 10.0.0.1, which
no real cluster allows; its upstream answer is adapted accordingly).
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics.dns import server_lookup
from kubenet_site.semantics.types import EndpointSlice, SliceEndpoint, SlicePort
from tests.semantics.builders import pod, ports, snapshot, sport, svc

NOERROR, NXDOMAIN = "NOERROR", "NXDOMAIN"
HTTP = (sport(80, name="http"),)


def _hdls_pods():
    out = []
    for i, (ip, host) in enumerate([("172.0.0.2", None), ("172.0.0.3", None), ("172.0.0.4", "dup-name"),
                                    ("172.0.0.5", "dup-name"), ("5678:abcd::1", None), ("5678:abcd::2", None)]):
        kw = {"hostname": host, "subdomain": "hdls1"} if host else {}
        out.append(pod(f"hdls1-{i}", ns="testns", labels={"app": "hdls1"}, ip=ip, **kw))
    return out


# handler_test.go svcIndex / epsIndex, as pods and Services.
SERVE = snapshot(
    pod("svc1-a", ns="testns", labels={"app": "svc1"}, ip="172.0.0.1", hostname="ep1a", subdomain="svc1"),
    *_hdls_pods(),
    pod("hdlsprtls-a", ns="testns", labels={"app": "hdlsprtls"}, ip="172.0.0.20"),
    pod("kubedns-a", ns="kube-system", labels={"k8s-app": "kube-dns"}, ip="172.0.0.100",
        container_ports=ports("dns:53/UDP")),
    svc("kubedns", ns="kube-system", selector={"k8s-app": "kube-dns"}, cluster_ip="10.0.0.10",
        ports=(sport(53, name="dns", protocol="UDP"),)),
    svc("svc1", ns="testns", selector={"app": "svc1"}, cluster_ip="10.0.0.1", ports=HTTP),
    svc("svcempty", ns="testns", selector={"app": "nothing"}, cluster_ip="10.0.0.4", ports=HTTP),
    svc("svc6", ns="testns", selector={"app": "nothing"}, cluster_ip="1234:abcd::1", ip_families=("IPv6",),
        ports=HTTP),
    svc("hdls1", ns="testns", selector={"app": "hdls1"}, cluster_ip="None", ip_families=("IPv4", "IPv6"),
        ports=HTTP),
    svc("external", ns="testns", type="ExternalName", cluster_ip=None, external_name="ext.interwebs.test",
        ports=HTTP),
    svc("external-to-service", ns="testns", type="ExternalName", cluster_ip=None,
        external_name="svc1.testns.svc.cluster.local.", ports=HTTP),
    svc("hdlsprtls", ns="testns", selector={"app": "hdlsprtls"}, cluster_ip="None"),
    svc("svc1", ns="unexposedns", selector={"app": "x"}, cluster_ip="10.0.0.2", ports=HTTP),
    svc("svc-dual-stack", ns="testns", selector={"app": "nothing"}, cluster_ip="10.0.0.3",
        cluster_ips=("10.0.0.3", "10::3"), ip_families=("IPv4", "IPv6"), ports=HTTP),
)

H = "hdls1.testns.svc.cluster.local."
HANDLER_CASES = [
    # --- corner cases first: NXDOMAIN vs NODATA -------------------------------------------
    pytest.param("svc0.testns.svc.cluster.local.", "A", NXDOMAIN, [], id="A, no such Service"),
    pytest.param("svc0.testns.svc.cluster.local.", "AAAA", NXDOMAIN, [], id="AAAA, no such Service"),
    pytest.param("svc0.svc-nons.svc.cluster.local.", "A", NXDOMAIN, [], id="A, no such namespace"),
    pytest.param("svc1.testns.svc.cluster.local.", "AAAA", NOERROR, [],
                 id="AAAA for an IPv4-only Service is NODATA"),
    pytest.param("svc.cluster.local.", "A", NOERROR, [], id="svc.<zone> is NODATA"),
    pytest.param("pod.cluster.local.", "A", NOERROR, [], id="pod.<zone> is NODATA"),
    pytest.param("testns.svc.cluster.local.", "A", NOERROR, [], id="<ns>.svc.<zone> is NODATA"),
    pytest.param("cluster.local.", "A", NOERROR, [], id="zone apex A is NODATA"),
    pytest.param("foo.cluster.local.", "A", NXDOMAIN, [], id="neither svc nor pod below the zone"),
    pytest.param("foo.svc.cluster.local.", "A", NXDOMAIN, [], id="<ns>.svc.<zone> of a missing namespace"),
    pytest.param("bogusendpoint.hdls1.testns.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="headless, no such endpoint name"),
    pytest.param("bogusendpoint.svc0.testns.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="endpoint of a missing Service"),
    pytest.param("endpoint.external.testns.svc.cluster.local.", "CNAME", NXDOMAIN, [],
                 id="a name below an ExternalName Service does not exist"),
    pytest.param("a.b.c.svc1.testns.svc.cluster.local.", "A", NXDOMAIN, [], id="too many labels"),
    pytest.param("*.testns.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="no wildcard queries (removed in CoreDNS 1.9)"),
    pytest.param("svc1.*.svc.cluster.local.", "A", NXDOMAIN, [], id="no wildcard namespace"),
    pytest.param("_https._tcp.svc1.testns.svc.cluster.local.", "SRV", NXDOMAIN, [],
                 id="SRV for a port name the Service lacks"),
    pytest.param("_http._udp.svc1.testns.svc.cluster.local.", "SRV", NXDOMAIN, [],
                 id="SRV for the wrong protocol"),
    pytest.param("SVC1.TestNS.svc.Cluster.Local.", "A", NOERROR, ["SVC1.TestNS.svc.Cluster.Local. A 10.0.0.1"],
                 id="case-insensitive, the question's case echoed"),
    # --- A, AAAA, SRV for Services with a cluster IP ---------------------------------------
    pytest.param("svc1.testns.svc.cluster.local.", "A", NOERROR, ["svc1.testns.svc.cluster.local. A 10.0.0.1"],
                 id="A Service"),
    pytest.param("svcempty.testns.svc.cluster.local.", "A", NOERROR,
                 ["svcempty.testns.svc.cluster.local. A 10.0.0.4"], id="A Service without endpoints"),
    pytest.param("svc1.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["svc1.testns.svc.cluster.local. SRV 0 100 80 svc1.testns.svc.cluster.local."],
                 id="plain SRV of a Service: every port"),
    pytest.param("svcempty.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["svcempty.testns.svc.cluster.local. SRV 0 100 80 svcempty.testns.svc.cluster.local."],
                 id="plain SRV of a Service without endpoints"),
    pytest.param("svc6.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["svc6.testns.svc.cluster.local. SRV 0 100 80 svc6.testns.svc.cluster.local."],
                 id="plain SRV of an IPv6 Service"),
    pytest.param("_http._tcp.svc1.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["_http._tcp.svc1.testns.svc.cluster.local. SRV 0 100 80 svc1.testns.svc.cluster.local."],
                 id="SRV Service"),
    pytest.param("_http._tcp.svcempty.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["_http._tcp.svcempty.testns.svc.cluster.local. SRV 0 100 80 svcempty.testns.svc.cluster.local."],
                 id="SRV Service without endpoints"),
    pytest.param("svc6.testns.svc.cluster.local.", "AAAA", NOERROR, ["svc6.testns.svc.cluster.local. AAAA 1234:abcd::1"],
                 id="AAAA Service"),
    pytest.param("_http._tcp.svc6.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["_http._tcp.svc6.testns.svc.cluster.local. SRV 0 100 80 svc6.testns.svc.cluster.local."],
                 id="SRV IPv6 Service"),
    pytest.param("svc-dual-stack.testns.svc.cluster.local.", "A", NOERROR,
                 ["svc-dual-stack.testns.svc.cluster.local. A 10.0.0.3"], id="dual stack, A"),
    pytest.param("svc-dual-stack.testns.svc.cluster.local.", "AAAA", NOERROR,
                 ["svc-dual-stack.testns.svc.cluster.local. AAAA 10::3"], id="dual stack, AAAA"),
    pytest.param("svc-dual-stack.testns.svc.cluster.local.", "SRV", NOERROR,
                 ["svc-dual-stack.testns.svc.cluster.local. SRV 0 50 80 svc-dual-stack.testns.svc.cluster.local."],
                 id="dual stack SRV: weight counts both IPs, one record"),
    pytest.param("ep1a.svc1.testns.svc.cluster.local.", "A", NOERROR,
                 ["ep1a.svc1.testns.svc.cluster.local. A 172.0.0.1"],
                 id="endpoint name of a ClusterIP Service answers too"),
    # --- headless --------------------------------------------------------------------------
    pytest.param(H, "A", NOERROR, [f"{H} A 172.0.0.2", f"{H} A 172.0.0.3", f"{H} A 172.0.0.4", f"{H} A 172.0.0.5"],
                 id="A headless: every ready IPv4 endpoint"),
    pytest.param(H, "AAAA", NOERROR, [f"{H} AAAA 5678:abcd::1", f"{H} AAAA 5678:abcd::2"],
                 id="AAAA headless: every ready IPv6 endpoint"),
    pytest.param("hdlsprtls.testns.svc.cluster.local.", "A", NOERROR,
                 ["hdlsprtls.testns.svc.cluster.local. A 172.0.0.20"], id="A headless and portless"),
    pytest.param("172-0-0-20.hdlsprtls.testns.svc.cluster.local.", "A", NOERROR,
                 ["172-0-0-20.hdlsprtls.testns.svc.cluster.local. A 172.0.0.20"], id="endpoint with no port"),
    pytest.param("hdlsprtls.testns.svc.cluster.local.", "SRV", NOERROR, [],
                 id="SRV of a portless headless Service is NODATA"),
    pytest.param("172-0-0-2.hdls1.testns.svc.cluster.local.", "A", NOERROR,
                 ["172-0-0-2.hdls1.testns.svc.cluster.local. A 172.0.0.2"], id="endpoint by dashed IP"),
    pytest.param("172-0-0-3.hdls1.testns.svc.cluster.local.", "A", NOERROR,
                 ["172-0-0-3.hdls1.testns.svc.cluster.local. A 172.0.0.3"], id="another endpoint by dashed IP"),
    pytest.param("dup-name.hdls1.testns.svc.cluster.local.", "A", NOERROR,
                 ["dup-name.hdls1.testns.svc.cluster.local. A 172.0.0.4",
                  "dup-name.hdls1.testns.svc.cluster.local. A 172.0.0.5"], id="endpoint by hostname, two IPs"),
    pytest.param("5678-abcd--2.hdls1.testns.svc.cluster.local", "AAAA", NOERROR,
                 ["5678-abcd--2.hdls1.testns.svc.cluster.local. AAAA 5678:abcd::2"], id="AAAA endpoint, IPv6 dashes"),
    pytest.param("5678-abcd--1.hdls1.testns.svc.cluster.local.", "A", NOERROR, [],
                 id="A of an IPv6 endpoint is NODATA"),
    pytest.param(f"_http._tcp.{H}", "SRV", NOERROR,
                 [f"_http._tcp.{H} SRV 0 16 80 172-0-0-2.{H}", f"_http._tcp.{H} SRV 0 16 80 172-0-0-3.{H}",
                  f"_http._tcp.{H} SRV 0 16 80 5678-abcd--1.{H}", f"_http._tcp.{H} SRV 0 16 80 5678-abcd--2.{H}",
                  f"_http._tcp.{H} SRV 0 16 80 dup-name.{H}"],
                 id="SRV headless: one per endpoint name, weight 100/6"),
    # --- ExternalName ----------------------------------------------------------------------
    pytest.param("external.testns.svc.cluster.local.", "CNAME", NOERROR,
                 ["external.testns.svc.cluster.local. CNAME ext.interwebs.test."], id="CNAME External"),
    pytest.param("external-to-service.testns.svc.cluster.local", "A", NOERROR,
                 ["external-to-service.testns.svc.cluster.local. CNAME svc1.testns.svc.cluster.local.",
                  "svc1.testns.svc.cluster.local. A 10.0.0.1"], id="CNAME to an in-zone Service, chased"),
    pytest.param("external.testns.svc.cluster.local.", "A", NOERROR,
                 ["external.testns.svc.cluster.local. CNAME ext.interwebs.test."],
                 id="A for ExternalName: CNAME, the target unknown upstream adds nothing"),
    pytest.param("external.testns.svc.cluster.local.", "SRV", NOERROR, [],
                 id="SRV for ExternalName is NODATA"),
    pytest.param("svc1.testns.svc.cluster.local.", "CNAME", NOERROR, [], id="CNAME of a ClusterIP Service is NODATA"),
    pytest.param("svc1.testns.svc.cluster.local.", "TXT", NOERROR, [],
                 id="TXT for a name with other records is NODATA"),
    pytest.param("svc0.testns.svc.cluster.local.", "TXT", NXDOMAIN, [], id="TXT for a missing name"),
    pytest.param("dns-version.cluster.local.", "TXT", NOERROR, ["dns-version.cluster.local. TXT 1.1.0"],
                 id="TXT schema version"),
    pytest.param("dns-version.cluster.local.", "A", NXDOMAIN, [], id="dns-version has only TXT"),
    # --- outside the zone ------------------------------------------------------------------
    pytest.param("example.com.", "A", NXDOMAIN, [], id="outside the cluster zone: upstream has nothing"),
    pytest.param("svc1.testns.svc.cluster.local.example.com.", "A", NXDOMAIN, [], id="zone as a prefix only"),
]


@pytest.mark.parametrize(("qname", "qtype", "rcode", "answer"), HANDLER_CASES)
def test_serve_dns(qname, qtype, rcode, answer):
    resp = server_lookup(SERVE, qname, qtype)
    got = sorted(str(r) for r in resp.answers)
    assert (resp.rcode, got) == (rcode, sorted(answer)), "\n".join(resp.trace)


# reverse_test.go: svc1 (cluster IP 192.168.1.100) with endpoints ep1a 10.0.0.100, ep1b
# 1234:abcd::1, ip6svc1ex fd00:77:30::a, ip6svc1in fd00:77:30::2:9ba6, double-ep 10.0.0.99 (also
# an endpoint of svc2).
def _rev_pod(name, ip, host, app):
    return pod(name, ns="testns", labels={"app": app, "both": "yes" if host == "double-ep" else "no"}, ip=ip,
               hostname=host, subdomain=app)


REVERSE = snapshot(
    _rev_pod("a", "10.0.0.100", "ep1a", "svc1"), _rev_pod("b", "1234:abcd::1", "ep1b", "svc1"),
    _rev_pod("c", "fd00:77:30::a", "ip6svc1ex", "svc1"), _rev_pod("d", "fd00:77:30::2:9ba6", "ip6svc1in", "svc1"),
    pod("e", ns="testns", ip="10.0.0.99", labels={"double": "yes"}),
    pod("f", ns="testns", ip="10.0.0.98", labels={"app": "svc1"}, ready=False),
    svc("svc1", ns="testns", selector={"app": "svc1"}, cluster_ip="192.168.1.100", ports=HTTP,
        ip_families=("IPv4", "IPv6")),
    svc("svcx", ns="testns", selector={"double": "yes"}, cluster_ip="None", ports=HTTP),
    EndpointSlice(namespace="testns", name="svc1-extra", service_name="svc1", address_type="IPv4",
                  endpoints=(SliceEndpoint(addresses=("10.0.0.99",), hostname="double-ep"),),
                  ports=(SlicePort(port=80, name="http"),)),
    svc("svc2", ns="testns", cluster_ip="None", ports=HTTP),
    EndpointSlice(namespace="testns", name="svc2-1", service_name="svc2", address_type="IPv4",
                  endpoints=(SliceEndpoint(addresses=("10.0.0.99",), hostname="double-ep"),),
                  ports=(SlicePort(port=80, name="http"),)),
)

V6A = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa."
V6B = "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa."
V6C = "6.a.b.9.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa."
REVERSE_CASES = [
    pytest.param("101.0.0.10.in-addr.arpa.", "PTR", NXDOMAIN, [], id="PTR, an address nobody has"),
    pytest.param("98.0.0.10.in-addr.arpa.", "PTR", NXDOMAIN, [], id="PTR, a not-ready endpoint has none"),
    pytest.param("example.org.cluster.local.", "PTR", NXDOMAIN, [], id="PTR of a name outside the schema"),
    pytest.param("svc1.testns.svc.cluster.local.", "PTR", NOERROR, [], id="PTR of an existing forward name: NODATA"),
    pytest.param("svc1.testns.svc.0.10.in-addr.arpa.", "A", NXDOMAIN, [], id="service-looking name in a reverse zone"),
    pytest.param("100.0.0.10.cluster.local.", "PTR", NXDOMAIN, [], id="reverse-looking name in the cluster zone"),
    pytest.param("0.10.in-addr.arpa.", "PTR", NXDOMAIN, [], id="a partial reverse name"),
    pytest.param("100.0.0.10.in-addr.arpa.", "PTR", NOERROR,
                 ["100.0.0.10.in-addr.arpa. PTR ep1a.svc1.testns.svc.cluster.local."], id="PTR endpoint with hostname"),
    pytest.param("100.1.168.192.in-addr.arpa.", "PTR", NOERROR,
                 ["100.1.168.192.in-addr.arpa. PTR svc1.testns.svc.cluster.local."], id="PTR Service cluster IP"),
    pytest.param(V6A, "PTR", NOERROR, [f"{V6A} PTR ep1b.svc1.testns.svc.cluster.local."], id="PTR IPv6 endpoint"),
    pytest.param(V6B, "PTR", NOERROR, [f"{V6B} PTR ip6svc1ex.svc1.testns.svc.cluster.local."], id="PTR IPv6 endpoint 2"),
    pytest.param(V6C, "PTR", NOERROR, [f"{V6C} PTR ip6svc1in.svc1.testns.svc.cluster.local."], id="PTR IPv6 endpoint 3"),
    pytest.param("99.0.0.10.in-addr.arpa.", "PTR", NOERROR,
                 ["99.0.0.10.in-addr.arpa. PTR double-ep.svc1.testns.svc.cluster.local.",
                  "99.0.0.10.in-addr.arpa. PTR double-ep.svc2.testns.svc.cluster.local.",
                  "99.0.0.10.in-addr.arpa. PTR 10-0-0-99.svcx.testns.svc.cluster.local."],
                 id="PTR endpoint of several Services: one each, dashed IP without hostname"),
]


@pytest.mark.parametrize(("qname", "qtype", "rcode", "answer"), REVERSE_CASES)
def test_reverse(qname, qtype, rcode, answer):
    resp = server_lookup(REVERSE, qname, qtype)
    got = sorted(str(r) for r in resp.answers)
    assert (resp.rcode, got) == (rcode, sorted(answer)), "\n".join(resp.trace)


POD_CASES = [
    pytest.param("blah.podns.pod.cluster.local.", "A", NXDOMAIN, [], id="pod label that is no address"),
    pytest.param("blah.podns.pod.cluster.local.", "AAAA", NXDOMAIN, [], id="pod label that is no address, AAAA"),
    pytest.param("blah.pod-nons.pod.cluster.local.", "A", NXDOMAIN, [], id="pod in a missing namespace"),
    pytest.param("10-240-0-1.pod-nons.pod.cluster.local.", "A", NXDOMAIN, [], id="valid address, missing namespace"),
    pytest.param("podns.pod.cluster.local.", "A", NOERROR, [], id="<ns>.pod.<zone> is NODATA"),
    pytest.param("10-240-0-1.podns.pod.cluster.local.", "AAAA", NOERROR, [], id="IPv4 pod name, AAAA is NODATA"),
    pytest.param("256-0-0-1.podns.pod.cluster.local.", "A", NXDOMAIN, [], id="octet out of range"),
    pytest.param("10-0-0-01.podns.pod.cluster.local.", "A", NXDOMAIN, [], id="leading zero (net.ParseIP)"),
    pytest.param("10-240-0-1.podns.pod.cluster.local.", "A", NOERROR,
                 ["10-240-0-1.podns.pod.cluster.local. A 10.240.0.1"], id="pods insecure: any address"),
    pytest.param("172-0-0-2.podns.pod.cluster.local.", "A", NOERROR,
                 ["172-0-0-2.podns.pod.cluster.local. A 172.0.0.2"], id="pods insecure: another address"),
    pytest.param("fd00--1.podns.pod.cluster.local.", "AAAA", NOERROR,
                 ["fd00--1.podns.pod.cluster.local. AAAA fd00::1"], id="IPv6 pod name"),
    pytest.param("1--2-3.podns.pod.cluster.local.", "AAAA", NOERROR,
                 ["1--2-3.podns.pod.cluster.local. AAAA 1::2:3"], id="three dashes with -- is IPv6"),
    pytest.param("x.10-240-0-1.podns.pod.cluster.local.", "A", NOERROR,
                 ["x.10-240-0-1.podns.pod.cluster.local. A 10.240.0.1"],
                 id="findPods ignores a label left of the address"),
]


@pytest.mark.parametrize(("qname", "qtype", "rcode", "answer"), POD_CASES)
def test_pods_insecure(qname, qtype, rcode, answer):
    snap = snapshot(pod("foo", ns="podns", ip="10.240.0.1"))
    resp = server_lookup(snap, qname, qtype)
    got = sorted(str(r) for r in resp.answers)
    assert (resp.rcode, got) == (rcode, sorted(answer)), "\n".join(resp.trace)


# specification.md examples, on a cluster shaped like them.
SPEC = snapshot(
    svc("kubernetes", ns="default", cluster_ip="10.3.0.1", ports=(sport(443, name="https"),)),
    pod("pet-0", ns="default", labels={"app": "pet"}, ip="10.3.0.100", hostname="my-pet", subdomain="headless"),
    pod("pet-1", ns="default", labels={"app": "pet"}, ip="10.3.0.101", hostname="my-pet-2", subdomain="headless"),
    pod("pet-2", ns="default", labels={"app": "pet"}, ip="10.3.0.102"),
    pod("pet-3", ns="default", labels={"app": "pet"}, ip="10.3.0.103", ready=False),
    pod("pet-4", ns="default", labels={"app": "pet"}, ip="10.3.0.104", hostname="other", subdomain="elsewhere"),
    svc("headless", ns="default", selector={"app": "pet"}, cluster_ip="None", ports=(sport(443, name="https"),)),
    svc("empty", ns="default", selector={"app": "none"}, cluster_ip="None", ports=(sport(443, name="https"),)),
    svc("foo", ns="default", type="ExternalName", cluster_ip=None, external_name="www.example.com"),
    svc("unready", ns="default", selector={"app": "pet"}, cluster_ip="None", publish_not_ready_addresses=True),
)
HS = "headless.default.svc.cluster.local."
SPEC_CASES = [
    pytest.param("empty.default.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="headless with no ready endpoint is NXDOMAIN (2.4.1)"),
    pytest.param("10-3-0-103.headless.default.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="a not-ready endpoint has no name"),
    pytest.param("other.headless.default.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="hostname without the matching subdomain is not used"),
    pytest.param("10-3-0-104.headless.default.svc.cluster.local.", "A", NOERROR,
                 ["10-3-0-104.headless.default.svc.cluster.local. A 10.3.0.104"],
                 id="such an endpoint is named by its dashed IP"),
    pytest.param("kubernetes.default.svc.cluster.local.", "A", NOERROR,
                 ["kubernetes.default.svc.cluster.local. A 10.3.0.1"], id="2.3.1 A"),
    pytest.param("_https._tcp.kubernetes.default.svc.cluster.local.", "SRV", NOERROR,
                 ["_https._tcp.kubernetes.default.svc.cluster.local. SRV 0 100 443 kubernetes.default.svc.cluster.local."],
                 id="2.3.2 SRV"),
    pytest.param("1.0.3.10.in-addr.arpa.", "PTR", NOERROR,
                 ["1.0.3.10.in-addr.arpa. PTR kubernetes.default.svc.cluster.local."], id="2.3.3 PTR"),
    pytest.param(HS, "A", NOERROR, [f"{HS} A 10.3.0.100", f"{HS} A 10.3.0.101", f"{HS} A 10.3.0.102",
                                    f"{HS} A 10.3.0.104"], id="2.4.1 A headless, ready endpoints only"),
    pytest.param(f"my-pet.{HS}", "A", NOERROR, [f"my-pet.{HS} A 10.3.0.100"], id="2.4.1 A by hostname"),
    pytest.param(f"_https._tcp.{HS}", "SRV", NOERROR,
                 [f"_https._tcp.{HS} SRV 0 25 443 my-pet.{HS}", f"_https._tcp.{HS} SRV 0 25 443 my-pet-2.{HS}",
                  f"_https._tcp.{HS} SRV 0 25 443 10-3-0-102.{HS}", f"_https._tcp.{HS} SRV 0 25 443 10-3-0-104.{HS}"],
                 id="2.4.2 SRV headless"),
    pytest.param("100.0.3.10.in-addr.arpa.", "PTR", NOERROR, [f"100.0.3.10.in-addr.arpa. PTR my-pet.{HS}",
                                                              "100.0.3.10.in-addr.arpa. PTR 10-3-0-100.unready.default.svc.cluster.local."],
                 id="2.4.3 PTR headless (and the other Service of the pod)"),
    pytest.param("foo.default.svc.cluster.local.", "CNAME", NOERROR,
                 ["foo.default.svc.cluster.local. CNAME www.example.com."], id="2.5 CNAME"),
    pytest.param("unready.default.svc.cluster.local.", "A", NOERROR,
                 ["unready.default.svc.cluster.local. A 10.3.0.100", "unready.default.svc.cluster.local. A 10.3.0.101",
                  "unready.default.svc.cluster.local. A 10.3.0.102", "unready.default.svc.cluster.local. A 10.3.0.103",
                  "unready.default.svc.cluster.local. A 10.3.0.104"],
                 id="publishNotReadyAddresses: not-ready endpoints count"),
    pytest.param("10-3-0-4.default.pod.cluster.local.", "A", NOERROR,
                 ["10-3-0-4.default.pod.cluster.local. A 10.3.0.4"], id="2.6 deprecated pod A record"),
]


@pytest.mark.parametrize(("qname", "qtype", "rcode", "answer"), SPEC_CASES)
def test_specification(qname, qtype, rcode, answer):
    resp = server_lookup(SPEC, qname, qtype)
    got = sorted(str(r) for r in resp.answers)
    assert (resp.rcode, got) == (rcode, sorted(answer)), "\n".join(resp.trace)


# More CoreDNS behaviour (kubernetes.go findServices, backend_lookup.go), on one namespace.
MORE = snapshot(
    pod("api-0", ns="app", labels={"app": "api"}, ip="10.244.0.10", container_ports=ports("web:8080", "grpc:9090")),
    pod("api-1", ns="app", labels={"app": "api"}, ip="10.244.0.11", container_ports=ports("web:8081", "grpc:9091")),
    pod("api-2", ns="app", labels={"app": "api"}, ip="10.244.0.12", container_ports=ports("web:8082"),
        terminating=True),
    svc("np", ns="app", selector={"app": "api"}, type="NodePort", cluster_ip="10.96.5.1",
        ports=(sport(80, "web", name="http", node_port=30080),)),
    svc("lb", ns="app", selector={"app": "api"}, type="LoadBalancer", cluster_ip="10.96.5.2",
        ports=(sport(80, "web", name="http", node_port=30081),)),
    svc("two", ns="app", selector={"app": "api"}, cluster_ip="10.96.5.3",
        ports=(sport(80, "web", name="http"), sport(9000, "grpc", name="grpc"), sport(53, name="dns", protocol="UDP"))),
    svc("hl", ns="app", selector={"app": "api"}, cluster_ip="None",
        ports=(sport(80, "web", name="http"), sport(9000, "grpc", name="grpc"))),
    svc("ext-ip", ns="app", type="ExternalName", cluster_ip=None, external_name="192.0.2.10"),
    svc("ext-missing", ns="app", type="ExternalName", cluster_ip=None, external_name="nope.app.svc.cluster.local"),
    svc("ext-chain", ns="app", type="ExternalName", cluster_ip=None, external_name="ext-np.app.svc.cluster.local"),
    svc("ext-np", ns="app", type="ExternalName", cluster_ip=None, external_name="np.app.svc.cluster.local"),
    svc("loop-a", ns="app", type="ExternalName", cluster_ip=None, external_name="loop-b.app.svc.cluster.local"),
    svc("loop-b", ns="app", type="ExternalName", cluster_ip=None, external_name="loop-a.app.svc.cluster.local"),
    svc("self", ns="app", type="ExternalName", cluster_ip=None, external_name="x.self.app.svc.cluster.local"),
)
HL = "hl.app.svc.cluster.local."
MORE_CASES = [
    pytest.param("np.app.svc.cluster.local.", "A", NOERROR, ["np.app.svc.cluster.local. A 10.96.5.1"],
                 id="NodePort Service has its cluster IP record"),
    pytest.param("lb.app.svc.cluster.local.", "A", NOERROR, ["lb.app.svc.cluster.local. A 10.96.5.2"],
                 id="LoadBalancer Service has its cluster IP record"),
    pytest.param("two.app.svc.cluster.local.", "SRV", NOERROR,
                 ["two.app.svc.cluster.local. SRV 0 33 80 two.app.svc.cluster.local.",
                  "two.app.svc.cluster.local. SRV 0 33 9000 two.app.svc.cluster.local.",
                  "two.app.svc.cluster.local. SRV 0 33 53 two.app.svc.cluster.local."],
                 id="plain SRV: every port, Service port numbers, weight 100/3"),
    pytest.param("_dns._udp.two.app.svc.cluster.local.", "SRV", NOERROR,
                 ["_dns._udp.two.app.svc.cluster.local. SRV 0 100 53 two.app.svc.cluster.local."], id="SRV UDP port"),
    pytest.param("_DNS._UDP.two.app.svc.cluster.local.", "SRV", NOERROR,
                 ["_DNS._UDP.two.app.svc.cluster.local. SRV 0 100 53 two.app.svc.cluster.local."],
                 id="SRV labels match case-insensitively"),
    pytest.param(f"_grpc._tcp.{HL}", "SRV", NOERROR,
                 [f"_grpc._tcp.{HL} SRV 0 50 9090 10-244-0-10.{HL}", f"_grpc._tcp.{HL} SRV 0 50 9091 10-244-0-11.{HL}"],
                 id="headless SRV: target port resolved per pod, pod without the port absent"),
    pytest.param(HL, "A", NOERROR, [f"{HL} A 10.244.0.10", f"{HL} A 10.244.0.11"],
                 id="headless A: terminating pod is not ready, not published"),
    pytest.param(f"_http._tcp.{HL}", "A", NOERROR, [f"_http._tcp.{HL} A 10.244.0.10", f"_http._tcp.{HL} A 10.244.0.11"],
                 id="A for an SRV-shaped name answers the endpoints"),
    pytest.param("ext-ip.app.svc.cluster.local.", "A", NXDOMAIN, [],
                 id="ExternalName holding an IP: CoreDNS serves nothing"),
    pytest.param("ext-missing.app.svc.cluster.local.", "A", NOERROR, [],
                 id="ExternalName to a missing in-zone name: NODATA, no CNAME (coredns#6088)"),
    pytest.param("ext-missing.app.svc.cluster.local.", "CNAME", NOERROR,
                 ["ext-missing.app.svc.cluster.local. CNAME nope.app.svc.cluster.local."], id="its CNAME query still answers"),
    pytest.param("ext-np.app.svc.cluster.local.", "AAAA", NOERROR, [],
                 id="AAAA via CNAME to an IPv4-only Service: NODATA"),
    pytest.param("ext-chain.app.svc.cluster.local.", "A", NOERROR,
                 ["ext-chain.app.svc.cluster.local. CNAME ext-np.app.svc.cluster.local.",
                  "ext-np.app.svc.cluster.local. CNAME np.app.svc.cluster.local.", "np.app.svc.cluster.local. A 10.96.5.1"],
                 id="CNAME chain through two ExternalNames"),
    pytest.param("loop-a.app.svc.cluster.local.", "A", NOERROR, [], id="CNAME loop: cut, NODATA"),
    pytest.param("self.app.svc.cluster.local.", "A", NOERROR, [], id="CNAME into its own subtree: dropped"),
    pytest.param("ns.dns.cluster.local.", "A", NOERROR, ["ns.dns.cluster.local. A 10.96.0.10"],
                 id="ns.dns.<zone>: the DNS server's address"),
    pytest.param("app.pod.cluster.local.", "TXT", NXDOMAIN, [], id="TXT on a namespace name: no records, NXDOMAIN"),
]


@pytest.mark.parametrize(("qname", "qtype", "rcode", "answer"), MORE_CASES)
def test_more(qname, qtype, rcode, answer):
    resp = server_lookup(MORE, qname, qtype)
    got = sorted(str(r) for r in resp.answers)
    assert (resp.rcode, got) == (rcode, sorted(answer)), "\n".join(resp.trace)


def test_pod_without_the_named_port_keeps_its_address_records():
    # endpointslice utils.go getEndpointPorts skips the port, not the pod: the pod sits in a
    # slice without ports, and CoreDNS publishes its address (no SRV).
    snap = snapshot(
        pod("a", ns="x", labels={"app": "db"}, ip="10.244.0.1", container_ports=ports("pg:5432")),
        pod("b", ns="x", labels={"app": "db"}, ip="10.244.0.2", hostname="b", subdomain="db"),
        svc("db", ns="x", selector={"app": "db"}, cluster_ip="None", ports=(sport(5432, "pg", name="pg"),)),
    )
    a = server_lookup(snap, "db.x.svc.cluster.local.", "A")
    assert sorted(r.data for r in a.answers) == ["10.244.0.1", "10.244.0.2"], a.trace
    srv = server_lookup(snap, "_pg._tcp.db.x.svc.cluster.local.", "SRV")
    assert [r.target for r in srv.answers] == ["10-244-0-1.db.x.svc.cluster.local."]
    assert [r.data for r in server_lookup(snap, "b.db.x.svc.cluster.local.", "A").answers] == ["10.244.0.2"]
    assert [r.data for r in server_lookup(snap, "2.0.244.10.in-addr.arpa.", "PTR").answers] == [
        "b.db.x.svc.cluster.local."]

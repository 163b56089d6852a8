"""DNS names of the schema: rendered names parse back to what rendered them (parse.go
parseRequest, kubernetes.go endpointHostname/findPods, dnsutil ExtractAddressFromReverse)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubenet_site.semantics.dns import server_lookup
from kubenet_site.semantics.dnsnames import (
    InvalidName,
    ParsedName,
    endpoint_fqdn,
    endpoint_hostname,
    ip_from_dashed,
    ip_from_reverse,
    parse_name,
    pod_fqdn,
    reverse_name,
    service_fqdn,
    srv_fqdn,
)
from kubenet_site.semantics.types import ClusterConfig
from tests.semantics.builders import snapshot

LETTERS = "abcdefghijklmnopqrstuvwxyz"
alnum = st.text(alphabet=LETTERS + "0123456789", min_size=1, max_size=10)
dns1123 = st.lists(alnum, min_size=1, max_size=3).map("-".join)  # a DNS-1123 label
dns1035 = st.tuples(st.sampled_from(LETTERS), dns1123).map("".join)  # starts with a letter
port_name = st.tuples(st.sampled_from(LETTERS), st.text(alphabet=LETTERS + "0123456789", max_size=14)).map("".join)
zones = st.lists(dns1123, min_size=1, max_size=3).map(".".join).filter(
    lambda z: z.split(".")[-1] not in ("svc", "pod") and z not in ("in-addr.arpa", "ip6.arpa"))
ipv4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
ipv6 = st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address).filter(lambda a: a.ipv4_mapped is None).map(str)
ips = st.one_of(ipv4, ipv6)


@settings(max_examples=50)
@given(svc=dns1035, ns=dns1123, zone=zones)
def test_service_name_round_trip(svc, ns, zone):
    assert parse_name(service_fqdn(svc, ns, zone), zone) == ParsedName("svc", ns, svc)


@settings(max_examples=50)
@given(port=port_name, proto=st.sampled_from(["TCP", "UDP", "SCTP"]), svc=dns1035, ns=dns1123, zone=zones)
def test_srv_name_round_trip(port, proto, svc, ns, zone):
    r = parse_name(srv_fqdn(port, proto, svc, ns, zone), zone)
    assert (r.port, r.protocol, r.service, r.namespace, r.endpoint) == (port, proto.lower(), svc, ns, "")


@settings(max_examples=50)
@given(host=st.one_of(dns1123, ips.map(endpoint_hostname)), svc=dns1035, ns=dns1123, zone=zones)
def test_endpoint_name_round_trip(host, svc, ns, zone):
    assert parse_name(endpoint_fqdn(host, svc, ns, zone), zone) == ParsedName("svc", ns, svc, endpoint=host)


@settings(max_examples=50)
@given(ip=ips)
def test_dashed_ip_round_trip(ip):
    label = endpoint_hostname(ip)
    assert label and not label.startswith(".") and not label.endswith("-")
    assert ipaddress.ip_address(ip_from_dashed(label)) == ipaddress.ip_address(ip)


@settings(max_examples=50)
@given(ip=ips, ns=dns1123, zone=zones)
def test_pod_name_round_trip(ip, ns, zone):
    r = parse_name(pod_fqdn(ip, ns, zone), zone)
    assert (r.pod_or_svc, r.namespace) == ("pod", ns)
    assert ipaddress.ip_address(ip_from_dashed(r.service)) == ipaddress.ip_address(ip)


@settings(max_examples=50)
@given(ip=ips)
def test_reverse_name_round_trip(ip):
    assert ip_from_reverse(reverse_name(ip)) == str(ipaddress.ip_address(ip))


@settings(max_examples=40)
@given(ip=ips, zone=zones)
def test_pod_names_answer_their_address(ip, zone):
    snap = snapshot(cluster=ClusterConfig(domain=zone))
    qtype = "A" if ":" not in ip else "AAAA"
    resp = server_lookup(snap, pod_fqdn(ip, "default", zone), qtype)
    assert resp.rcode == "NOERROR" and [r.data for r in resp.answers] == [str(ipaddress.ip_address(ip))]


@pytest.mark.parametrize(("ip", "label"), [
    pytest.param("fd00::", "fd00--0", id="IPv6 ending in :: gets a trailing 0"),
    pytest.param("::1", "--1", id="IPv6 starting with ::"),
    pytest.param("5678:abcd::1", "5678-abcd--1", id="IPv6 with :: inside"),
    pytest.param("10.244.0.1", "10-244-0-1", id="IPv4"),
])
def test_endpoint_hostname(ip, label):
    assert endpoint_hostname(ip) == label


@pytest.mark.parametrize(("name", "expected"), [
    pytest.param("cluster.local.", ParsedName(), id="apex"),
    pytest.param("svc.cluster.local.", ParsedName(), id="svc"),
    pytest.param("POD.Cluster.Local.", ParsedName(), id="pod, any case"),
    pytest.param("ns.svc.cluster.local.", ParsedName("svc", "ns"), id="namespace only"),
    pytest.param("http.tcp.s.ns.svc.cluster.local.", ParsedName("svc", "ns", "s", port="http", protocol="tcp"),
                 id="port and protocol without underscores still parse"),
    pytest.param("_._tcp.s.ns.svc.cluster.local.", ParsedName("svc", "ns", "s", port="", protocol="tcp"),
                 id="a bare underscore is an empty (any) port"),
])
def test_parse_name(name, expected):
    assert parse_name(name, "cluster.local") == expected


@pytest.mark.parametrize("name", [
    pytest.param("x.cluster.local.", id="neither svc nor pod"),
    pytest.param("a.b.c.s.ns.svc.cluster.local.", id="three labels before the service"),
    pytest.param("a.b.c.d.s.ns.svc.cluster.local.", id="seven labels"),
])
def test_parse_name_invalid(name):
    with pytest.raises(InvalidName):
        parse_name(name, "cluster.local")


@pytest.mark.parametrize(("name", "ip"), [
    pytest.param("1.0.96.10.in-addr.arpa.", "10.96.0.1", id="IPv4"),
    pytest.param("0.96.10.in-addr.arpa.", None, id="partial IPv4"),
    pytest.param("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa.", "1234:abcd::1",
                 id="IPv6 nibbles"),
    pytest.param("1.0.0.0.ip6.arpa.", None, id="partial IPv6"),
    pytest.param("web.shop.svc.cluster.local.", None, id="forward name"),
])
def test_ip_from_reverse(name, ip):
    assert ip_from_reverse(name) == ip

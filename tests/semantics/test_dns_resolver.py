"""The pod's resolv.conf (kubelet pkg/kubelet/network/dns/dns.go) and its stub resolver
(glibc res_search: ndots, search order, absolute names, NXDOMAIN and NODATA move on), plus
the `dns` query of interfaces.md."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.dns import answer_dns, resolve, resolver_config
from kubenet_site.semantics.types import ClusterConfig, PodDNSConfig, QueryError, ResolvConf
from tests.semantics.builders import pod, snapshot, sport, svc

NODE = ResolvConf(nameservers=("10.0.0.2",), searches=("corp.example.com.", "cluster.local"),
                  options=("edns0", "timeout:2"))
CLUSTER = ClusterConfig(node_resolv_conf=NODE)

CONFIG_CASES = [
    # --- corner cases first ----------------------------------------------------------------
    pytest.param(dict(host_network=True), ["10.0.0.2"], ["corp.example.com", "cluster.local"],
                 ["edns0", "timeout:2"], id="hostNetwork with ClusterFirst falls back to Default"),
    pytest.param(dict(host_network=True, dns_policy="ClusterFirstWithHostNet"), ["10.96.0.10"],
                 ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com"], ["ndots:5"],
                 id="ClusterFirstWithHostNet on the host network"),
    pytest.param(dict(dns_policy="ClusterFirstWithHostNet"), ["10.96.0.10"],
                 ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com"], ["ndots:5"],
                 id="ClusterFirstWithHostNet off the host network is ClusterFirst"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(nameservers=("192.0.2.1",))), ["192.0.2.1"], [], [],
                 id="None: nothing but dnsConfig"),
    pytest.param(dict(dns_config=PodDNSConfig(nameservers=("10.96.0.10", "8.8.8.8", "1.1.1.1", "9.9.9.9"))),
                 ["10.96.0.10", "8.8.8.8", "1.1.1.1"],
                 ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com"], ["ndots:5"],
                 id="nameservers appended, de-duplicated, cut to 3"),
    pytest.param(dict(dns_config=PodDNSConfig(searches=("svc.cluster.local", "a.example"),
                                              options=(("ndots", "2"), ("edns0", None), ("attempts", "")))),
                 ["10.96.0.10"],
                 ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com", "a.example"],
                 ["ndots:2", "edns0", "attempts"], id="searches appended de-duplicated, options merged by name"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(
        nameservers=("192.0.2.1",), searches=tuple(f"s{i}.example" for i in range(40)))),
        ["192.0.2.1"], [f"s{i}.example" for i in range(32)], [], id="at most 32 search domains"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(
        nameservers=("192.0.2.1",), searches=("a" * 254, "ok.example"))),
        ["192.0.2.1"], ["ok.example"], [], id="a search domain over 253 characters is dropped"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(
        nameservers=("192.0.2.1",), searches=tuple(f"{i:02d}" + "x" * 98 for i in range(25)))),
        ["192.0.2.1"], [f"{i:02d}" + "x" * 98 for i in range(20)], [],
        id="search line over 2048 characters is cut from the end"),
    # --- the documentation's examples ------------------------------------------------------
    pytest.param(dict(), ["10.96.0.10"],
                 ["shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example.com"], ["ndots:5"],
                 id="ClusterFirst: cluster searches then the node's, ndots:5, node options dropped"),
    pytest.param(dict(dns_policy="Default"), ["10.0.0.2"], ["corp.example.com", "cluster.local"],
                 ["edns0", "timeout:2"], id="Default: the node's resolv.conf"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(
        nameservers=("192.0.2.1",), searches=("ns1.svc.cluster-domain.example", "my.dns.search.suffix"),
        options=(("ndots", "2"), ("edns0", None)))),
        ["192.0.2.1"], ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"], ["ndots:2", "edns0"],
        id="website dns-pod-service example, dnsPolicy None"),
]


@pytest.mark.parametrize(("kw", "nameservers", "searches", "options"), CONFIG_CASES)
def test_resolver_config(kw, nameservers, searches, options):
    p = pod("client", ns="shop", **kw)
    conf = resolver_config(snapshot(p, cluster=CLUSTER), p)
    assert (list(conf.nameservers), list(conf.searches), list(conf.options)) == (nameservers, searches, options)


def test_custom_cluster_domain():
    p = pod("client", ns="default")
    conf = resolver_config(snapshot(p, cluster=ClusterConfig(domain="cluster-domain.example",
                                                             cluster_dns=("fd00:79:30::a",))), p)
    assert conf == ResolvConf(("fd00:79:30::a",), ("default.svc.cluster-domain.example",
                                                   "svc.cluster-domain.example", "cluster-domain.example"), ("ndots:5",))


SNAP_OBJECTS = (
    pod("w1", ns="shop", labels={"app": "web"}, ip="10.244.1.5"),
    svc("web", ns="shop", selector={"app": "web"}, cluster_ip="10.96.1.1", ports=(sport(80, name="http"),)),
    svc("db", ns="other", selector={"app": "db"}, cluster_ip="10.96.2.2", cluster_ips=("10.96.2.2", "fd00::2"),
        ip_families=("IPv4", "IPv6"), ports=(sport(5432, name="pg"),)),
    svc("kubernetes", ns="default", cluster_ip="10.96.0.1", ports=(sport(443, name="https"),)),
    svc("empty", ns="shop", selector={"app": "none"}, cluster_ip="None", ports=(sport(80, name="http"),)),
    svc("ext", ns="shop", type="ExternalName", cluster_ip=None, external_name="db.example.com"),
)
S = ".shop.svc.cluster.local."
RESOLVE_CASES = [
    # --- corner cases first ----------------------------------------------------------------
    pytest.param(dict(), "web.shop.svc.cluster.local.", "A", "NOERROR", ["10.96.1.1"],
                 "web.shop.svc.cluster.local.", ["web.shop.svc.cluster.local."], id="absolute name: only as is"),
    pytest.param(dict(), "nope.shop.svc.cluster.local.", "A", "NXDOMAIN", [],
                 "nope.shop.svc.cluster.local.", ["nope.shop.svc.cluster.local."], id="absolute name, NXDOMAIN: no search"),
    pytest.param(dict(), "web.shop.svc.cluster.local", "A", "NOERROR", ["10.96.1.1"],
                 "web.shop.svc.cluster.local.",
                 [f"web.shop.svc.cluster.local{S}", "web.shop.svc.cluster.local.svc.cluster.local.",
                  "web.shop.svc.cluster.local.cluster.local.", "web.shop.svc.cluster.local.corp.example.com.",
                  "web.shop.svc.cluster.local."], id="4 dots < ndots 5: the search list first, as is last"),
    pytest.param(dict(), "web", "AAAA", "NOERROR", [], f"web{S}",
                 [f"web{S}", "web.svc.cluster.local.", "web.cluster.local.", "web.corp.example.com.", "web."],
                 id="NODATA moves on; nothing better: NODATA from the name that had it"),
    pytest.param(dict(dns_config=PodDNSConfig(searches=("other.svc.cluster.local",))), "db", "AAAA", "NOERROR",
                 ["fd00::2"], "db.other.svc.cluster.local.",
                 [f"db{S}", "db.svc.cluster.local.", "db.cluster.local.", "db.corp.example.com.",
                  "db.other.svc.cluster.local."], id="search goes on past NXDOMAIN to an answer"),
    pytest.param(dict(dns_config=PodDNSConfig(options=(("ndots", "1"),))), "web.shop", "A", "NOERROR", ["10.96.1.1"],
                 "web.shop.svc.cluster.local.", ["web.shop.", f"web.shop{S}", "web.shop.svc.cluster.local."],
                 id="ndots:1, one dot: as is first, then the search list"),
    pytest.param(dict(dns_config=PodDNSConfig(options=(("ndots", "1"),))), "web.shop.svc.cluster.local", "AAAA",
                 "NOERROR", [], "web.shop.svc.cluster.local.",
                 ["web.shop.svc.cluster.local.", f"web.shop.svc.cluster.local{S}",
                  "web.shop.svc.cluster.local.svc.cluster.local.", "web.shop.svc.cluster.local.cluster.local.",
                  "web.shop.svc.cluster.local.corp.example.com."],
                 id="as-is tried first: its answer (NODATA) is the one reported"),
    pytest.param(dict(dns_config=PodDNSConfig(options=(("ndots", "0"),))), "web", "A", "NOERROR", ["10.96.1.1"],
                 f"web{S}", ["web.", f"web{S}"], id="ndots:0: even a bare name is tried as is first"),
    pytest.param(dict(), "empty", "A", "NXDOMAIN", [], "empty.",
                 [f"empty{S}", "empty.svc.cluster.local.", "empty.cluster.local.", "empty.corp.example.com.", "empty."],
                 id="headless without ready endpoints is NXDOMAIN: the search runs out"),
    pytest.param(dict(dns_policy="Default"), "web", "A", "NXDOMAIN", [], "web.",
                 ["web.corp.example.com.", "web.cluster.local.", "web."],
                 id="Default policy: the node's upstream knows no cluster names"),
    pytest.param(dict(host_network=True), "web.shop.svc.cluster.local.", "A", "NXDOMAIN", [],
                 "web.shop.svc.cluster.local.", ["web.shop.svc.cluster.local."],
                 id="hostNetwork with ClusterFirst asks the node's resolver"),
    pytest.param(dict(host_network=True, dns_policy="ClusterFirstWithHostNet"), "web", "A", "NOERROR",
                 ["10.96.1.1"], f"web{S}", [f"web{S}"], id="ClusterFirstWithHostNet resolves cluster names"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(nameservers=("8.8.8.8",))),
                 "kubernetes.default.svc.cluster.local", "A", "NXDOMAIN", [],
                 "kubernetes.default.svc.cluster.local.", ["kubernetes.default.svc.cluster.local."],
                 id="None with a public nameserver: no cluster names"),
    pytest.param(dict(dns_policy="None", dns_config=PodDNSConfig(nameservers=("10.96.0.10",),
                                                                 searches=("svc.cluster.local",))),
                 "web.shop", "A", "NOERROR", ["10.96.1.1"], "web.shop.svc.cluster.local.",
                 ["web.shop.", "web.shop.svc.cluster.local."],
                 id="None without options: glibc's ndots is 1, so as is first"),
    # --- the usual ---------------------------------------------------------------------------
    pytest.param(dict(), "web", "A", "NOERROR", ["10.96.1.1"], f"web{S}", [f"web{S}"],
                 id="short name from its own namespace"),
    pytest.param(dict(), "db.other", "A", "NOERROR", ["10.96.2.2"], "db.other.svc.cluster.local.",
                 [f"db.other{S}", "db.other.svc.cluster.local."], id="<svc>.<ns> reaches another namespace"),
    pytest.param(dict(), "kubernetes.default.svc", "A", "NOERROR", ["10.96.0.1"],
                 "kubernetes.default.svc.cluster.local.",
                 [f"kubernetes.default.svc{S}", "kubernetes.default.svc.svc.cluster.local.",
                  "kubernetes.default.svc.cluster.local."], id="<svc>.<ns>.svc via the third search domain"),
    pytest.param(dict(), "example.com", "A", "NXDOMAIN", [], "example.com.",
                 [f"example.com{S}", "example.com.svc.cluster.local.", "example.com.cluster.local.",
                  "example.com.corp.example.com.", "example.com."], id="an outside name: five queries, NXDOMAIN"),
    pytest.param(dict(), "_http._tcp.web", "SRV", "NOERROR", ["0 100 80 web.shop.svc.cluster.local."],
                 f"_http._tcp.web{S}", [f"_http._tcp.web{S}"], id="SRV through the search list"),
    pytest.param(dict(), "ext", "A", "NOERROR", ["db.example.com."], f"ext{S}", [f"ext{S}"],
                 id="ExternalName: the CNAME answers, the search stops"),
]


@pytest.mark.parametrize(("kw", "name", "qtype", "rcode", "data", "fqdn", "tried"), RESOLVE_CASES)
def test_resolve(kw, name, qtype, rcode, data, fqdn, tried):
    p = pod("client", ns="shop", ip="10.244.1.9", **kw)
    snap = snapshot(p, *SNAP_OBJECTS, cluster=ClusterConfig(node_resolv_conf=ResolvConf(
        nameservers=("10.0.0.2",), searches=("corp.example.com", "cluster.local"))))
    res = resolve(snap, p, name, qtype)
    got = sorted(r.data or f"{r.priority} {r.weight} {r.port} {r.target}" for r in res.answers)
    assert (res.rcode, got, res.fqdn, list(res.tried)) == (rcode, sorted(data), fqdn, tried), "\n".join(res.trace)


QSNAP = snapshot(pod("client", ns="shop"), *SNAP_OBJECTS)


def test_answer_dns_shape():
    out = answer_dns(QSNAP, {"from": "shop/client", "name": "_http._tcp.web", "type": "srv"})
    assert out["rcode"] == "NOERROR" and out["fqdn"] == f"_http._tcp.web{S}"
    assert out["answers"] == [{"type": "SRV", "name": f"_http._tcp.web{S}", "priority": 0, "weight": 100,
                               "port": 80, "target": "web.shop.svc.cluster.local."}]
    assert out["tried"] == [f"_http._tcp.web{S}"] and out["trace"]


def test_answer_dns_default_type_and_cname_chain():
    out = answer_dns(QSNAP, {"from": "shop/client", "name": "ext"})
    assert out["answers"] == [{"type": "CNAME", "name": f"ext{S}", "data": "db.example.com."}]


def test_answer_dns_ptr_from_ip():
    out = answer_dns(QSNAP, {"from": "shop/client", "name": "10.96.2.2", "type": "PTR"})
    assert (out["rcode"], out["tried"]) == ("NOERROR", ["2.2.96.10.in-addr.arpa."])
    assert out["answers"] == [{"type": "PTR", "name": "2.2.96.10.in-addr.arpa.", "data": "db.other.svc.cluster.local."}]
    v6 = answer_dns(QSNAP, {"from": "shop/client", "name": "fd00::2", "type": "PTR"})
    assert [a["data"] for a in v6["answers"]] == ["db.other.svc.cluster.local."]


def test_answer_dns_resolv_conf():
    out = answer_dns(QSNAP, {"from": "shop/client", "type": "resolv.conf"})
    assert out == {"nameservers": ["10.96.0.10"], "searches": ["shop.svc.cluster.local", "svc.cluster.local",
                                                                "cluster.local"], "options": ["ndots:5"]}


@pytest.mark.parametrize("q", [
    pytest.param({"from": "shop/ghost", "name": "web"}, id="absent pod"),
    pytest.param({"from": "client", "name": "web"}, id="from without namespace"),
    pytest.param({"name": "web"}, id="no from"),
    pytest.param({"from": "shop/client"}, id="no name"),
    pytest.param({"from": "shop/client", "name": "web", "type": "MX"}, id="unsupported type"),
    pytest.param({"from": "shop/client", "name": "a..b"}, id="empty label"),
    pytest.param({"from": "shop/client", "name": "x" * 64 + ".example"}, id="label over 63"),
])
def test_answer_dns_refuses(q):
    with pytest.raises(QueryError):
        answer_dns(QSNAP, q)


@pytest.mark.parametrize(("kw", "name", "tried"), [
    pytest.param(dict(), "web", [f"web{S}", "web."],
                 id="timeout in the search list ends it, the as-is name is still tried (glibc)"),
    pytest.param(dict(), "web.shop.svc.cluster.local.", ["web.shop.svc.cluster.local."], id="absolute name"),
    pytest.param(dict(dns_config=PodDNSConfig(options=(("ndots", "1"),))), "web.shop",
                 ["web.shop.", f"web.shop{S}"], id="as is first, then one search name"),
])
def test_resolve_blocked_times_out(kw, name, tried):
    p = pod("client", ns="shop", **kw)
    res = resolve(snapshot(p, *SNAP_OBJECTS), p, name, "A", blocked="egress denied")
    assert (res.rcode, res.answers, list(res.tried), res.fqdn) == ("TIMEOUT", (), tried, tried[-1]), "\n".join(res.trace)


def test_resolve_without_nameserver_times_out():
    p = pod("client", ns="shop", dns_policy="None", dns_config=PodDNSConfig(searches=("a.example",)))
    res = resolve(snapshot(p), p, "web", "A")
    assert (res.rcode, list(res.tried)) == ("TIMEOUT", ["web.a.example.", "web."])


def test_cluster_first_without_cluster_dns_falls_back_to_default():
    # dns.go GetPodDNS: "kubelet does not have ClusterDNS IP configured ... Falling back to Default".
    p = pod("client", ns="shop")
    conf = resolver_config(snapshot(p, cluster=ClusterConfig(cluster_dns=(), node_resolv_conf=NODE)), p)
    assert conf == ResolvConf(("10.0.0.2",), ("corp.example.com", "cluster.local"), ("edns0", "timeout:2"))

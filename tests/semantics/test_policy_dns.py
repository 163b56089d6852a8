"""NetworkPolicy meets cluster DNS: a pod whose policies keep it from every nameserver gets
TIMEOUT (interfaces.md `dns`: "TIMEOUT when the pod cannot reach a cluster DNS server, e.g.
blocked by policy"); glibc res_search stops at the first candidate that times out."""

from __future__ import annotations

from typing import Any

import pytest

from kubenet_site.semantics.dns import answer_dns
from kubenet_site.semantics.types import Container
from tests.semantics.builders import node, ns, pod, ports, snapshot, sport, svc
from tests.semantics.test_netpol_e2e import EVERYTHING, labels, netpol, peer, port, rule

DENY_EGRESS = netpol("deny-egress", "app", EVERYTHING, egress=[])
ALLOW_DNS = netpol("allow-dns", "app", EVERYTHING, egress=[rule(
    peer(namespaces=labels(**{"kubernetes.io/metadata.name": "kube-system"}), pods=labels(**{"k8s-app": "kube-dns"})),
    ports=(port(53, "UDP"), port(53, "TCP")))])
LOCK_COREDNS = netpol("lock", "kube-system", labels(**{"k8s-app": "kube-dns"}), ingress=[])


def _world(*policies: Any):
    return snapshot(
        ns("app"), node("node-1", "192.168.0.1"),
        pod("api", ns="app", labels={"app": "api"}, ip="10.244.1.5"),
        pod("db-0", ns="app", labels={"app": "db"}, ip="10.244.1.6"),
        svc("db", ns="app", selector={"app": "db"}, ports=(sport(5432),), cluster_ip="10.96.0.30"),
        pod("coredns-1", ns="kube-system", labels={"k8s-app": "kube-dns"}, ip="10.244.1.2",
            containers=(Container("coredns", ports=ports("dns:53/UDP", "dns-tcp:53/TCP", "metrics:9153")),)),
        svc("kube-dns", ns="kube-system", selector={"k8s-app": "kube-dns"}, cluster_ip="10.96.0.10",
            ports=(sport(53, "dns", name="dns", protocol="UDP"), sport(53, "dns-tcp", name="dns-tcp"),
                   sport(9153, 9153, name="metrics"))),
        *policies,
    )


@pytest.mark.parametrize(("policies", "name", "rcode", "tried"), [
    pytest.param([], "db", "NOERROR", ["db.app.svc.cluster.local."], id="no policy: the Service answers"),
    pytest.param([DENY_EGRESS], "db", "TIMEOUT", ["db.app.svc.cluster.local.", "db."],
                 id="default-deny egress: the first search candidate times out, then the name as typed"),
    pytest.param([DENY_EGRESS], "example.com.", "TIMEOUT", ["example.com."], id="an absolute name times out too"),
    pytest.param([DENY_EGRESS, ALLOW_DNS], "db", "NOERROR", ["db.app.svc.cluster.local."],
                 id="egress to kube-dns on 53 allowed"),
    pytest.param([DENY_EGRESS, ALLOW_DNS, LOCK_COREDNS], "db", "TIMEOUT", ["db.app.svc.cluster.local.", "db."],
                 id="the CoreDNS pods' ingress denies"),
    pytest.param([netpol("deny-ingress-app", "app", EVERYTHING, ingress=[])], "db", "NOERROR",
                 ["db.app.svc.cluster.local."], id="ingress isolation of the client does not stop its DNS"),
])
def test_dns_under_policy(policies: list[Any], name: str, rcode: str, tried: list[str]) -> None:
    answer = answer_dns(_world(*policies), {"from": "app/api", "name": name})
    if answer["rcode"] != rcode or answer["tried"][: len(tried)] != tried:
        print("\n".join(answer["trace"]))
    assert answer["rcode"] == rcode
    assert answer["tried"][: len(tried)] == tried
    if rcode == "TIMEOUT":
        # glibc res_search: a timeout ends the search list, then the name as typed is tried.
        assert answer["answers"] == [] and answer["tried"] == tried and answer["fqdn"] == tried[-1]
        assert any("NetworkPolicy" in line for line in answer["trace"])

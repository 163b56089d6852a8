"""Semantics III "Done when": the demo topology's matrices for every Service type, cell by cell.

Expected outcomes are written from the demo's design (demo/demo.yaml's header), not from
kubenet's output: the coredns pods use dnsPolicy Default (no Service names resolve); shop/db
accepts only shop/api on postgres; shop/api accepts shop/frontend and the ingress controller on
its `http` port (9000) only; shop/shop-public and the ingress controller's Service keep client
IPs (externalTrafficPolicy Local); the api NodePort is Cluster (SNAT to the entry node, so a
backend on another node sees a node address its policy does not allow, while a node may always
reach its own pods).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubenet_site.semantics import matrix
from kubenet_site.semantics.manifests import build_snapshot, load_documents

ROOT = Path(__file__).resolve().parents[2]
SYMBOL = {"reachable": ".", "blocked": "X", "partial": "~", "not-applicable": "-", "not-proxied": "o"}
N1, N2, N3 = ("node:ip-10-0-1-10.eu-west-1.compute.internal", "node:ip-10-0-1-11.eu-west-1.compute.internal",
              "node:ip-10-0-2-10.eu-west-1.compute.internal")
ROWS = ["ingress-nginx/ingress-nginx-controller", "kube-system/coredns", "shop/api", "shop/db", "shop/frontend",
        "shop/recommendations", N1, N2, N3, "external"]


@pytest.fixture(scope="module")
def demo():
    return build_snapshot(load_documents((ROOT / "demo" / "demo.yaml").read_text())).snapshot


EXPECTED = {
    "clusterip": (
        ["svc:default/kubernetes:443/TCP", "svc:kube-system/kube-dns:53/TCP", "svc:kube-system/kube-dns:9153/TCP",
         "svc:shop/frontend:80/TCP", "svc:shop/db:5432/TCP", "svc:shop/recommendations:8080/TCP"],
        ["....X.",  # the controller: db admits only api
         "XXXXXX",  # coredns: cannot resolve Service names
         "......",  # api: db admits it
         "....~.",  # db: itself yes, the other db pod no
         "....X.",
         "....X.",
         "....o.",  # nodes: no cluster DNS, so the headless name does not resolve
         "....o.",
         "....o.",
         "------"]),  # a cluster IP is not reachable from outside
    "nodeport": (
        ["svc:shop/api:80/TCP", "svc:shop/api:9090/TCP"],
        [".X", "XX", "~~", "XX", ".X", "XX",
         "~~",  # node 1: its own api pod yes, node 2's no
         "~~",
         "XX",  # node 3 hosts no api pod
         "~~"]),  # external via NodePort, SNAT to the entry node
    "loadbalancer": (
        ["svc:ingress-nginx/ingress-nginx-controller:80/TCP", "svc:ingress-nginx/ingress-nginx-controller:443/TCP",
         "svc:shop/shop-public:80/TCP"],
        ["...", "XXX", "...", "...", "...", "...", "...", "...", "...", "..."]),
    "externalname": (
        ["svc:shop/managed-db"],
        ["o", "X", "o", "o", "o", "o", "o", "o", "o", "o"]),
    "ingress": (
        ["ingress:shop.example.com/", "ingress:shop.example.com/api", "ingress:status.example.com/healthz"],
        ["...", "XXX", "...", "...", "...", "...", "...", "...", "...", "..."]),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_demo_matrix(demo, kind):
    columns, rows = EXPECTED[kind]
    m = matrix.service_matrix(demo, kind)
    assert [c.id for c in m.columns] == columns
    assert [r.id for r in m.rows] == ROWS
    got = ["".join(SYMBOL[o] for o in row) for row in m.outcome_table()]
    assert got == rows, "\n".join(f"{r:48} {g}   expected {e}" for r, g, e in zip(ROWS, got, rows, strict=True))
    for verdict in m.verdicts:
        assert verdict.trace, f"a {verdict.outcome} cell without its explanation"


def test_every_cell_explains_itself(demo):
    m = matrix.service_matrix(demo, "nodeport")
    db_to_api = m.cell("shop/db", "svc:shop/api:80/TCP")
    assert any("api-allow-frontend-and-ingress" in line for line in db_to_api.trace)
    partial = m.cell("shop/api", "svc:shop/api:80/TCP")
    assert partial.outcome == "partial"
    assert partial.details["backends"] == {addr: "allowed from itself, blocked from the others"
                                           for addr in ("10.244.1.20:9000", "10.244.2.20:9000")}
    assert any("each pod reaches itself" in line for line in partial.trace)
    assert any("no ingress rule allows the client" in line for line in partial.trace)
    coredns = m.cell("kube-system/coredns", "svc:shop/api:80/TCP")
    assert any("DNS" in line for line in coredns.trace)
    external = matrix.service_matrix(demo, "clusterip").cell("external", "svc:shop/frontend:80/TCP")
    assert external.outcome == "not-applicable"

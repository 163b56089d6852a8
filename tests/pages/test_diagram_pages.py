"""The diagram: its graph JSON (from the snapshot and the engine's answers) and a pod's reach."""

from __future__ import annotations

import pytest

from checks.snapshot import topology_manifests
from kubenet_site.semantics.query import run
from tests.pages.conftest import at

pytestmark = pytest.mark.django_db


def elements(client, demo):
    data = client.get(at(demo, "diagram/graph.json")).json()
    nodes = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    edges = {(e["data"]["source"], e["data"]["target"]): e["data"]["kind"] for e in data["edges"]}
    return nodes, edges


def test_page_loads_cytoscape_and_fcose(client_in, demo):
    html = client_in.get(at(demo, "diagram/")).content.decode()
    for script in ("vendor/cytoscape/cytoscape.min.js", "vendor/layout-base/layout-base.js",
                   "vendor/cose-base/cose-base.js", "vendor/cytoscape-fcose/cytoscape-fcose.js", "diagram.js"):
        assert script in html
    assert '<option value="shop">shop</option>' in html


def test_graph_has_every_layer(client_in, demo):
    nodes, edges = elements(client_in, demo)
    document = {"cluster": demo.cluster_document(), "manifests": topology_manifests(demo),
                "queries": [{"kind": "select", "service": "shop/api"}]}
    for pod in run(document)["answers"][0]["pods"]:
        assert edges[("svc:shop/api", f"pod:{pod}")] == "selects"
    assert edges[("ing:shop/shop", "svc:shop/api")] == "routes"
    assert edges[("ing:shop/shop", "svc:shop/frontend")] == "routes"
    assert nodes["entry:shop/shop-public"]["label"] == "LoadBalancer 203.0.113.10"
    assert edges[("entry:shop/shop-public", "svc:shop/shop-public")] == "entry"
    external = [t for (s, t), k in edges.items() if s == "svc:shop/managed-db" and k == "cname"]
    assert external and nodes[external[0]]["kind"] == "External"
    assert nodes["pod:shop/db-0"]["parent"] == "ns:shop" and nodes["ns:shop"]["kind"] == "Namespace"
    node = next(n for n in nodes.values() if n["kind"] == "Node")
    assert node["parent"] == "group:nodes"
    assert any(k == "runs-on" and t == node["id"] for (s, t), k in edges.items())
    assert nodes["svc:shop/api"]["url"] == at(demo, "services/shop/api/")
    assert nodes["pod:shop/db-0"]["url"] == at(demo, "pods/shop/db-0/")
    assert all(e[0] in nodes and e[1] in nodes for e in edges)


def test_reach_follows_the_connect_answers(client_in, demo):
    pod = "shop/frontend-6f7d9c8b5-2xkqp"
    reach = client_in.get(at(demo, f"diagram/reach.json?pod={pod}")).json()
    document = {"cluster": demo.cluster_document(), "manifests": topology_manifests(demo),
                "queries": [{"kind": "connect", "from": pod, "to": "svc:shop/api:80", "port": 80},
                            {"kind": "connect", "from": pod, "to": "svc:shop/db:5432", "port": 5432}]}
    to_api, to_db = run(document)["answers"]
    assert ("svc:shop/api" in reach["services"]) is (to_api["verdict"] in ("allowed", "partial"))
    assert ("svc:shop/db" in reach["services"]) is (to_db["verdict"] in ("allowed", "partial"))
    assert to_db["verdict"] == "blocked" and to_api["verdict"] == "allowed"
    assert any(p.startswith("pod:shop/api-") for p in reach["pods"])
    assert not any(p.startswith("pod:shop/db-") for p in reach["pods"])


def test_reach_of_an_unknown_pod_is_400(client_in, demo):
    response = client_in.get(at(demo, "diagram/reach.json?pod=shop/nope"))
    assert response.status_code == 400 and response.json()["where"] == "pod"

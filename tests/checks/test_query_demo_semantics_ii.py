"""Semantics II "Done when": kube-proxy and Ingress traces over the demo, through `kubenet query`."""

from __future__ import annotations

import pytest

from .demo_queries import API, NODES, ask

N1, N2, N3 = NODES
FRONTEND_BACKENDS = ["10.244.1.10:8080", "10.244.2.10:8080"]
API_BACKENDS = ["10.244.1.20:9000", "10.244.2.20:9000"]


def test_in_cluster_call_to_the_frontend_cluster_ip(tmp_path):
    a = ask(tmp_path, {"kind": "route", "from": API, "to": "svc:shop/frontend:80/TCP"})
    assert a["outcome"] == "delivered"
    assert a["endpoints"] == FRONTEND_BACKENDS
    assert a["sourceIPPreserved"] is True and a["sticky"] is False
    assert any("10.96.10.10:80" in line for line in a["trace"])


@pytest.mark.parametrize("node", NODES)
def test_external_client_to_the_api_node_port_on_each_node(tmp_path, node):
    a = ask(tmp_path, {"kind": "route", "from": "external", "to": f"node:{node}:30080/TCP"})
    assert a["outcome"] == "delivered"
    assert a["endpoints"] == API_BACKENDS  # externalTrafficPolicy Cluster: any endpoint
    assert a["sourceIPPreserved"] is False  # ... with SNAT to the node


def test_public_load_balancer_with_local_policy(tmp_path):
    lb = ask(tmp_path, {"kind": "route", "from": "external", "to": "lb:shop/shop-public:80/TCP"})
    assert lb["outcome"] == "delivered"
    assert lb["endpoints"] == FRONTEND_BACKENDS
    assert lb["sourceIPPreserved"] is True
    assert any("connection-draining-enabled" in line for line in lb["trace"])
    assert any("healthcheck-path: /healthz" in line for line in lb["trace"])
    local = ask(tmp_path, {"kind": "route", "from": "external", "to": f"node:{N1}:30180/TCP"})
    assert (local["outcome"], local["endpoints"]) == ("delivered", ["10.244.1.10:8080"])
    empty = ask(tmp_path, {"kind": "route", "from": "external", "to": f"node:{N3}:30180/TCP"})
    assert (empty["outcome"], empty["endpoints"]) == ("dropped", [])
    health = {n: ask(tmp_path, {"kind": "route", "from": "external", "to": f"healthcheck:{n}:shop/shop-public"})
              ["httpStatus"] for n in NODES}
    assert health == {N1: 200, N2: 200, N3: 503}


def test_pods_are_not_limited_by_the_local_external_policy(tmp_path):
    a = ask(tmp_path, {"kind": "route", "from": API, "to": f"node:{N3}:30180/TCP"})
    assert a["outcome"] == "delivered"
    assert a["endpoints"] == FRONTEND_BACKENDS


def test_external_name_is_not_proxied_and_names_its_cname(tmp_path):
    a = ask(tmp_path, {"kind": "route", "from": API, "to": "svc:shop/managed-db:5432/TCP"})
    assert a["outcome"] == "not-proxied"
    assert any("orders.c9akciq32.eu-west-1.rds.amazonaws.com" in line for line in a["trace"])


@pytest.mark.parametrize("path, service, backends", [
    ("/api", "shop/api", API_BACKENDS),
    ("/api/orders?id=7", "shop/api", API_BACKENDS),
    ("/", "shop/frontend", FRONTEND_BACKENDS),
    ("/apiary", "shop/frontend", FRONTEND_BACKENDS),  # Prefix matches whole path elements only
])
def test_https_through_the_ingress_for_each_path(tmp_path, path, service, backends):
    a = ask(tmp_path, {"kind": "ingress-route", "request": {"host": "shop.example.com", "path": path, "scheme": "https"}})
    assert (a["outcome"], a["ingress"], a["service"], a["port"]) == ("routed", "shop/shop", service, 80)
    assert a["tls"] == {"secret": "shop/shop-tls"}
    assert a["backends"] == backends


def test_https_default_backend(tmp_path):
    a = ask(tmp_path, {"kind": "ingress-route",
                       "request": {"host": "status.example.com", "path": "/other", "scheme": "https"}})
    assert (a["outcome"], a["service"], a["port"]) == ("default-backend", "shop/frontend", 80)
    exact = ask(tmp_path, {"kind": "ingress-route",
                           "request": {"host": "status.example.com", "path": "/healthz", "scheme": "https"}})
    assert (exact["outcome"], exact["service"]) == ("routed", "shop/api")


def test_https_host_without_a_certificate(tmp_path):
    a = ask(tmp_path, {"kind": "ingress-route", "request": {"host": "admin.example.com", "path": "/", "scheme": "https"}})
    assert a["outcome"] == "no-certificate"


def test_ingress_entry_through_a_node_without_the_controller_drops(tmp_path):
    a = ask(tmp_path, {"kind": "route", "from": "external", "to": f"node:{N3}:31443/TCP"})
    assert a["outcome"] == "dropped"
    b = ask(tmp_path, {"kind": "route", "from": "external", "to": f"node:{N1}:31443/TCP"})
    assert (b["outcome"], b["endpoints"]) == ("delivered", ["10.244.1.3:443"])

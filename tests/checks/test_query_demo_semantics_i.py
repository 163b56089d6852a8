"""Semantics I "Done when": the demo topology's questions through `kubenet query`."""

from __future__ import annotations

from .demo_queries import API, FRONTEND, NGINX, ask, query_demo


def test_kube_dns_endpoints(tmp_path):
    a = ask(tmp_path, {"kind": "endpoints", "service": "kube-system/kube-dns"})
    assert set(a["ports"]) == {"dns", "dns-tcp", "metrics"}
    assert a["ports"]["dns"]["ready"] == ["10.244.1.2:53", "10.244.3.2:53"]
    assert a["ports"]["metrics"]["ready"] == ["10.244.1.2:9153", "10.244.3.2:9153"]
    assert "notReady" not in a["ports"]["dns"]


def test_frontend_from_a_shop_pod(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": API, "name": "frontend"})
    assert a["rcode"] == "NOERROR"
    assert a["answers"] == [{"type": "A", "name": "frontend.shop.svc.cluster.local.", "data": "10.96.10.10"}]
    assert a["fqdn"] == "frontend.shop.svc.cluster.local."
    assert a["tried"] == ["frontend.shop.svc.cluster.local."]


def test_frontend_shop_from_another_namespace(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": NGINX, "name": "frontend.shop"})
    assert a["rcode"] == "NOERROR"
    assert [r["data"] for r in a["answers"]] == ["10.96.10.10"]
    # ndots:5: the search list first; the ingress-nginx namespace's own candidate does not exist.
    assert a["tried"] == ["frontend.shop.ingress-nginx.svc.cluster.local.", "frontend.shop.svc.cluster.local."]
    assert a["fqdn"] == "frontend.shop.svc.cluster.local."


def test_srv_record_of_a_named_port(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": API, "name": "_http._tcp.api", "type": "SRV"})
    assert a["rcode"] == "NOERROR"
    assert [(r["port"], r["target"]) for r in a["answers"]] == [(80, "api.shop.svc.cluster.local.")]
    headless = ask(tmp_path, {"kind": "dns", "from": API, "name": "_postgres._tcp.db", "type": "SRV"})
    assert sorted((r["port"], r["target"]) for r in headless["answers"]) == [
        (5432, "db-0.db.shop.svc.cluster.local."), (5432, "db-1.db.shop.svc.cluster.local.")]


def test_headless_database_records(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": API, "name": "db"})
    assert sorted(r["data"] for r in a["answers"]) == ["10.244.1.30", "10.244.3.30"]
    one = ask(tmp_path, {"kind": "dns", "from": FRONTEND, "name": "db-1.db"})
    assert one["answers"] == [{"type": "A", "name": "db-1.db.shop.svc.cluster.local.", "data": "10.244.3.30"}]


def test_external_name_cname(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": API, "name": "managed-db", "type": "CNAME"})
    assert a["answers"] == [{"type": "CNAME", "name": "managed-db.shop.svc.cluster.local.",
                             "data": "orders.c9akciq32.eu-west-1.rds.amazonaws.com."}]


def test_nxdomain_lists_every_name_tried(tmp_path):
    a = ask(tmp_path, {"kind": "dns", "from": API, "name": "nope"})
    assert a["rcode"] == "NXDOMAIN"
    assert a["answers"] == []
    assert a["tried"] == ["nope.shop.svc.cluster.local.", "nope.svc.cluster.local.", "nope.cluster.local.", "nope."]
    assert a["fqdn"] == "nope."


def test_env_of_pods_created_before_and_after_a_service(tmp_path):
    before = ask(tmp_path, {"kind": "env", "pod": FRONTEND})["vars"]
    after = ask(tmp_path, {"kind": "env", "pod": API})["vars"]
    # shop/recommendations was created after the frontend pods and before the api pods.
    assert "RECOMMENDATIONS_SERVICE_HOST" not in before
    assert after["RECOMMENDATIONS_SERVICE_HOST"] == "10.96.10.40"
    assert after["RECOMMENDATIONS_PORT_8080_TCP"] == "tcp://10.96.10.40:8080"
    for env in (before, after):
        assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
        assert env["FRONTEND_SERVICE_PORT_HTTP"] == "80"
        assert not any(k.startswith(("DB_", "MANAGED_DB_")) for k in env), "headless/ExternalName give none"
    assert ask(tmp_path, {"kind": "env", "pod": FRONTEND})["podEnv"]["API_ADDR"] == "10.96.10.20:80"


def test_unknown_objects_answer_errors_while_the_others_run(tmp_path):
    out = query_demo(tmp_path, {"kind": "select", "service": "shop/missing"}, {"kind": "teleport"},
                     {"kind": "select", "service": "shop/frontend"})
    first, second, third = out["answers"]
    assert first["kind"] == "select" and "error" in first
    assert second["kind"] == "teleport" and "error" in second
    assert third["pods"] == ["shop/frontend-6f7d9c8b5-2xkqp", "shop/frontend-6f7d9c8b5-h7rw4"]
    codes = {d["code"] for d in out["diagnostics"]}
    assert "service-created-after-pod" in codes

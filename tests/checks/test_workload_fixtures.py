"""The two real-world inputs (tests/fixtures/workloads/) through every door: a `kubectl get
all,ingress,networkpolicy,ingressclass -A -o yaml` dump (pods present: nothing generated,
nothing doubled) and a `helm template` render (Deployments and StatefulSets only: their pods
generated), as one file and as `helm template --output-dir` files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checks import check_command, matrix_command
from kubenet_site.semantics import matrix, query
from kubenet_site.semantics.manifests import build_snapshot, export_objects, load_documents

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workloads"
DUMP = FIXTURES / "kubectl-dump.yaml"
HELM = FIXTURES / "helm-wordpress.yaml"
HELM_DIR = FIXTURES / "helm-output-dir"
DUMP_NAMESPACES = ("ingress-nginx", "shop")


def namespaces(*names: str) -> list[dict]:
    return [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in names]


def ask(path: Path, prepend: tuple[str, ...], *queries: dict) -> dict:
    """The query door: its Namespaces prepended (it creates none)."""
    return query.run({"manifests": namespaces(*prepend) + load_documents(path.read_text()),
                      "queries": list(queries)})


def helm_pods() -> dict[str, str]:
    """Generated pod name by workload (`wordpress`, `mariadb`), from the query door's select."""
    out = ask(HELM, ("blog",), {"kind": "select", "service": "blog/my-release-wordpress"},
              {"kind": "select", "service": "blog/my-release-mariadb"})
    wp, db = (a["pods"] for a in out["answers"])
    return {"wordpress": wp[0], "wordpress-2": wp[1], "mariadb": db[0]}


# --- the query door ---------------------------------------------------------------------------

def test_query_door_refuses_objects_in_a_missing_namespace():
    out = query.run({"manifests": HELM.read_text(), "queries": [
        {"kind": "endpoints", "service": "blog/my-release-wordpress"}]})
    assert "error" in out["answers"][0]
    codes = {(d["code"], d["object"]) for d in out["diagnostics"]}
    assert ("namespace-not-found", "Deployment/blog/my-release-wordpress") in codes
    assert not any(d["code"] == "namespace-created" for d in out["diagnostics"])


def test_helm_render_endpoints_and_pods():
    out = ask(HELM, ("blog",),
              {"kind": "endpoints", "service": "blog/my-release-wordpress"},
              {"kind": "endpoints", "service": "blog/my-release-mariadb-headless"},
              {"kind": "select", "service": "blog/my-release-wordpress"},
              {"kind": "select", "service": "blog/my-release-mariadb"})
    wp, db, wp_pods, db_pods = out["answers"]
    # no Nodes: the cluster's own node-1..3 (10.244.0.0/24, 10.244.1.0/24, ...), round-robin
    assert wp["ports"]["http"]["ready"] == ["10.244.0.2:8080", "10.244.1.2:8080"]
    assert wp["ports"]["https"]["ready"] == ["10.244.0.2:8443", "10.244.1.2:8443"]
    assert db["ports"]["mysql"]["ready"] == ["10.244.0.3:3306"]
    assert db["hostnames"] == {"10.244.0.3": "my-release-mariadb-0"}
    assert len(wp_pods["pods"]) == 2 and all(p.startswith("blog/my-release-wordpress-") for p in wp_pods["pods"])
    assert db_pods["pods"] == ["blog/my-release-mariadb-0"]
    # the chart's Ingress names ingressClassName "nginx" but the render holds no IngressClass "nginx":
    # ingressControllers null only vouches for IngressClass objects that exist, so nothing serves it
    # (interfaces.md; kubernetes.io/docs/concepts/services-networking/ingress/#ingress-class)
    assert [d["code"] for d in out["diagnostics"]] == ["cluster-nodes-assumed", "ingress-not-served"]


def test_helm_render_dns_env_and_policy():
    pods = helm_pods()
    out = ask(HELM, ("blog",),
              {"kind": "dns", "from": pods["wordpress"], "name": "my-release-mariadb"},
              {"kind": "dns", "from": pods["wordpress"],
               "name": "my-release-mariadb-0.my-release-mariadb-headless"},
              {"kind": "env", "pod": pods["wordpress"]},
              {"kind": "connect", "from": pods["wordpress"], "to": "svc:blog/my-release-mariadb:3306", "port": 3306},
              {"kind": "connect", "from": pods["mariadb"], "to": pods["wordpress"], "port": 3306})
    a, b, env, allowed, blocked = out["answers"]
    cluster_ip = a["answers"][0]["data"]
    assert a["rcode"] == "NOERROR" and a["fqdn"] == "my-release-mariadb.blog.svc.cluster.local."
    assert b["answers"] == [{"type": "A", "name": "my-release-mariadb-0.my-release-mariadb-headless.blog.svc"
                                                  ".cluster.local.", "data": "10.244.0.3"}]
    # the controllers create pods after the chart's Services: every Service's variables
    assert env["vars"]["MY_RELEASE_MARIADB_SERVICE_HOST"] == cluster_ip
    assert env["podEnv"]["MARIADB_HOST"] == "my-release-mariadb"
    assert allowed["verdict"] == "allowed"
    assert blocked["verdict"] == "blocked"


def test_kubectl_dump_nothing_doubled():
    objects = load_documents(DUMP.read_text())
    build = build_snapshot(namespaces(*DUMP_NAMESPACES) + objects)
    assert not build.errors and build.generated == [] and build.generated_by == {}
    assert len(build.snapshot.pods) == sum(1 for o in objects if o["kind"] == "Pod") == 16
    assert [d.code for d in build.warnings] == ["cronjob-has-no-job"]


def test_kubectl_dump_endpoints_dns_and_ingress():
    out = ask(DUMP, DUMP_NAMESPACES,
              {"kind": "endpoints", "service": "shop/web"},
              {"kind": "endpoints", "service": "shop/cart"},
              {"kind": "endpoints", "service": "shop/db"},
              {"kind": "dns", "from": "shop/web-5f7c9d8b6-k2x9p", "name": "db-1.db"},
              {"kind": "ingress-route", "request": {"host": "shop.example.com", "path": "/cart/items",
                                                    "scheme": "https"}},
              {"kind": "connect", "from": "shop/web-5f7c9d8b6-k2x9p", "to": "shop/db-0", "port": 5432},
              {"kind": "connect", "from": "shop/cart-6c8d7f9b5-b8s2d", "to": "shop/db-0", "port": 5432})
    web, cart, db, dns, ing, web_db, cart_db = out["answers"]
    assert web["ports"]["http"]["ready"] == ["10.244.1.4:8080", "10.244.2.3:8080"]
    # cart's ReplicaSet is not in the dump; its two pods are, and count once
    assert cart["ports"]["http"]["ready"] == ["10.244.1.5:8080", "10.244.2.4:8080"]
    assert db["hostnames"] == {"10.244.1.6": "db-1", "10.244.2.5": "db-0"}
    assert dns["answers"] == [{"type": "A", "name": "db-1.db.shop.svc.cluster.local.", "data": "10.244.1.6"}]
    assert (ing["outcome"], ing["service"]) == ("routed", "shop/cart")
    assert (web_db["verdict"], cart_db["verdict"]) == ("blocked", "allowed")


def test_the_demo_frontend_is_not_doubled():
    demo = load_documents((FIXTURES.parents[2] / "demo" / "demo.yaml").read_text())
    build = build_snapshot(demo)
    assert build.generated == []
    assert sorted(p.name for p in build.snapshot.pods if p.name.startswith("frontend")) == [
        "frontend-6f7d9c8b5-2xkqp", "frontend-6f7d9c8b5-h7rw4"]


# --- determinism and export -------------------------------------------------------------------

@pytest.mark.parametrize("path, prepend", [pytest.param(DUMP, DUMP_NAMESPACES, id="kubectl dump"),
                                           pytest.param(HELM, ("blog",), id="helm render")])
def test_same_input_twice_same_answers(path, prepend):
    objects = namespaces(*prepend) + load_documents(path.read_text())
    first, second = build_snapshot(objects), build_snapshot(load_documents(json.dumps(objects)))
    assert export_objects(first) == export_objects(second) == objects
    assert first.generated == second.generated
    assert [(p.key, p.node_name, p.pod_ips) for p in first.snapshot.pods] == \
        [(p.key, p.node_name, p.pod_ips) for p in second.snapshot.pods]
    for kind in ("clusterip", "loadbalancer", "ingress"):
        a = matrix.canonical(matrix.service_matrix(first.snapshot, kind, protocol=None)).to_dict(page=1, page_size=500)
        b = matrix.canonical(matrix.service_matrix(second.snapshot, kind, protocol=None)).to_dict(page=1, page_size=500)
        assert a == b


# --- the PATH doors: check and matrix ---------------------------------------------------------

@pytest.mark.parametrize("path, created", [
    pytest.param(DUMP, ["Namespace/ingress-nginx", "Namespace/shop"], id="kubectl dump"),
    pytest.param(HELM, ["Namespace/blog"], id="helm render"),
    pytest.param(HELM_DIR, ["Namespace/blog"], id="helm --output-dir"),
])
def test_check_creates_missing_namespaces(path, created):
    out = io.StringIO()
    assert check_command.cmd_check(out, io.StringIO(), paths=[str(path)], format="json") == 0
    findings = json.loads(out.getvalue())["findings"]
    assert [f["object"] for f in findings if f["code"] == "namespace-created"] == created
    assert all(f["severity"] == "info" and f["source"] for f in findings if f["code"] == "namespace-created")
    assert not [f for f in findings if f["severity"] == "error"]


def test_matrix_rows_group_by_workload():
    out = io.StringIO()
    assert matrix_command.cmd_matrix(out, io.StringIO(), paths=[str(HELM_DIR)], type="pods", port="3306", format="json") == 0
    rows = {r["label"]: r for r in json.loads(out.getvalue())["rows"]}
    assert set(rows) == {"blog/my-release-mariadb", "blog/my-release-wordpress"}
    assert len(rows["blog/my-release-wordpress"]["members"]) == 2


def test_matrix_over_the_dump():
    out = io.StringIO()
    assert matrix_command.cmd_matrix(out, io.StringIO(), paths=[str(DUMP)], type="clusterip", format="json") == 0
    labels = [r["label"] for r in json.loads(out.getvalue())["rows"]]
    for workload in ("shop/web", "shop/cart", "shop/db", "kube-system/coredns", "ingress-nginx/ingress-nginx-controller"):
        assert workload in labels


def test_findings_on_generated_pods_point_at_their_workload_file(tmp_path):
    (tmp_path / "db.yaml").write_text(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n"
        "  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n"
        "    spec: {containers: [{name: db, image: postgres}]}\n")
    out = io.StringIO()
    check_command.cmd_check(out, io.StringIO(), paths=[str(tmp_path)], format="json")
    findings = json.loads(out.getvalue())["findings"]
    (f,) = [f for f in findings if f["object"] == "Pod/default/db-0"]
    assert f["code"] == "headless-hostname-without-service" and f["source"].endswith("db.yaml")


@pytest.mark.django_db
def test_cli_export_leaves_generated_pods_out_unless_asked():
    from django.core.management import call_command

    call_command("kubenet", "import", str(HELM), "--topology", "blog", stdout=io.StringIO())
    plain, full = io.StringIO(), io.StringIO()
    call_command("kubenet", "export", "--topology", "blog", stdout=plain)
    call_command("kubenet", "export", "--topology", "blog", "--include-generated", stdout=full)
    plain_pods = [d for d in load_documents(plain.getvalue()) if d.get("kind") == "Pod"]
    full_pods = sorted(d["metadata"]["name"] for d in load_documents(full.getvalue()) if d.get("kind") == "Pod")
    assert not [p for p in plain_pods if p["metadata"]["namespace"] == "blog"]
    assert "my-release-mariadb-0" in full_pods
    assert len([n for n in full_pods if n.startswith("my-release-wordpress-")]) == 2

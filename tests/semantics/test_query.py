"""query.run and load_document_text: refusals, validate, and answers that survive broken handlers."""

from __future__ import annotations

import json

import pytest

from kubenet_site.semantics import query
from kubenet_site.semantics.query import QueryRefused, load_document_text, run

SHOP = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec: {containers: [{name: a, image: nginx, ports: [{name: http, containerPort: 8080}]}]}
status: {phase: Running, podIP: 10.244.1.7, conditions: [{type: Ready, status: "True"}]}
"""

REFUSALS = [
    pytest.param(["not", "a", "mapping"], "must be a mapping", "document", id="document is a list"),
    pytest.param({"manifests": SHOP}, "no `queries` list", "queries", id="no queries"),
    pytest.param({"queries": {"kind": "select"}}, "`queries` must be a list", "queries", id="queries a mapping"),
    pytest.param({"queries": [], "manifests": "kind: [\n"}, "YAML syntax error", "manifests: document 1, line 2",
                 id="manifests not YAML"),
    pytest.param({"queries": [], "manifests": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                  "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"}, "alias", "manifests: document 1", id="alias bomb"),
    pytest.param({"queries": [], "manifests": "hello\n"}, "not a Kubernetes object", "manifests: document 1",
                 id="manifests a scalar"),
    pytest.param({"queries": [], "manifests": 42}, "YAML text or a list", "manifests", id="manifests a number"),
    pytest.param({"queries": [], "cluster": {"serviceCIDR": "10.0.0.0/40"}}, "not a valid CIDR", "cluster.serviceCIDR",
                 id="bad serviceCIDR"),
    pytest.param({"queries": [], "cluster": "big"}, "must be a mapping", "cluster", id="cluster a string"),
]


@pytest.mark.parametrize(("document", "error", "where"), REFUSALS)
def test_refusals(document, error, where):
    with pytest.raises(QueryRefused) as info:
        run(document)
    assert error in info.value.error, info.value.as_dict()
    assert info.value.where.startswith(where), info.value.as_dict()
    assert set(info.value.as_dict()) == {"error", "where"}


TEXT_REFUSALS = [
    pytest.param("", "empty", "document 1", id="empty text"),
    pytest.param("[1, 2]", "must be a mapping", "document 1", id="a JSON array"),
    pytest.param("queries: []\n---\nqueries: []\n", "several", "document 2", id="two documents"),
    pytest.param('{"queries": [', "YAML syntax error", "document 1, line", id="truncated JSON"),
    pytest.param("a: [" * 80 + "]" * 80, "nesting", "document 1", id="nesting 80 deep"),
]


@pytest.mark.parametrize(("text", "error", "where"), TEXT_REFUSALS)
def test_load_document_text_refusals(text, error, where):
    with pytest.raises(QueryRefused) as info:
        load_document_text(text)
    assert error in info.value.error and info.value.where.startswith(where), info.value.as_dict()


def test_load_document_text_json_and_yaml():
    assert load_document_text('{"queries": [{"kind": "validate"}]}') == {"queries": [{"kind": "validate"}]}
    assert load_document_text(b"queries:\n- kind: validate\n") == {"queries": [{"kind": "validate"}]}


def test_validate_reports_refused_objects_and_runs_on():
    doc = {"manifests": SHOP + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\n"
                               "spec: {type: NodePort, ports: [{port: 80, nodePort: 8102}]}\n"
                               "---\napiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: nowhere}\n"
                               "spec: {ports: [{port: 80}]}\n",
           "queries": [{"kind": "validate"}, {"kind": "select", "service": "shop/web"}]}
    out = run(doc)
    v = out["answers"][0]
    assert v["kind"] == "validate" and v["valid"] is False
    assert v["errors"] == [
        {"object": "Service/shop/web", "field": "spec.ports[0].nodePort",
         "message": "Invalid value: 8102: provided port is not in the valid range. The range of valid ports is "
                    "30000-32767"},
        {"object": "Service/nowhere/x", "field": "metadata.namespace", "message": 'namespaces "nowhere" not found'},
    ]
    errors = [d for d in out["diagnostics"] if d["severity"] == "error"]
    assert [(d["object"], d["code"]) for d in errors[:2]] == [("Service/shop/web", "nodeport-out-of-range"),
                                                              ("Service/nowhere/x", "namespace-not-found")]
    assert out["answers"][1] == {"kind": "select", "pods": ["shop/web-1"], **{
        k: v for k, v in out["answers"][1].items() if k == "trace"}}


def test_valid_document():
    out = run({"manifests": SHOP, "queries": [{"kind": "validate"}]})
    assert out["answers"] == [{"kind": "validate", "valid": True, "errors": []}]
    json.dumps(out)


def test_manifests_as_a_list_and_absent():
    out = run({"manifests": [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}],
               "queries": [{"kind": "validate"}]})
    assert out["answers"][0]["valid"] is True
    assert run({"queries": [{"kind": "validate"}]})["answers"][0]["valid"] is True


QUERY_ERRORS = [
    pytest.param({"kind": "teleport"}, "unknown query kind", id="unknown kind"),
    pytest.param({"service": "shop/web"}, "unknown query kind", id="no kind"),
    pytest.param("select", "must be a mapping", id="query not a mapping"),
]


@pytest.mark.parametrize(("q", "error"), QUERY_ERRORS)
def test_bad_queries_answered_with_error(q, error):
    out = run({"manifests": SHOP, "queries": [q, {"kind": "validate"}]})
    assert error in out["answers"][0]["error"], out["answers"][0]
    assert out["answers"][1]["valid"] is True


def test_query_error_from_a_handler():
    out = run({"manifests": SHOP, "queries": [{"kind": "select", "service": "shop/absent"}]})
    assert out["answers"][0]["kind"] == "select" and "error" in out["answers"][0]


def test_a_crashing_handler_does_not_sink_the_document(monkeypatch):
    def broken(snap, q):
        raise RuntimeError("a bug")

    monkeypatch.setitem(query.HANDLERS, "select", lambda snap: None)  # wrong arity: TypeError
    monkeypatch.setitem(query.HANDLERS, "endpoints", broken)
    out = run({"manifests": SHOP, "queries": [{"kind": "select", "service": "shop/web"},
                                              {"kind": "endpoints", "service": "shop/web"},
                                              {"kind": "validate"}]})
    assert out["answers"][0]["error"].startswith("internal error: TypeError")
    assert out["answers"][1]["error"] == "internal error: RuntimeError: a bug"
    assert out["answers"][2]["valid"] is True


def test_answers_repeat_kind_and_are_json():
    out = run({"manifests": SHOP, "queries": [{"kind": "endpoints", "service": "shop/web"}]})
    a = out["answers"][0]
    assert a["kind"] == "endpoints"
    assert a["ports"]["http"]["ready"] == ["10.244.1.7:8080"]
    json.dumps(out)


CONFLICTING_INGRESSES = """
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: first, namespace: default, creationTimestamp: "2026-01-01T00:00:00Z"}
spec:
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix,
           backend: {service: {name: one, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: second, namespace: default, creationTimestamp: "2026-02-01T00:00:00Z"}
spec:
  rules: [{host: a.example.com, http: {paths: [{path: /, pathType: Prefix,
           backend: {service: {name: two, port: {number: 80}}}}]}}]
"""


def test_every_document_reports_ingress_conflicts_in_its_diagnostics():
    out = run({"manifests": CONFLICTING_INGRESSES, "queries": []})
    conflicts = [d for d in out["diagnostics"] if d["code"] == "ingress-path-conflict"]
    assert [d["object"] for d in conflicts] == ["Ingress/default/second"]

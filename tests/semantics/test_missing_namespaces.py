"""missing_namespaces.py: what the PATH doors and import create (interfaces.md "Missing
namespaces"); the query door itself keeps the API server's refusal."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.manifests import build_snapshot
from kubenet_site.semantics.missing_namespaces import missing_namespaces, with_missing_namespaces


def obj(kind, name, ns=None, api="v1"):
    meta = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    return {"apiVersion": api, "kind": kind, "metadata": meta}


@pytest.mark.parametrize("objects, expected", [
    pytest.param([obj("ConfigMap", "a", "shop")], {"shop": ["ConfigMap/shop/a"]}, id="named, not declared"),
    pytest.param([obj("Namespace", "shop"), obj("ConfigMap", "a", "shop")], {}, id="declared"),
    pytest.param([obj("ConfigMap", "a", "shop"), obj("Namespace", "shop")], {},
                 id="declared later (the API server's order then decides)"),
    pytest.param([obj("ConfigMap", "a", "kube-system"), obj("ConfigMap", "b")], {}, id="built-in and default"),
    pytest.param([obj("ClusterRole", "r", "shop", "rbac.authorization.k8s.io/v1")], {},
                 id="a cluster-scoped kind's namespace is ignored"),
    pytest.param([obj("ConfigMap", "a", "Not_Valid")], {}, id="an invalid name is left to the API server"),
    pytest.param([obj("Service", "b", "y"), obj("ConfigMap", "a", "x"), obj("Pod", "c", "y")],
                 {"y": ["Service/y/b", "Pod/y/c"], "x": ["ConfigMap/x/a"]}, id="first-use order"),
])
def test_missing_namespaces(objects, expected):
    assert missing_namespaces(objects) == expected


def test_created_first_with_an_info_finding():
    objects = [obj("ConfigMap", "a", "shop"), obj("ConfigMap", "b", "shop")]
    created, findings = with_missing_namespaces(objects)
    assert created[0] == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    assert created[1:] == objects
    (f,) = findings
    assert (f.severity, f.object, f.code) == ("info", "Namespace/shop", "namespace-created")
    assert "ConfigMap/shop/a and 1 more" in f.message
    built = build_snapshot(created)
    assert not built.errors and "shop" in built.snapshot.namespace_by_name


def test_without_it_the_api_server_refuses():
    built = build_snapshot([obj("ConfigMap", "a", "shop")])
    assert [(e.object, e.code) for e in built.errors] == [("ConfigMap/shop/a", "namespace-not-found")]

"""List filters, ordering and paging of a topology's objects (interfaces.md, "REST API")."""

from __future__ import annotations

import pytest

from checks.operations import import_manifests

OBJECTS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web, tier: front}}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, labels: {app: api, tier: back}}
spec: {selector: {app: api}, ports: [{port: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default, labels: {app: db}}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: web}}
data: {a: "1"}
"""


@pytest.fixture
def shop(topology, alice):
    import_manifests(topology, OBJECTS, user=alice)
    return topology


def names(api, url: str) -> list[str]:
    resp = api.get(url)
    assert resp.status_code == 200, resp.content
    return [r["id"] for r in resp.json()["results"]]


@pytest.mark.parametrize("query, expected", [
    pytest.param("namespace=shop", ["Service/shop/web", "Service/shop/api"], id="namespace"),
    pytest.param("labelSelector=tier in (front,back)", ["Service/shop/web", "Service/shop/api"], id="set-based"),
    pytest.param("labelSelector=app=web", ["Service/shop/web"], id="equality"),
    pytest.param("labelSelector=app,!tier", ["Service/default/db"], id="exists and not exists"),
    pytest.param("type=NodePort", ["Service/shop/web"], id="type"),
    pytest.param("search=ap", ["Service/shop/api"], id="search"),
    pytest.param("namespace=shop&ordering=name", ["Service/shop/api", "Service/shop/web"], id="ordering"),
    pytest.param("namespace=shop&ordering=-position", ["Service/shop/api", "Service/shop/web"], id="newest first"),
])
def test_service_filters(api, shop, query, expected):
    assert names(api, f"/api/v1/topologies/{shop.pk}/services/?{query}") == expected


@pytest.mark.parametrize("query, where", [
    pytest.param("labelSelector=app in (", "labelSelector", id="bad selector"),
    pytest.param("ordering=color", "ordering", id="bad ordering"),
    pytest.param("type=Sideways", "type", id="bad type"),
])
def test_bad_filters_are_400_naming_the_parameter(api, shop, query, where):
    resp = api.get(f"/api/v1/topologies/{shop.pk}/services/?{query}")
    assert resp.status_code == 400 and resp.json()["where"] == where


def test_paging(api, shop):
    base = f"/api/v1/topologies/{shop.pk}/services/"
    first = api.get(f"{base}?limit=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    second = api.get(first["next"]).json()
    assert [r["id"] for r in second["results"]] == [r["id"] for r in api.get(f"{base}?limit=2&offset=2").json()["results"]]


def test_kept_objects_by_resource(api, shop):
    assert names(api, f"/api/v1/topologies/{shop.pk}/others/") == ["ConfigMap/shop/settings"]
    assert names(api, f"/api/v1/topologies/{shop.pk}/others/configmaps/?labelSelector=app=web") == \
        ["ConfigMap/shop/settings"]
    assert names(api, f"/api/v1/topologies/{shop.pk}/others/secrets/") == []
    got = api.get(f"/api/v1/topologies/{shop.pk}/others/configmaps/shop/settings")
    assert got.status_code == 200 and got.json()["manifest"]["data"] == {"a": "1"}


@pytest.mark.parametrize("kind, api_version, resource", [
    pytest.param("Certificate", "cert-manager.io/v1", "certificates.cert-manager.io", id="a CRD"),
    pytest.param("NetworkPolicyy", "example.com/v1", "networkpolicyies.example.com", id="y to ies"),
    pytest.param("Gloss", "example.com/v1", "glosses.example.com", id="s to ses"),
    pytest.param("Deployment", "apps/v1", "deployments.apps", id="a built-in group"),
])
def test_unknown_kinds_are_addressed_as_unsafe_guess_kind_to_resource_forms_them(api, topology, kind, api_version,
                                                                                 resource):
    # apimachinery meta.UnsafeGuessKindToResource: lower-case; "s" -> "ses", "y" -> "ies", else "s".
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x", "namespace": "default"}}
    resp = api.post(f"/api/v1/topologies/{topology.pk}/others/{resource}/", data=manifest, format="json")
    assert resp.status_code == 201, resp.content
    assert resp["Location"] == f"/api/v1/topologies/{topology.pk}/others/{resource}/default/x/"
    assert api.get(resp["Location"]).status_code == 200
    wrong = api.post(f"/api/v1/topologies/{topology.pk}/others/configmaps/", data=manifest, format="json")
    assert wrong.status_code == 400 and wrong.json()["where"] == "kind"


def test_a_modelled_kind_is_refused_under_others(api, topology):
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}
    resp = api.post(f"/api/v1/topologies/{topology.pk}/others/services/", data=manifest, format="json")
    assert resp.status_code == 400 and resp.json()["where"] == "kind"


def test_creating_twice_is_409(api, shop):
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
                "spec": {"ports": [{"port": 1}]}}
    resp = api.post(f"/api/v1/topologies/{shop.pk}/services/", data=manifest, format="json")
    assert resp.status_code == 409 and "PUT" in resp.json()["error"]


def test_the_address_decides_the_identity(api, shop):
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "other", "namespace": "shop"},
                "spec": {"ports": [{"port": 1}]}}
    resp = api.put(f"/api/v1/topologies/{shop.pk}/services/shop/web/", data=manifest, format="json")
    assert resp.status_code == 400 and resp.json()["where"] == "metadata.name"
    wrong_kind = {**manifest, "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}}
    resp = api.put(f"/api/v1/topologies/{shop.pk}/services/shop/web/", data=wrong_kind, format="json")
    assert resp.status_code == 400 and resp.json()["where"] == "kind"

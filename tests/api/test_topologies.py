"""Topologies, import, export, changes and the API's general rules (interfaces.md, "REST API")."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from services.models import Change, Membership, Service, Team, Topology
from tests.api.conftest import client_for

DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo.yaml"


def test_create_with_cluster_block_and_bootstrap(api, team):
    resp = api.post("/api/v1/topologies/", data={"name": "edge", "team": "shop", "description": "d",
                                                 "cluster": {"serviceCIDR": "10.100.0.0/16",
                                                             "clusterDNS": ["10.100.0.10"]}}, format="json")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert set(body) == {"id", "name", "team", "description", "cluster", "revision", "counts", "latestRun", "url"}
    assert resp["Location"] == f"/api/v1/topologies/{body['id']}/"
    assert resp["ETag"] == f'"{body["revision"]}"'
    assert body["cluster"]["serviceCIDR"] == "10.100.0.0/16" and body["team"] == "shop"
    assert body["counts"]["namespaces"] == 4 and body["counts"]["pods"] == 2
    kubernetes = Service.objects.get(topology_id=body["id"], name="kubernetes")
    assert kubernetes.cluster_ip == "10.100.0.1"


def test_create_without_bootstrap_and_with_the_only_team(api, team):
    resp = api.post("/api/v1/topologies", data={"name": "dump", "bootstrap": False}, format="json")
    assert resp.status_code == 201, resp.content
    assert resp.json()["team"] == "shop" and sum(resp.json()["counts"].values()) == 0


@pytest.mark.parametrize("body, where", [
    pytest.param({"name": "Bad Name"}, "name", id="name not a slug"),
    pytest.param({"name": "x", "cluster": {"serviceCIDR": "nope"}}, "cluster.serviceCIDR", id="bad CIDR"),
    pytest.param({"name": "x", "cluster": {"bogus": 1}}, "cluster.bogus", id="unknown cluster key"),
    pytest.param({"name": "x", "team": "nobody"}, "team", id="not my team"),
    pytest.param({"name": "demo"}, "name", id="name taken"),
])
def test_create_refusals_name_the_field(api, topology, body, where):
    resp = api.post("/api/v1/topologies/", data=body, format="json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["where"] == where


def test_list_filters_by_team_and_name(api, topology, alice):
    other = Team.objects.create(name="ops")
    Membership.objects.create(team=other, user=alice)
    api.post("/api/v1/topologies/", data={"name": "demo", "team": "ops", "bootstrap": False}, format="json")
    assert api.get("/api/v1/topologies/").json()["count"] == 2
    assert [t["team"] for t in api.get("/api/v1/topologies/?team=ops").json()["results"]] == ["ops"]
    assert api.get("/api/v1/topologies/?name=demo&team=shop").json()["count"] == 1
    assert api.get("/api/v1/topologies/?name=none").json()["count"] == 0


def test_patch_renames_and_merges_the_cluster_block(api, topology):
    url = f"/api/v1/topologies/{topology.pk}/"
    etag = api.get(url)["ETag"]
    resp = api.patch(url, data=json.dumps({"name": "demo2", "cluster": {"domain": "example.internal"}}),
                     content_type="application/merge-patch+json", HTTP_IF_MATCH=etag)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["name"] == "demo2" and body["cluster"]["domain"] == "example.internal"
    assert body["cluster"]["serviceCIDR"] == "10.96.0.0/12"  # untouched keys stay
    assert resp["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    change = Change.objects.filter(topology=topology).latest("revision")
    assert change.object == "Topology/demo2" and "cluster.domain" in change.fields and "name" in change.fields
    stale = api.patch(url, data=json.dumps({"description": "x"}), content_type="application/json",
                      HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["changes"][0]["object"] == "Topology/demo2"


def test_patch_refuses_what_cannot_change(api, topology):
    resp = api.patch(f"/api/v1/topologies/{topology.pk}/", data=json.dumps({"team": "x"}),
                     content_type="application/json")
    assert resp.status_code == 400 and resp.json()["where"] == "team"


def test_settings_and_delete_need_admin(topology, team):
    editor = User.objects.create_user("ed")
    Membership.objects.create(team=team, user=editor, role="member")
    client = client_for(editor)
    assert client.patch(f"/api/v1/topologies/{topology.pk}/", data=json.dumps({"description": "x"}),
                        content_type="application/json").status_code == 403
    assert client.delete(f"/api/v1/topologies/{topology.pk}/").status_code == 403


def test_delete(api, topology):
    assert api.delete(f"/api/v1/topologies/{topology.pk}").status_code == 204
    assert not Topology.objects.filter(pk=topology.pk).exists()
    assert api.get(f"/api/v1/topologies/{topology.pk}/").status_code == 404


def test_another_teams_topology_is_404_everywhere(api, other_team_topology):
    base = f"/api/v1/topologies/{other_team_topology.pk}"
    for url in ("/", "/export/", "/changes/", "/runs/", "/matrices/clusterip/", "/others/"):
        resp = api.get(base + url)
        assert resp.status_code == 404, url
        assert set(resp.json()) == {"error", "where"}
    assert api.post(base + "/import/", data="{}", content_type="application/json").status_code == 404


def test_superuser_sees_every_team(other_team_topology, db):
    root = User.objects.create_superuser("root", password="pw-root-123")
    assert client_for(root).get(f"/api/v1/topologies/{other_team_topology.pk}/").status_code == 200


def test_import_then_export_round_trip(api, topology):
    resp = api.post(f"/api/v1/topologies/{topology.pk}/import/", data=DEMO.read_text(),
                    content_type="application/yaml")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) >= {"created", "updated", "unchanged", "keptVerbatim", "generated", "warnings", "revision"}
    assert all(isinstance(w, str) for w in body["warnings"])
    assert {d["object"] for d in body["warningDetails"]} == set(body["warnings"])
    assert "Service/shop/web" in body["created"] or body["created"]
    topology.refresh_from_db()
    assert body["revision"] == topology.revision and resp["ETag"] == f'"{topology.revision}"'
    again = api.post(f"/api/v1/topologies/{topology.pk}/import", data=DEMO.read_text(),
                     content_type="application/yaml").json()
    assert again["created"] == [] and again["updated"] == []
    assert set(again["unchanged"]) == set(body["created"] + body["updated"] + body["unchanged"])
    assert again["revision"] == body["revision"]  # nothing changed, no new revision
    text = api.get(f"/api/v1/topologies/{topology.pk}/export/").content.decode()
    names = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(text)}
    demo = {(d["kind"], d["metadata"]["name"]) for d in yaml.safe_load_all(DEMO.read_text()) if d}
    assert demo <= names
    listed = api.get(f"/api/v1/topologies/{topology.pk}/export/", HTTP_ACCEPT="application/json").json()
    assert listed["kind"] == "List" and {(d["kind"], d["metadata"]["name"]) for d in listed["items"]} == names


def test_import_refusal_is_atomic_and_lists_every_error(api, topology):
    before = topology.revision
    bad = ("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 0}]}\n---\n"
           "apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec: {ports: [{port: 99999}]}\n---\n"
           "apiVersion: v1\nkind: Namespace\nmetadata: {name: fine}\n")
    resp = api.post(f"/api/v1/topologies/{topology.pk}/import/", data=bad, content_type="application/yaml")
    assert resp.status_code == 400
    body = resp.json()
    assert {e["object"] for e in body["errors"]} == {"Service/default/a", "Service/default/b"}
    assert body["where"] == "spec.ports[0].port"
    topology.refresh_from_db()
    assert topology.revision == before and not Service.objects.filter(topology=topology, name="a").exists()


def test_import_of_a_whole_cluster_replaces_what_only_the_bootstrap_made(api, topology):
    dump = ("apiVersion: v1\nkind: Service\nmetadata: {name: kube-dns, namespace: kube-system}\n"
            "spec: {clusterIP: 10.96.0.10, selector: {k8s-app: kube-dns}, ports: [{name: dns, port: 53, "
            "protocol: UDP}]}\n")
    body = api.post(f"/api/v1/topologies/{topology.pk}/import/", data=dump, content_type="application/yaml").json()
    assert body["updated"] == ["Service/kube-system/kube-dns"], body
    assert not Service.objects.filter(topology=topology, name="kubernetes").exists()


def test_unreadable_import_is_400_with_where(api, topology):
    resp = api.post(f"/api/v1/topologies/{topology.pk}/import/", data="a: [b", content_type="application/yaml")
    assert resp.status_code == 400 and resp.json()["where"]


def test_changes_record_every_door(api, topology, alice, tmp_path):
    # API
    api.post(f"/api/v1/topologies/{topology.pk}/namespaces/", data={"apiVersion": "v1", "kind": "Namespace",
                                                                    "metadata": {"name": "a"}}, format="json")
    # CLI import
    path = tmp_path / "b.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
    call_command("kubenet", "import", str(path), "--topology", "demo", "--team", "shop", stdout=io.StringIO())
    # admin
    alice.is_staff = alice.is_superuser = True
    alice.save()
    browser = Client()
    browser.force_login(alice)
    from services.models import Namespace

    ns = Namespace.objects.get(topology=topology, name="b")
    resp = browser.post(f"/admin/services/namespace/{ns.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    body = api.get(f"/api/v1/topologies/{topology.pk}/changes/?since=3").json()
    got = [(c["object"], c["user"], c["before"] is None, c["after"] is None) for c in body["results"]]
    assert got == [("Namespace/a", "alice", True, False), ("Namespace/b", None, True, False),
                   ("Namespace/b", "alice", False, True)]
    revisions = [c["revision"] for c in body["results"]]
    assert revisions == sorted(set(revisions))  # one revision per write
    topology.refresh_from_db()
    assert topology.revision == revisions[-1]
    assert api.get(f"/api/v1/topologies/{topology.pk}/changes/?object=Namespace/b").json()["count"] == 2


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_redirect_without_the_trailing_slash(api, topology, method):
    if method == "post":
        resp = api.post(f"/api/v1/topologies/{topology.pk}/runs", data=json.dumps({"checks": ["bogus"]}),
                        content_type="application/json")
        assert resp.status_code == 400 and resp.json()["where"] == "checks"
    else:
        assert api.get(f"/api/v1/topologies/{topology.pk}").status_code == 200


def test_query_door_is_401_for_anonymous(db):
    resp = APIClient().post("/api/v1/query/", data="{}", content_type="application/json")
    assert resp.status_code == 401 and resp["WWW-Authenticate"]


def test_a_body_over_the_limit_is_413(api, topology, settings):
    settings.KUBENET_MAX_INPUT_BYTES = 100
    for url in (f"/api/v1/topologies/{topology.pk}/import/", "/api/v1/query"):
        resp = api.post(url, data="#" * 200, content_type="application/yaml")
        assert resp.status_code == 413, url
        assert resp.json()["where"] == "body"


def test_throttled_requests_answer_429_with_retry_after(api, topology, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    cache.clear()
    try:
        codes = [api.get("/api/v1/topologies/").status_code for _ in range(2)]
        resp = api.get("/api/v1/topologies/")
        assert codes == [200, 200] and resp.status_code == 429
        assert int(resp["Retry-After"]) > 0 and set(resp.json()) == {"error", "where"}
    finally:
        cache.clear()


def test_unknown_api_address_is_json_404(api):
    resp = api.get("/api/v1/nothing/here/")
    assert resp.status_code == 404 and set(resp.json()) == {"error", "where"}


def test_schema_and_docs_need_no_login(db):
    schema = Client().get("/api/v1/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    docs = Client().get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content and b"cdn" not in docs.content.lower()


def test_an_object_in_a_namespace_that_does_not_exist_is_refused_at_metadata_namespace(api, topology):
    """interfaces.md "Missing namespaces": one object through the API in an absent namespace: 400."""
    manifest = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "nowhere"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}}
    resp = api.post(f"/api/v1/topologies/{topology.pk}/services/", data=manifest, format="json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["where"] == "metadata.namespace"
    assert not Service.objects.filter(topology=topology, name="web").exists()

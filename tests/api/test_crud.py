"""CRUD tests generated per kind from tests/api/samples.py: list, get, create, replace, patch,
delete, invalid, another team's topology, anonymous, a viewer's write, stale If-Match."""

from __future__ import annotations

import json

import pytest
import yaml
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from services.models import Change, Membership
from tests.api.conftest import client_for
from tests.api.samples import SAMPLES, Sample

pytestmark = pytest.mark.parametrize("sample", [pytest.param(s, id=s.resource) for s in SAMPLES])


def base(topology) -> str:
    return f"/api/v1/topologies/{topology.pk}"


def create(api, topology, sample: Sample):
    resp = api.post(f"{base(topology)}/{sample.resource}/", data=json.dumps(sample.create),
                    content_type="application/json")
    assert resp.status_code == 201, resp.content
    return resp


def dig(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def test_create_answers_201_with_location_and_etag(api, topology, sample):
    resp = create(api, topology, sample)
    body = resp.json()
    assert set(body) == {"id", "revision", "generated", "manifest"}
    assert body["manifest"]["metadata"]["name"] == sample.create["metadata"]["name"]
    assert body["generated"] is False
    assert resp["Location"] == f"{base(topology)}/{sample.resource}/{sample.path}/"
    assert resp["ETag"] == f'"{body["revision"]}"'
    topology.refresh_from_db()
    assert body["revision"] == topology.revision
    change = Change.objects.get(topology=topology, revision=topology.revision)
    assert change.object == body["id"] and change.before is None and change.user.username == "alice"


def test_create_takes_yaml_too(api, topology, sample):
    resp = api.post(f"{base(topology)}/{sample.resource}/", data=yaml.safe_dump(sample.create),
                    content_type="application/yaml")
    assert resp.status_code == 201, resp.content


def test_list_pages_and_holds_the_object(api, topology, sample):
    create(api, topology, sample)
    resp = api.get(f"{base(topology)}/{sample.resource}/?limit=500")
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) == {"count", "next", "previous", "results"}
    names = [r["manifest"]["metadata"]["name"] for r in body["results"]]
    assert sample.create["metadata"]["name"] in names
    assert body["count"] == len(body["results"])
    one = api.get(f"{base(topology)}/{sample.resource}?limit=1").json()
    assert len(one["results"]) == 1 and (one["next"] is not None) == (body["count"] > 1)


def test_get_with_and_without_the_trailing_slash(api, topology, sample):
    created = create(api, topology, sample).json()
    for suffix in ("/", ""):
        resp = api.get(f"{base(topology)}/{sample.resource}/{sample.path}{suffix}")
        assert resp.status_code == 200, resp.content
        assert resp.json() == created
        assert resp["ETag"] == f'"{created["revision"]}"'


def test_replace(api, topology, sample):
    created = create(api, topology, sample)
    resp = api.put(f"{base(topology)}/{sample.resource}/{sample.path}/", data=json.dumps(sample.replace),
                   content_type="application/json", HTTP_IF_MATCH=created["ETag"])
    assert resp.status_code == 200, resp.content
    assert resp.json()["manifest"] == sample.replace
    assert resp.json()["revision"] == created.json()["revision"] + 1
    change = Change.objects.filter(topology=topology).latest("revision")
    assert change.before == sample.create and change.after == sample.replace and change.fields


def test_merge_patch(api, topology, sample):
    create(api, topology, sample)
    resp = api.patch(f"{base(topology)}/{sample.resource}/{sample.path}/", data=json.dumps(sample.patch),
                     content_type="application/merge-patch+json")
    assert resp.status_code == 200, resp.content
    path, value = sample.patched
    assert dig(resp.json()["manifest"], path) == value


def test_delete(api, topology, sample):
    create(api, topology, sample)
    url = f"{base(topology)}/{sample.resource}/{sample.path}/"
    assert api.delete(url).status_code == 204
    resp = api.get(url)
    assert resp.status_code == 404 and set(resp.json()) == {"error", "where"}
    assert Change.objects.filter(topology=topology).latest("revision").after is None


def test_invalid_is_refused_with_the_field(api, topology, sample):
    before = topology.revision
    resp = api.post(f"{base(topology)}/{sample.resource}/", data=json.dumps(sample.invalid),
                    content_type="application/json")
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert body["where"] == sample.invalid_field, body
    assert body["error"]
    topology.refresh_from_db()
    assert topology.revision == before


def test_another_teams_topology_is_404(api, other_team_topology, sample):
    url = f"{base(other_team_topology)}/{sample.resource}/"
    assert api.get(url).status_code == 404
    resp = api.post(url, data=json.dumps(sample.create), content_type="application/json")
    assert resp.status_code == 404 and set(resp.json()) == {"error", "where"}


def test_anonymous_is_401_with_www_authenticate(topology, sample):
    resp = APIClient().get(f"{base(topology)}/{sample.resource}/")
    assert resp.status_code == 401
    assert resp["WWW-Authenticate"]
    assert set(resp.json()) == {"error", "where"}


def test_a_viewer_reads_but_cannot_write(topology, team, sample):
    viewer = User.objects.create_user("vic")
    Membership.objects.create(team=team, user=viewer, role="viewer")
    client = client_for(viewer)
    assert client.get(f"{base(topology)}/{sample.resource}/").status_code == 200
    resp = client.post(f"{base(topology)}/{sample.resource}/", data=json.dumps(sample.create),
                       content_type="application/json")
    assert resp.status_code == 403 and "editor" in resp.json()["error"]


def test_stale_if_match_is_412_listing_the_change(api, topology, sample):
    created = create(api, topology, sample)
    stale = created["ETag"]
    url = f"{base(topology)}/{sample.resource}/{sample.path}/"
    assert api.patch(url, data=json.dumps(sample.patch), content_type="application/merge-patch+json",
                     HTTP_IF_MATCH=stale).status_code == 200
    resp = api.put(url, data=json.dumps(sample.replace), content_type="application/json", HTTP_IF_MATCH=stale)
    assert resp.status_code == 412, resp.content
    body = resp.json()
    assert body["where"] == "If-Match"
    [change] = body["changes"]
    assert change["object"] == created.json()["id"] and change["user"] == "alice"
    assert change["revision"] == int(stale.strip('"')) + 1
    assert set(change) == {"object", "revision", "user", "time", "fields", "before", "after"}
    star = api.put(url, data=json.dumps(sample.replace), content_type="application/json", HTTP_IF_MATCH="*")
    assert star.status_code == 200

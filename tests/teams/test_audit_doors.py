# ruff: noqa: F811  (the fixtures imported from audit_helpers are parameters by design)
"""Every write door records who changed which object, with each field's value before and
after: the row forms, the YAML editors, delete, import (page, API and command line), the
replicas form, settings and rename, clone, the admin, and the REST API's object and topology writes."""

from __future__ import annotations

import io
import json

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from services.audit import field_changes
from services.models import Change, Namespace, Topology
from tests.pages.test_object_pages import form_data

from .audit_helpers import DEPLOYMENT, alice, as_alice, at, bob, shop  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
CONF = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "shop"}}


def recorded(topology: Topology, label: str) -> tuple[str | None, str, list[tuple[str, str, str]]]:
    """The latest change of `label`: (user, action, [(field, before, after)])."""
    change = Change.objects.filter(topology=topology, object=label).select_related("user").latest("revision", "pk")
    action = "created" if change.before is None else "deleted" if change.after is None else "changed"
    assert change.fields == [f.field for f in field_changes(change.before, change.after)]
    return (change.user.username if change.user else None, action,
            [(f.field, f.before, f.after) for f in field_changes(change.before, change.after)])


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_row_form_edit_and_create(as_alice, shop):
    url = at(shop, "services/shop/web/edit/")
    data = {**form_data(as_alice.get(url).context["form"]), "labels": "app=web\ntier=front"}
    assert as_alice.post(url, data).status_code == 302
    assert recorded(shop, "Service/shop/web") == ("alice", "changed", [("metadata.labels.tier", "(absent)", "front")])
    assert as_alice.post(at(shop, "namespaces/_add/"), {"name": "extra"}).status_code == 302
    user, action, fields = recorded(shop, "Namespace/extra")
    assert (user, action) == ("alice", "created") and ("metadata", "(absent)", '{"name": "extra"}') in fields


def test_yaml_editors_and_delete(as_alice, shop):
    url = at(shop, "services/shop/web/yaml/")
    doc = yaml.safe_load(as_alice.get(url).context["text"])
    doc["spec"]["ports"][0]["port"] = 81
    assert as_alice.post(url, {"yaml": yaml.safe_dump(doc)}).status_code == 302
    user, action, [(field, before, after)] = recorded(shop, "Service/shop/web")
    assert (user, action, field) == ("alice", "changed", "spec.ports") and '"port": 80' in before and '"port": 81' in after
    kept = at(shop, "others/configmaps/shop/conf/yaml/")
    assert as_alice.post(kept, {"yaml": yaml.safe_dump({**CONF, "data": {"mode": "red"}})}).status_code == 302
    assert recorded(shop, "ConfigMap/shop/conf") == ("alice", "changed", [("data.mode", "blue", "red")])
    assert as_alice.post(at(shop, "others/configmaps/shop/conf/delete/")).status_code == 302
    assert recorded(shop, "ConfigMap/shop/conf")[:2] == ("alice", "deleted")
    assert as_alice.post(at(shop, "services/shop/web/delete/")).status_code == 302
    assert recorded(shop, "Service/shop/web")[:2] == ("alice", "deleted")


def test_import_page_replicas_settings_and_clone(as_alice, shop, alice):
    text = yaml.safe_dump({**CONF, "data": {"mode": "green"}})
    assert as_alice.post(at(shop, "import/"), {"text": text, "action": "apply"}).status_code == 302
    assert recorded(shop, "ConfigMap/shop/conf") == ("alice", "changed", [("data.mode", "blue", "green")])
    assert as_alice.post(at(shop, DEPLOYMENT), {"replicas": "3"}).status_code == 302
    assert recorded(shop, "Deployment/shop/web") == ("alice", "changed", [("spec.replicas", "2", "3")])
    settings = {"name": "shop2", "description": "renamed", "domain": shop.domain, "service_cidr": shop.service_cidr,
                "pod_cidr": shop.pod_cidr, "node_port_range": shop.node_port_range,
                "cluster_dns": ",".join(shop.cluster_dns), "nameservers": "10.0.0.2"}
    assert as_alice.post(at(shop, "settings/"), settings).status_code == 302
    assert recorded(shop, "Topology/shop2") == ("alice", "changed", [("description", "", "renamed"),
                                                                    ("name", "shop", "shop2")])
    shop.refresh_from_db()
    assert as_alice.post(at(shop, "clone/"), {"team": shop.team_id, "name": "copy"}).status_code == 302
    copy = Topology.objects.get(name="copy")
    assert recorded(copy, "Topology/copy")[:2] == ("alice", "created")
    assert recorded(copy, "ConfigMap/shop/conf")[:2] == ("alice", "created")


def test_rest_api_object_and_topology_writes(shop, alice):
    client = api(alice)
    base = f"/api/v1/topologies/{shop.pk}"
    one = f"{base}/others/configmaps/shop/conf/"
    assert client.patch(one, data=json.dumps({"data": {"mode": "teal"}}),
                        content_type="application/merge-patch+json").status_code == 200
    assert recorded(shop, "ConfigMap/shop/conf") == ("alice", "changed", [("data.mode", "blue", "teal")])
    assert client.put(one, data=json.dumps({**CONF, "data": {"mode": "teal", "x": "1"}}),
                      content_type="application/json").status_code == 200
    assert recorded(shop, "ConfigMap/shop/conf") == ("alice", "changed", [("data.x", "(absent)", "1")])
    assert client.delete(one).status_code == 204
    assert recorded(shop, "ConfigMap/shop/conf")[:2] == ("alice", "deleted")
    assert client.post(f"{base}/namespaces/", data=json.dumps({"apiVersion": "v1", "kind": "Namespace",
                                                               "metadata": {"name": "api-made"}}),
                       content_type="application/json").status_code == 201
    assert recorded(shop, "Namespace/api-made")[:2] == ("alice", "created")
    assert client.post(f"{base}/import/", data=yaml.safe_dump({**CONF, "data": {"mode": "x"}}),
                       content_type="application/yaml").status_code == 200
    assert recorded(shop, "ConfigMap/shop/conf")[:2] == ("alice", "created")
    assert client.patch(f"{base}/", data=json.dumps({"description": "via api"}),
                        content_type="application/json").status_code == 200
    assert recorded(shop, "Topology/shop") == ("alice", "changed", [("description", "", "via api")])
    listed = client.get(f"{base}/changes/").json()
    assert listed["count"] == Change.objects.filter(topology=shop).count()
    by_kind = client.get(f"{base}/changes/", {"kind": "Namespace", "user": "alice"}).json()["results"]
    assert [c["object"] for c in by_kind] == ["Namespace/api-made"]


def test_command_line_import_records_with_no_user(shop, tmp_path):
    path = tmp_path / "conf.yaml"
    path.write_text(yaml.safe_dump({**CONF, "data": {"mode": "cli"}}))
    call_command("kubenet", "import", str(path), "--topology", "shop", "--team", "shopteam", stdout=io.StringIO())
    assert recorded(shop, "ConfigMap/shop/conf") == (None, "changed", [("data.mode", "blue", "cli")])


def test_admin_edit_records_the_stored_before(client, shop):
    client.force_login(User.objects.create_superuser("root", password="pw-root-123"))
    ns = Namespace.objects.get(topology=shop, name="shop")
    url = f"/admin/services/namespace/{ns.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in ((f.html_name, f.value()) for f in form) if v is not None}
    data["labels"] = json.dumps({"team": "blue"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user, action, fields = recorded(shop, "Namespace/shop")
    assert (user, action) == ("root", "changed") and ("metadata.labels", "(absent)", '{"team": "blue"}') in fields

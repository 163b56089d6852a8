# ruff: noqa: F811  (the fixtures imported from audit_helpers are parameters by design)
"""No lost updates through the pages: every edit form carries the revision it was loaded at;
a save after someone else changed the object keeps theirs, shows what changed with both
versions, and a deliberate resubmit (carrying the new revision) wins."""

from __future__ import annotations

import copy

import pytest
import yaml

from checks.operations import update_topology
from services.models import Change, OtherObject, Service, Topology
from services.operations import save_object
from tests.pages.test_object_pages import form_data

from .audit_helpers import DEPLOYMENT, alice, as_alice, at, bob, shop  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def bob_relabels(topology, bob, **labels) -> None:
    row = Service.objects.get(topology=topology, name="web")
    manifest = copy.deepcopy(row.manifest)
    manifest["metadata"]["labels"] = labels
    save_object(topology, Service, manifest, row, user=bob)


def bob_scales(topology, bob, replicas: int) -> None:
    row = OtherObject.objects.get(topology=topology, kind_name="Deployment", name="web")
    manifest = copy.deepcopy(row.manifest)
    manifest["spec"]["replicas"] = replicas
    save_object(topology, OtherObject, manifest, row, user=bob)


def assert_conflict(response, *, by: str, theirs: str, mine: str) -> int:
    """The form is shown again: bob's change listed, his version and alice's both on the page."""
    assert response.status_code == 200
    conflict = response.context["conflict"]
    assert [c.user for c in conflict["changes"]] == [by]
    assert theirs in conflict["current"]
    html = response.content.decode()
    assert 'id="conflict"' in html and mine in html and theirs in html
    assert f'name="revision" value="{conflict["revision"]}"' in html  # a resubmit is deliberate
    return conflict["revision"]


def test_row_form_conflict_keeps_both_and_a_resubmit_wins(as_alice, shop, bob):
    url = at(shop, "services/shop/web/edit/")
    loaded = as_alice.get(url)
    data = {**form_data(loaded.context["form"]), "revision": loaded.context["revision"],
            "labels": "app=web\nowner=alice"}
    bob_relabels(shop, bob, app="web", tier="bob")
    response = as_alice.post(url, data)
    new = assert_conflict(response, by="bob", theirs="tier: bob", mine="owner=alice")
    assert Service.objects.get(topology=shop, name="web").labels == {"app": "web", "tier": "bob"}  # kept
    change = response.context["conflict"]["changes"][0]
    assert [(f.field, f.before, f.after) for f in change.fields] == [("metadata.labels.tier", "(absent)", "bob")]
    assert as_alice.post(url, {**data, "revision": new}).status_code == 302
    assert Service.objects.get(topology=shop, name="web").labels == {"app": "web", "owner": "alice"}
    last = Change.objects.filter(topology=shop).latest("revision")
    assert (last.user.username, last.before["metadata"]["labels"]) == ("alice", {"app": "web", "tier": "bob"})


def test_row_form_saves_when_only_other_objects_changed(as_alice, shop, bob):
    url = at(shop, "services/shop/web/edit/")
    loaded = as_alice.get(url)
    bob_scales(shop, bob, 4)  # another object: not a conflict of this one
    data = {**form_data(loaded.context["form"]), "revision": loaded.context["revision"], "labels": "app=web\nx=1"}
    assert as_alice.post(url, data).status_code == 302


def test_a_form_shown_again_for_an_error_keeps_the_revision_it_was_loaded_at(as_alice, shop, bob):
    url = at(shop, "services/shop/web/edit/")
    loaded = as_alice.get(url)
    old = loaded.context["revision"]
    bob_relabels(shop, bob, app="web", tier="bob")
    bad = {**form_data(loaded.context["form"]), "revision": old, "ports-0-port": "not-a-number"}
    response = as_alice.post(url, bad)
    assert response.status_code == 200 and 'id="conflict"' not in response.content.decode()
    assert str(response.context["revision"]) == str(old)  # not silently moved to bob's revision
    fixed = {**bad, "ports-0-port": "80", "labels": "app=web\nowner=alice"}
    assert_conflict(as_alice.post(url, fixed), by="bob", theirs="tier: bob", mine="owner=alice")


def test_yaml_editor_conflict(as_alice, shop, bob):
    url = at(shop, "services/shop/web/yaml/")
    loaded = as_alice.get(url)
    doc = yaml.safe_load(loaded.context["text"])
    doc["metadata"]["labels"]["owner"] = "alice"
    data = {"yaml": yaml.safe_dump(doc), "revision": loaded.context["revision"]}
    bob_relabels(shop, bob, app="web", tier="bob")
    response = as_alice.post(url, data)
    new = assert_conflict(response, by="bob", theirs="tier: bob", mine="owner: alice")
    assert response.context["text"] == data["yaml"]  # the user's version, as submitted
    assert "tier" in Service.objects.get(topology=shop, name="web").labels
    assert as_alice.post(url, {**data, "revision": new}).status_code == 302
    assert Service.objects.get(topology=shop, name="web").labels == {"app": "web", "owner": "alice"}


def test_kept_object_yaml_conflict(as_alice, shop, bob):
    url = at(shop, "others/configmaps/shop/conf/yaml/")
    loaded = as_alice.get(url)
    row = OtherObject.objects.get(topology=shop, name="conf")
    save_object(shop, OtherObject, {**row.manifest, "data": {"mode": "green"}}, row, user=bob)
    data = {"yaml": loaded.context["text"].replace("blue", "red"), "revision": loaded.context["revision"]}
    new = assert_conflict(as_alice.post(url, data), by="bob", theirs="mode: green", mine="mode: red")
    assert OtherObject.objects.get(pk=row.pk).manifest["data"] == {"mode": "green"}
    assert as_alice.post(url, {**data, "revision": new}).status_code == 302
    assert OtherObject.objects.get(pk=row.pk).manifest["data"] == {"mode": "red"}


def test_replicas_conflict(as_alice, shop, bob):
    url = at(shop, DEPLOYMENT)
    loaded = as_alice.get(url)
    bob_scales(shop, bob, 5)
    response = as_alice.post(url, {"replicas": "3", "revision": loaded.context["revision"]})
    new = assert_conflict(response, by="bob", theirs="replicas: 5", mine='value="3"')
    deployment = OtherObject.objects.get(topology=shop, kind_name="Deployment")
    assert deployment.manifest["spec"]["replicas"] == 5
    assert as_alice.post(url, {"replicas": "3", "revision": new}).status_code == 302
    deployment.refresh_from_db()
    assert deployment.manifest["spec"]["replicas"] == 3
    assert Change.objects.filter(topology=shop).latest("revision").user.username == "alice"  # recorded as hers


def settings_data(topology: Topology, **extra) -> dict:
    data = {"name": topology.name, "description": "", "domain": topology.domain, "service_cidr": topology.service_cidr,
            "pod_cidr": topology.pod_cidr, "node_port_range": topology.node_port_range,
            "cluster_dns": ",".join(topology.cluster_dns)}
    return {**data, **extra}


def test_settings_conflict(as_alice, shop, bob):
    url = at(shop, "settings/")
    loaded = as_alice.get(url)
    data = settings_data(shop, description="alice words", revision=loaded.context["revision"])
    update_topology(Topology.objects.get(pk=shop.pk), user=bob, description="bob words")
    new = assert_conflict(as_alice.post(url, data), by="bob", theirs="bob words", mine="alice words")
    assert Topology.objects.get(pk=shop.pk).description == "bob words"
    assert as_alice.post(url, {**data, "revision": new}).status_code == 302
    assert Topology.objects.get(pk=shop.pk).description == "alice words"


def test_object_changes_elsewhere_do_not_stop_a_settings_save(as_alice, shop, bob):
    url = at(shop, "settings/")
    loaded = as_alice.get(url)
    bob_scales(shop, bob, 4)
    data = settings_data(shop, description="fine", revision=loaded.context["revision"])
    assert as_alice.post(url, data).status_code == 302


@pytest.mark.parametrize("rest", ["services/shop/web/delete/", "others/configmaps/shop/conf/delete/"])
def test_delete_after_a_change_asks_again(as_alice, shop, bob, rest):
    url = at(shop, rest)
    loaded = as_alice.get(url)
    if "services" in rest:
        bob_relabels(shop, bob, app="web", tier="bob")
        theirs, model, name = "tier: bob", Service, "web"
    else:
        row = OtherObject.objects.get(topology=shop, name="conf")
        save_object(shop, OtherObject, {**row.manifest, "data": {"mode": "green"}}, row, user=bob)
        theirs, model, name = "mode: green", OtherObject, "conf"
    response = as_alice.post(url, {"revision": loaded.context["revision"]})
    new = assert_conflict(response, by="bob", theirs=theirs, mine="Delete again")
    assert model.objects.filter(topology=shop, name=name).exists()  # not deleted from under bob
    assert as_alice.post(url, {"revision": new}).status_code == 302
    assert not model.objects.filter(topology=shop, name=name).exists()


def test_import_apply_after_the_topology_changed_previews_again(as_alice, shop, bob):
    url = at(shop, "import/")
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "shop"},
                           "data": {"mode": "imported"}})
    previewed = as_alice.post(url, {"text": text, "action": "preview"})
    assert 'name="revision"' in previewed.content.decode()
    bob_scales(shop, bob, 7)
    response = as_alice.post(url, {"text": text, "action": "apply", "revision": previewed.context["revision"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was imported" in html and "spec.replicas" in html and response.context["preview"]
    assert [c.user for c in response.context["conflict"]["changes"]] == ["bob"]
    assert OtherObject.objects.get(topology=shop, name="conf").manifest["data"] == {"mode": "blue"}
    again = as_alice.post(url, {"text": text, "action": "apply", "revision": response.context["revision"]})
    assert again.status_code == 302
    assert OtherObject.objects.get(topology=shop, name="conf").manifest["data"] == {"mode": "imported"}

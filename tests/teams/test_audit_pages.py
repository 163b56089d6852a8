# ruff: noqa: F811  (the fixtures imported from audit_helpers are parameters by design)
"""The audit log pages: a topology's changes and one object's, with who, when, which fields
and their values before and after; filters by user, kind, object and action; pagination;
another team's topology answers 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from checks.operations import create_topology
from services.audit import field_changes
from services.models import Change, Membership, Namespace, OtherObject, Service, Team
from services.operations import delete_object, save_object

from .audit_helpers import alice, as_alice, at, bob, shop  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def relabel(topology, user, **labels):
    row = Service.objects.get(topology=topology, name="web")
    manifest = {**row.manifest, "metadata": {**row.manifest["metadata"], "labels": labels}}
    return save_object(topology, Service, manifest, row, user=user)


def shown_revisions(response) -> list[int]:
    return [int(c.revision) for c, _ in response.context["rows"]]


@pytest.mark.parametrize(("before", "after", "expected"), [
    ({"a": 1}, {"a": 2}, [("a", "1", "2")]),
    ({"a": {"b": "x"}}, {"a": {"b": "y", "c": True}}, [("a.b", "x", "y"), ("a.c", "(absent)", "true")]),
    ({"l": [1, 2]}, {"l": [1]}, [("l", "[1, 2]", "[1]")]),  # lists compare whole, as changed_fields
    (None, {"kind": "Namespace"}, [("kind", "(absent)", "Namespace")]),  # created
    ({"kind": "Namespace"}, None, [("kind", "Namespace", "(absent)")]),  # deleted
    ({"m": {"app.kubernetes.io/name": "a"}}, {"m": {"app.kubernetes.io/name": "b"}},
     [("m.app.kubernetes.io/name", "a", "b")]),  # a dotted key stays one key
    ({"a": None}, {"a": 0}, [("a", "null", "0")]),
    ({"a": 1}, {"a": 1}, []),
])
def test_field_changes_table(before, after, expected):
    assert [(f.field, f.before, f.after) for f in field_changes(before, after)] == expected


def test_topology_page_lists_who_what_and_values(as_alice, shop, alice):
    relabel(shop, alice, app="web", tier="front")
    response = as_alice.get(at(shop, "changes/"))
    assert response.status_code == 200
    html = response.content.decode()
    newest, url = response.context["rows"][0]
    assert (newest.object, newest.user, newest.action) == ("Service/shop/web", "alice", "changed")
    assert [(f.field, f.before, f.after) for f in newest.fields] == [("metadata.labels.tier", "(absent)", "front")]
    assert url == at(shop, "services/shop/web/")
    assert "metadata.labels.tier" in html and "front" in html and "alice" in html
    assert shown_revisions(response) == sorted(shown_revisions(response), reverse=True)  # newest first
    assert f'href="{at(shop, "changes/")}"' in as_alice.get(at(shop)).content.decode()  # in the topology nav


def test_filters_by_user_kind_object_and_action(as_alice, shop, alice, bob):
    relabel(shop, alice, app="web", by="alice")
    relabel(shop, bob, app="web", by="bob")
    save_object(shop, Namespace, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "extra"}}, user=bob)
    delete_object(Namespace.objects.get(topology=shop, name="extra"), user=bob)

    def rows(**query):
        response = as_alice.get(at(shop, "changes/"), query)
        assert response.status_code == 200
        return [(c.object, c.user, c.action) for c, _ in response.context["rows"]]

    assert rows(user="alice") == [("Service/shop/web", "alice", "changed")]
    assert rows(user="bob") == [("Namespace/extra", "bob", "deleted"), ("Namespace/extra", "bob", "created"),
                                ("Service/shop/web", "bob", "changed")]
    assert {o for o, _, _ in rows(kind="Namespace")} == {"Namespace/extra", "Namespace/shop"}
    assert rows(user="bob", action="deleted") == [("Namespace/extra", "bob", "deleted")]
    assert {o for o, _, _ in rows(object="shop/web")} == {"Service/shop/web", "Deployment/shop/web"}
    assert {u for _, u, _ in rows(user="-")} == {None}  # the fixture's import had no user
    assert rows(user="nobody") == []  # not a choice: the form refuses it and nothing is shown
    form = as_alice.get(at(shop, "changes/")).context["filter"].form
    assert [k for k, _ in form.fields["kind"].choices] == ["", "ConfigMap", "Deployment", "Namespace", "Service",
                                                           "Topology"]
    assert [k for k, _ in form.fields["user"].choices] == ["", "alice", "bob", "-"]
    response = as_alice.get(at(shop, "changes/"), {"user": "bob"}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "services/_changes_table.html"  # htmx: the table only


def test_pages_of_changes(as_alice, shop, alice):
    for i in range(30):
        relabel(shop, alice, app="web", n=str(i))
    first = as_alice.get(at(shop, "changes/"), {"user": "alice"})
    second = as_alice.get(at(shop, "changes/"), {"user": "alice", "page": "2"})
    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 5
    assert "user=alice&amp;page=2" in first.content.decode()
    assert set(shown_revisions(first)).isdisjoint(shown_revisions(second))


def test_object_page_is_linked_and_lists_only_that_object(as_alice, shop, alice):
    relabel(shop, alice, app="web", tier="front")
    detail = as_alice.get(at(shop, "services/shop/web/")).content.decode()
    assert f'href="{at(shop, "services/shop/web/changes/")}"' in detail
    response = as_alice.get(at(shop, "services/shop/web/changes/"))
    assert response.status_code == 200
    assert [(c.object, c.action) for c, _ in response.context["rows"]] == [("Service/shop/web", "changed"),
                                                                           ("Service/shop/web", "created")]
    assert "kind" not in response.context["filter"].form.fields  # the address names the object


def test_a_deleted_objects_changes_stay_readable(as_alice, shop, alice):
    delete_object(Service.objects.get(topology=shop, name="web"), user=alice)
    response = as_alice.get(at(shop, "services/shop/web/changes/"))
    assert response.status_code == 200
    assert response.context["rows"][0][0].action == "deleted"
    assert as_alice.get(at(shop, "services/shop/never/changes/")).status_code == 404


def test_kept_object_and_workload_link_their_changes(as_alice, shop):
    url = at(shop, "others/configmaps/shop/conf/changes/")
    assert f'href="{url}"' in as_alice.get(at(shop, "others/configmaps/shop/conf/")).content.decode()
    response = as_alice.get(url)
    assert [c.object for c, _ in response.context["rows"]] == ["ConfigMap/shop/conf"]
    workload = as_alice.get(at(shop, "workloads/deployments.apps/shop/web/")).content.decode()
    assert at(shop, "others/deployments.apps/shop/web/changes/") in workload


def test_another_teams_topology_is_not_found(client, shop):
    outsider = User.objects.create_user("eve")
    other = Team.objects.create(name="other")
    Membership.objects.create(team=other, user=outsider, role="admin")
    create_topology(other, "mine", bootstrap=False)
    client.force_login(outsider)
    for rest in ("changes/", "services/shop/web/changes/", "others/configmaps/shop/conf/changes/"):
        assert client.get(at(shop, rest)).status_code == 404, rest
    assert client.get("/t/other/mine/changes/").status_code == 200
    client.logout()
    assert client.get(at(shop, "changes/")).status_code == 302  # anonymous: log in first


def test_every_change_has_fields_before_and_after(shop):
    for change in Change.objects.filter(topology=shop):
        assert change.fields, change
        assert change.before is not None or change.after is not None
    assert OtherObject.objects.filter(topology=shop).count() == 2

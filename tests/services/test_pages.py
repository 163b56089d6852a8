"""The topology pages at the addresses of interfaces.md "Pages": the list at `/`, the kubectl
listings at `/t/<team>/<topology>/get/<resource>/`, and the former addresses redirecting
(`/t/<team>/<topology>/` itself is now the summary: tests/pages)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from checks.operations import create_topology, import_manifests
from services.models import Membership, Team

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(client):
    user = User.objects.create_user("carol", password="pw")
    team = Team.objects.create(name="default")
    Membership.objects.create(team=team, user=user, role="owner")
    import_manifests(create_topology(team, "demo", bootstrap=False), (ROOT / "demo" / "demo.yaml").read_text())
    client.force_login(user)
    return client


def test_the_topology_list_links_to_the_topology(carol):
    page = carol.get("/").content.decode()
    assert 'href="/t/default/demo/"' in page


@pytest.mark.parametrize(("resource", "wide", "expected"), [
    pytest.param("svc", False, "shop            api                        NodePort       10.96.10.20", id="svc"),
    pytest.param("pods", True, "db-0", id="pods -o wide"),
    pytest.param("ingress", False, "shop.example.com,status.example.com", id="ingress"),
    pytest.param("netpol", False, "POD-SELECTOR", id="netpol"),
])
def test_each_listing_has_its_address(carol, resource, wide, expected):
    response = carol.get(f"/t/default/demo/get/{resource}/" + ("?o=wide" if wide else ""))
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert f"kubectl get {resource} -A" + (" -o wide" if wide else "") in page
    assert 'href="/t/default/demo/get/pods/' in page  # the tabs point at the new addresses
    assert ('id="implementation-specific"' in page) is (resource == "ingress")


@pytest.mark.parametrize(("old", "new"), [
    pytest.param("/t/default/demo/?resource=pods", "/t/default/demo/get/pods/", id="?resource="),
    pytest.param("/t/default/demo/?resource=netpol&o=wide", "/t/default/demo/get/netpol/?o=wide", id="with -o wide"),
    pytest.param("/t/default/demo/?resource=nonsense", "/t/default/demo/get/svc/", id="unknown resource: svc"),
])
def test_the_former_addresses_redirect(carol, old, new):
    response = carol.get(old)
    assert (response.status_code, response["Location"]) == (302, new)


@pytest.mark.parametrize("url", [
    pytest.param("/t/default/demo/get/configmaps/", id="a resource without a listing"),
    pytest.param("/t/other/demo/get/svc/", id="another team's name"),
    pytest.param("/t/default/nope/get/svc/", id="no such topology"),
    pytest.param("/t/default/nope/", id="no such topology, former address"),
])
def test_unknown_pages_answer_404(carol, url):
    assert carol.get(url).status_code == 404


def test_a_topology_of_a_team_the_user_is_not_in_is_not_found(carol, django_user_model, client):
    client.force_login(django_user_model.objects.create_user("mallory", password="pw"))
    assert client.get("/t/default/demo/get/svc/").status_code == 404
    assert client.get("/").content.decode().count("/t/default/demo/") == 0


def test_pages_need_a_login(client):
    response = client.get("/t/default/demo/get/svc/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")

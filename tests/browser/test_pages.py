"""The pages a person uses, in real headless Chromium against a live server."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from checks.operations import create_topology, import_manifests
from services.models import Membership, Team

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_user(transactional_db):
    user = User.objects.create_user("carol", password="pw-carol-123", is_staff=True, is_superuser=True)
    team = Team.objects.create(name="default")
    Membership.objects.create(team=team, user=user, role="owner")
    topology = create_topology(team, "demo", bootstrap=False)
    import_manifests(topology, (ROOT / "demo" / "demo.yaml").read_text())
    return user


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/login/?next=/")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", "pw-carol-123")
    page.click("button[type=submit]")


def test_log_in_and_see_get_svc_of_the_demo(live_server, page: Page, demo_user):
    log_in(page, live_server.url)
    expect(page.locator("h1")).to_have_text("Topologies")
    page.click("text=demo")
    page.click("text=kubectl get svc -A")  # the summary links to the listings
    listing = page.locator("#listing")
    expect(listing).to_contain_text("NAMESPACE       NAME                       TYPE")
    text = listing.inner_text()
    assert "shop            api                        NodePort       10.96.10.20" in text
    assert "80:30080/TCP,9090:30090/TCP" in text
    assert "53/UDP,53/TCP,9153/TCP" in text
    assert "orders.c9akciq32.eu-west-1.rds.amazonaws.com" in text
    page.click("nav[aria-label=Listings] >> text=Pods")
    expect(page.locator("#listing")).to_contain_text("db-0")
    expect(page.locator(".command")).to_contain_text("kubectl get pods -A")
    page.click("nav[aria-label=Listings] >> text=Ingresses")
    expect(page.locator("#listing")).to_contain_text("shop.example.com,status.example.com")
    expect(page.locator("#implementation-specific")).to_contain_text("ImplementationSpecific")


def test_wrong_password_is_refused(live_server, page: Page, demo_user):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "carol")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_contain_text("didn't match")


def test_admin_shows_the_topology_with_import_and_export(live_server, page: Page, demo_user):
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/services/topology/")
    page.click("text=demo")
    expect(page.locator("text=Import manifests")).to_be_visible()
    with page.expect_download() as download:
        page.click("text=Export YAML")
    assert "kind: Namespace" in Path(download.value.path()).read_text()


def test_admin_edit_writes_back_into_the_manifest_and_bumps_the_revision(live_server, page: Page, demo_user):
    from services.models import Service, Topology

    topology = Topology.objects.get(name="demo")
    revision = topology.revision
    svc = Service.objects.get(topology=topology, namespace="shop", name="api")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/services/service/{svc.pk}/change/")
    page.select_option("select[name=external_traffic_policy]", "Local")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    svc.refresh_from_db()
    assert svc.manifest["spec"]["externalTrafficPolicy"] == "Local"
    assert svc.manifest["spec"]["ports"][0]["nodePort"] == 30080  # the rest untouched
    topology.refresh_from_db()
    assert topology.revision > revision


def test_admin_refuses_an_edit_the_api_server_would_refuse(live_server, page: Page, demo_user):
    from services.models import Service

    svc = Service.objects.get(namespace="shop", name="frontend")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/services/service/{svc.pk}/change/")
    page.fill("input[name=cluster_ip]", "192.168.7.7")
    page.click("input[name=_save]")
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".errorlist").first).to_contain_text("spec.clusterIP")
    svc.refresh_from_db()
    assert svc.manifest["spec"]["clusterIP"] == "10.96.10.10"

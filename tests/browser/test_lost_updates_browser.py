"""Two people in two browsers edit the same Service: the second save meets the first one's
change, sees it with both versions, saves again deliberately; the audit log shows both."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from checks.operations import create_topology, import_manifests
from services.models import Membership, Service, Team
from tests.teams.audit_helpers import SHOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_of_two(transactional_db):
    team = Team.objects.create(name="web")
    for name in ("alice", "bob"):
        Membership.objects.create(team=team, user=User.objects.create_user(name, password=f"pw-{name}-123"),
                                  role="editor")
    topology = create_topology(team, "shop", bootstrap=False)
    import_manifests(topology, SHOP)
    return topology


def logged_in(browser: Browser, base: str, name: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", f"pw-{name}-123")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Topologies")
    return page


def test_the_second_save_shows_the_first_and_saves_only_when_asked_again(live_server, browser: Browser, team_of_two):
    base = live_server.url
    edit = f"{base}/t/web/shop/services/shop/web/edit/"
    alice, bob = logged_in(browser, base, "alice"), logged_in(browser, base, "bob")
    alice.goto(edit)
    bob.goto(edit)
    bob.fill("textarea[name=labels]", "app=web\ntier=bob")
    bob.click("#object-form button[type=submit]")
    expect(bob.locator(".alert-success")).to_contain_text("saved")

    alice.fill("textarea[name=labels]", "app=web\nowner=alice")
    alice.click("#object-form button[type=submit]")
    expect(alice.locator("#conflict")).to_contain_text("nothing was saved")
    expect(alice.locator("#conflict-changes")).to_contain_text("bob")
    expect(alice.locator("#conflict-changes")).to_contain_text("metadata.labels.tier")
    expect(alice.locator("#conflict-current")).to_contain_text("tier: bob")  # theirs
    expect(alice.locator("textarea[name=labels]")).to_have_value("app=web\nowner=alice")  # hers
    assert Service.objects.get(name="web").labels == {"app": "web", "tier": "bob"}

    alice.click("#object-form button[type=submit]")  # deliberately, over bob's
    expect(alice.locator(".alert-success")).to_contain_text("saved")
    assert Service.objects.get(name="web").labels == {"app": "web", "owner": "alice"}

    alice.click("text=Changes")
    expect(alice).to_have_url(f"{base}/t/web/shop/services/shop/web/changes/")
    rows = alice.locator("#changes tbody tr.change")
    expect(rows).to_have_count(3)  # created by the import, bob's, alice's
    expect(rows.nth(0).locator(".change-user")).to_have_text("alice")
    expect(rows.nth(1).locator(".change-user")).to_have_text("bob")
    alice.select_option("select[name=user]", "bob")
    alice.click("button:has-text('Filter')")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("tier")

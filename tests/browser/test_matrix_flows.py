"""The matrix pages in Chromium (issue 13): every matrix of the demo, a section and a group
expanded, the blocked cells alone, a cell's explanation (clicked, and by keyboard), and the
summary's heatmap followed into the pod matrix; screenshots of each."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from checks.operations import create_topology, import_manifests
from services.models import Membership, Team

from .test_ui_flows import CONTRAST, DEMO, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TYPES = ("clusterip", "nodeport", "loadbalancer", "externalname", "ingress", "pods")


@pytest.fixture
def demo(transactional_db):
    """The demo in team web, and erin (whom test_ui_flows.log_in logs in) its owner."""
    team = Team.objects.create(name="web")
    Membership.objects.create(team=team, user=User.objects.create_user("erin", password="pw-erin-123"), role="owner")
    import_manifests(create_topology(team, "demo", bootstrap=False), DEMO.read_text())


def open_matrix(page: Page, base: str, kind: str, query: str = "") -> None:
    response = page.goto(f"{base}/t/web/demo/matrices/{kind}/{query}")
    assert response.status == 200


def test_every_matrix_of_the_demo(live_server, page: Page, demo):
    log_in(page, live_server.url)
    page.set_viewport_size({"width": 1280, "height": 900})
    for kind in TYPES:
        open_matrix(page, live_server.url, kind)
        cells = page.locator("#matrix button.cell[data-verdict]")
        expect(cells.first).to_be_visible()
        verdicts = set(cells.evaluate_all("els => els.map(e => e.dataset.verdict)"))
        assert verdicts <= {"reachable", "blocked", "partial", "not-applicable", "not-proxied"}, kind
        expect(page.locator("#legend")).to_contain_text("not proxied")
        shot(page, f"matrix-{kind}")
        assert page.evaluate(CONTRAST) == [], kind
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, kind


def test_expand_filter_and_explain_a_cell(live_server, page: Page, demo):
    log_in(page, live_server.url)
    open_matrix(page, live_server.url, "clusterip", "?open=,&cols=,")
    shop = page.locator('tbody[data-section="shop"]')
    expect(shop.locator("tr.group")).to_have_count(0)
    shop.locator("button.section-toggle").click()
    shop = page.locator('tbody[data-section="shop"]')
    expect(shop.locator("tr.group")).to_have_count(4)
    shot(page, "matrix-clusterip-section-expanded")
    page.locator('thead a', has_text="shop").click()  # the shop Services' columns
    shop = page.locator('tbody[data-section="shop"]')
    shop.locator("button.section-toggle").click()
    group = page.locator('tr.group[data-r="shop/db"]')
    group.locator("button.members-toggle").click()
    expect(page.locator('tr.member[data-m="shop/db-0"]')).to_be_visible()
    expect(page.locator('tr.member[data-m="shop/db-1"]')).to_be_visible()
    shot(page, "matrix-clusterip-members")

    open_matrix(page, live_server.url, "clusterip")
    page.check("#f-only")
    page.click("#matrix-filters button:has-text('Filter')")
    assert "only=problems" in page.url
    shown = page.locator("#matrix button.cell[data-c]")
    expect(shown.first).to_be_visible()
    assert set(shown.evaluate_all("els => els.map(e => e.dataset.verdict)")) <= {"blocked", "partial"}
    shot(page, "matrix-clusterip-problems")

    cell = page.locator('tr.group[data-r="shop/frontend"] button.cell[data-c="svc:shop/db:5432/TCP"]')
    cell.click()
    dialog = page.locator('[role="dialog"]')
    expect(dialog).to_be_visible()
    expect(dialog.locator("#cell-dialog-title")).to_contain_text("shop/frontend")
    expect(dialog).to_contain_text("blocked")
    expect(dialog).to_contain_text("The path, hop by hop")
    expect(dialog.locator('a[href$="/networkpolicies/shop/db-allow-api/"]').first).to_be_visible()
    expect(dialog.locator("#row-members")).to_contain_text("shop/frontend-6f7d9c8b5-2xkqp")
    shot(page, "matrix-cell-dialog")
    assert page.evaluate(CONTRAST) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(cell).to_be_focused()  # focus goes back to the cell

    open_matrix(page, live_server.url, "externalname")
    other = page.locator('tr.group[data-r="shop/api"] button.cell').first
    other.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("not-proxied")
    expect(dialog).to_contain_text("CNAME")


def test_the_heatmap_leads_into_the_pod_matrix(live_server, page: Page, demo):
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/t/web/demo/")
    heat = page.locator("#heatmap")
    expect(heat).to_be_visible()
    shot(page, "summary-heatmap")
    assert page.evaluate(CONTRAST) == []
    square = heat.locator('a.heat[href*="from=shop"][href*="to=shop"]')
    square.click()
    page.wait_for_url("**/matrices/pods/**")
    expect(page.locator("h1")).to_contain_text("Pods x pods")
    rows = page.locator("#matrix tr.group")
    expect(rows.first).to_be_visible()
    assert all(r.startswith("shop/") for r in rows.evaluate_all("els => els.map(e => e.dataset.r)"))
    expect(page.locator("#f-from")).to_have_value("shop")
    shot(page, "matrix-pods-from-heatmap")

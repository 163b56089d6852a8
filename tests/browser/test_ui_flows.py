"""What a person does in the browser (issue 12): create a topology, import the demo through
the preview, build a Service by hand, edit a pod, clone, export; screenshots of every page."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from services.models import Membership, Service, Team, Topology

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"
SHOTS = ROOT / "var" / "screenshots"
CONTRAST = (Path(__file__).parent / "contrast.js").read_text()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def person(transactional_db):
    user = User.objects.create_user("erin", password="pw-erin-123")
    Membership.objects.create(team=Team.objects.create(name="web"), user=user, role="owner")
    return user


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "erin")
    page.fill("input[name=password]", "pw-erin-123")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Topologies")


def create_topology(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    page.click("text=New topology")
    page.fill("input[name=name]", name)
    expect(page.locator("input[name=bootstrap]")).to_be_checked()
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/t/web/{name}/")


def import_demo(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/t/web/{name}/import/")
    page.fill("textarea[name=text]", DEMO.read_text())
    page.click("button[value=preview]")
    expect(page.locator("#preview-added")).to_contain_text("Service/shop/api")
    expect(page.locator("#preview-kept")).to_contain_text("ConfigMap/kube-system/coredns")
    expect(page.locator("#preview-changed")).to_contain_text("Service/kube-system/kube-dns")
    shot(page, "flow-import-preview")
    assert not Service.objects.filter(name="api").exists()  # the preview was rolled back
    page.click("button[value=apply]")
    expect(page).to_have_url(f"{base}/t/web/{name}/")
    expect(page.locator(".alert-success")).to_contain_text("Imported")


def test_build_edit_clone_in_the_browser(live_server, page: Page, person):
    base = live_server.url
    log_in(page, base)
    create_topology(page, base, "shop")
    import_demo(page, base, "shop")

    # a Service by hand: ports are rows added with htmx; a bad nodePort is refused at its field
    page.goto(f"{base}/t/web/shop/services/_add/")
    page.fill("input[name=name]", "web")
    page.select_option("select[name=namespace]", "shop")
    page.select_option("select[name=type]", "NodePort")
    page.fill("textarea[name=selector]", "app=frontend")
    page.click("text=Add to ports")
    page.fill("input[name=ports-0-port]", "80")
    page.fill("input[name=ports-0-target_port]", "http")
    page.fill("input[name=ports-0-node_port]", "99999")
    page.click("button[type=submit]")
    error = page.locator("#id_ports-0-node_port-errors")
    expect(error).to_contain_text("spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range")
    shot(page, "flow-service-nodeport-error")
    page.fill("input[name=ports-0-node_port]", "30999")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/t/web/shop/services/shop/web/")
    expect(page.locator("#relation-endpoints")).to_contain_text("10.244.1.10:8080")

    # edit a pod's labels: the Service's endpoints change on its page
    page.goto(f"{base}/t/web/shop/services/shop/api/")
    expect(page.locator("#relation-endpoints")).to_contain_text("10.244.1.20:9000")
    page.goto(f"{base}/t/web/shop/pods/shop/api-84c6d5b7f9-5dnwz/edit/")
    page.fill("textarea[name=labels]", "app=api-canary\ntier=backend")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/t/web/shop/pods/shop/api-84c6d5b7f9-5dnwz/")
    page.goto(f"{base}/t/web/shop/services/shop/api/")
    expect(page.locator("#relation-endpoints")).not_to_contain_text("10.244.1.20:9000")
    expect(page.locator("#relation-endpoints")).to_contain_text("10.244.2.20:9000")

    # clone
    page.goto(f"{base}/t/web/shop/clone/")
    page.fill("input[name=name]", "shop-copy")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/t/web/shop-copy/")
    assert Topology.objects.get(name="shop-copy").revision >= 1
    assert Service.objects.filter(topology__name="shop-copy", name="web").exists()


def test_export_gives_back_what_was_imported(live_server, page: Page, person):
    base = live_server.url
    log_in(page, base)
    create_topology(page, base, "round")
    import_demo(page, base, "round")
    page.goto(f"{base}/t/web/round/")
    with page.expect_download() as download:
        page.click("#main >> text=Export YAML")
    exported = [d for d in yaml.safe_load_all(Path(download.value.path()).read_text()) if d]
    imported = [d for d in yaml.safe_load_all(DEMO.read_text()) if d]

    def key(doc):
        return (doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"])

    assert sorted(exported, key=key) == sorted(imported, key=key)


def test_keyboard_reaches_the_filter_and_focus_is_visible(live_server, page: Page, person):
    base = live_server.url
    log_in(page, base)
    create_topology(page, base, "keys")
    page.goto(f"{base}/t/web/keys/pods/")
    page.keyboard.press("Tab")
    expect(page.locator("a.visually-hidden-focusable")).to_be_focused()
    for _ in range(60):  # Tab through the page to the search box
        if page.evaluate("document.activeElement.name") == "search":
            break
        page.keyboard.press("Tab")
    expect(page.locator("input[name=search]")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.type("coredns")
    page.keyboard.press("Enter")
    expect(page.locator("#object-table")).to_contain_text("coredns-")


def every_page(base: str) -> list[str]:
    t = f"{base}/t/web/demo/"
    urls = [f"{base}/", f"{base}/topologies/new/", f"{base}/teams/web/", f"{base}/account/token/", t,
            t + "import/", t + "settings/", t + "clone/", t + "delete/", t + "others/", t + "others/_add/", t + "endpoints/_add/",
            t + "others/configmaps/kube-system/coredns/", t + "others/configmaps/kube-system/coredns/yaml/",
            t + "get/svc/", t + "get/pods/", t + "get/ingress/", t + "get/netpol/", t + "changes/",
            t + "others/configmaps/kube-system/coredns/changes/"]
    objects = {"namespaces": "shop", "nodes": "ip-10-0-1-10.eu-west-1.compute.internal",
               "pods": "shop/api-84c6d5b7f9-5dnwz", "services": "shop/api", "endpointslices": "default/kubernetes",
               "ingressclasses": "nginx", "ingresses": "shop/shop", "networkpolicies": "shop/db-allow-api"}
    for kind in ("namespaces", "nodes", "pods", "services", "endpoints", "endpointslices", "ingressclasses",
                 "ingresses", "networkpolicies"):
        urls += [t + f"{kind}/", t + f"{kind}/_add/yaml/"]
        if kind in objects:
            one = t + f"{kind}/{objects[kind]}/"
            urls += [t + f"{kind}/_add/", one, one + "edit/", one + "yaml/", one + "delete/", one + "changes/"]
    return urls


def test_screenshots_of_every_page(live_server, page: Page, person):
    from checks.operations import create_topology as make
    from checks.operations import import_manifests

    import_manifests(make(Team.objects.get(name="web"), "demo", bootstrap=False), DEMO.read_text())
    log_in(page, live_server.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = every_page(live_server.url)
    wide = pages[:6] + [u for u in pages if "/services/" in u][:4]
    for width, urls in ((1280, pages), (1920, wide)):
        page.set_viewport_size({"width": width, "height": 900})
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            name = url.removeprefix(live_server.url).strip("/").replace("/", "_") or "index"
            page.screenshot(path=str(SHOTS / f"{width}-{name}.png"), full_page=True)
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{url} is wider than {width} px"
            if width == 1280:
                assert page.evaluate(CONTRAST) == [], url


def test_the_contrast_check_can_fail(page: Page):
    page.set_content('<p style="color:#aaa">grey on white</p><p style="color:#595959">dark enough</p>'
                     '<h1 style="color:#949494;font-size:32px">large text needs 3:1</h1>')
    assert page.evaluate(CONTRAST) == ['p. "grey on white": 2.32']


def test_nested_rows_are_added_and_removed_in_place(live_server, page: Page, person):
    from checks.operations import create_topology as make
    from services.models import Pod

    make(Team.objects.get(name="web"), "rows")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/t/web/rows/pods/_add/")
    page.fill("input[name=name]", "web-1")
    page.fill("textarea[name=labels]", "app=web")
    page.click("text=Add to containers")
    page.fill("input[name=containers-0-name]", "web")
    page.fill("input[name=containers-0-image]", "nginx:1.27")
    page.click("#fs-containers-0-ports >> text=Add to ports")
    page.click("#fs-containers-0-ports >> text=Add to ports")
    page.fill("input[name=containers-0-ports-0-container_port]", "8080")
    page.fill("input[name=containers-0-ports-1-container_port]", "9999")
    page.locator("[data-prefix=containers-0-ports-1] >> text=Remove").click()
    expect(page.locator("input[name=containers-0-ports-1-container_port]")).to_have_count(0)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/t/web/rows/pods/default/web-1/")
    containers = Pod.objects.get(name="web-1").manifest["spec"]["containers"]
    assert containers == [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8080}]}]

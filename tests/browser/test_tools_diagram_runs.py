"""UI part 3 in Chromium: the tools answer as the query API does, the diagram opens a clicked
Service's page, a check run started from the topology page finishes under a live progress bar,
and two runs around a NetworkPolicy change are compared. Screenshots of every new page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect

from checks.operations import create_topology, import_manifests
from checks.snapshot import topology_manifests
from kubenet_site.semantics.query import run
from services.models import Team, Topology
from tests.browser.test_ui_flows import CONTRAST, DEMO, log_in, person, shot  # noqa: F401  (person: a fixture)
from tests.pages.run_helpers import deny_shop_ingress
from tests.workers.conftest import celery_app, clean_broker, worker  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FRONTEND = "shop/frontend-6f7d9c8b5-2xkqp"


@pytest.fixture
def demo(person) -> Topology:  # noqa: F811
    topology = create_topology(Team.objects.get(name="web"), "demo", bootstrap=False)
    import_manifests(topology, DEMO.read_text())
    topology.refresh_from_db()
    return topology


def ask(topology: Topology, query: dict) -> dict:
    """The query API's answer over the same objects."""
    document = {"cluster": topology.cluster_document(), "manifests": topology_manifests(topology), "queries": [query]}
    return run(document)["answers"][0]


def texts(page: Page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def check_layout(page: Page, name: str) -> None:
    shot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, f"{name} overflows"
    assert page.evaluate(CONTRAST) == [], name


def test_dns_env_route_ingress_and_connect_tools(live_server, page: Page, demo):
    base = f"{live_server.url}/t/web/demo"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)

    # DNS: the pod picker searches as you type
    page.goto(f"{base}/tools/dns/")
    page.locator("#id_from").press_sequentially("frontend-6f7d", delay=20)
    expect(page.locator(f'#picks-from option[value="{FRONTEND}"]')).to_have_count(1)
    page.fill("#id_from", FRONTEND)
    page.fill("#id_name", "api")
    page.select_option("#id_type", "A")
    page.click("button:text('Ask')")
    expect(page).to_have_url(re.compile(r"tools/dns/\?from=shop%2Ffrontend-6f7d9c8b5-2xkqp&name=api&type=A"))
    dns = ask(demo, {"kind": "dns", "from": FRONTEND, "name": "api", "type": "A"})
    expect(page.locator("#rcode")).to_have_text(dns["rcode"])
    assert texts(page, "#tried li code") == dns["tried"]
    assert texts(page, "#answers tbody td:nth-child(2)") == [a["name"] for a in dns["answers"]]
    check_layout(page, "tool-dns")

    # DNS blocked by policy: the db pods may not send anywhere but... whatever the engine says
    page.goto(f"{base}/tools/dns/?from=shop/db-0&name=api&type=A")
    expect(page.locator("#rcode")).to_have_text(ask(demo, {"kind": "dns", "from": "shop/db-0", "name": "api"})["rcode"])

    # Environment: injected variables and the absent Services with their reasons
    pod = "shop/api-84c6d5b7f9-5dnwz"
    page.goto(f"{base}/tools/env/")
    page.fill("#id_pod", pod)
    page.click("button:text('Ask')")
    env = ask(demo, {"kind": "env", "pod": pod})
    assert texts(page, "#vars tbody td:first-child") == list(env["vars"])
    assert texts(page, "#absent tbody td:first-child") == [a["service"] for a in env["absent"]]
    assert texts(page, "#absent tbody td:last-child") == [a["reason"] for a in env["absent"]]
    check_layout(page, "tool-env")

    # Route tracer: outcome, backends, hop by hop
    page.goto(f"{base}/tools/route/")
    page.fill("#id_from", "external")
    page.fill("#id_to", "lb:shop/shop-public:80/TCP")
    page.click("button:text('Ask')")
    route = ask(demo, {"kind": "route", "from": "external", "to": "lb:shop/shop-public:80/TCP"})
    expect(page.locator("#outcome")).to_have_text(route["outcome"])
    assert [t.split(" ")[0] for t in texts(page, "#endpoints li")] == route["endpoints"]
    assert page.locator("#trace li").all_inner_texts() == route["trace"]  # indentation kept
    check_layout(page, "tool-route")

    # Ingress tester
    page.goto(f"{base}/tools/ingress/")
    page.fill("#id_host", "shop.example.com")
    page.fill("#id_path", "/api/orders")
    page.select_option("#id_scheme", "https")
    page.click("button:text('Ask')")
    request = {"host": "shop.example.com", "path": "/api/orders", "scheme": "https"}
    ingress = ask(demo, {"kind": "ingress-route", "request": request})
    expect(page.locator("#outcome")).to_have_text(ingress["outcome"])
    expect(page.locator("#backend a").nth(1)).to_have_text(ingress["service"])
    page.locator("#backend a").nth(1).click()
    expect(page).to_have_url(f"{base}/services/{ingress['service']}/")
    page.go_back()
    check_layout(page, "tool-ingress")

    # Connect: a blocked verdict
    page.goto(f"{base}/tools/connect/?from={FRONTEND}&to=svc:shop/db:5432&port=5432&protocol=TCP")
    connect = ask(demo, {"kind": "connect", "from": FRONTEND, "to": "svc:shop/db:5432", "port": 5432})
    expect(page.locator("#verdict")).to_have_text(connect["verdict"])
    check_layout(page, "tool-connect")


def click_node(page: Page, element_id: str) -> None:
    """Click a Cytoscape element where it is drawn on the canvas."""
    pos = page.evaluate("id => { const n = window.kubenetDiagram.getElementById(id); "
                        "n.cy().center(n); return n.renderedPosition(); }", element_id)
    box = page.locator("#diagram").bounding_box()
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def test_diagram_highlights_a_pods_reach_and_opens_a_service(live_server, page: Page, demo):
    base = f"{live_server.url}/t/web/demo"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{base}/diagram/")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true")
    check_layout(page, "diagram")
    page.select_option("#diagram-pod", FRONTEND)
    expect(page.locator("#diagram")).to_have_attribute("data-reached", re.compile(r"[1-9]"))
    reached = page.evaluate("window.kubenetDiagram.$('.reach').map(e => e.id())")
    assert "svc:shop/api" in reached and "svc:shop/db" not in reached
    shot(page, "diagram-reach")
    page.select_option("#diagram-ns", "shop")
    hidden = page.evaluate("window.kubenetDiagram.getElementById('svc:kube-system/kube-dns').style('display')")
    assert hidden == "none"
    click_node(page, "svc:shop/api")
    expect(page).to_have_url(f"{base}/services/shop/api/")


def wait_final(page: Page) -> None:
    expect(page.locator("#run-progress [data-status]")).to_have_attribute(
        "data-status", re.compile("succeeded|failed|cancelled"), timeout=90_000)
    expect(page.locator("#summary")).to_be_visible(timeout=15_000)  # the page reloaded to its results


def test_check_runs_live_progress_results_and_diff(live_server, page: Page, demo, worker):  # noqa: F811
    base = f"{live_server.url}/t/web/demo"
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{base}/")
    page.click("#start-run button")
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    first = page.url
    expect(page.locator(".progress")).to_be_visible()
    wait_final(page)
    expect(page.locator("#run-progress [data-status]")).to_have_text("succeeded")
    expect(page.locator(".progress")).to_have_attribute("aria-valuenow", "100")
    assert page.locator("#steps a", has_text="open").count() >= 1
    check_layout(page, "run-detail")

    deny_shop_ingress(demo)  # a NetworkPolicy change, then a second run from the runs page
    page.goto(f"{base}/runs/")
    expect(page.locator("#runs .badge", has_text="stale")).to_have_count(1)
    page.click("#start-run button")
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    assert page.url != first
    wait_final(page)
    first_id = first.rstrip("/").rsplit("/", 1)[1]
    page.select_option("#id_compare", first_id)
    page.click("#compare button")
    expect(page).to_have_url(re.compile(rf"/runs/{first_id}/diff/\d+/$"))
    expect(page.locator("#cells tbody tr").first).to_contain_text("blocked")
    assert page.locator("#cells tbody tr").count() > 1
    check_layout(page, "run-diff")
    page.goto(f"{base}/runs/")
    check_layout(page, "run-list")
    shown = json.loads(json.dumps(texts(page, "#runs tbody tr td:nth-child(2)")))
    assert shown[0].startswith("succeeded") and "stale" in shown[1]


def many_objects(namespaces: int = 4, apps: int = 6, replicas: int = 4) -> str:
    """3 nodes; namespaces x apps ClusterIP Services (one NodePort per namespace), each with
    `replicas` running pods: 96 pods, 24 Services, 140 drawn objects with the groups."""
    docs = []
    for k in range(3):
        docs.append(f"apiVersion: v1\nkind: Node\nmetadata: {{name: node-{k}}}\nspec: {{podCIDR: 10.244.{k}.0/24}}\n"
                    f"status: {{addresses: [{{type: InternalIP, address: 10.0.0.{10 + k}}}]}}\n")
    serial = 0
    for n in range(namespaces):
        ns = f"team-{n}"
        docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n")
        for a in range(apps):
            app = f"app-{a}"
            kind = "NodePort" if a == 0 else "ClusterIP"
            docs.append(f"apiVersion: v1\nkind: Service\nmetadata: {{name: {app}, namespace: {ns}}}\n"
                        f"spec: {{type: {kind}, selector: {{app: {app}}}, ports: [{{port: 80, targetPort: 8080}}]}}\n")
            for r in range(replicas):
                serial += 1
                node = serial % 3
                docs.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {app}-{r}, namespace: {ns}, labels: {{app: {app}}}}}\n"
                            f"spec: {{nodeName: node-{node}, containers: [{{name: web, image: nginx, ports: [{{containerPort: 8080}}]}}]}}\n"
                            f"status: {{phase: Running, podIP: 10.244.{node}.{10 + serial}, "
                            f"conditions: [{{type: Ready, status: 'True'}}]}}\n")
    return "---\n".join(docs)


def test_diagram_stays_readable_at_scale(live_server, page: Page, person):  # noqa: F811
    topology = create_topology(Team.objects.get(name="web"), "big", bootstrap=True)
    import_manifests(topology, many_objects())
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/t/web/big/diagram/")
    expect(page.locator("#diagram")).to_have_attribute("data-ready", "true", timeout=30_000)
    counts = page.evaluate("({pods: window.kubenetDiagram.$('node[kind = \"Pod\"]').length,"
                           " all: window.kubenetDiagram.nodes().length})")
    assert counts["pods"] >= 96 and counts["all"] >= 130, counts
    # readable: no two drawn objects (groups apart) overlap
    overlaps = page.evaluate("""() => {
        const boxes = window.kubenetDiagram.nodes().filter(n => !n.isParent()).map(n => n.boundingBox({includeLabels: false}));
        let hits = 0;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) hits++;
        }
        return hits; }""")
    assert overlaps == 0
    groups = page.evaluate("""() => {
        const boxes = window.kubenetDiagram.nodes().filter(n => n.isParent()).map(n => n.boundingBox({includeLabels: false}));
        let hits = 0;
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) hits++;
        }
        return hits; }""")
    assert groups == 0, "namespaces and the nodes group overlap"
    shot(page, "diagram-130-objects")
    page.select_option("#diagram-ns", "team-1")
    visible = page.evaluate("window.kubenetDiagram.$('node[kind = \"Pod\"]:visible').map(n => n.data('ns'))")
    assert visible and set(visible) == {"team-1"}
    shot(page, "diagram-130-objects-team-1")

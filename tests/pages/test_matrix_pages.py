"""The matrix pages: every type, the filters, a section and a group expanded, a cell's
explanation, the matrix kept per revision, stale runs ignored, and the summary's heatmap."""

from __future__ import annotations

import re

import pytest

from checks.matrix_store import matrix_for
from checks.models import CheckRun, CheckRunStep, KeptMatrix
from checks.steps import matrix_json
from kubenet_site.semantics.matrix_result import CompressedMatrix, Group
from kubenet_site.semantics.types import Verdict

from .conftest import at

pytestmark = pytest.mark.django_db
VERDICT = re.compile(r'<(?:button|span) [^>]*class="cell [^"]*" data-verdict="([a-z-]+)"')


def verdicts(html: str) -> list[str]:
    return VERDICT.findall(html)


@pytest.mark.parametrize("kind", ["clusterip", "nodeport", "loadbalancer", "externalname", "ingress"])
def test_every_service_type_has_a_page_whose_cells_carry_their_verdict(client_in, demo, kind):
    response = client_in.get(at(demo, f"matrices/{kind}/"))
    assert response.status_code == 200
    html = response.content.decode()
    found = verdicts(html)
    assert found and set(found) <= {"reachable", "blocked", "partial", "not-applicable", "not-proxied"}
    assert 'role="dialog"' in html and 'id="legend"' in html
    m = matrix_for(demo, kind).matrix
    assert len(re.findall(r'<tr data-r="[^"]+" class="group">', html)) == len(m.rows)  # small: every section open
    assert html.count('class="cell o-') - html.count('data-legend') >= len(m.rows) * len(m.columns)


def test_cells_match_the_engine(client_in, demo):
    html = client_in.get(at(demo, "matrices/externalname/")).content.decode()
    row = re.search(r'<tr data-r="shop/api" class="group">(.*?)</tr>', html).group(1)
    assert verdicts(row) == ["not-proxied"]
    assert "svc:shop/managed-db" in row


def test_pods_matrix_needs_a_port_and_takes_the_first_declared(client_in, demo):
    response = client_in.get(at(demo, "matrices/pods/"))
    assert response.status_code == 302 and "port=" in response["Location"]
    html = client_in.get(at(demo, "matrices/pods/?port=5432&protocol=TCP")).content.decode()
    db = re.search(r'<tr data-r="shop/frontend" class="group">(.*?)</tr>', html).group(1)
    assert "blocked" in verdicts(db)
    assert client_in.get(at(demo, "matrices/pods/?port=99999")).status_code == 400
    assert client_in.get(at(demo, "matrices/nope/")).status_code == 404


def test_filters_section_selector_and_problems(client_in, demo):
    html = client_in.get(at(demo, "matrices/clusterip/?from=shop")).content.decode()
    rows = re.findall(r'<tr data-r="([^"]+)" class="group">', html)
    assert rows and all(r.startswith("shop/") for r in rows)
    html = client_in.get(at(demo, "matrices/clusterip/?selector=app%3Ddb")).content.decode()
    assert re.findall(r'<tr data-r="([^"]+)" class="group">', html) == ["shop/db"]
    bad = client_in.get(at(demo, "matrices/clusterip/?selector=app%3D%3D%3D")).content.decode()
    assert "is-invalid" in bad and "label selector" in bad
    html = client_in.get(at(demo, "matrices/clusterip/?only=problems")).content.decode()
    shown = re.findall(r'<button type="button" class="cell [^"]*" data-verdict="([a-z-]+)"', html)
    assert shown and set(shown) <= {"blocked", "partial"}
    assert "node " not in "".join(re.findall(r'<tr data-r="([^"]+)" class="group">', html))


def test_sections_collapse_and_expand_as_partials(client_in, demo):
    page = client_in.get(at(demo, "matrices/clusterip/?open=,&cols=,")).content.decode()
    assert 'class="group"' not in page and 'class="collapsed"' in page
    assert "data-c=" not in page  # nothing but summaries
    part = client_in.get(at(demo, "matrices/clusterip/rows/?cols=,&section=shop&open=true"))
    body = part.content.decode()
    assert body.startswith('<tbody data-section="shop">') and "<html" not in body
    assert re.findall(r'<tr data-r="([^"]+)" class="group">', body) == [
        "shop/api", "shop/db", "shop/frontend", "shop/recommendations"]
    closed = client_in.get(at(demo, "matrices/clusterip/rows/?section=shop&open=false")).content.decode()
    assert 'class="collapsed"' in closed and 'class="group"' not in closed
    assert client_in.get(at(demo, "matrices/clusterip/rows/?section=nowhere&open=true")).status_code == 404


def test_a_group_shows_its_members(client_in, demo):
    body = client_in.get(at(demo, "matrices/clusterip/members/?r=shop/db&members=1")).content.decode()
    members = re.findall(r'data-m="([^"]+)"', body)
    assert members == ["shop/db-0", "shop/db-1"]
    assert "hide 2 pods" in body
    again = client_in.get(at(demo, "matrices/clusterip/members/?r=shop/db&members=0")).content.decode()
    assert "data-m=" not in again and "show 2 pods" in again


def test_a_cell_is_explained_with_hops_rules_members_and_links(client_in, demo):
    body = client_in.get(at(demo, "matrices/clusterip/cell/?r=shop/frontend&c=svc:shop/db:5432/TCP")).content.decode()
    assert 'data-verdict="blocked"' in body
    assert "hop-DNS" in body and "hop-policy" in body and "headless" in body  # no kube-proxy hop
    assert "db-allow-api" in body  # the policy that decided
    assert f'href="{at(demo, "networkpolicies/shop/db-allow-api/")}"' in body
    assert f'href="{at(demo, "pods/shop/frontend-6f7d9c8b5-2xkqp/")}"' in body  # a row member
    assert f'href="{at(demo, "services/shop/db/")}"' in body  # the column's Service
    proxied = client_in.get(at(demo, "matrices/clusterip/cell/?r=shop/frontend&c=svc:shop/recommendations:8080/TCP"))
    assert "hop-kube-proxy" in proxied.content.decode() and "hop-DNAT" in proxied.content.decode()
    member = client_in.get(at(demo, "matrices/clusterip/cell/?r=shop/db&c=svc:shop/db:5432/TCP&m=shop/db-0"))
    assert member.status_code == 200 and "One pod of shop/db" in member.content.decode()
    assert client_in.get(at(demo, "matrices/clusterip/cell/?r=nope&c=x")).status_code == 404


def test_snat_hop_of_a_nodeport_from_outside(client_in, demo):
    body = client_in.get(at(demo, "matrices/nodeport/cell/?r=external&c=svc:shop/api:80/TCP")).content.decode()
    assert "hop-SNAT" in body or "externalTrafficPolicy" in body


def test_computed_once_and_kept_per_revision(client_in, demo):
    client_in.get(at(demo, "matrices/ingress/"))
    assert list(KeptMatrix.objects.values_list("revision", "key")) == [(demo.revision, "ingress")]
    client_in.get(at(demo, "matrices/ingress/"))
    assert KeptMatrix.objects.count() == 1
    demo.bump_revision()
    demo.refresh_from_db()
    html = client_in.get(at(demo, "matrices/ingress/")).content.decode()
    assert list(KeptMatrix.objects.values_list("revision", flat=True)) == [demo.revision]
    assert f"Computed for revision {demo.revision}" in html


def fake_run(topology, revision: int, outcome: str) -> CheckRun:
    """A run holding a one-cell ClusterIP matrix whose only verdict is `outcome`; its row's id
    holds a `#`, as the engine's split rows do."""
    m = CompressedMatrix("clusterip", [Group("shop/api#1", "shop/api (2 of 3 pods)", ("shop/api-1", "shop/api-2"))],
                         [Group("svc:shop/x:80/TCP", "shop/x:80/TCP", ("shop/x",), "service")], [[0]],
                         [Verdict(outcome, ("made up",), {})])
    run = CheckRun.objects.create(topology=topology, revision=revision, checks=["routing"], status="succeeded")
    CheckRunStep.objects.create(run=run, key="routing/ClusterIP", value=matrix_json(m))
    return run


def test_reads_the_latest_run_that_is_not_stale(client_in, demo):
    fake_run(demo, demo.revision - 1, "blocked")  # stale
    html = client_in.get(at(demo, "matrices/clusterip/")).content.decode()
    assert "Computed for revision" in html and "made up" not in html
    run = fake_run(demo, demo.revision, "partial")
    html = client_in.get(at(demo, "matrices/clusterip/")).content.decode()
    assert f"From check run #{run.pk}" in html and verdicts(html)[len(verdicts(html)) - 1] == "partial"
    assert "&amp;r=shop/api%231&amp;members=1" in html  # ids are quoted in the partials' addresses
    members = client_in.get(at(demo, "matrices/clusterip/members/?r=shop/api%231&members=1")).content.decode()
    assert re.findall(r'data-m="([^"]+)"', members) == ["shop/api-1", "shop/api-2"]
    cell = client_in.get(at(demo, "matrices/clusterip/cell/?r=shop/api%231&c=svc:shop/x:80/TCP")).content.decode()
    assert "made up" in cell


def test_summary_heatmap_links_into_the_pod_matrix_of_each_pair(client_in, demo):
    html = client_in.get(at(demo)).content.decode()
    assert 'id="heatmap"' in html and "namespaces, port 8080/TCP" in html  # the port most pods declare (3)
    links = re.findall(r'<a class="heat" href="([^"]+)" data-share="(\d+)"', html)
    assert links
    url, share = next((u, s) for u, s in links if "from=shop&amp;to=shop" in u)
    assert 0 <= int(share) <= 100
    page = client_in.get(url.replace("&amp;", "&")).content.decode()
    rows = re.findall(r'<tr data-r="([^"]+)" class="group">', page)
    assert rows and all(r.startswith("shop/") for r in rows)

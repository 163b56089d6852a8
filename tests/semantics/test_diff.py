"""The diff engine (semantics/diff.py, diff_matrix.py, diff_answers.py): the changes the issue
names, the matching of groups between compressed matrices, and a property against a naive
member-by-member comparison."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubenet_site.semantics import diff as d
from kubenet_site.semantics.diagnostics import diagnose
from kubenet_site.semantics.diff_answers import assertion_changes, finding_changes, route_targets
from kubenet_site.semantics.diff_matrix import ABSENT, combine, diff_matrices, match_groups, typed
from kubenet_site.semantics.manifests import build_snapshot
from kubenet_site.semantics.matrix import CompressedMatrix, Group
from kubenet_site.semantics.synthetic import generate
from kubenet_site.semantics.types import Verdict
from tests.semantics import diff_fixtures as fx
from tests.semantics import diff_naive as naive


def side(objs) -> d.Side:
    b = build_snapshot(objs, None)
    assert not b.errors, b.errors
    findings = [x.as_dict() for x in (*b.warnings, *diagnose(b.snapshot))]
    return d.Side(b.snapshot, findings)


def cells(result: d.Diff) -> set[tuple[str, str, str, str, str]]:
    return {(c.type, c.row, c.column, c.before, c.after) for c in result.cells}


def test_network_policy_added_closes_cells_with_the_policy_in_the_trace():
    result = d.diff(side(fx.base()), side(fx.with_deny_web()))
    assert result.cells
    assert {c.column for c in result.cells if c.type != "pods"} == {"svc:shop/web:80/TCP", "ingress:shop.example.com/app"}
    assert {c.column for c in result.cells if c.type == "pods"} == {"shop/web"}
    assert all(d.direction(c.before, c.after) == "closed" for c in result.cells)
    assert all("shop/web-only-client" in "\n".join(c.after_trace) for c in result.cells if c.type == "clusterip")
    # the client the policy allows keeps its paths
    assert not [c for c in result.cells if c.row == "shop/client" and c.type != "ingress"]
    assert ("clusterip", "shop/api", "svc:shop/web:80/TCP", "reachable", "blocked") in cells(result)
    assert ("pods", "shop/api", "shop/web", "reachable", "blocked") in cells(result)
    assert not (result.endpoints or result.dns or result.routes or result.findings["added"])


def test_clusterip_to_nodeport_opens_cells_from_outside():
    result = d.diff(side(fx.base()), side(fx.with_nodeport()))
    assert cells(result) == {("nodeport", "external", "svc:shop/web:80/TCP", "not-applicable", "reachable")}
    (cell,) = result.cells
    assert (cell.port, cell.protocol) == (80, "TCP")
    assert d.direction(cell.before, cell.after) == "opened"
    opened = {(r["from"], r["to"].rsplit(":", 1)[0], r["after"]) for r in result.routes}
    assert opened == {("external", "node:node-a", "delivered"), ("external", "node:node-b", "delivered")}


def test_selector_typo_loses_endpoints_and_cells_and_adds_a_finding():
    result = d.diff(side(fx.base()), side(fx.with_selector_typo()))
    (ep,) = result.endpoints
    assert (ep["service"], ep["port"]) == ("shop/web", "http")
    assert ep["before"]["ready"] == ["10.244.10.2:8080", "10.244.11.2:8080"] and ep["after"]["ready"] == []
    lost = {c.row for c in result.cells if c.column == "svc:shop/web:80/TCP" and c.after == "blocked"}
    assert {"shop/client", "shop/api", "node:node-a", "node:node-b"} <= lost
    assert [(f["code"], f["object"]) for f in result.findings["added"]] == \
        [("selector-matches-nothing", "Service/shop/web")]
    assert {r["after"] for r in result.routes} == {"rejected"}


def test_ingress_paths_reordered_change_ingress_outcomes():
    before = fx.api_blocked()
    after = fx.copied(before)
    fx.find(after, "Ingress", "shop")["spec"]["rules"][0]["http"]["paths"].reverse()
    result = d.diff(side(before), side(after))
    assert result.cells and {c.type for c in result.cells} == {"ingress"}
    assert {(c.column, c.before, c.after) for c in result.cells} == {
        ("ingress:shop.example.com/app", "reachable", "blocked")}
    assert any("shop/api" in line for c in result.cells for line in c.after_trace)


def test_identical_inputs_differ_in_nothing():
    result = d.diff(side(fx.base()), side(fx.copied(fx.base())))
    assert result.empty
    assert result.as_dict() == {"cells": [], "endpoints": [], "dns": [], "routes": [],
                                "findings": {"added": [], "removed": []}, "assertions": {"broken": [], "fixed": []}}


def test_json_cell_has_the_contract_fields():
    (cell,) = d.diff(side(fx.base()), side(fx.with_nodeport())).as_dict()["cells"]
    assert {"type", "port", "protocol", "row", "column", "member", "before", "after", "beforeTrace",
            "afterTrace"} <= set(cell)
    assert cell["member"] == "external" and cell["beforeTrace"] and cell["afterTrace"]


@pytest.mark.parametrize("before, after, want", [
    pytest.param("blocked", "reachable", "opened", id="blocked-reachable"),
    pytest.param(ABSENT, "partial", "opened", id="absent-partial"),
    pytest.param("not-applicable", "reachable", "opened", id="outside-reachable"),
    pytest.param("reachable", "partial", "closed", id="reachable-partial"),
    pytest.param("reachable", ABSENT, "closed", id="reachable-absent"),
    pytest.param("blocked", ABSENT, "changed", id="blocked-absent"),
    pytest.param("reachable", "not-proxied", "changed", id="reachable-not-proxied"),
])
def test_direction(before, after, want):
    assert d.direction(before, after) == want


# --- group matching on hand-made matrices -----------------------------------------------------------

R, B = Verdict("reachable"), Verdict("blocked")


def pods(gid: str, *members: str) -> Group:
    return Group(gid, gid, members, "pods")


def svc(cid: str) -> Group:
    return Group(cid, cid, ("shop/x",), "service")


@pytest.mark.parametrize("old, new, want", [
    pytest.param([pods("a", "p1", "p2")], [pods("a", "p1", "p2")], [(0, 0, ["p1", "p2"])], id="same"),
    pytest.param([pods("a", "p1", "p2")], [pods("a", "p1"), pods("b", "p2")],
                 [(0, 0, ["p1"]), (0, 1, ["p2"])], id="split"),
    pytest.param([pods("a", "p1"), pods("b", "p2")], [pods("c", "p1", "p2")],
                 [(0, 0, ["p1"]), (1, 0, ["p2"])], id="merged under a new id"),
    pytest.param([pods("a", "p1", "p2")], [pods("a", "p2", "p3")],
                 [(0, 0, ["p2"]), (None, 0, ["p3"]), (0, None, ["p1"])], id="one gone, one new"),
    pytest.param([Group("external", "ext", (), "external")], [Group("external", "ext", (), "external")],
                 [(0, 0, ["external"])], id="memberless row by id"),
])
def test_match_groups_by_members(old, new, want):
    assert [(p.old, p.new, p.members) for p in match_groups(old, new, True)] == want


def test_member_with_own_cells_is_a_part_of_its_own():
    parts = match_groups([pods("a", "p1", "p2")], [pods("a", "p1", "p2")], True, {0: {"p2"}})
    assert [(p.members, p.own) for p in parts] == [(["p1"], False), (["p2"], True)]


def test_diff_matrices_splits_groups_and_reports_absent_columns():
    old = CompressedMatrix("clusterip", [pods("a", "p1", "p2")], [svc("svc:shop/x:80/TCP")], [[0]], [R])
    new = CompressedMatrix("clusterip", [pods("a", "p1"), pods("b", "p2")],
                           [svc("svc:shop/x:80/TCP"), svc("svc:shop/x:81/TCP")], [[0, 0], [1, 0]], [R, B])
    got = {(c.members, c.column, c.before, c.after) for c in diff_matrices(typed("clusterip", old),
                                                                         typed("clusterip", new))}
    assert got == {(("p2",), "svc:shop/x:80/TCP", "reachable", "blocked"),
                   (("p1",), "svc:shop/x:81/TCP", ABSENT, "reachable"),
                   (("p2",), "svc:shop/x:81/TCP", ABSENT, "reachable")}


def test_diff_matrices_compares_member_cells():
    rows = [pods("a", "p1", "p2")]
    old = CompressedMatrix("clusterip", rows, [svc("svc:shop/x:80/TCP")], [[0]], [R])
    partial = Verdict("partial")
    new = CompressedMatrix("clusterip", rows, [svc("svc:shop/x:80/TCP")], [[2]], [R, B, partial],
                           {0: {"p1": {0: 0}, "p2": {0: 1}}})
    got = [(c.members, c.before, c.after) for c in diff_matrices(typed("clusterip", old), typed("clusterip", new))]
    assert got == [(("p2",), "reachable", "blocked")]


def test_pod_matrix_skips_a_pod_and_itself():
    old = CompressedMatrix("pods", [pods("a", "p1", "p2")], [pods("a", "p1", "p2")], [[1]], [R, B])
    new = CompressedMatrix("pods", [pods("a", "p1"), pods("b", "p2")], [pods("a", "p1"), pods("b", "p2")],
                           [[0, 1], [1, 0]], [R, B])
    assert diff_matrices(typed("pods", old, 80, "TCP"), typed("pods", new, 80, "TCP")) == []


def test_combine_keeps_each_column_type_and_rows():
    rows = [pods("a", "p1")]
    m1 = CompressedMatrix("clusterip", rows, [svc("svc:shop/x:80/TCP")], [[0]], [R])
    m2 = CompressedMatrix("nodeport", rows, [svc("svc:shop/y:80/TCP")], [[0]], [B])
    t = combine([("clusterip", m1), ("nodeport", m2)])
    assert t.column_types == ["clusterip", "nodeport"]
    assert [t.matrix.verdicts[i].outcome for i in t.matrix.cells[0]] == ["reachable", "blocked"]
    with pytest.raises(ValueError, match="other rows"):
        combine([("clusterip", m1), ("nodeport", CompressedMatrix("nodeport", [pods("b", "p9")], [], [[]], []))])


# --- property: diff(A, B) is empty exactly when A's and B's answers are equal ------------------------

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pairs(draw):
    a = generate(draw(st.integers(8, 24)), services=draw(st.integers(3, 8)), policies=draw(st.integers(0, 12)),
                 nodes=draw(st.integers(1, 3)), seed=draw(st.integers(0, 10_000)), host_network=draw(st.booleans()))
    if draw(st.booleans()):
        return a, a
    b = replace(a, network_policies=a.network_policies[:draw(st.integers(0, len(a.network_policies)))],
                services=a.services[:draw(st.integers(len(a.services) // 2, len(a.services)))],
                pods=a.pods[:draw(st.integers(len(a.pods) - 3, len(a.pods)))])
    return a, b


@SETTINGS
@given(pairs())
def test_diff_is_empty_exactly_when_the_answers_are_equal(pair):
    a, b = pair
    result = d.diff(d.Side(a), d.Side(b))
    answers_a, answers_b = naive.answers(a, b)
    assert result.empty == (answers_a == answers_b)
    # and the cells that differ are exactly the member pairs whose outcome differs
    assert naive.changed_pairs(result) == naive.differing(answers_a["cells"], answers_b["cells"])


# --- findings, assertions, route targets -------------------------------------------------------------

def finding(code: str, source: str = "a.yaml", message: str = "m") -> dict:
    return {"code": code, "severity": "warning", "object": "Service/shop/web", "field": "spec.selector",
            "message": message, "source": source}


@pytest.mark.parametrize("old, new, added, removed", [
    pytest.param([finding("x")], [finding("x", source="other/a.yaml")], [], [], id="another file is no change"),
    pytest.param([], [finding("x")], ["x"], [], id="added"),
    pytest.param([finding("x")], [], [], ["x"], id="removed"),
    pytest.param([finding("x")], [finding("x", message="n")], ["x"], ["x"], id="message changed"),
])
def test_finding_changes(old, new, added, removed):
    got = finding_changes(old, new)
    assert ([f["code"] for f in got["added"]], [f["code"] for f in got["removed"]]) == (added, removed)


def result(name: str, passed: bool, verdict: str) -> dict:
    return {"name": name, "passed": passed, "verdict": verdict, "message": "" if passed else "wrong"}


@pytest.mark.parametrize("old, new, broken, fixed", [
    pytest.param([result("a", True, "allowed")], [result("a", False, "blocked")], ["a"], [], id="broken"),
    pytest.param([result("a", False, "blocked")], [result("a", True, "allowed")], [], ["a"], id="fixed"),
    pytest.param([], [result("a", False, "blocked")], ["a"], [], id="new and failing"),
    pytest.param([], [result("a", True, "allowed")], [], [], id="new and passing"),
    pytest.param([result("a", False, "blocked")], [result("a", False, "partial")], [], [], id="still failing"),
    pytest.param([result("a", False, "blocked")], [], [], [], id="removed"),
])
def test_assertion_changes(old, new, broken, fixed):
    got = assertion_changes(old, new)
    assert ([a["name"] for a in got["broken"]], [a["name"] for a in got["fixed"]]) == (broken, fixed)


@pytest.mark.parametrize("objs, service, want", [
    pytest.param(fx.base(), "shop/web", [("node:node-a", "svc:shop/web:80/TCP"), ("node:node-b", "svc:shop/web:80/TCP")],
                 id="cluster IP from every node"),
    pytest.param(fx.with_nodeport(), "shop/web",
                 [("node:node-a", "svc:shop/web:80/TCP"), ("node:node-b", "svc:shop/web:80/TCP"),
                  ("external", "node:node-a:{np}/TCP"), ("external", "node:node-b:{np}/TCP")],
                 id="node ports from outside"),
])
def test_route_targets(objs, service, want):
    snap = build_snapshot(objs, None).snapshot
    svc = snap.service(service)
    np = svc.ports[0].node_port
    assert route_targets(snap, svc) == [(a, b.format(np=np)) for a, b in want]
    assert route_targets(snap, None) == []

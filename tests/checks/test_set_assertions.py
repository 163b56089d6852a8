"""Assertions over sets of clients through `kubenet check` (interfaces.md "Connectivity
assertions over sets"): each result lists the members that break it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from checks import check_command

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"
OUTSIDE_SHOP = {"namespaceSelector": {"matchExpressions": [
    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["shop"]}]}}
SHOP = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "shop"}}}


def assertion(name: str, query: dict, expect: dict) -> str:
    return yaml.safe_dump({"apiVersion": "kubenet.io/v1alpha1", "kind": "ConnectivityAssertion",
                           "metadata": {"name": name}, "spec": {"query": query, "expect": expect}})


def results(tmp_path: Path, *docs: str) -> dict:
    path = tmp_path / "z-assertions.yaml"
    path.write_text("---\n".join(docs))
    out = io.StringIO()
    check_command.cmd_check(out, io.StringIO(), paths=[str(DEMO), str(path)], format="json", fail_on="never")
    return {a["name"]: a for a in json.loads(out.getvalue())["assertions"]}


def test_no_pod_outside_shop_reaches_the_database(tmp_path):
    got = results(tmp_path, assertion("db-closed", {"kind": "connect", "from": OUTSIDE_SHOP, "to": "shop/db-0",
                                                   "port": 5432}, {"verdict": "blocked"}))["db-closed"]
    assert (got["passed"], got["verdict"], got["failures"]) == (True, "blocked", [])


def test_the_members_that_break_it_are_listed(tmp_path):
    # every shop pod but db's own peers is blocked from db-0: "all of shop reaches db" fails for them
    got = results(tmp_path, assertion("shop-reaches-db", {"kind": "connect", "from": SHOP, "to": "shop/db-0",
                                                          "port": 5432}, {"verdict": "allowed"}))["shop-reaches-db"]
    assert not got["passed"]
    assert got["verdict"].startswith("mixed (allowed: ") and "blocked: " in got["verdict"]
    clients = [f["client"] for f in got["failures"]]
    assert clients and all(c.startswith("shop/") and c != "shop/db-0" for c in clients)
    assert all(f == {"client": f["client"], "target": "shop/db-0", "verdict": "blocked"} for f in got["failures"])
    assert clients == sorted(clients) and "shop/api" not in " ".join(clients)
    assert got["message"].startswith(f"{len(clients)} of ")


def test_every_controller_pod_resolves_a_service(tmp_path):
    query = {"kind": "dns", "from": {"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "ingress-nginx"}}}, "name": "api.shop"}
    got = results(tmp_path, assertion("resolves", query, {"rcode": "NOERROR"}),
                  assertion("typo", {**query, "name": "apii.shop"}, {"rcode": "NOERROR"}))
    assert got["resolves"]["passed"] and got["resolves"]["verdict"] == "NOERROR"
    assert not got["typo"]["passed"] and got["typo"]["verdict"] == "NXDOMAIN"
    assert [f["target"] for f in got["typo"]["failures"]] == ["apii.shop"]


def test_a_set_of_targets_and_reachability_pairs(tmp_path):
    to_db = {"podSelector": {"matchLabels": {"app": "db"}}}
    got = results(tmp_path,
                  assertion("frontend-to-db", {"kind": "connect", "from": "shop/frontend-6f7d9c8b5-2xkqp",
                                               "to": to_db, "port": 5432}, {"verdict": "blocked"}),
                  assertion("pairs", {"kind": "reachability", "from": OUTSIDE_SHOP, "to": to_db, "port": 5432},
                            {"verdict": "blocked"}))
    assert got["frontend-to-db"]["passed"], got["frontend-to-db"]
    assert got["pairs"]["passed"] and got["pairs"]["verdict"] == "blocked", got["pairs"]


@pytest.mark.parametrize("query,verdict", [
    pytest.param({"kind": "connect", "from": {"podSelector": {"matchLabels": {"app": "nothing"}}},
                  "to": "shop/db-0", "port": 5432}, "error: from: the selectors match no running pod",
                 id="selectors that match nothing fail, never hold vacuously"),
    pytest.param({"kind": "connect", "from": {"podSelecter": {}}, "to": "shop/db-0", "port": 5432},
                 "error: from: unknown key(s) podSelecter", id="a misspelt key"),
])
def test_sets_that_cannot_be_evaluated_fail(tmp_path, query, verdict):
    got = results(tmp_path, assertion("bad", query, {"verdict": "blocked"}))["bad"]
    assert not got["passed"] and got["verdict"].startswith(verdict) and got["failures"] == []


def test_a_one_pod_assertion_that_fails_lists_itself(tmp_path):
    got = results(tmp_path, assertion("one", {"kind": "connect", "from": "shop/frontend-6f7d9c8b5-2xkqp",
                                              "to": "shop/db-0", "port": 5432}, {"verdict": "allowed"}))["one"]
    assert got["failures"] == [{"client": "shop/frontend-6f7d9c8b5-2xkqp", "target": "shop/db-0",
                                "verdict": "blocked"}]

"""assertion_sets: which members a set query names, and their answers as `expect` reads them."""

from __future__ import annotations

import pytest

from kubenet_site.semantics import assertion_sets as sets
from kubenet_site.semantics import examples as ex
from kubenet_site.semantics.manifests import build_snapshot, load_documents
from kubenet_site.semantics.query import run
from kubenet_site.semantics.types import QueryError

MANIFESTS = ex.docs(
    ex.namespace("shop", "team: a"), ex.namespace("web", "team: b"),
    ex.pod("db-0", "10.244.1.10", labels="app: db", ns="shop"),
    ex.pod("api-1", "10.244.1.11", labels="app: api", ns="shop"),
    ex.pod("front-1", "10.244.2.10", labels="app: front", ns="web"),
    ex.pod("front-2", "10.244.2.11", labels="app: front", ns="web").replace("phase: Running", "phase: Succeeded"),
    ex.policy("db-from-api", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n"
              "  - from: [{podSelector: {matchLabels: {app: api}}}]", ns="shop"),
)
SNAP = build_snapshot(load_documents(MANIFESTS)).snapshot
OUTSIDE_SHOP = {"namespaceSelector": {"matchExpressions": [
    {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["shop"]}]}}


@pytest.mark.parametrize("query,expected", [
    pytest.param({"kind": "connect", "from": OUTSIDE_SHOP, "to": "shop/db-0", "port": 5432},
                 [("web/front-1", "shop/db-0")], id="outside namespace shop (finished pods are no member)"),
    pytest.param({"kind": "connect", "from": {"podSelector": {"matchLabels": {"app": "api"}}}, "to": "shop/db-0",
                  "port": 5432}, [("shop/api-1", "shop/db-0")], id="podSelector alone: every namespace"),
    pytest.param({"kind": "connect", "from": {}, "to": "shop/db-0", "port": 5432},
                 [("shop/api-1", "shop/db-0"), ("web/front-1", "shop/db-0")], id="{} is every pod but the target"),
    pytest.param({"kind": "connect", "from": "web/front-1",
                  "to": {"namespaceSelector": {"matchLabels": {"team": "a"}}}, "port": 5432},
                 [("web/front-1", "shop/api-1"), ("web/front-1", "shop/db-0")], id="a set of targets"),
    pytest.param({"kind": "dns", "from": {"namespaceSelector": {"matchLabels": {"team": "b"}}}, "name": "api.shop"},
                 [("web/front-1", "api.shop")], id="dns: every pod of a namespace"),
    pytest.param({"kind": "reachability", "from": {"podSelector": {"matchLabels": {"app": "front"}}},
                  "to": {"podSelector": {"matchLabels": {"app": "db"}}}, "port": 5432},
                 [("web/front-1", "shop/db-0")], id="reachability pairs"),
])
def test_members(query, expected):
    assert sets.is_set_query(query)
    assert [(m.client, m.target) for m in sets.members(SNAP, query)] == expected


@pytest.mark.parametrize("query", [
    pytest.param({"kind": "connect", "from": "web/front-1", "to": "shop/db-0", "port": 1}, id="one pod"),
    pytest.param({"kind": "env", "pod": "web/front-1", "from": {}}, id="env takes no set"),
    pytest.param({"kind": "dns", "from": "web/front-1", "name": "x", "to": {}}, id="dns has no `to` set"),
])
def test_not_a_set_query(query):
    assert not sets.is_set_query(query)


@pytest.mark.parametrize("query,message", [
    pytest.param({"kind": "connect", "from": {"podSelector": {"matchLabels": {"app": "nope"}}}, "to": "shop/db-0",
                  "port": 1}, "match no running pod", id="empty set"),
    pytest.param({"kind": "connect", "from": {"podSelektor": {}}, "to": "shop/db-0", "port": 1},
                 "unknown key(s) podSelektor", id="a misspelt key"),
    pytest.param({"kind": "connect", "from": {"podSelector": {"matchExpressions": [{"key": "a", "operator": "Is"}]}},
                  "to": "shop/db-0", "port": 1}, "from.podSelector: 'Is' is not a valid", id="bad operator"),
])
def test_bad_sets(query, message):
    with pytest.raises(QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sets.members(SNAP, query)


def test_reachability_member_answer_reads_its_cell():
    (m,) = sets.members(SNAP, {"kind": "reachability", "from": {"podSelector": {"matchLabels": {"app": "front"}}},
                               "to": {"podSelector": {"matchLabels": {"app": "db"}}}, "port": 5432})
    answer = run({"manifests": MANIFESTS, "queries": [m.query]})["answers"][0]
    assert sets.member_answer(m.query, answer)["verdict"] == "blocked"


@pytest.mark.parametrize("verdicts,expected", [
    pytest.param(["blocked", "blocked"], "blocked", id="all alike"),
    pytest.param(["blocked", "allowed", "blocked"], "mixed (allowed: 1, blocked: 2)", id="mixed"),
])
def test_summary(verdicts, expected):
    assert sets.summary(verdicts) == expected

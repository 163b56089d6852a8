"""semantics/assertions.py: parsing assertion documents, judging answers, answering over one build."""

from __future__ import annotations

import pytest

from kubenet_site.semantics import assertions, query
from kubenet_site.semantics.assertions import Assertion, Problem, judge, matches, parse
from kubenet_site.semantics.manifests import build_snapshot, load_documents

API = assertions.ASSERTION_API
SHOP = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
spec:
  nodeName: n1
  containers: [{name: web, image: nginx, ports: [{containerPort: 8080, name: http}]}]
status: {phase: Running, podIP: 10.244.1.7, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {clusterIP: 10.96.0.10, selector: {app: web}, ports: [{name: http, port: 80, targetPort: http}]}
"""


def one(name="a", spec=None, **top):
    doc = {"apiVersion": API, "kind": assertions.ASSERTION_KIND, "metadata": {"name": name},
           "spec": spec if spec is not None else {"query": {"kind": "validate"}, "expect": {"valid": True}}}
    doc.update(top)
    return doc


@pytest.mark.parametrize(("doc", "names", "problems"), [
    pytest.param(one(), ["a"], [], id="one"),
    pytest.param({"apiVersion": API, "kind": assertions.ASSERTION_LIST,
                  "items": [one("x"), 3, {"metadata": {"name": "y"}, "spec": {"query": {"kind": "dns"},
                                                                                 "expect": {"rcode": "NOERROR"}}}]},
                 ["x", "y"], [Problem("?", "items[1]", "an assertion must be a mapping", "f, item 2")], id="list"),
    pytest.param(one(apiVersion="kubenet.io/v2"), [],
                 [Problem("a", "apiVersion", "unsupported apiVersion 'kubenet.io/v2' (kubenet reads "
                                             "kubenet.io/v1alpha1)", "f")], id="api-version"),
    pytest.param(one(metadata={}), [],
                 [Problem("?", "metadata.name", "Required value: an assertion needs metadata.name", "f")],
                 id="no-name"),
    pytest.param(one(spec={"query": {"kind": "validate"}}), [],
                 [Problem("a", "spec.expect", "Required value: a mapping of answer fields and their values", "f")],
                 id="no-expect"),
    pytest.param(one(spec={"query": "dns", "expect": {"x": 1}}), [],
                 [Problem("a", "spec.query", "Required value: a query of interfaces.md (a mapping with `kind`)",
                          "f")], id="query-not-a-mapping"),
    pytest.param(one(spec={"query": {"kind": "validate"}, "expect": {"valid": True}, "severity": "fatal"}), [],
                 [Problem("a", "spec.severity", "unsupported value 'fatal': error, warning or info", "f")],
                 id="severity"),
])
def test_parse(doc, names, problems):
    found, got = parse(doc, "f")
    assert [a.name for a in found] == names
    assert got == problems


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    pytest.param({"a": 1}, {"a": 1, "b": 2}, True, id="mapping-subset"),
    pytest.param({"a": 1}, {"b": 1}, False, id="mapping-missing-key"),
    pytest.param([1, 2], [2, 1], True, id="list-any-order"),
    pytest.param([1, 1], [1, 2], False, id="list-multiset"),
    pytest.param(80, "80", True, id="number-as-text"),
    pytest.param(True, 1, False, id="bool-is-not-int"),
])
def test_matches(expected, actual, ok):
    assert matches(expected, actual) is ok


@pytest.mark.parametrize(("expect", "answer", "passed", "message"), [
    pytest.param({"verdict": "allowed"}, {"verdict": "allowed"}, True, "", id="pass"),
    pytest.param({"verdict": "allowed"}, {"verdict": "blocked"}, False,
                 'verdict: expected "allowed", got "blocked"', id="fail"),
    pytest.param({"verdict": "allowed"}, {"error": "boom"}, False, "the query failed: boom", id="query-error"),
    pytest.param({"error": "bo"}, {"error": "boom"}, True, "", id="expected-error"),
    pytest.param({"error": False}, {"verdict": "x"}, True, "", id="no-error-expected"),
])
def test_judge(expect, answer, passed, message):
    r = judge(Assertion("a", {"kind": "connect"}, expect), answer)
    assert (r.passed, r.message) == (passed, message)


def test_evaluate_answers_over_the_given_build_like_query_run():
    build = build_snapshot(load_documents(SHOP))
    found = [Assertion("eps", {"kind": "endpoints", "service": "shop/web"},
                       {"ports": {"http": {"ready": ["10.244.1.7:8080"]}}}),
             Assertion("valid", {"kind": "validate"}, {"valid": True}),
             Assertion("bad", {"kind": "nope"}, {"verdict": "allowed"})]
    results = assertions.evaluate(build, found)
    assert [(r.name, r.passed) for r in results] == [("eps", True), ("valid", True), ("bad", False)]
    ran = query.run({"manifests": SHOP, "queries": [a.query for a in found]})["answers"]
    assert [r.answer for r in results] == ran
    assert assertions.evaluate(build, []) == []

"""Connectivity assertions (docs/assertions.md): parse them, answer their queries over a built
cluster, judge each answer against what it expects.

An assertion names one query of the query API and the answer fields it expects. `parse`
reads a ConnectivityAssertion or an AssertionList into Assertions and Problems (a malformed
assertion, named by field path); `evaluate` answers them all over one BuildResult
(query.answer_queries) and `judge`s each with `matches`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import assertion_sets as sets
from .manifests import BuildResult
from .query import answer_queries

ASSERTION_API = "kubenet.io/v1alpha1"
ASSERTION_KIND, ASSERTION_LIST = "ConnectivityAssertion", "AssertionList"
SEVERITIES = ("info", "warning", "error")
# The answer field that carries a query's main outcome, by preference.
MAIN_FIELDS = ("verdict", "outcome", "rcode")


@dataclass
class Assertion:
    name: str
    query: Any
    expect: Any
    severity: str = "error"
    source: str = ""


@dataclass(frozen=True)
class Problem:
    """A malformed assertion: its name (`?` when unknown), the field and what is wrong."""

    name: str
    field: str
    message: str
    source: str


@dataclass
class AssertionResult:
    name: str
    passed: bool
    verdict: str
    severity: str
    source: str
    message: str = ""
    answer: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)  # {client, target, verdict}

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "verdict": self.verdict, "severity": self.severity,
                "source": self.source, "message": self.message, "failures": self.failures}


def is_assertion(doc: Any) -> bool:
    return isinstance(doc, Mapping) and doc.get("kind") in (ASSERTION_KIND, ASSERTION_LIST) and \
        isinstance(doc.get("apiVersion"), str) and doc["apiVersion"].startswith("kubenet.io/")


def parse(doc: Mapping[str, Any], source: str) -> tuple[list[Assertion], list[Problem]]:
    """One ConnectivityAssertion, or an AssertionList's `items` (each may leave out apiVersion
    and kind), in order; a malformed one is a Problem."""
    found: list[Assertion] = []
    problems: list[Problem] = []
    _parse(doc, source, found, problems)
    return found, problems


def _parse(doc: Mapping[str, Any], source: str, found: list[Assertion], problems: list[Problem]) -> None:
    name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), Mapping) else None
    label = name if isinstance(name, str) and name else "?"

    def bad(fld: str, message: str, where: str = source, who: str = label) -> None:
        problems.append(Problem(who, fld, message, where))

    if doc.get("apiVersion") != ASSERTION_API:
        bad("apiVersion", f"unsupported apiVersion {doc.get('apiVersion')!r} (kubenet reads {ASSERTION_API})")
        return
    if doc.get("kind") == ASSERTION_LIST:
        items = doc.get("items")
        if not isinstance(items, list):
            bad("items", "an AssertionList needs `items`, a list of assertions")
            return
        for i, item in enumerate(items):
            where = f"{source}, item {i + 1}"
            if not isinstance(item, Mapping):
                bad(f"items[{i}]", "an assertion must be a mapping", where, "?")
                continue
            _parse({"apiVersion": ASSERTION_API, "kind": ASSERTION_KIND, **item}, where, found, problems)
        return
    if label == "?":
        bad("metadata.name", "Required value: an assertion needs metadata.name")
        return
    spec = doc.get("spec")
    if not isinstance(spec, Mapping):
        bad("spec", "Required value: spec with `query` and `expect`")
        return
    q, expect = spec.get("query"), spec.get("expect")
    if not isinstance(q, Mapping) or not isinstance(q.get("kind"), str):
        bad("spec.query", "Required value: a query of interfaces.md (a mapping with `kind`)")
        return
    if not isinstance(expect, Mapping) or not expect:
        bad("spec.expect", "Required value: a mapping of answer fields and their values")
        return
    severity = spec.get("severity", "error")
    if severity not in SEVERITIES:
        bad("spec.severity", f"unsupported value {severity!r}: error, warning or info")
        return
    found.append(Assertion(label, dict(q), dict(expect), severity, source))


def main_verdict(answer: Mapping[str, Any]) -> str:
    """The answer's main outcome (verdict, outcome, rcode; valid for validate), or its error."""
    if "error" in answer:
        return f"error: {answer['error']}"
    for key in MAIN_FIELDS:
        if key in answer:
            return str(answer[key])
    if "valid" in answer:
        return "valid" if answer["valid"] else "invalid"
    return "answered"


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def matches(expected: Any, actual: Any) -> bool:
    """A mapping matches when every key it names matches (others are ignored); a list when it
    holds the same items, in any order; anything else when equal (numbers and their text alike:
    `port: 80` matches "80")."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(k in actual and matches(v, actual[k])
                                                   for k, v in expected.items())
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            return False
        remaining = list(actual)
        for item in expected:
            hit = next((i for i, a in enumerate(remaining) if matches(item, a)), None)
            if hit is None:
                return False
            remaining.pop(hit)
        return True
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool) and expected is actual
    if expected == actual:
        return True
    if isinstance(expected, int | float | str) and isinstance(actual, int | float | str):
        return str(expected) == str(actual)
    return False


def judge(assertion: Assertion, answer: Mapping[str, Any]) -> AssertionResult:
    verdict = main_verdict(answer)
    wrong = []
    for key, want in assertion.expect.items():
        if key == "error":  # expect an error: true, or a piece of its message
            got = answer.get("error")
            ok = got is not None and (want is True or (isinstance(want, str) and want in got))
            if want is False:
                ok = got is None
        else:
            ok = key in answer and matches(want, answer[key])
        if not ok:
            shown = _canon(answer.get(key)) if key in answer else "nothing"
            wrong.append(f"{key}: expected {_canon(want)}, got {shown}")
    if "error" in answer and "error" not in assertion.expect:
        wrong.insert(0, f"the query failed: {answer['error']}")
        wrong = wrong[:1]
    return AssertionResult(assertion.name, not wrong, verdict, assertion.severity, assertion.source,
                           "; ".join(wrong), dict(answer))


def judge_expansion(assertion: Assertion, plan: sets.Expansion, answers: Sequence[Mapping[str, Any]]) -> AssertionResult:
    """One assertion's result from its members' answers (assertion_sets): it holds when every
    member's does; `failures` names each member that breaks it (a one-query assertion: itself)."""
    if plan.error is not None:
        return AssertionResult(assertion.name, False, f"error: {plan.error}", assertion.severity, assertion.source,
                               f"the query failed: {plan.error}")
    if plan.members is None:
        result = judge(assertion, answers[plan.start])
        if not result.passed:
            result.failures = [{"client": str(assertion.query.get("from") or assertion.query.get("pod") or ""),
                                "target": sets.target_of(assertion.query), "verdict": result.verdict}]
        return result
    judged = [(m, judge(assertion, sets.member_answer(m.query, answers[plan.start + i])))
              for i, m in enumerate(plan.members)]
    broken = [(m, r) for m, r in judged if not r.passed]
    message = ""
    if broken:
        m, r = broken[0]
        message = f"{len(broken)} of {len(judged)} member(s) break it; first {m.client} -> {m.target}: {r.message}"
    return AssertionResult(assertion.name, not broken, sets.summary(r.verdict for _, r in judged), assertion.severity,
                           assertion.source, message,
                           failures=[{"client": m.client, "target": m.target, "verdict": r.verdict} for m, r in broken])


def evaluate(build: BuildResult, assertions: Sequence[Assertion]) -> list[AssertionResult]:
    """Every assertion's query answered over one built cluster, then judged; a query over sets
    of clients (assertion_sets) is answered once per member, all in one go."""
    if not assertions:
        return []
    flat, plans = sets.expand_all(build.snapshot, [a.query for a in assertions])
    answers = answer_queries(build, flat)
    return [judge_expansion(a, p, answers) for a, p in zip(assertions, plans, strict=True)]

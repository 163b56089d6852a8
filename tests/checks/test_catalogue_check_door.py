"""Every catalogue example through `kubenet check` itself (the door users run): the example's
code is reported with its reference, the near miss reports nothing. Codes produced only by the
check door (unreadable files, malformed assertions) are tested here alone."""

from __future__ import annotations

import pytest
import yaml

from checks import check_command
from kubenet_site.semantics.diagnostics import catalogue

# A list document is read as a `kind: List` by the check door, so a scalar item is unreadable
# there; the engine test covers not-an-object.
# Codes this door's check() does not produce by itself: namespace-created comes from reading
# PATHs (load_paths) and import, generated-object is import's and the API's refusal (409), and
# cluster-nodes-assumed names no object, so no source file (the engine test runs its example).
OTHER_DOORS = {"not-an-object", "namespace-created", "generated-object", "cluster-nodes-assumed"}
RULES = [r for r in catalogue() if r.example and r.code not in OTHER_DOORS]


def run(rule, text: str) -> check_command.Report:
    loaded = check_command.Loaded()
    check_command.add_text(loaded, text, "example.yaml")
    return check_command.check(loaded, yaml.safe_load(rule.cluster) if rule.cluster else None)


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in RULES])
def test_check_reports_the_example(rule):
    report = run(rule, rule.example)
    if rule.code == "assertion-failed":
        assert [a.name for a in report.assertions if not a.passed] == ["shop-exists"]
        return
    hits = [f for f in report.findings if f.code == rule.code]
    assert hits, [f.as_dict() for f in report.findings]
    assert all(f.as_dict()["reference"] == rule.reference and f.severity == rule.severity for f in hits)
    assert all(f.source.startswith("example.yaml") for f in hits)


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in RULES if r.near_miss])
def test_check_is_silent_on_the_near_miss(rule):
    report = run(rule, rule.near_miss)
    assert [f.as_dict() for f in report.findings] == []
    assert all(a.passed for a in report.assertions)

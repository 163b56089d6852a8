"""The catalogue of finding codes: one Rule per stable code.

A Rule says what a code means, how severe it is, which upstream rule it rests on (`reference`,
a document or source file of Kubernetes or of the controller concerned), an `example` (manifests
that produce it) and a `near_miss` (manifests that look alike and must not). The lint checks
(diagnostics_*.py) register themselves here with their code; refusal codes (the API server's
errors, refusals.py) and the codes of the `check` door (unreadable input, malformed
assertions) are registered without a check function. docs/diagnostics.md is generated from this
registry (scripts/gen_diagnostics_doc.py) and the tests run every example and near miss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .types import Diagnostic, Snapshot

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
# Where a code comes from: the API server refusing an object, a lint of the built cluster, the
# cluster build itself (warnings the API server returns on create, implied objects), or the
# `check` door reading files and assertions.
REFUSAL, LINT, BUILD, INPUT = "refusal", "lint", "build", "input"

Check = Callable[[Snapshot], Iterable[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    origin: str
    meaning: str
    reference: str
    example: str = ""  # YAML documents that produce the code ("" only for internal errors)
    near_miss: str = ""  # YAML documents like the example that must not
    check: Check | None = None
    cluster: str = ""  # the query document's cluster block (YAML) the example and near miss use


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    if rule.code in RULES:
        raise ValueError(f"finding code {rule.code} registered twice")
    if rule.severity not in SEVERITIES:
        raise ValueError(f"{rule.code}: unknown severity {rule.severity}")
    RULES[rule.code] = rule
    return rule


def lint(code: str, severity: str, meaning: str, reference: str, example: str, near_miss: str,
         cluster: str = "") -> Callable[[Check], Check]:
    """Decorator: register a lint check under its code."""

    def wrap(fn: Check) -> Check:
        register(Rule(code, severity, LINT, meaning, reference, example, near_miss, fn, cluster))
        return fn

    return wrap


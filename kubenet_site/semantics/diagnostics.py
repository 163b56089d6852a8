"""Lint findings over a Snapshot: things a real cluster accepts but that do not work as meant.

The checks live in diagnostics_services.py, diagnostics_pods.py, diagnostics_ingress.py and
diagnostics_policy.py, each registered in the catalogue (catalogue.py) under its code with its
severity, meaning, upstream reference, example and near miss; refusals.py and
catalogue_input.py register the codes produced elsewhere. diagnose() runs every check and sorts
the findings (object, field, code) so the output is deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import (
    catalogue_input,
    catalogue_workloads,
    diagnostics_ingress,
    diagnostics_pods,
    diagnostics_policy,
    diagnostics_services,
    refusals,
)
from .catalogue import ERROR, INFO, RULES, WARNING, Rule
from .types import Diagnostic, Snapshot

if TYPE_CHECKING:
    from .manifests import BuildResult

# The modules above register their rules on import (listed so the import is not unused).
RULE_MODULES = (refusals, catalogue_input, catalogue_workloads, diagnostics_services, diagnostics_pods, diagnostics_ingress,
                diagnostics_policy)
__all__ = ["ERROR", "INFO", "WARNING", "catalogue", "diagnose", "finding_dict", "findings", "reference", "rule"]


def catalogue() -> list[Rule]:
    """Every rule, in registration order (refusals, build and input codes, then the lints)."""
    return list(RULES.values())


def rule(code: str) -> Rule | None:
    return RULES.get(code)


def reference(code: str) -> str:
    """The upstream rule a code rests on ("" for a code the catalogue does not know)."""
    found = RULES.get(code)
    return found.reference if found else ""


def diagnose(snap: Snapshot) -> list[Diagnostic]:
    """Every lint finding of every check, sorted by object, field and code."""
    checks = []
    for r in RULES.values():
        if r.check is not None and r.check not in checks:
            checks.append(r.check)
    found = [d for check in checks for d in check(snap)]
    return sorted(found, key=lambda d: (d.object, d.field, d.code, d.message))


def findings(build: BuildResult) -> list[Diagnostic]:
    """Everything kubenet says of a built cluster, as `kubenet check` and a check run report it:
    the API server's refusals (document order), its warnings, then the lints."""
    return list(build.errors) + list(build.warnings) + diagnose(build.snapshot)


def finding_dict(d: Diagnostic) -> dict[str, Any]:
    """A finding as JSON, with the upstream rule its code rests on."""
    return {**d.as_dict(), "reference": reference(d.code)}

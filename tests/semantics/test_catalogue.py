"""The catalogue of finding codes: every example produces its code, every near miss produces no
finding at all, the codes the engine emits are all catalogued, and docs/diagnostics.md is the
catalogue's own rendering."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kubenet_site.semantics.catalogue import INPUT, SEVERITIES
from kubenet_site.semantics.catalogue_doc import render
from kubenet_site.semantics.diagnostics import catalogue, diagnose, reference
from kubenet_site.semantics.fielderrors import DUPLICATE, FieldError
from kubenet_site.semantics.manifests import build_snapshot, parse_cluster
from kubenet_site.semantics.refusals import refusal_code

ROOT = Path(__file__).resolve().parents[2]
ENGINE_RULES = [r for r in catalogue() if r.origin != INPUT and r.example]


def objects(text: str) -> list:
    out: list = []
    for doc in yaml.safe_load_all(text):
        if doc is not None:
            out.extend(doc if isinstance(doc, list) else [doc])
    return out


def findings(rule, text: str) -> list[tuple[str, str]]:
    build = build_snapshot(objects(text), parse_cluster(yaml.safe_load(rule.cluster) if rule.cluster else None))
    found = list(build.errors) + list(build.warnings) + diagnose(build.snapshot)
    return [(d.code, f"{d.object} {d.field}: {d.message}") for d in found]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in ENGINE_RULES])
def test_example_produces_its_code(rule):
    got = findings(rule, rule.example)
    assert rule.code in {c for c, _ in got}, got


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in ENGINE_RULES if r.near_miss])
def test_near_miss_is_clean(rule):
    assert findings(rule, rule.near_miss) == []


def test_every_engine_code_has_an_example_and_a_near_miss():
    missing = [r.code for r in catalogue() if not (r.example and r.near_miss)]
    # internal failures have nothing to show
    assert missing == ["internal-error", "diagnostics-failed"]


@pytest.mark.parametrize("rule", [pytest.param(r, id=r.code) for r in catalogue()])
def test_rule_is_complete(rule):
    assert rule.severity in SEVERITIES
    assert rule.meaning.endswith(".") and rule.reference
    assert reference(rule.code) == rule.reference


@pytest.mark.parametrize("err,code", [
    pytest.param(FieldError("metadata.name", "Invalid value", "x", "A"), "invalid-name", id="name"),
    pytest.param(FieldError("metadata.namespace", "Invalid value", "x", "A"), "invalid-name", id="namespace"),
    pytest.param(FieldError("metadata.name", "Required value"), "required-value", id="name required"),
    pytest.param(FieldError("metadata.labels", "Invalid value", "x", "a b"), "invalid-label", id="label"),
    pytest.param(FieldError("spec.podSelector.matchExpressions[0].operator", "Invalid value", "x", "Eq"),
                 "invalid-selector", id="selector"),
    pytest.param(FieldError("spec.ports[0].targetPort", "Invalid value", "x", 0), "invalid-port", id="port"),
    pytest.param(FieldError("spec.ports[1].name", DUPLICATE, "", "http"), "duplicate-value", id="by type"),
    pytest.param(FieldError("spec.ports[0].nodePort", "Invalid value", "x", 1, "nodeport-taken"), "nodeport-taken",
                 id="explicit code kept"),
    pytest.param(FieldError("spec.x", "Something else"), "internal-error", id="unknown type"),
])
def test_refusal_code(err, code):
    assert refusal_code(err) == code


def test_no_refusal_is_the_old_catch_all_code():
    for r in ENGINE_RULES:
        assert "invalid" not in {c for c, _ in findings(r, r.example)}, r.code


def test_docs_match_the_catalogue():
    doc = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    assert doc == render(), "docs/diagnostics.md drifted: run python scripts/gen_diagnostics_doc.py"
    for r in catalogue():
        assert f"### `{r.code}`" in doc


def test_generator_check_mode_agrees():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_diagnostics_doc.py"), "--check"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def _literal_codes() -> set[str]:
    """Every finding code written as a literal where a Diagnostic or a check Finding is made, or
    in a refusal tuple `(code, field, message)`, across the engine and the check door."""
    import ast

    codes: set[str] = set()
    files = list((ROOT / "kubenet_site" / "semantics").glob("*.py")) + list((ROOT / "checks").glob("*.py"))
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                position = {"Diagnostic": 3, "Finding": 0}.get(name)
                if position is not None and len(node.args) > position:
                    arg = node.args[position]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        codes.add(arg.value)
                for kw in node.keywords:
                    if kw.arg == "code" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        codes.add(kw.value.value)
                if name == "_error" and len(node.args) == 2 and isinstance(node.args[1], ast.Tuple):
                    first = node.args[1].elts[0]
                    if isinstance(first, ast.Constant) and isinstance(first.value, str):
                        codes.add(first.value)
    return codes


def test_every_code_written_in_the_code_is_catalogued():
    found = _literal_codes()
    assert len(found) > 20  # the scan sees the engine's codes
    assert found - {r.code for r in catalogue()} == set()

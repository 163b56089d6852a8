"""`kubenet check --format sarif`: the report as SARIF 2.1.0 for code scanning.

One reportingDescriptor (rule) per code of the engine's catalogue, with its meaning as help
text and its upstream reference; one result per finding and per failed assertion, located at
the file and line where its object's document begins (the document number in the result's
properties) and, logically, at the Kubernetes object. Spec: OASIS SARIF 2.1.0
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html); GitHub code scanning reads
`runs[].tool.driver.rules`, `results[].ruleId`, `level`, `message.text` and
`locations[].physicalLocation` (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kubenet_site.semantics.diagnostics import catalogue, rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
ASSERTION_CODE = "assertion-failed"
_URL = re.compile(r"https?://[^\s;,)]+")


def _rule_name(code: str) -> str:
    return "".join(part.capitalize() for part in code.split("-"))


def _descriptor(code: str, severity: str, meaning: str, reference: str) -> dict[str, Any]:
    help_text = f"{meaning}\n\nReference: {reference}" if reference else meaning
    out: dict[str, Any] = {
        "id": code,
        "name": _rule_name(code),
        "shortDescription": {"text": meaning.split(". ")[0].rstrip(".") + "."},
        "fullDescription": {"text": meaning},
        "help": {"text": help_text, "markdown": help_text.replace("\n\nReference: ", "\n\n**Reference:** ")},
        "defaultConfiguration": {"level": LEVELS.get(severity, "error")},
        "properties": {"tags": ["kubernetes", "kubenet"], "reference": reference},
    }
    url = _URL.search(reference or "")
    if url:
        out["helpUri"] = url.group(0)
    return out


def _uri(path: str) -> str:
    """A relative POSIX path when the file is under the working directory (what code scanning
    resolves against the checkout), else the absolute path as a file URI."""
    p = Path(path)
    try:
        return quote(p.resolve().relative_to(Path(os.getcwd()).resolve()).as_posix())  # a URI reference
    except ValueError:
        return p.resolve().as_uri()


def _locations(where: Any, obj: str) -> list[dict[str, Any]]:
    loc: dict[str, Any] = {}
    if where is not None and not where.path.startswith("<"):
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(where.path)}}
        if where.line:
            physical["region"] = {"startLine": where.line}
        loc["physicalLocation"] = physical
    if obj:
        loc["logicalLocations"] = [{"fullyQualifiedName": obj, "kind": "resource"}]
    return [loc] if loc else []


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def report_sarif(report: Any) -> dict[str, Any]:
    """`report`: a check_command.Report (findings, assertions, and `loaded` for locations);
    typed loosely so this module does not import the one that renders through it."""
    rules = [_descriptor(r.code, r.severity, r.meaning, r.reference) for r in catalogue()]
    index = {r["id"]: i for i, r in enumerate(rules)}

    def rule_index(code: str, severity: str) -> int:
        if code not in index:  # a code outside the catalogue still gets its rule
            known = rule(code)
            meaning = known.meaning if known else f"kubenet finding {code}."
            index[code] = len(rules)
            rules.append(_descriptor(code, severity, meaning, known.reference if known else ""))
        return index[code]

    loaded = report.loaded
    results: list[dict[str, Any]] = []
    for f in report.findings:
        where = loaded.location(f.source) if loaded is not None and f.source else None
        text = ": ".join(x for x in (f.object, f.field, f.message) if x)
        props: dict[str, Any] = {"severity": f.severity, "field": f.field, "source": f.source}
        if where is not None:
            props["document"] = where.document
        results.append({
            "ruleId": f.code, "ruleIndex": rule_index(f.code, f.severity), "level": LEVELS.get(f.severity, "error"),
            "message": {"text": text}, "locations": _locations(where, f.object),
            "partialFingerprints": {"kubenetFinding/v1": _fingerprint(f.code, f.object, f.field, f.message)},
            "properties": props,
        })
    for a in report.assertions:
        if a.passed:
            continue
        where = loaded.location(a.source) if loaded is not None and a.source else None
        props = {"severity": a.severity, "verdict": a.verdict, "source": a.source}
        if where is not None:
            props["document"] = where.document
        results.append({
            "ruleId": ASSERTION_CODE, "ruleIndex": rule_index(ASSERTION_CODE, a.severity),
            "level": LEVELS.get(a.severity, "error"),
            "message": {"text": f"assertion {a.name} failed: {a.message or a.verdict}"},
            "locations": _locations(where, f"ConnectivityAssertion/{a.name}"),
            "partialFingerprints": {"kubenetAssertion/v1": _fingerprint(a.name, a.message)},
            "properties": props,
        })
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {"name": "kubenet", "rules": rules}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }

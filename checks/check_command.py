"""`kubenet check PATH...|--topology NAME`: every diagnostic and every broken connectivity
assertion, as text, JSON or JUnit; exit 1 when one reaches the `--fail-on` threshold.

PATH mode never touches the database: files are read, assertion documents (docs/assertions.md)
are set apart, the rest is built into a cluster by the engine (build_snapshot's refusals are
errors; diagnostics.diagnose, Ingress conflicts included, adds warnings and infos) and the assertions
are answered by query.run over the same manifests. --topology reads the stored topology through
services.queries.get_topology; assertion objects kept in it (an unmodelled kind) are evaluated
too.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kubenet_site.semantics import assertion_sets as sets
from kubenet_site.semantics import diagnostics as lint
from kubenet_site.semantics import query
from kubenet_site.semantics.manifests import (
    CLUSTER_SCOPED,
    ManifestError,
    build_snapshot,
    generated_name,
    load_documents,
    parse_cluster,
    parse_yaml_documents,
)
from kubenet_site.semantics.yaml_lines import document_lines

from . import sarif

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
ASSERTION_API = "kubenet.io/v1alpha1"
ASSERTION_KIND, ASSERTION_LIST = "ConnectivityAssertion", "AssertionList"
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
THRESHOLDS = {"error": 2, "warning": 1, "never": None}
# The answer field that carries a query's main outcome, by preference.
MAIN_FIELDS = ("verdict", "outcome", "rcode")


class CheckUsageError(Exception):
    """Bad arguments or unreadable paths: exit 2 (exit 1 means findings)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


# --- results ---------------------------------------------------------------------------------------

@dataclass
class Finding:
    code: str
    severity: str
    object: str
    field: str
    message: str
    source: str

    @property
    def reference(self) -> str:
        """The upstream rule the code rests on (the engine's catalogue)."""
        return lint.reference(self.code)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity, "object": self.object, "field": self.field,
                "message": self.message, "source": self.source, "reference": self.reference}


@dataclass
class Assertion:
    name: str
    query: Any
    expect: Any
    severity: str = "error"
    source: str = ""


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


@dataclass(frozen=True)
class Location:
    """A source's file, its document number (1-based) and the line where that document begins."""

    path: str
    document: int
    line: int | None = None


@dataclass
class Loaded:
    """Objects (with where each came from), assertions and the findings of reading them;
    `locations` maps a source (`file, document N`) to its file, document and first line."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def location(self, source: str) -> Location | None:
        """The location of a source, an AssertionList item's being its document's."""
        return self.locations.get(source) or self.locations.get(source.split(", item ")[0])

    def add(self, obj: dict[str, Any], source: str) -> None:
        self.objects.append(obj)
        self.sources.append(source)


@dataclass
class Report:
    findings: list[Finding]
    assertions: list[AssertionResult]
    fail_on: str = "error"
    loaded: Loaded | None = None  # where the findings came from (SARIF locations)

    def reaches(self, severity: str) -> bool:
        limit = THRESHOLDS[self.fail_on]
        return limit is not None and SEVERITY_RANK.get(severity, 2) >= limit

    @property
    def failed(self) -> bool:
        return any(self.reaches(f.severity) for f in self.findings) or any(
            not a.passed and self.reaches(a.severity) for a in self.assertions)

    def as_dict(self) -> dict[str, Any]:
        return {"findings": [f.as_dict() for f in self.findings],
                "assertions": [a.as_dict() for a in self.assertions]}


# --- reading ---------------------------------------------------------------------------------------

def manifest_files(paths: Iterable[str]) -> list[Path]:
    """Each PATH: a file as given, a directory recursed into *.yaml, *.yml, *.json (sorted)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in MANIFEST_SUFFIXES)
            if not found:
                raise CheckUsageError(f"{p}: no *.yaml, *.yml or *.json file in this directory")
            out += found
        elif path.is_file():
            out.append(path)
        else:
            raise CheckUsageError(f"{p}: no such file or directory")
    return out


def read_cluster_file(path: str) -> dict[str, Any]:
    """`--cluster FILE`: a YAML file holding the query document's `cluster` block (the block
    itself, or a mapping with the one key `cluster`), checked as the query door checks it."""
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise CheckUsageError(f"--cluster {path}: {exc.strerror}") from exc
    try:
        docs = [d for d in parse_yaml_documents(text) if d is not None]
    except ManifestError as exc:
        raise CheckUsageError(f"--cluster {path}: {exc.where}: {exc.message}") from exc
    if len(docs) != 1 or not isinstance(docs[0], Mapping):
        raise CheckUsageError(f"--cluster {path}: expected one YAML mapping (the query document's cluster block)")
    block = dict(docs[0])
    if set(block) == {"cluster"} and isinstance(block["cluster"], Mapping):
        block = dict(block["cluster"])
    try:
        parse_cluster(block)
    except ManifestError as exc:
        raise CheckUsageError(f"--cluster {path}: {exc.where}: {exc.message}") from exc
    return block


def is_assertion(doc: Any) -> bool:
    return isinstance(doc, Mapping) and doc.get("kind") in (ASSERTION_KIND, ASSERTION_LIST) and \
        isinstance(doc.get("apiVersion"), str) and doc["apiVersion"].startswith("kubenet.io/")


def _invalid(loaded: Loaded, name: str, fld: str, message: str, source: str) -> None:
    loaded.findings.append(Finding("assertion-invalid", "error", f"{ASSERTION_KIND}/{name}", fld, message, source))


def add_assertions(loaded: Loaded, doc: Mapping[str, Any], source: str) -> None:
    """One ConnectivityAssertion, or an AssertionList's `items` (each may leave out
    apiVersion and kind). A malformed one is an `assertion-invalid` error finding."""
    name = (doc.get("metadata") or {}).get("name") if isinstance(doc.get("metadata"), Mapping) else None
    label = name if isinstance(name, str) and name else "?"
    if doc.get("apiVersion") != ASSERTION_API:
        _invalid(loaded, label, "apiVersion", f"unsupported apiVersion {doc.get('apiVersion')!r} "
                                             f"(kubenet reads {ASSERTION_API})", source)
        return
    if doc.get("kind") == ASSERTION_LIST:
        items = doc.get("items")
        if not isinstance(items, list):
            _invalid(loaded, label, "items", "an AssertionList needs `items`, a list of assertions", source)
            return
        for i, item in enumerate(items):
            where = f"{source}, item {i + 1}"
            if not isinstance(item, Mapping):
                _invalid(loaded, "?", f"items[{i}]", "an assertion must be a mapping", where)
                continue
            add_assertions(loaded, {"apiVersion": ASSERTION_API, "kind": ASSERTION_KIND, **item}, where)
        return
    if label == "?":
        _invalid(loaded, label, "metadata.name", "Required value: an assertion needs metadata.name", source)
        return
    spec = doc.get("spec")
    if not isinstance(spec, Mapping):
        _invalid(loaded, label, "spec", "Required value: spec with `query` and `expect`", source)
        return
    q, expect = spec.get("query"), spec.get("expect")
    if not isinstance(q, Mapping) or not isinstance(q.get("kind"), str):
        _invalid(loaded, label, "spec.query", "Required value: a query of interfaces.md (a mapping with `kind`)",
                 source)
        return
    if not isinstance(expect, Mapping) or not expect:
        _invalid(loaded, label, "spec.expect", "Required value: a mapping of answer fields and their values",
                 source)
        return
    severity = spec.get("severity", "error")
    if severity not in SEVERITY_RANK:
        _invalid(loaded, label, "spec.severity", f"unsupported value {severity!r}: error, warning or info", source)
        return
    loaded.assertions.append(Assertion(label, dict(q), dict(expect), severity, source))


def add_text(loaded: Loaded, text: str | bytes, name: str) -> None:
    """Every document of one file: assertions apart, Kubernetes objects kept in order."""
    try:
        docs = parse_yaml_documents(text)
    except ManifestError as exc:
        loaded.findings.append(Finding("unreadable-manifest", "error", "", "", exc.message,
                                       f"{name}, {exc.where}" if exc.where else name))
        return
    try:
        lines = document_lines(text)
    except Exception:  # the documents were read; only their line numbers are missing
        lines = []
    for n, doc in enumerate(docs, 1):
        source = f"{name}, document {n}" if len(docs) > 1 else name
        if doc is None:
            continue
        loaded.locations[source] = Location(name, n, lines[n - 1] if n <= len(lines) else None)
        if is_assertion(doc):
            add_assertions(loaded, doc, source)
            continue
        try:
            objects = load_documents(doc if isinstance(doc, dict | list) else [doc])
        except ManifestError as exc:
            loaded.findings.append(Finding("unreadable-manifest", "error", "", "", exc.message, source))
            continue
        for obj in objects:
            if is_assertion(obj):  # an assertion inside a kind: List
                add_assertions(loaded, obj, source)
            else:
                loaded.add(obj, source)


def load_paths(paths: Iterable[str]) -> Loaded:
    loaded = Loaded()
    for f in manifest_files(paths):
        try:
            text = f.read_bytes()
        except OSError as exc:
            raise CheckUsageError(f"{f}: {exc.strerror}") from exc
        add_text(loaded, text, str(f))
    return loaded


def load_objects(objects: Iterable[dict[str, Any]], source: str) -> Loaded:
    """A stored topology's manifests (every object from one source, the topology's name)."""
    loaded = Loaded()
    for obj in objects:
        if is_assertion(obj):
            add_assertions(loaded, obj, source)
        else:
            loaded.add(obj, source)
    return loaded


# --- evaluating ------------------------------------------------------------------------------------

def _object_names(objects: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The names build_snapshot gives each object in its findings (`Kind/ns/name`, and the
    `Kind/name` label of objects refused before their namespace is known)."""
    out = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            out.append((f"document {index + 1}",))
            continue
        kind = obj.get("kind") if isinstance(obj.get("kind"), str) and obj.get("kind") else "?"
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = meta.get("name")
        if not (isinstance(name, str) and name) and isinstance(meta.get("generateName"), str):
            name = generated_name(meta["generateName"], index)
        name = name if isinstance(name, str) and name else "?"
        ns = meta.get("namespace") or "default"
        full = f"{kind}/{name}" if kind in CLUSTER_SCOPED else f"{kind}/{ns}/{name}"
        out.append((full, f"{kind}/{name}", f"document {index + 1}"))
    return out


def _source_index(objects: list[dict[str, Any]], sources: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for names, source in zip(_object_names(objects), sources, strict=True):
        for n in names:
            index.setdefault(n, []).append(source)
    return index


def evaluate_findings(loaded: Loaded, cluster: Mapping[str, Any] | None) -> tuple[list[Finding], Any]:
    build = build_snapshot(loaded.objects, parse_cluster(cluster))
    where = _source_index(loaded.objects, loaded.sources)

    def source_of(obj_name: str, refused: bool) -> str:
        found = where.get(obj_name) or []
        if not found:
            return ""
        return found[-1] if refused and len(found) > 1 else found[0]

    findings = list(loaded.findings)
    for d in build.errors:
        findings.append(Finding(d.code, "error", d.object, d.field, d.message, source_of(d.object, True)))
    lints = list(build.warnings)
    try:
        lints += lint.diagnose(build.snapshot)
    except Exception as exc:  # a broken lint is reported, the other findings still come
        findings.append(Finding("diagnostics-failed", "warning", "", "", f"diagnostics: internal error: "
                                f"{type(exc).__name__}: {exc}", ""))
    for d in lints:
        findings.append(Finding(d.code, d.severity, d.object, d.field, d.message, source_of(d.object, False)))
    return findings, build


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


def judge_expansion(assertion: Assertion, plan: sets.Expansion, answers: list[dict[str, Any]]) -> AssertionResult:
    """One assertion's result from its members' answers: it holds when every member's does;
    `failures` names each member that breaks it (a one-query assertion: itself)."""
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


def evaluate_assertions(loaded: Loaded, build: Any) -> list[AssertionResult]:
    """All assertions answered over the cluster evaluate_findings built (one build for both),
    a set expanded into one query per member."""
    if not loaded.assertions:
        return []
    try:
        load_documents(loaded.objects)  # the limits a query document's manifests are held to
    except ManifestError as exc:
        error = f"manifests: {exc.where}: {exc.message}" if exc.where else f"manifests: {exc.message}"
        return [judge(a, {"kind": a.query.get("kind"), "error": error}) for a in loaded.assertions]
    flat, plans = sets.expand_all(build.snapshot, [a.query for a in loaded.assertions])
    answers = query.answer_queries(build, flat)
    return [judge_expansion(a, p, answers) for a, p in zip(loaded.assertions, plans, strict=True)]


def check(loaded: Loaded, cluster: Mapping[str, Any] | None = None, fail_on: str = "error") -> Report:
    findings, build = evaluate_findings(loaded, cluster)
    return Report(findings, evaluate_assertions(loaded, build), fail_on, loaded)


# --- rendering -------------------------------------------------------------------------------------

def render_text(report: Report) -> str:
    lines = []
    for f in report.findings:
        what = ": ".join(x for x in (f.object, f.field, f.message) if x)
        src = f"  ({f.source})" if f.source else ""
        lines.append(f"{f.severity}: {what} [{f.code}]{src}")
    for a in report.assertions:
        src = f"  ({a.source})" if a.source else ""
        if a.passed:
            lines.append(f"assertion {a.name}: passed ({a.verdict}){src}")
        else:
            lines.append(f"{a.severity}: assertion {a.name} failed: {a.message}{src}")
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
    failed = sum(1 for a in report.assertions if not a.passed)
    summary = (f"{len(report.findings)} finding(s) ({counts['error']} error, {counts['warning']} warning, "
               f"{counts['info']} info); {len(report.assertions)} assertion(s), {failed} failed; ")
    summary += ("FAILED" if report.failed else "OK") + f" (--fail-on {report.fail_on})"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


def render_junit(report: Report) -> str:
    """One testcase per (finding code, object), failing when its worst severity reaches the
    threshold, and one per assertion."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        groups.setdefault((f.code, f.object), []).append(f)

    def suite(name: str) -> ET.Element:
        return ET.SubElement(root, "testsuite", name=name)

    root = ET.Element("testsuites", name="kubenet check")
    fs = suite("kubenet.findings")
    for (code, obj), items in groups.items():
        case = ET.SubElement(fs, "testcase", classname=f"kubenet.findings.{code}", name=obj or "(input)")
        text = "\n".join(f"{f.severity}: {f.field + ': ' if f.field else ''}{f.message}"
                         + (f" ({f.source})" if f.source else "") for f in items)
        worst = max(items, key=lambda f: SEVERITY_RANK.get(f.severity, 2)).severity
        if report.reaches(worst):
            failure = ET.SubElement(case, "failure", type=worst, message=f"{code}: {items[0].message}")
            failure.text = text
        else:
            ET.SubElement(case, "system-out").text = text
    asuite = suite("kubenet.assertions")
    for a in report.assertions:
        case = ET.SubElement(asuite, "testcase", classname="kubenet.assertions", name=a.name)
        text = f"verdict: {a.verdict}" + (f"\n{a.message}" if a.message else "") + \
            (f"\nsource: {a.source}" if a.source else "")
        if not a.passed and report.reaches(a.severity):
            ET.SubElement(case, "failure", type=a.severity, message=a.message).text = text
        else:
            ET.SubElement(case, "system-out").text = text
    total_tests = total_failures = 0
    for s in (fs, asuite):
        tests = len(s.findall("testcase"))
        failures = len(s.findall("testcase/failure"))
        s.set("tests", str(tests))
        s.set("failures", str(failures))
        s.set("errors", "0")
        s.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_sarif(report: Report) -> str:
    return json.dumps(sarif.report_sarif(report), indent=2) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "junit": render_junit, "sarif": render_sarif}


# --- the subcommand --------------------------------------------------------------------------------

def topology_source(topology: str, team: str | None) -> tuple[Loaded, dict[str, Any]]:
    """A stored topology's objects and cluster block (the only path that reads the database)."""
    from services.queries import get_topology

    from .snapshot import topology_manifests

    top = get_topology(topology, team=team)  # TopologyNotFound: exit 2 (checks.commands)
    return load_objects(topology_manifests(top), top.name), top.cluster_document()


def cmd_check(stdout: IO, stderr: IO, *, paths: list[str] | None = None, topology: str | None = None,
              team: str | None = None, format: str = "text", fail_on: str = "error", cluster: str | None = None,
              **_: Any) -> int:
    paths = list(paths or [])
    if paths and topology:
        raise CheckUsageError("give PATH... or --topology NAME, not both")
    if not paths and not topology:
        raise CheckUsageError("give PATH... (files or directories) or --topology NAME")
    if fail_on not in THRESHOLDS:
        raise CheckUsageError(f"--fail-on must be one of {', '.join(THRESHOLDS)}")
    if format not in RENDERERS:
        raise CheckUsageError(f"--format must be one of {', '.join(RENDERERS)}")
    if topology and cluster:
        raise CheckUsageError("--cluster goes with PATH...; a stored topology has its own cluster block")
    block = read_cluster_file(cluster) if cluster else None
    if topology:
        loaded, block = topology_source(topology, team)
    elif paths == ["-"]:
        loaded = Loaded()
        add_text(loaded, sys.stdin.read(), "<stdin>")
    else:
        loaded = load_paths(paths)
    report = check(loaded, block, fail_on)
    stdout.write(RENDERERS[format](report))
    return 1 if report.failed else 0

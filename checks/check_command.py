"""`kubenet check PATH...|--topology NAME`: every diagnostic and every broken connectivity
assertion, as text, JSON, JUnit or SARIF; exit 1 when one reaches the `--fail-on` threshold.

PATH mode never touches the database: files are read, assertion documents (docs/assertions.md)
are set apart, namespaces objects name but no manifest declares are created first (an info
finding `namespace-created` each), the rest is built into a cluster by the engine
(build_snapshot's refusals are errors; diagnostics.diagnose, Ingress conflicts included, adds warnings and infos) and the assertions
(semantics/assertions.py) are answered over that same build. --topology reads the stored topology through
services.queries.get_topology; assertion objects kept in it (an unmodelled kind) are evaluated
too.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kubenet_site.semantics import assertions
from kubenet_site.semantics import diagnostics as lint
from kubenet_site.semantics.assertions import (
    ASSERTION_KIND,
    Assertion,
    AssertionResult,
    is_assertion,
    judge,
    main_verdict,  # noqa: F401  (re-exported: callers of check_command's assertion helpers)
    matches,  # noqa: F401
)
from kubenet_site.semantics.manifests import (
    BuildResult,
    ManifestError,
    build_snapshot,
    finding_names,
    load_documents,
    parse_cluster,
    parse_yaml_documents,
)
from kubenet_site.semantics.missing_namespaces import created_finding, missing_namespaces, namespace_manifest
from kubenet_site.semantics.yaml_lines import document_lines

from . import sarif

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}
THRESHOLDS = {"error": 2, "warning": 1, "never": None}


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


def add_assertions(loaded: Loaded, doc: Mapping[str, Any], source: str) -> None:
    """The assertions of one document (assertions.parse); a malformed one is an
    `assertion-invalid` error finding."""
    found, problems = assertions.parse(doc, source)
    loaded.assertions += found
    loaded.findings += [Finding("assertion-invalid", "error", f"{ASSERTION_KIND}/{p.name}", p.field, p.message,
                                p.source) for p in problems]


def add_text(loaded: Loaded, text: str | bytes, name: str) -> None:
    """Every document of one file: assertions apart, Kubernetes objects kept in order."""
    try:
        docs = parse_yaml_documents(text)
    except ManifestError as exc:
        source = f"{name}, {exc.where}" if exc.where else name
        loaded.findings.append(Finding("unreadable-manifest", "error", "", "", exc.message, source))
        doc, line = re.search(r"document (\d+)", exc.where or ""), re.search(r"line (\d+)", exc.where or "")
        loaded.locations[source] = Location(name, int(doc.group(1)) if doc else 1, int(line.group(1)) if line else None)
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
    return create_namespaces(loaded)


def create_namespaces(loaded: Loaded) -> Loaded:
    """The PATH doors create the namespaces objects name but no manifest declares
    (interfaces.md "Missing namespaces"), first, each with an info finding."""
    missing = missing_namespaces(loaded.objects)
    if not missing:
        return loaded
    first_source = {}
    for obj, source in zip(loaded.objects, loaded.sources, strict=True):
        ns = (obj.get("metadata") or {}).get("namespace") if isinstance(obj.get("metadata"), dict) else None
        first_source.setdefault(ns, source)
    out = Loaded(assertions=loaded.assertions, findings=list(loaded.findings))
    for ns, users in missing.items():
        out.add(namespace_manifest(ns), first_source.get(ns, ""))
        d = created_finding(ns, users)
        out.findings.append(Finding(d.code, d.severity, d.object, d.field, d.message, first_source.get(ns, "")))
    for obj, source in zip(loaded.objects, loaded.sources, strict=True):
        out.add(obj, source)
    return out


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

def _source_index(objects: list[dict[str, Any]], sources: list[str]) -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for names, source in zip(finding_names(objects), sources, strict=True):
        for n in names:
            index.setdefault(n, []).append(source)
    return index


def evaluate_findings(loaded: Loaded, cluster: Mapping[str, Any] | None) -> tuple[list[Finding], Any]:
    build = build_snapshot(loaded.objects, parse_cluster(cluster))
    where = _source_index(loaded.objects, loaded.sources)

    def source_of(obj_name: str, refused: bool) -> str:
        # a generated object (a workload's pod) comes from where its workload does
        found = where.get(obj_name) or where.get(build.generated_by.get(obj_name, "")) or []
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


def evaluate_assertions(loaded: Loaded, build: BuildResult) -> list[AssertionResult]:
    """All assertions answered over the cluster evaluate_findings built (one build for both)."""
    if not loaded.assertions:
        return []
    try:
        load_documents(loaded.objects)  # the limits a query document's manifests are held to
    except ManifestError as exc:
        error = f"manifests: {exc.where}: {exc.message}" if exc.where else f"manifests: {exc.message}"
        return [judge(a, {"kind": a.query.get("kind"), "error": error}) for a in loaded.assertions]
    return assertions.evaluate(build, loaded.assertions)


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
        loaded = create_namespaces(loaded)
    else:
        loaded = load_paths(paths)
    report = check(loaded, block, fail_on)
    stdout.write(RENDERERS[format](report))
    return 1 if report.failed else 0

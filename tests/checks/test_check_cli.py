"""`kubenet check PATH...|--topology NAME`: findings, connectivity assertions, thresholds,
the three formats, and PATH mode without any database."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checks import check_command

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"
FRONTEND = "shop/frontend-6f7d9c8b5-2xkqp"

# A Service the API server refuses (the demo's shop/api already holds nodePort 30080).
BROKEN = """\
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30080}]
"""
# Accepted, but selects nothing: a warning.
ORPHAN = """\
apiVersion: v1
kind: Service
metadata: {name: orphan, namespace: shop}
spec: {selector: {app: nothing}, ports: [{port: 80}]}
"""
ASSERTIONS = f"""\
apiVersion: kubenet.io/v1alpha1
kind: ConnectivityAssertion
metadata: {{name: frontend-reaches-api}}
spec:
  query: {{kind: connect, from: {FRONTEND}, to: "svc:shop/api:80", port: 80}}
  expect: {{verdict: allowed}}
---
apiVersion: kubenet.io/v1alpha1
kind: AssertionList
items:
- metadata: {{name: frontend-reaches-db}}
  spec:
    query: {{kind: connect, from: {FRONTEND}, to: shop/db-0, port: 5432}}
    expect: {{verdict: allowed}}
- metadata: {{name: typo-is-nxdomain}}
  spec:
    query: {{kind: dns, from: {FRONTEND}, name: fronted}}
    expect: {{rcode: NXDOMAIN}}
"""
PASSING = f"""\
apiVersion: kubenet.io/v1alpha1
kind: ConnectivityAssertion
metadata: {{name: db-closed-to-frontend}}
spec:
  query: {{kind: connect, from: {FRONTEND}, to: shop/db-0, port: 5432}}
  expect: {{verdict: blocked}}
"""
WARN_ASSERTION = f"""\
apiVersion: kubenet.io/v1alpha1
kind: ConnectivityAssertion
metadata: {{name: soft}}
spec:
  severity: warning
  query: {{kind: connect, from: {FRONTEND}, to: shop/db-0, port: 5432}}
  expect: {{verdict: allowed}}
"""


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    """A directory holding the demo plus `files` (relative paths), and a file check must skip."""
    root = tmp_path / "manifests"
    (root / "apps").mkdir(parents=True)
    shutil.copy(DEMO, root / "00-demo.yaml")  # files are created in sorted path order
    (root / "README.md").write_text("not a manifest: `kind: Service` here must not be read\n")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def check(*paths: Path | str, **kw) -> tuple[int, str]:
    out = io.StringIO()
    code = check_command.cmd_check(out, io.StringIO(), paths=[str(p) for p in paths], **kw)
    return code, out.getvalue()


def check_json(*paths: Path | str, **kw) -> tuple[int, dict]:
    code, text = check(*paths, format="json", **kw)
    return code, json.loads(text)


def test_a_broken_manifest_and_a_failing_assertion_exit_1_with_both_in_json(tmp_path):
    root = tree(tmp_path, {"apps/web.yaml": BROKEN + "---\n" + ORPHAN, "apps/assert.yml": ASSERTIONS})
    code, doc = check_json(root)
    assert code == 1
    assert set(doc) == {"findings", "assertions"}
    refused = [f for f in doc["findings"] if f["severity"] == "error"]
    assert refused == [{
        "code": "nodeport-taken", "severity": "error", "object": "Service/shop/web", "field": "spec.ports[0].nodePort",
        "message": "Invalid value: 30080: provided port is already allocated",
        "source": f"{root / 'apps' / 'web.yaml'}, document 1",
        "reference": "https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport; "
                     "pkg/registry/core/service/portallocator/allocator.go (ErrNotInRange, ErrAllocated, ErrFull)"}]
    orphan = [f for f in doc["findings"] if f["object"] == "Service/shop/orphan" and f["severity"] == "warning"]
    assert [(f["code"], f["source"]) for f in orphan] == [
        ("selector-matches-nothing", f"{root / 'apps' / 'web.yaml'}, document 2")]
    for f in doc["findings"]:
        assert set(f) >= {"code", "severity", "object", "field", "message", "source"}
    demo_info = [f for f in doc["findings"] if f["object"] == "Service/shop/recommendations"]
    assert demo_info and demo_info[0]["source"].startswith(f"{root / '00-demo.yaml'}, document ")
    assertions = {a["name"]: (a["passed"], a["verdict"]) for a in doc["assertions"]}
    assert assertions == {"frontend-reaches-api": (True, "allowed"), "frontend-reaches-db": (False, "blocked"),
                          "typo-is-nxdomain": (True, "NXDOMAIN")}
    failed = next(a for a in doc["assertions"] if a["name"] == "frontend-reaches-db")
    assert failed["source"] == f"{root / 'apps' / 'assert.yml'}, document 2, item 1"
    assert 'expected "allowed", got "blocked"' in failed["message"]


@pytest.mark.parametrize(("files", "fail_on", "code"), [
    pytest.param({}, "error", 0, id="the demo alone: infos only"),
    pytest.param({}, "warning", 0, id="the demo alone, warning threshold: infos never fail"),
    pytest.param({"x.yaml": ORPHAN}, "error", 0, id="a warning under the error threshold"),
    pytest.param({"x.yaml": ORPHAN}, "warning", 1, id="a warning at the warning threshold"),
    pytest.param({"x.yaml": BROKEN}, "error", 1, id="a refusal is an error"),
    pytest.param({"x.yaml": BROKEN}, "never", 0, id="never: always 0"),
    pytest.param({"a.yaml": ASSERTIONS}, "error", 1, id="a failed assertion is an error"),
    pytest.param({"a.yaml": ASSERTIONS}, "never", 0, id="never, with a failed assertion"),
    pytest.param({"a.yaml": PASSING}, "warning", 0, id="assertions that hold"),
    pytest.param({"a.yaml": WARN_ASSERTION}, "error", 0, id="a warning-severity assertion under error"),
    pytest.param({"a.yaml": WARN_ASSERTION}, "warning", 1, id="a warning-severity assertion at warning"),
])
def test_exit_code_follows_the_threshold(tmp_path, files, fail_on, code):
    assert check(tree(tmp_path, files), fail_on=fail_on)[0] == code


def test_fail_on_never_still_reports_everything(tmp_path):
    code, doc = check_json(tree(tmp_path, {"web.yaml": BROKEN, "a.yaml": ASSERTIONS}), fail_on="never")
    assert code == 0
    assert any(f["severity"] == "error" for f in doc["findings"])
    assert [a["passed"] for a in doc["assertions"]].count(False) == 1


def test_junit_parses_with_one_testcase_per_code_and_object_and_per_assertion(tmp_path):
    root = tree(tmp_path, {"web.yaml": BROKEN + "---\n" + ORPHAN, "a.yaml": ASSERTIONS})
    _, doc = check_json(root)
    code, text = check(root, format="junit", fail_on="warning")
    assert code == 1
    xml = ET.fromstring(text)
    assert xml.tag == "testsuites"
    groups = {(f["code"], f["object"]) for f in doc["findings"]}
    at_threshold = {(f["code"], f["object"]) for f in doc["findings"] if f["severity"] in ("error", "warning")}
    findings, assertions = xml.findall("testsuite")
    cases = findings.findall("testcase")
    assert len(cases) == len(groups)
    assert {(c.get("classname").removeprefix("kubenet.findings."), c.get("name")) for c in cases} == groups
    failing = {(c.get("classname").removeprefix("kubenet.findings."), c.get("name"))
               for c in cases if c.find("failure") is not None}
    assert failing == at_threshold
    assert findings.get("tests") == str(len(groups)) and findings.get("failures") == str(len(at_threshold))
    acases = assertions.findall("testcase")
    assert [c.get("name") for c in acases] == [a["name"] for a in doc["assertions"]]
    assert [c.get("name") for c in acases if c.find("failure") is not None] == ["frontend-reaches-db"]
    assert xml.get("tests") == str(len(groups) + 3)
    assert xml.get("failures") == str(len(at_threshold) + 1)


def test_junit_with_never_has_no_failures(tmp_path):
    code, text = check(tree(tmp_path, {"web.yaml": BROKEN, "a.yaml": ASSERTIONS}), format="junit",
                       fail_on="never")
    xml = ET.fromstring(text)
    assert code == 0 and xml.get("failures") == "0" and not xml.findall(".//failure")


def test_text_is_one_line_per_finding_then_a_summary(tmp_path):
    root = tree(tmp_path, {"web.yaml": BROKEN, "a.yaml": ASSERTIONS})
    code, text = check(root)
    lines = text.splitlines()
    assert code == 1
    assert (f"error: Service/shop/web: spec.ports[0].nodePort: Invalid value: 30080: provided port is already "
            f"allocated [nodeport-taken]  ({root / 'web.yaml'})") in lines
    assert any(line.startswith("error: assertion frontend-reaches-db failed: verdict: expected") for line in lines)
    assert any(line.startswith("assertion frontend-reaches-api: passed (allowed)") for line in lines)
    # the demo's two infos: shop/recommendations created after pods, shop/managed-db's unused ports
    assert lines[-1].startswith("3 finding(s) (1 error, 0 warning, 2 info); 3 assertion(s), 1 failed; FAILED")


@pytest.mark.parametrize(("expect", "passed", "message"), [
    pytest.param({"verdict": "allowed"}, True, "", id="the main outcome"),
    pytest.param({"outcome": "delivered"}, False, 'outcome: expected "delivered", got nothing',
                 id="a field the answer lacks"),
    pytest.param({"backends": {"10.244.1.30:5432": "allowed"}}, False, "backends: expected",
                 id="a nested mapping is a partial match"),
])
def test_expect_fields(tmp_path, expect, passed, message):
    doc = (f"apiVersion: kubenet.io/v1alpha1\nkind: ConnectivityAssertion\nmetadata: {{name: t}}\nspec:\n"
           f"  query: {{kind: connect, from: {FRONTEND}, to: 'svc:shop/api:80', port: 80}}\n"
           f"  expect: {json.dumps(expect)}\n")
    _, out = check_json(tree(tmp_path, {"a.yaml": doc}))
    [result] = out["assertions"]
    assert result["passed"] is passed
    assert message in result["message"]


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ("blocked", "blocked", True),
    (80, "80", True),
    (["b", "a"], ["a", "b"], True),
    (["a"], ["a", "b"], False),
    ({"ready": ["10.0.0.1:80"]}, {"ready": ["10.0.0.1:80"], "serving": ["10.0.0.1:80"]}, True),
    ({"ready": []}, {"serving": []}, False),
    (True, 1, False),
])
def test_matches(expected, actual, ok):
    assert check_command.matches(expected, actual) is ok


def test_route_and_endpoints_assertions_and_query_errors(tmp_path):
    doc = f"""\
apiVersion: kubenet.io/v1alpha1
kind: AssertionList
items:
- metadata: {{name: route}}
  spec:
    query: {{kind: route, from: {FRONTEND}, to: "svc:shop/recommendations:8080/TCP"}}
    expect: {{outcome: delivered, endpoints: ["10.244.3.40:8080"]}}
- metadata: {{name: absent-pod}}
  spec:
    query: {{kind: connect, from: shop/nobody, to: shop/db-0, port: 5432}}
    expect: {{verdict: allowed}}
- metadata: {{name: expected-error}}
  spec:
    query: {{kind: connect, from: shop/nobody, to: shop/db-0, port: 5432}}
    expect: {{error: nobody}}
"""
    _, out = check_json(tree(tmp_path, {"a.yaml": doc}))
    got = {a["name"]: a for a in out["assertions"]}
    assert (got["route"]["passed"], got["route"]["verdict"]) == (True, "delivered")
    assert got["absent-pod"]["passed"] is False and got["absent-pod"]["verdict"].startswith("error: ")
    assert got["expected-error"]["passed"] is True


def test_malformed_assertions_and_unreadable_files_are_error_findings(tmp_path):
    bad = ("apiVersion: kubenet.io/v1alpha1\nkind: ConnectivityAssertion\nmetadata: {name: half}\n"
           "spec: {query: {kind: dns}}\n---\napiVersion: kubenet.io/v2\nkind: ConnectivityAssertion\n"
           "metadata: {name: future}\n")
    code, out = check_json(tree(tmp_path, {"bad.yaml": bad, "broken.yaml": "a: [unclosed\n"}))
    assert code == 1
    got = {(f["code"], f["object"], f["field"]) for f in out["findings"] if f["severity"] == "error"}
    assert got == {("assertion-invalid", "ConnectivityAssertion/half", "spec.expect"),
                   ("assertion-invalid", "ConnectivityAssertion/future", "apiVersion"),
                   ("unreadable-manifest", "", "")}
    assert out["assertions"] == []


@pytest.mark.parametrize(("args", "message"), [
    pytest.param([], "give PATH", id="nothing to check"),
    pytest.param(["/nonexistent/x.yaml"], "no such file or directory", id="a missing path"),
])
def test_usage_errors_exit_2(args, message):
    with pytest.raises(check_command.CheckUsageError) as err:
        check(*args)
    assert err.value.code == 2 and message in str(err.value)


def test_path_mode_never_touches_the_database(tmp_path):
    """No django_db mark: pytest-django fails any query, so this passing is the proof (in-process)."""
    root = tree(tmp_path, {"web.yaml": BROKEN, "a.yaml": ASSERTIONS})
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("kubenet", "check", str(root), "--format", "json", stdout=out)
    assert exit_.value.code == 1
    assert len(json.loads(out.getvalue())["assertions"]) == 3


def test_path_mode_runs_with_an_unreachable_database(tmp_path):
    """A real process whose DATABASE_URL points at a dead port: it would fail on first use."""
    root = tree(tmp_path, {"web.yaml": BROKEN, "a.yaml": PASSING})
    env = {**os.environ, "DATABASE_URL": "postgres://kubenet@127.0.0.1:9/nowhere",
           "DJANGO_SETTINGS_MODULE": "kubenet_site.settings.test"}
    for fmt in ("json", "junit"):
        proc = subprocess.run([sys.executable, "manage.py", "kubenet", "check", str(root), "--format", fmt],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1, proc.stderr
        assert "OperationalError" not in proc.stderr
    doc = subprocess.run([sys.executable, "manage.py", "kubenet", "check", str(root), "--format", "json",
                          "--fail-on", "never"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert doc.returncode == 0, doc.stderr
    assert json.loads(doc.stdout)["assertions"][0]["passed"] is True


@pytest.mark.django_db
def test_topology_mode_uses_the_topology_name_as_source_and_its_stored_assertions():
    from checks.operations import create_topology, import_manifests
    from services.models import Team

    topology = create_topology(Team.objects.create(name="default"), "demo", bootstrap=False)
    import_manifests(topology, DEMO.read_text() + "---\n" + ORPHAN + "---\n" + PASSING)
    out = io.StringIO()
    code = check_command.cmd_check(out, io.StringIO(), topology="demo", format="json", fail_on="warning")
    doc = json.loads(out.getvalue())
    assert code == 1
    assert {f["source"] for f in doc["findings"]} == {"demo"}
    assert ("selector-matches-nothing", "Service/shop/orphan") in {(f["code"], f["object"]) for f in doc["findings"]}
    assert doc["assertions"] == [{"name": "db-closed-to-frontend", "passed": True, "verdict": "blocked",
                                  "severity": "error", "source": "demo", "message": "", "failures": []}]


@pytest.mark.django_db
def test_an_unknown_topology_is_a_usage_error():
    with pytest.raises(CommandError) as err:
        call_command("kubenet", "check", "--topology", "nope", stdout=io.StringIO())
    assert err.value.returncode == 2 and 'topology "nope" not found' in str(err.value)


def test_the_documented_assertions_hold_over_the_demo(tmp_path):
    """docs/assertions.md and the README show assertions over the demo: they must pass."""
    import re

    blocks = [b for doc in ("docs/assertions.md", "README.md")
              for b in re.findall(r"```yaml\n(.*?)```", (ROOT / doc).read_text(), re.S) if "kubenet.io/" in b]
    assert len(blocks) >= 3
    code, out = check_json(tree(tmp_path, {"a.yaml": "---\n".join(blocks)}))
    assert len(out["assertions"]) >= 5
    assert [a for a in out["assertions"] if not a["passed"]] == []
    assert code == 0


SHADOWED = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop-copy, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
"""


def test_ingress_conflicts_are_findings_too(tmp_path):
    root = tree(tmp_path, {"ing.yaml": SHADOWED})
    code, out = check_json(root, fail_on="warning")
    [conflict] = [f for f in out["findings"] if f["code"] == "ingress-path-conflict"]
    assert (conflict["severity"], conflict["object"], conflict["source"]) == (
        "warning", "Ingress/shop/shop-copy", str(root / "ing.yaml"))
    assert code == 1


def test_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(DEMO.read_text() + "---\n" + PASSING))
    code, out = check_json("-")
    assert code == 0
    n = len(DEMO.read_text().split("\n---\n")) + 1
    assert out["assertions"][0]["source"] == f"<stdin>, document {n}"


def test_check_builds_the_cluster_once(tmp_path, monkeypatch):
    from kubenet_site.semantics import query

    built = []
    real = check_command.build_snapshot
    monkeypatch.setattr(check_command, "build_snapshot", lambda *a, **k: built.append(1) or real(*a, **k))
    monkeypatch.setattr(query, "run", lambda *a, **k: pytest.fail("check must not build a second time"))
    (tmp_path / "demo.yaml").write_text(DEMO.read_text())
    (tmp_path / "assertions.yaml").write_text(ASSERTIONS)
    report = check_command.check(check_command.load_paths([str(tmp_path)]))
    assert built == [1]
    assert [a.name for a in report.assertions] == ["frontend-reaches-api", "frontend-reaches-db", "typo-is-nxdomain"]

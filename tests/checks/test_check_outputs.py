"""`kubenet check --format sarif` (SARIF 2.1.0 for code scanning) and `--cluster FILE` on `check`
and `matrix`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from checks import check_command, matrix_command
from kubenet_site.semantics.diagnostics import catalogue

NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
# line 6 begins the second document (after its comment), line 11 the third
MANIFESTS = NAMESPACE + """\
---
# a Service whose selector has a typo
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: wbe}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  type: NodePort
  ports: [{port: 80, nodePort: 31000}]
"""
ASSERTION = """\
apiVersion: kubenet.io/v1alpha1
kind: AssertionList
items:
- metadata: {name: web-has-pods}
  spec:
    query: {kind: select, service: shop/web}
    expect: {pods: [shop/web-1]}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def sarif_of(*paths: Path, **kw) -> tuple[int, dict]:
    out = io.StringIO()
    code = check_command.cmd_check(out, io.StringIO(), paths=[str(p) for p in paths], format="sarif", **kw)
    return code, json.loads(out.getvalue())


def test_sarif_has_one_rule_per_code_and_located_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = [write(tmp_path, "app.yaml", MANIFESTS), write(tmp_path, "z-assert.yaml", ASSERTION)]
    code, doc = sarif_of(*files, fail_on="warning")
    assert code == 1
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and set(ids) >= {r.code for r in catalogue()}
    for r in rules:
        assert r["help"]["text"] and r["shortDescription"]["text"] and r["defaultConfiguration"]["level"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"selector-matches-nothing", "assertion-failed"}
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    lint = by_rule["selector-matches-nothing"]
    assert lint["level"] == "warning"
    (loc,) = lint["locations"]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": "app.yaml"}, "region": {"startLine": 6}}
    assert loc["logicalLocations"] == [{"fullyQualifiedName": "Service/shop/web", "kind": "resource"}]
    assert lint["properties"]["document"] == 2 and lint["properties"]["field"] == "spec.selector"
    failed = by_rule["assertion-failed"]
    assert failed["level"] == "error" and "web-has-pods" in failed["message"]["text"]
    assert failed["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert rules[failed["ruleIndex"]]["help"]["text"]


def test_sarif_refusal_is_an_error_result_at_its_document(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cluster = write(tmp_path, "cluster.yaml", "nodePortRange: 30000-30100\n")
    code, doc = sarif_of(write(tmp_path, "app.yaml", MANIFESTS), cluster=str(cluster))
    assert code == 1
    refused = [r for r in doc["runs"][0]["results"] if r["level"] == "error"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in refused] == [
        ("nodeport-out-of-range", 11)]


def test_sarif_of_a_clean_file_has_no_results(tmp_path):
    code, doc = sarif_of(write(tmp_path, "ns.yaml", NAMESPACE))
    assert code == 0 and doc["runs"][0]["results"] == []


@pytest.mark.parametrize("block", [
    pytest.param("nodePortRange: 30000-30100\n", id="the block itself"),
    pytest.param("cluster:\n  nodePortRange: 30000-30100\n", id="under a cluster key"),
])
def test_check_cluster_file_changes_the_cluster(tmp_path, block):
    app = write(tmp_path, "app.yaml", MANIFESTS)
    out = io.StringIO()
    assert check_command.cmd_check(out, io.StringIO(), paths=[str(app)], format="json") == 0
    assert "nodeport-out-of-range" not in out.getvalue()
    out = io.StringIO()
    code = check_command.cmd_check(out, io.StringIO(), paths=[str(app)], format="json",
                         cluster=str(write(tmp_path, "cluster.yaml", block)))
    assert code == 1
    refused = [f for f in json.loads(out.getvalue())["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["object"]) for f in refused] == [("nodeport-out-of-range", "Service/shop/api")]
    assert "30000-30100" in refused[0]["message"]


@pytest.mark.parametrize("text,message", [
    pytest.param("nodePortRange: 10-5\n", "cluster.nodePortRange", id="bad value names the field"),
    pytest.param("- a\n- b\n", "expected one YAML mapping", id="not a mapping"),
    pytest.param("a: [\n", "YAML syntax error", id="not YAML"),
])
def test_bad_cluster_files_are_usage_errors(tmp_path, text, message):
    with pytest.raises(check_command.CheckUsageError) as err:
        check_command.cmd_check(io.StringIO(), io.StringIO(), paths=[str(write(tmp_path, "app.yaml", NAMESPACE))],
                      cluster=str(write(tmp_path, "cluster.yaml", text)))
    assert err.value.code == 2 and message in str(err.value)


def test_cluster_file_that_does_not_exist(tmp_path):
    with pytest.raises(check_command.CheckUsageError, match="--cluster"):
        check_command.cmd_check(io.StringIO(), io.StringIO(), paths=[str(write(tmp_path, "app.yaml", NAMESPACE))],
                      cluster=str(tmp_path / "nope.yaml"))


def test_cluster_goes_with_paths_not_a_topology(tmp_path):
    cluster = str(write(tmp_path, "cluster.yaml", "domain: example.internal\n"))
    with pytest.raises(check_command.CheckUsageError, match="--cluster goes with PATH"):
        check_command.cmd_check(io.StringIO(), io.StringIO(), topology="demo", cluster=cluster)
    with pytest.raises(matrix_command.MatrixUsageError, match="--cluster goes with PATH"):
        matrix_command.cmd_matrix(io.StringIO(), io.StringIO(), topology="demo", type="nodeport", cluster=cluster)


def test_matrix_cluster_file(tmp_path):
    app = write(tmp_path, "app.yaml", MANIFESTS)

    def columns(*extra: str) -> list[str]:
        out = io.StringIO()
        call_command("kubenet", "matrix", str(app), "--type", "nodeport", "--format", "json", *extra,
                     stdout=out, stderr=io.StringIO())
        return [c["id"] for c in json.loads(out.getvalue())["columns"]]

    assert columns() == ["svc:shop/api:80/TCP"]
    cluster = write(tmp_path, "cluster.yaml", "nodePortRange: 30000-30100\n")
    assert columns("--cluster", str(cluster)) == []  # the Service is refused in that cluster


def test_the_command_line_takes_sarif_and_cluster(tmp_path):
    app = write(tmp_path, "app.yaml", MANIFESTS)
    cluster = write(tmp_path, "cluster.yaml", "nodePortRange: 30000-30100\n")
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("kubenet", "check", str(app), "--format", "sarif", "--cluster", str(cluster), stdout=out)
    assert exit_.value.code == 1
    assert {r["ruleId"] for r in json.loads(out.getvalue())["runs"][0]["results"]} == {
        "nodeport-out-of-range", "selector-matches-nothing"}


def test_sarif_uris_are_uri_references(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my apps").mkdir()
    code, doc = sarif_of(write(tmp_path / "my apps", "web#1.yaml", MANIFESTS))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"my%20apps/web%231.yaml"}
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(MANIFESTS)
    code, doc = sarif_of(outside)
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        outside.resolve().as_uri()


def test_sarif_locates_an_unreadable_file_at_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, doc = sarif_of(write(tmp_path, "bad.yaml", NAMESPACE + "---\nkind: [\n"))
    assert code == 1
    (res,) = doc["runs"][0]["results"]
    assert res["ruleId"] == "unreadable-manifest"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "bad.yaml"}
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] >= 5

"""A check run reports the same findings and assertions as `kubenet check` on the same objects:
refusals (here: a node-port range narrowed after import), build warnings, lints, malformed and
failing assertions, sets of clients included."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from checks import check_command, kinds
from checks.snapshot import build
from checks.steps import compute_step
from services.models import Topology

ROOT = Path(__file__).resolve().parents[2]
EXTRA = """\
apiVersion: kubenet.io/v1alpha1
kind: AssertionList
metadata: {name: shop-rules, namespace: shop}
items:
- metadata: {name: db-closed-outside-shop}
  spec:
    query:
      kind: connect
      from: {namespaceSelector: {matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [shop]}]}}
      to: shop/db-0
      port: 5432
    expect: {verdict: blocked}
- metadata: {name: all-of-shop-reaches-db}
  spec:
    query: {kind: connect, from: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}, to: shop/db-0, port: 5432}
    expect: {verdict: allowed}
- metadata: {name: no-expect}
  spec:
    query: {kind: validate}
---
apiVersion: v1
kind: Service
metadata: {name: typo, namespace: shop}
spec: {selector: {app: fronted}, ports: [{port: 80}]}
"""


def without_source(items: list[dict]) -> list[dict]:
    return [{k: v for k, v in item.items() if k != "source"} for item in items]


@pytest.mark.django_db
def test_a_run_and_check_agree(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA)
    call_command("kubenet", "import", str(ROOT / "demo" / "demo.yaml"), str(extra), "--topology", "demo",
                 stdout=io.StringIO())
    # narrowed after import: the demo's NodePort Services are now refused
    Topology.objects.filter(name="demo").update(node_port_range="30000-30050")
    top = Topology.objects.get(name="demo")

    out = io.StringIO()
    check_command.cmd_check(out, io.StringIO(), topology="demo", format="json", fail_on="never")
    checked = json.loads(out.getvalue())

    results = {step.key: compute_step(step)[0] for step in kinds.plan(build(top), ["diagnostics", "assertions"])}
    assert results["diagnostics"] == without_source(checked["findings"])
    assert results["assertions"] == without_source(checked["assertions"])

    codes = {f["code"] for f in results["diagnostics"]}
    assert {"nodeport-out-of-range", "assertion-invalid", "selector-matches-nothing"} <= codes
    assert all(f["reference"] for f in results["diagnostics"])
    by_name = {a["name"]: a for a in results["assertions"]}
    assert by_name["db-closed-outside-shop"]["passed"]
    assert not by_name["all-of-shop-reaches-db"]["passed"] and by_name["all-of-shop-reaches-db"]["failures"]
    summary, failed = kinds.summarize(list(results.items()))
    assert ["assertions failed", 1] in summary and failed == []

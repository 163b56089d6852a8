"""The demo's check-run summary and plan, as recorded on the code before the check kinds became
a registry (golden/demo_run_summary.json): the refactor changes no count, no step, no title.
Computed as the worker does (checks.kinds over checks.snapshot), whole and in row blocks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from checks import kinds
from checks.snapshot import build
from checks.steps import compute_step, merge_blocks
from services.models import Topology

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((Path(__file__).with_name("golden") / "demo_run_summary.json").read_text())


@pytest.fixture
def demo_snapshot(db):
    call_command("kubenet", "import", str(ROOT / "demo" / "demo.yaml"), "--topology", "demo", stdout=io.StringIO())
    return build(Topology.objects.get(name="demo"))  # the BuildResult, as a run plans over it


def test_the_plan_of_every_kind_is_unchanged(demo_snapshot):
    steps = kinds.plan(demo_snapshot, list(kinds.CHECK_KINDS))
    assert [[s.key, s.title, len(s.units), s.block is not None, s.merge] for s in steps] == GOLDEN["steps"]


@pytest.mark.parametrize("blocks", [pytest.param(0, id="whole steps"), pytest.param(3, id="three blocks a step")])
def test_the_summary_of_the_demo_is_unchanged(demo_snapshot, blocks):
    values = []
    for step in kinds.plan(demo_snapshot, list(kinds.CHECK_KINDS)):
        if blocks and step.block is not None:
            value = merge_blocks(step.merge, [step.block(i, blocks) for i in range(blocks)])
        else:
            value, trace = compute_step(step)
            assert not trace, trace
        values.append((step.key, json.loads(json.dumps(value))))  # as stored (JSON)
    summary, failed = kinds.summarize(values)
    assert {"summary": summary, "failed": failed} == {"summary": GOLDEN["summary"], "failed": GOLDEN["failed"]}

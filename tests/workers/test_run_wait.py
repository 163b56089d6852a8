"""`kubenet run --wait` with no worker alive says so within seconds, on a real Redis broker;
with a worker up it finds one (the worker-test fixtures start a real one)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checks import runs
from checks.dispatch import workers_answering
from checks.models import CheckRun

pytestmark = pytest.mark.workers
DEMO = Path(__file__).resolve().parents[2] / "demo" / "demo.yaml"


@pytest.fixture
def small_topology(transactional_db) -> None:
    call_command("kubenet", "import", str(DEMO), "--topology", "demo", stdout=io.StringIO())


def test_no_worker_alive_is_said_within_seconds(small_topology, clean_broker, settings):
    settings.KUBENET_NO_WORKER_AFTER = 3
    out = io.StringIO()
    started = time.monotonic()
    with pytest.raises(CommandError) as err:
        call_command("kubenet", "run", "--topology", "demo", "--checks", "endpoints", "--wait", stdout=out,
                     stderr=io.StringIO())
    elapsed = time.monotonic() - started
    assert err.value.returncode == 1
    assert "no worker answered within 3s; start one with celery -A kubenet_site.celery worker" in str(err.value)
    assert elapsed < 10, f"took {elapsed:.1f}s"
    run = CheckRun.objects.get()
    assert run.status == "queued" and f"Run #{run.pk} stays queued" in str(err.value)
    assert not workers_answering(0.5)


def test_a_live_worker_answers(worker, small_topology):
    assert workers_answering(2) == [worker.name]
    assert runs.some_worker_alive()
    out = io.StringIO()
    call_command("kubenet", "run", "--topology", "demo", "--checks", "endpoints", "--wait", "--timeout", "60",
                 stdout=out, stderr=io.StringIO())
    assert "succeeded" in out.getvalue()

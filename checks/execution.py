"""What a worker does with a check run: build the Snapshot of the run's pinned revision,
compute each step of the plan (checks.kinds), report progress and store each step's result
through checks.runs (the only module that changes a run's state).

A re-delivered message (acks_late, reject_on_worker_lost) is idempotent: a run already final
is left alone, a run another live process holds is left to it (runs.run_lock), and otherwise
the new delivery resumes from the steps already stored. The steps of a sharded run go out as
a Celery group of blocks (`work_block`: a matrix's row blocks, a share of the DNS or env
step's pods); whichever task stores the last piece merges the blocks and finishes the run.

KUBENET_CHECK_UNIT_DELAY (seconds, tests only) sleeps after every unit and block, so a test
can watch 0 < progress < total and kill a worker there.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import close_old_connections, connection

from . import kinds, runs
from .dispatch import BLOCK_TASK, BrokerUnavailable, enqueue_group
from .models import CheckRun, CheckRunBlock, CheckRunStep
from .snapshot import run_build
from .steps import compute_step

log = logging.getLogger(__name__)
PROGRESS_WRITE_INTERVAL = 0.2  # seconds between progress writes (and at every step's end)


def unit_delay() -> float:
    return settings.KUBENET_CHECK_UNIT_DELAY


class Heartbeat:
    """A thread refreshing the run's heartbeat while this process works on it."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.beat, name=f"heartbeat-{run_id}", daemon=True)

    def beat(self) -> None:
        try:
            while not self.stop.wait(settings.KUBENET_RUN_HEARTBEAT_INTERVAL):
                runs.beat(self.run_id)
        except Exception:  # a heartbeat must never take the task down
            log.exception("heartbeat of run %s", self.run_id)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=5)


class Progress:
    """done of total and the current step, written to the row at most every 0.2 s."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.pending = 0
        self.step = ""
        self.last = 0.0

    def begin(self, step: str) -> None:
        self.step = step
        self.flush()

    def advance(self, n: int = 1) -> None:
        self.pending += n
        if time.monotonic() - self.last >= PROGRESS_WRITE_INTERVAL:
            self.flush()

    def flush(self) -> None:
        pending, self.pending = self.pending, 0
        self.last = time.monotonic()
        runs.progress(self.run_id, pending, self.step)


def execute(run_id: int, soft_time_limit: Any, retry: Callable[[], Any]) -> str:
    """Work one CheckRun (see the module's docstring). `retry()` re-delivers the message
    (start_run publishes inside its transaction: the row may not be committed yet)."""
    if not CheckRun.objects.filter(pk=run_id).exists():
        return retry()
    with runs.run_lock(run_id) as got:
        if not got:
            return f"run {run_id} is held by another live process"
        run = runs.claim(run_id)
        if run is None:
            return f"run {run_id} is final or held elsewhere"
        try:
            with Heartbeat(run_id):
                work(run)
        except runs.RunStopped:
            return f"run {run_id} stopped"
        except SoftTimeLimitExceeded:
            runs.fail(run_id, f"soft time limit exceeded ({soft_time_limit or 'settings'} s) "
                              f"at step {CheckRun.objects.get(pk=run_id).step!r}")
        except BrokerUnavailable as exc:
            runs.fail(run_id, str(exc))
        except Exception as exc:
            runs.fail(run_id, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return f"run {run_id} done"


def layout_of(run: CheckRun, steps: list[Any], shards: int) -> tuple[list[dict[str, Any]], set[str], int]:
    """(the run's plan as stored, the steps already stored, the units already done)."""
    stored_blocks: dict[str, int] = {}
    for b in CheckRunBlock.objects.filter(run=run).values_list("step", flat=True):
        stored_blocks[b] = stored_blocks.get(b, 0) + 1
    stored = set(CheckRunStep.objects.filter(run=run).values_list("key", flat=True))
    layout, done = [], 0
    for step in steps:
        blocks = shards if (shards > 1 and step.block is not None) else 0
        units = blocks or len(step.units)
        layout.append({"key": step.key, "units": units, "blocks": blocks, "merge": step.merge})
        if step.key in stored:
            done += units
        elif blocks:
            done += min(stored_blocks.get(step.key, 0), blocks)
    return layout, stored, done


def work(run: CheckRun) -> None:
    progress = Progress(run.pk)
    progress.begin("building the snapshot")
    built = run_build(run)
    steps = kinds.plan(built, list(run.checks))
    wanted = run.options.get("shards")
    shards = kinds.auto_shards(built.snapshot) if wanted in (None, "auto") else max(1, int(wanted))
    layout, stored, done = layout_of(run, steps, shards)
    runs.set_plan(run.pk, layout, sum(s["units"] for s in layout), done)
    delay = unit_delay()

    # Sharded steps first, so their blocks run on other workers while this one goes on.
    sharded = [(s, lay) for s, lay in zip(steps, layout, strict=True) if lay["blocks"] and s.key not in stored]
    if sharded:
        progress.begin("dispatching blocks")
        have = set(CheckRunBlock.objects.filter(run=run).values_list("step", "index"))
        arguments = [(run.pk, s.key, i, lay["blocks"]) for s, lay in sharded
                     for i in range(lay["blocks"]) if (s.key, i) not in have]
        if arguments:
            enqueue_group(BLOCK_TASK, arguments, "row blocks")
            runs.append_log(run.pk, "info", f"dispatched {len(arguments)} blocks of "
                                            f"{', '.join(s.key for s, _ in sharded)}")

    for step, lay in zip(steps, layout, strict=True):
        if lay["blocks"] or step.key in stored:
            continue
        progress.begin(step.title)
        counted = 0

        def after_unit() -> None:
            nonlocal counted
            if delay:
                time.sleep(delay)
            counted += 1
            progress.advance()

        value, trace = compute_step(step, after_unit, passthrough=(runs.RunStopped, SoftTimeLimitExceeded))
        if trace:
            runs.append_log(run.pk, "error", f"step {step.key} failed: {value['error']}\n{trace}")
            progress.advance(len(step.units) - counted)
        progress.flush()
        runs.store_step(run.pk, step.key, value)
    if sharded:
        progress.begin(runs.WAITING_FOR_BLOCKS)
    runs.try_complete(run.pk)


def work_block(run_id: int, step_key: str, index: int, count: int) -> str:
    """One row block of a sharded step; idempotent (one row per run, step and block)."""
    run = CheckRun.objects.filter(pk=run_id).defer("input").first()  # input: when not built yet
    if run is None or run.is_final:
        return "run gone or final"
    if CheckRunBlock.objects.filter(run_id=run_id, step=step_key, index=index).exists():
        runs.try_complete(run_id)
        return "block already stored"
    try:
        with Heartbeat(run_id):
            built = run_build(run)
            kind = step_key.split("/")[0]  # plan that kind only: a block needs one step
            step = next(s for s in kinds.plan(built, [kind]) if s.key == step_key)
            try:
                value = step.block(index, count)
            except SoftTimeLimitExceeded:
                raise
            except Exception as exc:  # stored as the block's error; the step then fails
                value = {"error": f"{type(exc).__name__}: {exc}"}
                runs.append_log(run_id, "error", f"{step_key} block {index + 1}/{count} failed: {value['error']}"
                                                 f"\n{traceback.format_exc()}")
            if unit_delay():
                time.sleep(unit_delay())
        runs.store_block(run_id, step_key, index, count, value)
        runs.try_complete(run_id)
    except SoftTimeLimitExceeded:
        runs.fail(run_id, f"soft time limit exceeded in {step_key} block {index + 1}/{count}")
    except Exception as exc:
        runs.fail(run_id, f"{step_key} block {index + 1}/{count}: {type(exc).__name__}: {exc}",
                  traceback.format_exc())
    return f"block {index + 1}/{count} of {step_key}"


def reaper_loop() -> None:
    """Every worker reaps: at start (runs orphaned while no worker was up) and then every
    KUBENET_RUN_REAP_INTERVAL seconds."""
    while True:
        try:
            runs.reap()
        except Exception:
            log.exception("check-run reaper")
        finally:
            close_old_connections()
            connection.close()
        time.sleep(settings.KUBENET_RUN_REAP_INTERVAL)

"""Celery tasks. They take ids, call the engine through checks.*, and store results.

`run_checks(run_id)` works a CheckRun: it builds the Snapshot of the run's pinned revision,
computes each step of the plan (checks.kinds), storing progress (done of total, the step) as
it goes and each step's result (a CheckRunStep row) as it completes. A re-delivered message
(acks_late, reject_on_worker_lost) is idempotent: a run already final is left alone, a run
another live process holds is left to it (runs.run_lock), and otherwise the new delivery
resumes from the steps already stored. The steps of a sharded run go out as a Celery group
of blocks (`run_block`: a matrix's row blocks, a share of the DNS or env step's pods);
whichever task stores the last piece merges the blocks and finishes the run, whose `result`
becomes the summary of its steps.

KUBENET_CHECK_UNIT_DELAY (seconds, tests only) sleeps after every unit and block, so a test
can watch 0 < progress < total and kill a worker there.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from typing import Any

from billiard.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from celery import Task, group, shared_task
from celery.signals import worker_ready
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from kubenet_site.semantics.manifests import build_snapshot, parse_cluster

from . import kinds, runs
from .dispatch import BrokerUnavailable
from .models import CheckRun, CheckRunBlock, CheckRunStep

log = logging.getLogger(__name__)
PROGRESS_WRITE_INTERVAL = 0.2  # seconds between progress writes (and at every step's end)


@shared_task(name="checks.ping")
def ping(payload: str = "pong") -> dict:
    """A round trip through a worker: proves the broker, the worker and the database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"payload": payload, "database": connection.vendor, "select": one}


class RunStopped(Exception):
    """The run left `running` under us (cancelled, or failed by a reaper): stop quietly."""


def unit_delay() -> float:
    try:
        return float(os.environ.get("KUBENET_CHECK_UNIT_DELAY", "0") or 0)
    except ValueError:
        return 0.0


def fail(run_id: int, message: str, detail: str = "") -> None:
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_final:
            return
        run.status = CheckRun.Status.FAILED
        run.finished = timezone.now()
        run.error = message
        run.step = ""
        run.log = [*run.log, runs.entry("error", message + (f"\n{detail}" if detail else ""))]
        run.save()


class CheckTask(Task):
    """Hard time limits kill the pool child; the main process then calls on_failure here."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, TimeLimitExceeded) and args:
            try:
                fail(int(args[0]), f"hard time limit exceeded ({exc}); the process was killed")
            finally:
                close_old_connections()


class Heartbeat:
    """A thread refreshing the run's heartbeat while this process works on it."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"heartbeat-{run_id}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(runs.HEARTBEAT_INTERVAL):
                CheckRun.objects.filter(pk=self.run_id, status=CheckRun.Status.RUNNING).update(
                    heartbeat=timezone.now())
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
        updated = CheckRun.objects.filter(pk=self.run_id, status=CheckRun.Status.RUNNING).update(
            progress_done=F("progress_done") + self.pending, step=self.step[:200], heartbeat=timezone.now())
        self.pending = 0
        self.last = time.monotonic()
        if not updated:
            raise RunStopped()


def store_step(run_id: int, key: str, value: Any) -> None:
    """One step's result as its own row (idempotent: a resumed run overwrites its own)."""
    if not CheckRun.objects.filter(pk=run_id, status=CheckRun.Status.RUNNING).exists():
        raise RunStopped()
    CheckRunStep.objects.update_or_create(run_id=run_id, key=key,
                                          defaults={"value": value, "worker": runs.this_process(),
                                                    "finished": timezone.now()})


def snapshot_of(run: CheckRun):
    return build_snapshot(run.input.get("manifests") or [], parse_cluster(run.input.get("cluster"))).snapshot


def claim(run_id: int) -> CheckRun | None:
    """Mark the run as ours (running, one more attempt), or None when it is not to be worked."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().get(pk=run_id)
        if run.is_final:
            return None
        me = runs.this_process()
        if connection.vendor != "postgresql" and run.status == CheckRun.Status.RUNNING \
                and run.worker != me and runs.owner_alive(run):
            return None  # no advisory locks here: a live owner elsewhere keeps it
        if run.attempts >= runs.MAX_ATTEMPTS:
            run.status, run.finished = CheckRun.Status.FAILED, timezone.now()
            run.error = f"the worker was lost {run.attempts} times (last: {run.worker or 'none'}); giving up"
            run.log = [*run.log, runs.entry("error", run.error)]
            run.save()
            return None
        run.attempts += 1
        resumed = run.attempts > 1
        run.status = CheckRun.Status.RUNNING
        run.started = run.started or timezone.now()
        run.heartbeat = timezone.now()
        previous, run.worker = run.worker, me
        what = f"resumed on {me} (attempt {run.attempts}; {previous or 'a worker'} was lost)" if resumed \
            else f"started on {me}"
        run.log = [*run.log, runs.entry("info" if not resumed else "warning", what)]
        run.save()
        return run


@shared_task(bind=True, base=CheckTask, name="checks.run", acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_checks(self, run_id: int) -> str:
    """Work one CheckRun (see the module's docstring)."""
    if not CheckRun.objects.filter(pk=run_id).exists():
        # start_run publishes inside its transaction: the row may not be committed yet.
        if self.request.retries < 20:
            raise self.retry(countdown=0.5)
        return f"run {run_id} does not exist"
    with runs.run_lock(run_id) as got:
        if not got:
            return f"run {run_id} is held by another live process"
        run = claim(run_id)
        if run is None:
            return f"run {run_id} is final or held elsewhere"
        try:
            with Heartbeat(run_id):
                work(run)
        except RunStopped:
            return f"run {run_id} stopped"
        except SoftTimeLimitExceeded:
            fail(run_id, f"soft time limit exceeded ({self.soft_time_limit or 'settings'} s) "
                         f"at step {CheckRun.objects.get(pk=run_id).step!r}")
        except BrokerUnavailable as exc:
            fail(run_id, str(exc))
        except Exception as exc:
            fail(run_id, f"{type(exc).__name__}: {exc}", traceback.format_exc())
    return f"run {run_id} done"


def work(run: CheckRun) -> None:
    progress = Progress(run.pk)
    progress.begin("building the snapshot")
    snap = snapshot_of(run)
    steps = kinds.plan(snap, list(run.checks))
    wanted = run.options.get("shards")
    shards = kinds.auto_shards(snap) if wanted in (None, "auto") else max(1, int(wanted))
    stored_blocks = {}
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
    total = sum(s["units"] for s in layout)
    updated = CheckRun.objects.filter(pk=run.pk, status=CheckRun.Status.RUNNING).update(
        plan=layout, progress_total=total, progress_done=done)
    if not updated:
        raise RunStopped()
    delay = unit_delay()

    # Sharded steps first, so their blocks run on other workers while this one goes on.
    sharded = [(s, lay) for s, lay in zip(steps, layout, strict=True) if lay["blocks"] and s.key not in stored]
    if sharded:
        progress.begin("dispatching blocks")
        have = set(CheckRunBlock.objects.filter(run=run).values_list("step", "index"))
        sigs = [run_block.si(run.pk, s.key, i, lay["blocks"]) for s, lay in sharded
                for i in range(lay["blocks"]) if (s.key, i) not in have]
        if sigs:
            try:
                group(sigs).apply_async()
            except (OperationalError, RuntimeError, ConnectionError, OSError) as exc:
                raise BrokerUnavailable(f"the task queue is unavailable while dispatching row blocks: {exc}") from exc
            runs.append_log(run.pk, "info", f"dispatched {len(sigs)} blocks of "
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

        value, trace = kinds.compute_step(step, after_unit, passthrough=(RunStopped, SoftTimeLimitExceeded))
        if trace:
            runs.append_log(run.pk, "error", f"step {step.key} failed: {value['error']}\n{trace}")
            progress.advance(len(step.units) - counted)
        progress.flush()
        store_step(run.pk, step.key, value)
    if sharded:
        progress.begin(runs.WAITING_FOR_BLOCKS)
    try_complete(run.pk)


def try_complete(run_id: int) -> bool:
    """Finish the run if every step is stored or has all its blocks (merged here, then their
    payloads dropped); the run's `result` becomes the summary of its steps."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().get(pk=run_id)
        if run.status != CheckRun.Status.RUNNING or not run.plan:
            return False
        stored = set(CheckRunStep.objects.filter(run=run).values_list("key", flat=True))
        merging = [lay for lay in run.plan if lay["key"] not in stored]
        if any(not lay["blocks"] for lay in merging):
            return False
        counts = {lay["key"]: CheckRunBlock.objects.filter(run=run, step=lay["key"]).count() for lay in merging}
        if any(counts[lay["key"]] < lay["blocks"] for lay in merging):
            return False
        for lay in merging:
            blocks = list(CheckRunBlock.objects.filter(run=run, step=lay["key"]).order_by("index"))
            errors = [f"block {b.index + 1}/{b.count}: {kinds.step_error(b.result)}" for b in blocks
                      if kinds.step_error(b.result)]
            try:
                value = {"error": "; ".join(errors)} if errors else \
                    kinds.merge_blocks(lay.get("merge", "rows"), [b.result for b in blocks])
            except Exception as exc:
                value = {"error": f"merging row blocks: {type(exc).__name__}: {exc}"}
            CheckRunStep.objects.update_or_create(run=run, key=lay["key"], defaults={
                "value": value, "worker": runs.this_process(), "finished": timezone.now()})
            CheckRunBlock.objects.filter(run=run, step=lay["key"]).update(result={})
            del blocks, value
        summary: dict[str, Any] = {}
        failed = []
        for lay in run.plan:  # one step in memory at a time
            value = CheckRunStep.objects.filter(run=run, key=lay["key"]).values_list("value", flat=True).first()
            if kinds.step_error(value):
                failed.append(f"{lay['key']}: {kinds.step_error(value)}")
            for k, v in kinds.summarize_step(lay["key"], value).items():
                summary[k] = summary.get(k, 0) + v if isinstance(v, int) and k in summary else v
        run.result = {"summary": [[k, v] for k, v in summary.items()], "failed": failed}
        run.status = CheckRun.Status.FAILED if failed else CheckRun.Status.SUCCEEDED
        run.error = ("check steps failed (the other results are kept): " + "; ".join(failed)) if failed else ""
        run.finished = timezone.now()
        run.progress_done = run.progress_total
        run.step = ""
        blocks = CheckRunBlock.objects.filter(run=run)
        workers = sorted(set(blocks.values_list("worker", flat=True)))
        note = f" ({blocks.count()} row blocks on {len(workers)} processes)" if workers else ""
        run.log = [*run.log, runs.entry("error", run.error) if failed else runs.entry("info", f"succeeded{note}")]
        run.save()
    return True


@shared_task(bind=True, base=CheckTask, name="checks.run_block", acks_late=True, reject_on_worker_lost=True)
def run_block(self, run_id: int, step_key: str, index: int, count: int) -> str:
    """One row block of a sharded matrix step; idempotent (one row per run, step and block)."""
    run = CheckRun.objects.filter(pk=run_id).first()
    if run is None or run.is_final:
        return "run gone or final"
    if CheckRunBlock.objects.filter(run_id=run_id, step=step_key, index=index).exists():
        try_complete(run_id)
        return "block already stored"
    try:
        with Heartbeat(run_id):
            snap = snapshot_of(run)
            kind = step_key.split("/")[0]  # plan that kind only: a block needs one step
            step = next(s for s in kinds.plan(snap, [kind]) if s.key == step_key)
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
        with transaction.atomic():
            _, created = CheckRunBlock.objects.get_or_create(
                run_id=run_id, step=step_key, index=index,
                defaults={"count": count, "result": value, "worker": runs.this_process()})
            if created:
                CheckRun.objects.filter(pk=run_id, status=CheckRun.Status.RUNNING).update(
                    progress_done=F("progress_done") + 1, heartbeat=timezone.now())
        try_complete(run_id)
    except SoftTimeLimitExceeded:
        fail(run_id, f"soft time limit exceeded in {step_key} block {index + 1}/{count}")
    except Exception as exc:
        fail(run_id, f"{step_key} block {index + 1}/{count}: {type(exc).__name__}: {exc}", traceback.format_exc())
    return f"block {index + 1}/{count} of {step_key}"


def _reaper_loop() -> None:
    while True:
        try:
            runs.reap()
        except Exception:
            log.exception("check-run reaper")
        finally:
            close_old_connections()
            connection.close()
        time.sleep(runs.REAP_INTERVAL)


@worker_ready.connect
def start_reaper(sender=None, **_: Any) -> None:
    """Every worker reaps: at start (runs orphaned while no worker was up) and then every
    REAP_INTERVAL seconds."""
    threading.Thread(target=_reaper_loop, name="checkrun-reaper", daemon=True).start()

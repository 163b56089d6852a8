"""Check runs: the only module that changes a CheckRun's state.

Starting (`start_run`): the row and the task message are made together or not at all. The
row is inserted and the task published inside one transaction; if the broker does not answer
(`dispatch.BrokerUnavailable`, within seconds) the transaction rolls back and no run exists.
A task that arrives before the commit is visible waits for it (the task retries).

Working (called by checks.execution in the worker): `claim` (queued -> running, one more
attempt), `set_plan`, `progress`, `beat`, `store_step`, `store_block`, then `try_complete`
(running -> succeeded or failed, the summary of its steps), or `fail` / `cancel`.

Liveness: the process working on a run holds a PostgreSQL session advisory lock keyed by the
run's id, and a heartbeat thread refreshes `heartbeat` every KUBENET_RUN_HEARTBEAT_INTERVAL
seconds. A process killed with SIGKILL loses its connection and so its lock at once. On other
databases (SQLite in embedded mode) liveness is the pid on this host, else the heartbeat's age.

Reaping (`reap`): a running run whose heartbeat is older than KUBENET_RUN_HEARTBEAT_TIMEOUT and
whose lock nobody holds has lost its worker: it is re-enqueued and queued again (the task
resumes from the steps already stored), or failed once it has been started
KUBENET_RUN_MAX_ATTEMPTS times (or re-enqueued that many + 2 times without any worker taking
it). A run waiting in the queue (queued, or waiting for its row blocks) gets
KUBENET_RUN_QUEUED_TIMEOUT instead. `reap` runs on every read (the CLI's --wait, the admin) and
in every worker, every KUBENET_RUN_REAP_INTERVAL seconds. Bound: a run whose worker is killed
reaches a final state within about HEARTBEAT_TIMEOUT + REAP_INTERVAL + the time the work itself
needs, provided some worker is up; a pool child killed by itself is faster still (acks_late +
reject_on_worker_lost: its worker re-delivers the message within seconds of noticing).
All of these settings are read from django.conf.settings (kubenet_site/settings/base.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from services.models import Topology

from . import kinds
from .dispatch import RUN_TASK, BrokerUnavailable, enqueue, workers_answering
from .models import CheckRun, CheckRunBlock, CheckRunStep
from .snapshot import topology_manifests
from .steps import merge_blocks, step_error

log = logging.getLogger(__name__)

WAITING_FOR_BLOCKS = "waiting for the blocks on the workers"
REQUEUED = "re-enqueued"
LOCK_NAMESPACE = 0x6B75  # "ku": the advisory lock's first key, the run id the second

__all__ = ["BrokerUnavailable", "start_run", "reap", "run_lock", "owner_alive", "append_log"]


class RunStopped(Exception):
    """The run left `running` under us (cancelled, or failed by a reaper): stop quietly."""


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def max_attempts() -> int:
    return settings.KUBENET_RUN_MAX_ATTEMPTS


def start_run(topology: Topology, kinds_wanted: list[str] | str | None = None, *, shards: int | None = None,
              user: Any = None) -> CheckRun:
    """Create a run pinned to the topology's current revision and enqueue it. `shards`: row
    blocks per matrix (None: kinds.auto_shards decides from the topology's size).

    Raises BrokerUnavailable (nothing was created) or kinds.UnknownCheck."""
    checks = kinds.parse_kinds(kinds_wanted)
    with transaction.atomic():
        top = Topology.objects.select_for_update().get(pk=topology.pk)  # imports wait: one revision
        run = CheckRun.objects.create(
            topology=top, revision=top.revision, checks=checks, options={"shards": "auto" if shards is None else max(1, int(shards))},
            input={"cluster": top.cluster_document(), "manifests": topology_manifests(top)},
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            log=[entry("info", f"queued: {', '.join(checks)} on revision {top.revision}")],
        )
        result = enqueue(RUN_TASK, run.pk)  # BrokerUnavailable rolls the row back
        run.task_id = result.id or ""
        run.save(update_fields=["task_id"])
    return run


def entry(level: str, message: str) -> dict[str, str]:
    return {"time": timezone.now().isoformat(), "level": level, "message": message}


def append_log(run_id: int, level: str, message: str, **fields: Any) -> None:
    """Add a log entry (and set `fields`) under the row lock, so concurrent writers keep both."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().get(pk=run_id)
        run.log = [*run.log, entry(level, message)]
        for k, v in fields.items():
            setattr(run, k, v)
        run.save(update_fields=["log", *fields])


def cancel(run_id: int, by: str = "") -> bool:
    """Cancel an open run; its task notices at its next progress write and stops."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().get(pk=run_id)
        if run.is_final:
            return False
        run.status, run.finished, run.step = CheckRun.Status.CANCELLED, timezone.now(), ""
        run.log = [*run.log, entry("warning", f"cancelled{' by ' + by if by else ''}")]
        run.save()
    return True


def fail(run_id: int, message: str, detail: str = "") -> None:
    """An open run ends failed with `message` (and `detail` in its log)."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.is_final:
            return
        run.status = CheckRun.Status.FAILED
        run.finished = timezone.now()
        run.error = message
        run.step = ""
        run.log = [*run.log, entry("error", message + (f"\n{detail}" if detail else ""))]
        run.save()


# Working a run -----------------------------------------------------------------------------

def claim(run_id: int) -> CheckRun | None:
    """Mark the run as ours (running, one more attempt), or None when it is not to be worked."""
    with transaction.atomic():
        run = CheckRun.objects.select_for_update().get(pk=run_id)
        if run.is_final:
            return None
        me = this_process()
        if not postgres() and run.status == CheckRun.Status.RUNNING and run.worker != me and owner_alive(run):
            return None  # no advisory locks here: a live owner elsewhere keeps it
        if run.attempts >= max_attempts():
            run.status, run.finished = CheckRun.Status.FAILED, timezone.now()
            run.error = f"the worker was lost {run.attempts} times (last: {run.worker or 'none'}); giving up"
            run.log = [*run.log, entry("error", run.error)]
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
        run.log = [*run.log, entry("info" if not resumed else "warning", what)]
        run.save()
        return run


def running(run_id: int):
    return CheckRun.objects.filter(pk=run_id, status=CheckRun.Status.RUNNING)


def beat(run_id: int) -> None:
    """A sign of life from the process working on the run."""
    running(run_id).update(heartbeat=timezone.now())


def set_plan(run_id: int, layout: list[dict[str, Any]], total: int, done: int) -> None:
    if not running(run_id).update(plan=layout, progress_total=total, progress_done=done):
        raise RunStopped()


def progress(run_id: int, advanced: int, step: str) -> None:
    """`advanced` more units done, now at `step`; RunStopped when the run is no longer running."""
    if not running(run_id).update(progress_done=F("progress_done") + advanced, step=step[:200],
                                  heartbeat=timezone.now()):
        raise RunStopped()


def store_step(run_id: int, key: str, value: Any) -> None:
    """One step's result as its own row (idempotent: a resumed run overwrites its own)."""
    if not running(run_id).exists():
        raise RunStopped()
    CheckRunStep.objects.update_or_create(run_id=run_id, key=key, defaults={
        "value": value, "worker": this_process(), "finished": timezone.now()})


def store_block(run_id: int, step_key: str, index: int, count: int, value: Any) -> None:
    """One block of a sharded step (idempotent: one row per run, step and block)."""
    with transaction.atomic():
        _, created = CheckRunBlock.objects.get_or_create(
            run_id=run_id, step=step_key, index=index,
            defaults={"count": count, "result": value, "worker": this_process()})
        if created:
            running(run_id).update(progress_done=F("progress_done") + 1, heartbeat=timezone.now())


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
            merge_stored_blocks(run, lay)
        steps = CheckRunStep.objects.filter(run=run)
        summary, failed = kinds.summarize(  # one step in memory at a time
            (lay["key"], steps.filter(key=lay["key"]).values_list("value", flat=True).first()) for lay in run.plan)
        run.result = {"summary": summary, "failed": failed}
        run.status = CheckRun.Status.FAILED if failed else CheckRun.Status.SUCCEEDED
        run.error = ("check steps failed (the other results are kept): " + "; ".join(failed)) if failed else ""
        run.finished = timezone.now()
        run.progress_done = run.progress_total
        run.step = ""
        blocks = CheckRunBlock.objects.filter(run=run)
        workers = sorted(set(blocks.values_list("worker", flat=True)))
        note = f" ({blocks.count()} row blocks on {len(workers)} processes)" if workers else ""
        run.log = [*run.log, entry("error", run.error) if failed else entry("info", f"succeeded{note}")]
        run.save()
    return True


def merge_stored_blocks(run: CheckRun, lay: dict[str, Any]) -> None:
    """A sharded step's blocks -> its CheckRunStep (an error when a block failed)."""
    blocks = list(CheckRunBlock.objects.filter(run=run, step=lay["key"]).order_by("index"))
    errors = [f"block {b.index + 1}/{b.count}: {step_error(b.result)}" for b in blocks
              if step_error(b.result)]
    try:
        value = {"error": "; ".join(errors)} if errors else \
            merge_blocks(lay.get("merge", "rows"), [b.result for b in blocks])
    except Exception as exc:
        value = {"error": f"merging row blocks: {type(exc).__name__}: {exc}"}
    CheckRunStep.objects.update_or_create(run=run, key=lay["key"], defaults={
        "value": value, "worker": this_process(), "finished": timezone.now()})
    CheckRunBlock.objects.filter(run=run, step=lay["key"]).update(result={})


# Liveness ----------------------------------------------------------------------------------

def postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def run_lock(run_id: int) -> Iterator[bool]:
    """Hold the run's advisory lock for the block: yields False when another live process
    holds it (on databases without advisory locks: always True)."""
    if not postgres():
        yield True
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, run_id])
        (got,) = cur.fetchone()
    try:
        yield bool(got)
    finally:
        if got:
            with contextlib.suppress(Exception), connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, run_id])


def lock_held(run_id: int) -> bool | None:
    """Whether some session holds the run's lock (None: the database cannot tell)."""
    if not postgres():
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s "
                    "AND objid = %s AND objsubid = 2 AND granted", [LOCK_NAMESPACE, run_id])
        (n,) = cur.fetchone()
    return n > 0


def owner_alive(run: CheckRun, now=None) -> bool:
    """Is a process still working on the run?"""
    held = lock_held(run.pk)
    if held is not None:
        return held
    host, _, pid = run.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    now = now or timezone.now()
    return run.heartbeat is not None and \
        now - run.heartbeat < timedelta(seconds=settings.KUBENET_RUN_HEARTBEAT_TIMEOUT)


# Reaping -----------------------------------------------------------------------------------

def reap(runs=None, now=None) -> list[int]:
    """Re-enqueue (or fail) the open runs whose worker vanished; returns their ids.

    A queued run counts from its creation (its message may have been lost with a broker),
    a running one from its heartbeat."""
    now = now or timezone.now()
    qs = CheckRun.objects.filter(status__in=[CheckRun.Status.QUEUED, CheckRun.Status.RUNNING])
    if runs is not None:
        qs = qs.filter(pk__in=[r.pk if isinstance(r, CheckRun) else r for r in runs])
    candidates = [r for r in qs.only("pk", "status", "step", "heartbeat", "created", "worker", "attempts")
                  if overdue(r, now)]
    reaped: list[int] = []
    for cand in candidates:
        if owner_alive(cand, now):
            continue
        with transaction.atomic():
            run = CheckRun.objects.select_for_update(skip_locked=True).filter(pk=cand.pk).first()
            if run is None or run.is_final or not overdue(run, now):
                continue  # another reaper or a worker got there first
            if reap_one(run, now):
                reaped.append(run.pk)
    return reaped


def reap_one(run: CheckRun, now) -> bool:
    """Fail (too many attempts) or re-enqueue one run, inside the caller's row lock."""
    requeued = sum(1 for e in run.log if e.get("message", "").startswith(REQUEUED))
    if run.attempts >= max_attempts() or requeued >= max_attempts() + 2:
        run.status = CheckRun.Status.FAILED
        run.finished = now
        run.error = (f"the worker was lost {run.attempts} times (last: {run.worker or 'none'}); "
                     "giving up") if run.attempts >= max_attempts() else \
            f"re-enqueued {requeued} times and no worker took it up; giving up"
        run.log = [*run.log, entry("error", run.error)]
        run.save()
        return True
    try:
        result = enqueue(RUN_TASK, run.pk)
    except BrokerUnavailable as exc:
        log.warning("reaper: cannot re-enqueue run %s: %s", run.pk, exc)
        return False
    run.log = [*run.log, entry("warning", f"{REQUEUED}: no live worker on it (last: {run.worker or 'none'}, "
                                          f"heartbeat {run.heartbeat})")]
    run.heartbeat = now  # back in the queue: QUEUED_TIMEOUT until the next re-enqueue
    run.status = CheckRun.Status.QUEUED
    run.step = ""
    run.task_id = result.id or run.task_id
    run.save(update_fields=["heartbeat", "status", "step", "task_id", "log"])
    return True


def overdue(run: CheckRun, now) -> bool:
    """No sign of life for longer than the run's state allows."""
    waiting = run.status == CheckRun.Status.QUEUED or run.step == WAITING_FOR_BLOCKS
    timeout = settings.KUBENET_RUN_QUEUED_TIMEOUT if waiting else settings.KUBENET_RUN_HEARTBEAT_TIMEOUT
    return (run.heartbeat or run.created) < now - timedelta(seconds=timeout)


def some_worker_alive(now=None) -> bool:
    """Does any worker live? One answers a control ping (KUBENET_WORKER_PING_TIMEOUT), or
    some run shows a recent heartbeat (a solo-pool worker busy with a task cannot answer)."""
    now = now or timezone.now()
    recent = now - timedelta(seconds=settings.KUBENET_RUN_HEARTBEAT_TIMEOUT)
    if CheckRun.objects.filter(status=CheckRun.Status.RUNNING, heartbeat__gte=recent).exists():
        return True
    return bool(workers_answering(settings.KUBENET_WORKER_PING_TIMEOUT))


def refresh(run: CheckRun) -> CheckRun:
    """The run as stored now, after reaping it if its worker vanished (a read that heals).
    Its pinned `input` (every manifest: megabytes at 10,000 pods) never changes: not re-read."""
    fields = [f.attname for f in CheckRun._meta.concrete_fields if f.attname not in ("id", "input")]
    run.refresh_from_db(fields=fields)
    if not run.is_final and reap([run]):
        run.refresh_from_db(fields=fields)
    return run

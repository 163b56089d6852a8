"""Check runs: start one, tell whether its worker is alive, reap the ones whose worker vanished.

Starting (`start_run`): the row and the task message are made together or not at all. The
row is inserted and the task published inside one transaction; if the broker does not answer
(`dispatch.BrokerUnavailable`, within seconds) the transaction rolls back and no run exists.
A task that arrives before the commit is visible waits for it (tasks.run_checks retries).

Liveness: the process working on a run holds a PostgreSQL session advisory lock keyed by the
run's id, and a heartbeat thread refreshes `heartbeat` every HEARTBEAT_INTERVAL seconds. A
process killed with SIGKILL loses its connection and so its lock at once. On other databases
(SQLite in embedded mode) liveness is the pid on this host, else the heartbeat's age.

Reaping (`reap`): a running run whose heartbeat is older than HEARTBEAT_TIMEOUT and whose lock
nobody holds has lost its worker: it is re-enqueued and queued again (the task resumes from the
steps already stored), or failed once it has been started MAX_ATTEMPTS times (or re-enqueued
MAX_ATTEMPTS + 2 times without any worker taking it). A run waiting in the queue (queued, or
waiting for its row blocks) gets QUEUED_TIMEOUT instead.
`reap` runs on every read (the CLI's --wait, the admin) and in every worker, every
REAP_INTERVAL seconds. Bound: a run whose worker is killed reaches a final state within about
HEARTBEAT_TIMEOUT + REAP_INTERVAL + the time the work itself needs, provided some worker is
up; a pool child killed by itself is faster still (acks_late + reject_on_worker_lost: its worker
re-delivers the message within seconds of noticing).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from services.models import Topology

from .dispatch import BrokerUnavailable, enqueue
from .kinds import parse_kinds
from .models import CheckRun
from .snapshot import topology_manifests

log = logging.getLogger(__name__)


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


HEARTBEAT_INTERVAL = _env_float("KUBENET_RUN_HEARTBEAT_INTERVAL", 5)
HEARTBEAT_TIMEOUT = _env_float("KUBENET_RUN_HEARTBEAT_TIMEOUT", 30)
REAP_INTERVAL = _env_float("KUBENET_RUN_REAP_INTERVAL", 15)
# A run waiting in the queue (queued, or its row blocks queued) shows no heartbeat by nature:
# it is re-enqueued only after this long (its message may have been lost with a broker).
QUEUED_TIMEOUT = _env_float("KUBENET_RUN_QUEUED_TIMEOUT", 600)
WAITING_FOR_BLOCKS = "waiting for the blocks on the workers"
REQUEUED = "re-enqueued"
MAX_ATTEMPTS = int(_env_float("KUBENET_RUN_MAX_ATTEMPTS", 3))
LOCK_NAMESPACE = 0x6B75  # "ku": the advisory lock's first key, the run id the second

__all__ = ["BrokerUnavailable", "start_run", "reap", "run_lock", "owner_alive", "append_log"]


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_run(topology: Topology, kinds: list[str] | str | None = None, *, shards: int | None = None,
              user: Any = None) -> CheckRun:
    """Create a run pinned to the topology's current revision and enqueue it. `shards`: row
    blocks per matrix (None: kinds.auto_shards decides from the topology's size).

    Raises BrokerUnavailable (nothing was created) or kinds.UnknownCheck."""
    from .tasks import run_checks

    checks = parse_kinds(kinds)
    with transaction.atomic():
        top = Topology.objects.select_for_update().get(pk=topology.pk)  # imports wait: one revision
        run = CheckRun.objects.create(
            topology=top, revision=top.revision, checks=checks, options={"shards": "auto" if shards is None else max(1, int(shards))},
            input={"cluster": top.cluster_document(), "manifests": topology_manifests(top)},
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            log=[entry("info", f"queued: {', '.join(checks)} on revision {top.revision}")],
        )
        result = enqueue(run_checks, run.pk)  # BrokerUnavailable rolls the row back
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


# Liveness ----------------------------------------------------------------------------------

def _postgres() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def run_lock(run_id: int) -> Iterator[bool]:
    """Hold the run's advisory lock for the block: yields False when another live process
    holds it (on databases without advisory locks: always True)."""
    if not _postgres():
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
    if not _postgres():
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
    return run.heartbeat is not None and now - run.heartbeat < timedelta(seconds=HEARTBEAT_TIMEOUT)


# Reaping -----------------------------------------------------------------------------------

def reap(runs=None, now=None) -> list[int]:
    """Re-enqueue (or fail) the open runs whose worker vanished; returns their ids.

    A queued run counts from its creation (its message may have been lost with a broker),
    a running one from its heartbeat."""
    from .tasks import run_checks

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
            requeued = sum(1 for e in run.log if e.get("message", "").startswith(REQUEUED))
            if run.attempts >= MAX_ATTEMPTS or requeued >= MAX_ATTEMPTS + 2:
                run.status = CheckRun.Status.FAILED
                run.finished = now
                run.error = (f"the worker was lost {run.attempts} times (last: {run.worker or 'none'}); "
                             "giving up") if run.attempts >= MAX_ATTEMPTS else \
                    f"re-enqueued {requeued} times and no worker took it up; giving up"
                run.log = [*run.log, entry("error", run.error)]
                run.save()
                reaped.append(run.pk)
                continue
            try:
                result = enqueue(run_checks, run.pk)
            except BrokerUnavailable as exc:
                log.warning("reaper: cannot re-enqueue run %s: %s", run.pk, exc)
                continue
            run.log = [*run.log, entry("warning", f"{REQUEUED}: no live worker on it (last: {run.worker or 'none'}, "
                                                  f"heartbeat {run.heartbeat})")]
            run.heartbeat = now  # back in the queue: QUEUED_TIMEOUT until the next re-enqueue
            run.status = CheckRun.Status.QUEUED
            run.step = ""
            run.task_id = result.id or run.task_id
            run.save(update_fields=["heartbeat", "status", "step", "task_id", "log"])
            reaped.append(run.pk)
    return reaped


def overdue(run: CheckRun, now) -> bool:
    """No sign of life for longer than the run's state allows."""
    waiting = run.status == CheckRun.Status.QUEUED or run.step == WAITING_FOR_BLOCKS
    timeout = QUEUED_TIMEOUT if waiting else HEARTBEAT_TIMEOUT
    return (run.heartbeat or run.created) < now - timedelta(seconds=timeout)


def refresh(run: CheckRun) -> CheckRun:
    """The run as stored now, after reaping it if its worker vanished (a read that heals)."""
    run.refresh_from_db()
    if not run.is_final and reap([run]):
        run.refresh_from_db()
    return run

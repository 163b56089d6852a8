"""Celery tasks: thin wrappers that take ids and call checks.execution (the work) and
checks.runs (the run's state). Everything else sends them by name (checks.dispatch)."""

from __future__ import annotations

import threading
from typing import Any

from billiard.exceptions import TimeLimitExceeded
from celery import Task, shared_task
from celery.signals import worker_ready
from django.db import close_old_connections, connection

from . import execution, runs
from .dispatch import BLOCK_TASK, PING_TASK, RUN_TASK


@shared_task(name=PING_TASK)
def ping(payload: str = "pong") -> dict:
    """A round trip through a worker: proves the broker, the worker and the database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"payload": payload, "database": connection.vendor, "select": one}


class CheckTask(Task):
    """Hard time limits kill the pool child; the main process then calls on_failure here."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if isinstance(exc, TimeLimitExceeded) and args:
            try:
                runs.fail(int(args[0]), f"hard time limit exceeded ({exc}); the process was killed")
            finally:
                close_old_connections()


@shared_task(bind=True, base=CheckTask, name=RUN_TASK, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def run_checks(self, run_id: int) -> str:
    """Work one CheckRun (checks.execution)."""

    def retry() -> str:
        if self.request.retries < 20:
            raise self.retry(countdown=0.5)
        return f"run {run_id} does not exist"

    return execution.execute(run_id, self.soft_time_limit, retry)


@shared_task(bind=True, base=CheckTask, name=BLOCK_TASK, acks_late=True, reject_on_worker_lost=True)
def run_block(self, run_id: int, step_key: str, index: int, count: int) -> str:
    """One block of a sharded step (checks.execution.work_block)."""
    return execution.work_block(run_id, step_key, index, count)


@worker_ready.connect
def start_reaper(sender=None, **_: Any) -> None:
    """Every worker reaps check runs whose worker vanished (runs.reap) in a thread of its own."""
    threading.Thread(target=execution.reaper_loop, name="checkrun-reaper", daemon=True).start()

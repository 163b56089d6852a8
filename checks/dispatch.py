"""Starting background work: every door goes through `enqueue`, which fails fast and clearly."""

from __future__ import annotations

from celery import Task
from celery.result import AsyncResult
from kombu.exceptions import OperationalError


class BrokerUnavailable(RuntimeError):
    """The task queue does not answer; nothing was started."""


def enqueue(task: Task, *args, **kwargs) -> AsyncResult:
    """`task.apply_async(args, kwargs)`, or BrokerUnavailable within seconds when the broker is
    down (the settings cap connection retries, stack-notes.md)."""
    try:
        return task.apply_async(args=args, kwargs=kwargs)
    except (OperationalError, RuntimeError, ConnectionError, OSError) as exc:
        raise BrokerUnavailable(
            f"the task queue is unavailable ({type(exc).__name__}: {exc}); nothing was started. "
            "Check that the broker in CELERY_BROKER_URL is running."
        ) from exc

"""Starting background work: every door goes through `enqueue`, which fails fast and clearly.

Tasks are named here and sent by name (checks.tasks defines them), so the modules that start
work never import the tasks module: the arrows go tasks -> execution -> runs -> dispatch.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, current_app, group
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

RUN_TASK = "checks.run"
BLOCK_TASK = "checks.run_block"
PING_TASK = "checks.ping"
BROKER_ERRORS = (OperationalError, RuntimeError, ConnectionError, OSError)


class BrokerUnavailable(RuntimeError):
    """The task queue does not answer; nothing was started."""


def signature(name: str, *args: Any, app: Celery | None = None) -> Any:
    """The task `name` with its arguments, on `app` (default: the current Celery app); the
    registered task's options (acks_late, time limits) apply as when calling it directly."""
    return (app or current_app).signature(name, args=args)


def enqueue(name: str, *args: Any, app: Celery | None = None) -> AsyncResult:
    """Send task `name`, or BrokerUnavailable within seconds when the broker is down (the
    settings cap connection retries, stack-notes.md)."""
    try:
        return signature(name, *args, app=app).apply_async()
    except BROKER_ERRORS as exc:
        raise BrokerUnavailable(
            f"the task queue is unavailable ({type(exc).__name__}: {exc}); nothing was started. "
            "Check that the broker in CELERY_BROKER_URL is running."
        ) from exc


def enqueue_group(name: str, arguments: list[tuple[Any, ...]], what: str) -> None:
    """Send task `name` once per argument tuple, as one Celery group (BrokerUnavailable)."""
    try:
        group([signature(name, *args).set(immutable=True) for args in arguments]).apply_async()
    except BROKER_ERRORS as exc:
        raise BrokerUnavailable(f"the task queue is unavailable while dispatching {what}: {exc}") from exc


def workers_answering(timeout: float) -> list[str]:
    """The workers that answer a control ping within `timeout` seconds (the first answer ends
    the wait); [] when none does or the broker is down."""
    try:
        replies = current_app.control.ping(timeout=timeout, limit=1)
    except BROKER_ERRORS:
        return []
    return sorted(name for reply in replies or [] for name in reply)

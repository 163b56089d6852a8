"""Celery tasks. They take ids, call the engine through checks.*, and store results."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="checks.ping")
def ping(payload: str = "pong") -> dict:
    """A round trip through a worker: proves the broker, the worker and the database answer."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    return {"payload": payload, "database": connection.vendor, "select": one}

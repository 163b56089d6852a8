"""A task through a real worker process on Redis, and starting work with the broker down."""

from __future__ import annotations

import time

import pytest
from celery import Celery
from django.conf import settings

from checks.dispatch import PING_TASK, BrokerUnavailable, enqueue
from checks.tasks import ping

pytestmark = pytest.mark.workers


def test_ping_goes_through_a_real_worker_and_database(worker):
    result = enqueue(PING_TASK, "hello")
    assert result.get(timeout=30) == {"payload": "hello", "database": "postgresql", "select": 1}


def dead_broker_app(url: str) -> Celery:
    app = Celery("dead")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = url
    app.conf.result_backend = url
    return app


@pytest.mark.parametrize("url", ["redis://127.0.0.1:1/0"], ids=["nothing listens on the port"])
def test_starting_work_with_the_broker_down_fails_fast_and_clearly(url):
    app = dead_broker_app(url)
    app.task(name=PING_TASK)(ping.run)
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable) as info:
        enqueue(PING_TASK, "hello", app=app)
    elapsed = time.monotonic() - started
    assert "the task queue is unavailable" in str(info.value)
    assert "nothing was started" in str(info.value)
    assert elapsed < 15, f"took {elapsed:.1f}s: the fail-fast settings are not in force"
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY == {"max_retries": 0}

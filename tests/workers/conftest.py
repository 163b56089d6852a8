"""Real Celery worker processes on Redis, against the pytest PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def worker_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "kubenet_site.settings.test", "DATABASE_URL": url,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "PYTHONUNBUFFERED": "1"}


class WorkerProcess:
    def __init__(self, concurrency: int = 1, log_dir: Path | None = None, env: dict[str, str] | None = None,
                 pool: str = "prefork"):
        self.name = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.log = (log_dir or Path("/tmp")) / f"{self.name}.log"
        cmd = [sys.executable, "-m", "celery", "-A", "kubenet_site.celery", "worker", f"--pool={pool}",
               f"--concurrency={concurrency}", "--loglevel=INFO", f"--hostname={self.name}",
               "--without-gossip", "--without-mingle"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**worker_env(), **(env or {})}, stdout=self.log.open("w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, app, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log.read_text()}")
            replies = app.control.ping(destination=[self.name], timeout=0.5)
            if replies:
                return
        raise RuntimeError(f"worker {self.name} did not answer within {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        try:  # pool children outliving a main process killed by a test
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def celery_app():
    from kubenet_site.celery import app

    return app


@pytest.fixture
def clean_broker() -> None:
    """Redis database of the tests, emptied so no task of an earlier run is delivered."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@pytest.fixture
def worker(transactional_db, clean_broker, celery_app, tmp_path) -> Iterator[WorkerProcess]:
    proc = WorkerProcess(log_dir=tmp_path)
    try:
        proc.wait_ready(celery_app)
        yield proc
    finally:
        proc.stop()

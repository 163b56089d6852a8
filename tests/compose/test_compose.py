"""docker-compose.yml and the Dockerfile, tested without a Docker engine (stack-notes.md):
the real Compose binary validates the file; the services' own commands, read from
`config --format json`, run as processes against the local PostgreSQL and Redis."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import compose
import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = Path(compose.__file__).parent / "docker-compose"
SECRET = "compose-test-secret-0123456789-0123456789-0123456789-xyz"


def compose_cmd(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "SECRET_KEY": SECRET, "POSTGRES_PASSWORD": "pw", **env}
    return subprocess.run([str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), *args],
                          cwd=ROOT, env=full, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def config() -> dict:
    proc = compose_cmd("config", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_compose_file_is_valid_for_the_real_compose_binary():
    proc = compose_cmd("config", "-q")
    assert proc.returncode == 0, proc.stderr


def test_compose_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    proc = subprocess.run([str(COMPOSE), "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr


def test_compose_services_healthchecks_volume_and_production_settings(config):
    services = config["services"]
    assert set(services) == {"postgres", "redis", "web", "worker"}
    assert services["web"]["image"] == services["worker"]["image"]
    for name in services:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "celery" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])
    assert any(v["type"] == "volume" and v["target"] == "/var/lib/postgresql/data"
               for v in services["postgres"]["volumes"])
    assert "pgdata" in config["volumes"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "kubenet_site.settings.production"
        assert env["SECRET_KEY"] == SECRET
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert "migrate" in " ".join(services["web"]["command"])


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_dockerfile_installs_from_the_lock_file_and_runs_as_non_root():
    instructions = dockerfile_instructions()
    ops = [op for op, _ in instructions]
    assert ops[0] == "FROM"
    runs = [rest for op, rest in instructions if op == "RUN"]
    assert any(re.search(r"pip install .*-r requirements\.lock", r) for r in runs)
    copies = [rest for op, rest in instructions if op == "COPY"]
    assert any("requirements.lock" in c for c in copies)
    users = [rest for op, rest in instructions if op == "USER"]
    assert users and users[-1] not in ("root", "0"), "the image must end as a non-root user"
    assert any("useradd" in r for r in runs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_command(service: dict, port: int) -> list[str]:
    """The service's command as compose would run it, bound to this machine's loopback."""
    cmd = list(service["command"])
    if cmd[:2] == ["sh", "-c"]:
        cmd = ["sh", "-c", cmd[2].replace("0.0.0.0:8000", f"127.0.0.1:{port}")]
    else:
        cmd = [c.replace("0.0.0.0:8000", f"127.0.0.1:{port}") for c in cmd]
    return cmd


def local_env(service: dict, db_name: str, redis_db: int) -> dict[str, str]:
    """The service's environment with the compose hosts mapped to the local services."""
    env = {**os.environ, **{k: str(v) for k, v in service["environment"].items()}}
    db = settings.DATABASES["default"]
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db_name}"
    env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    env["SECURE_SSL_REDIRECT"] = "false"
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    env["STATIC_ROOT"] = os.environ.get("KUBENET_TEST_STATIC_ROOT", "/tmp/kubenet-compose-static")
    return env


@pytest.fixture
def compose_database():
    db = settings.DATABASES["default"]
    name = "kubenet_compose_e2e"
    dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    yield name
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_compose_commands_serve_http_and_run_a_task(config, compose_database, tmp_path):
    services = config["services"]
    port = free_port()
    redis_db = 14
    import redis

    redis.Redis(db=redis_db).flushdb()
    # What the Dockerfile does at build time: the manifest static storage needs it.
    built = subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=ROOT,
                           env=local_env(services["web"], compose_database, redis_db),
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    web = start(local_command(services["web"], port), local_env(services["web"], compose_database, redis_db),
                tmp_path / "web.log")
    worker = start(local_command(services["worker"], port),
                   local_env(services["worker"], compose_database, redis_db), tmp_path / "worker.log")
    try:
        deadline = time.monotonic() + 90
        body = None
        while time.monotonic() < deadline and body is None:
            assert web.poll() is None, (tmp_path / "web.log").read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    body = resp.read().decode()
            except OSError:
                time.sleep(0.5)
        assert body == "ok", (tmp_path / "web.log").read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as resp:
            assert resp.status == 200
            assert "Log in" in resp.read().decode()

        # A task through the worker, sent as the web container would send it.
        env = local_env(services["web"], compose_database, redis_db)
        code = ("import django; django.setup(); from checks.tasks import ping; "
                "print(ping.delay('compose').get(timeout=60)['payload'])")
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr + (tmp_path / "worker.log").read_text()
        assert proc.stdout.strip() == "compose"

        # The worker's healthcheck, as compose runs it.
        check = services["worker"]["healthcheck"]["test"]
        assert check[0] == "CMD-SHELL"
        hc = check[1].replace("$$HOSTNAME", "$HOSTNAME")
        hc_env = {**local_env(services["worker"], compose_database, redis_db), "HOSTNAME": socket.gethostname()}
        done = subprocess.run(["sh", "-c", hc], cwd=ROOT, env=hc_env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "pong" in done.stdout
    finally:
        stop(web)
        stop(worker)


def test_worker_command_is_a_celery_worker_of_our_app(config):
    cmd = config["services"]["worker"]["command"]
    assert shlex.join(cmd).startswith("celery -A kubenet_site.celery worker")

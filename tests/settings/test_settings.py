"""Settings: the environment drives base; production refuses to start without its secrets
and passes `check --deploy` when they are set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "-production-secret-key-0123456789-abcdefghij"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (conftest.py), never a deployment's.
    dropped = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_check_deploy_is_clean_with_secrets_set():
    proc = manage("check", "--deploy", "--fail-level", "WARNING",
                  DJANGO_SETTINGS_MODULE="kubenet_site.settings.production", SECRET_KEY=GOOD_KEY,
                  ALLOWED_HOSTS="kubenet.example.com", DATABASE_URL="postgres://postgres@127.0.0.1:5432/kubenet")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_production_refuses_to_start_without_a_secret_key():
    proc = manage("check", DJANGO_SETTINGS_MODULE="kubenet_site.settings.production",
                  ALLOWED_HOSTS="kubenet.example.com", DATABASE_URL="postgres://postgres@127.0.0.1:5432/kubenet")
    assert proc.returncode != 0
    assert "SECRET_KEY must be set" in proc.stderr


def test_production_refuses_without_allowed_hosts():
    proc = manage("check", DJANGO_SETTINGS_MODULE="kubenet_site.settings.production", SECRET_KEY=GOOD_KEY,
                  DATABASE_URL="postgres://postgres@127.0.0.1:5432/kubenet")
    assert proc.returncode != 0
    assert "ALLOWED_HOSTS must be set" in proc.stderr


def test_base_settings_read_the_environment(tmp_path):
    code = ("from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], d['NAME'], settings.CELERY_BROKER_URL, settings.DEBUG, settings.TIME_ZONE, "
            "','.join(settings.ALLOWED_HOSTS))")
    proc = manage("shell", "-v", "0", "-c", code, DJANGO_SETTINGS_MODULE="kubenet_site.settings.base",
                  DATABASE_URL="postgres://u@db.example:5432/topo", CELERY_BROKER_URL="redis://r.example:6379/3",
                  DEBUG="false", TIME_ZONE="Europe/Paris", ALLOWED_HOSTS="a.example,b.example")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["django.db.backends.postgresql", "topo", "redis://r.example:6379/3", "False",
                                   "Europe/Paris", "a.example,b.example"]


def test_base_defaults_are_the_embedded_mode(tmp_path):
    code = ("from django.conf import settings; d = settings.DATABASES['default']; "
            "print(d['ENGINE'], settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])")
    env = {"DJANGO_SETTINGS_MODULE": "kubenet_site.settings.base", "KUBENET_VAR_DIR": str(tmp_path)}
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    proc = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    engine, broker, folder = proc.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert folder == str(tmp_path / "celery" / "queue")

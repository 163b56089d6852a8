"""The PATH commands start without Django (checks.path_cli, handed over by manage.py): the
same table, the same exit codes, and no django import at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checks.path_cli import wants

ROOT = Path(__file__).resolve().parents[2]
DEMO = str(ROOT / "demo" / "demo.yaml")


@pytest.mark.parametrize(("argv", "light"), [
    pytest.param(["check", DEMO], True, id="check PATH"),
    pytest.param(["check", "--topology", "demo"], False, id="check --topology"),
    pytest.param(["matrix", DEMO, "--type", "pods", "--port", "80"], True, id="matrix PATH"),
    pytest.param(["matrix", "--topology=demo", "--type", "pods"], False, id="matrix --topology="),
    pytest.param(["run", DEMO, "--local"], True, id="run --local"),
    pytest.param(["run", "--topology", "demo", "--wait"], False, id="run on the workers"),
    pytest.param(["run", DEMO], False, id="run PATH without --local: Django says what is wrong"),
    pytest.param(["query", "q.yaml"], True, id="query"),
    pytest.param(["diff", "a.yaml", "b.yaml"], True, id="diff of paths"),
    pytest.param(["diff", "topology:demo", "b.yaml"], False, id="diff of a topology"),
    pytest.param(["import", DEMO, "--topology", "x"], False, id="import"),
    pytest.param(["check", DEMO, "--settings", "kubenet_site.settings.test"], False, id="Django's own option"),
    pytest.param([], False, id="nothing"),
])
def test_which_commands_start_without_django(argv, light):
    assert wants(argv) is light


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "DATABASE_URL": "postgres://kubenet@127.0.0.1:9/nowhere", **env}
    return subprocess.run([sys.executable, "-X", "importtime", "manage.py", "kubenet", *args], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=120)


def django_imported(proc: subprocess.CompletedProcess) -> bool:
    return any(line.split("|")[-1].strip().startswith("django") for line in proc.stderr.splitlines()
               if line.startswith("import time:"))


@pytest.mark.parametrize("args", [
    pytest.param(["run", DEMO, "--local", "--json", "--checks", "endpoints"], id="run --local"),
    pytest.param(["check", DEMO, "--format", "json"], id="check"),
    pytest.param(["matrix", DEMO, "--type", "pods", "--port", "80", "--format", "json"], id="matrix"),
])
def test_path_commands_never_import_django(args):
    proc = manage(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)
    assert not django_imported(proc)


def test_bad_input_keeps_its_exit_code_and_message():
    proc = manage("run", DEMO, "--local", "--checks", "nope")
    assert proc.returncode == 2
    assert "CommandError: unknown check kind(s) nope" in proc.stderr
    assert not django_imported(proc)


def test_the_input_limits_come_from_the_settings_module(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n" + "#" * 2000 + "\n")
    proc = manage("run", str(big), "--local", "--json", KUBENET_MAX_MANIFEST_BYTES="1000")
    assert "larger than the" in proc.stderr + proc.stdout
    ok = manage("run", str(big), "--local", "--json")
    assert ok.returncode == 0, ok.stderr[-2000:]


def test_commands_with_a_topology_still_go_through_django():
    proc = manage("run", "--topology", "demo", "--checks", "nope")
    assert proc.returncode != 0
    assert django_imported(proc)

"""scripts/test-prereqs.sh, which `make test` runs before pytest: on a machine lacking Chromium,
PostgreSQL or Redis it installs or starts them when it can, else stops with ONE line saying
what to install. Run here with a PATH of our own making (no chromium, no apt-get, no servers)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "test-prereqs.sh"
TOOLS = ("bash", "id", "timeout", "seq", "sleep", "basename", "mkdir", "cat", "chmod")
UP_DB = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kubenet")
UP_REDIS = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
DOWN_DB = "postgres://postgres@127.0.0.1:9/kubenet"  # nothing listens on port 9 (discard)
DOWN_REDIS = "redis://127.0.0.1:9/0"


def fake_bin(tmp_path: Path, **scripts: str) -> Path:
    """A bin directory with the basic tools the script needs, plus `scripts` (name -> body)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        if tool not in scripts:  # never write through a symlink into the system's tools
            (bin_dir / tool).symlink_to(subprocess.check_output(["bash", "-c", f"type -P {tool}"], text=True).strip())
    for name, body in scripts.items():
        (bin_dir / name).write_text("#!/bin/bash\n" + body)
        (bin_dir / name).chmod(0o755)
    return bin_dir


def run(bin_dir: Path, **env: str) -> subprocess.CompletedProcess:
    base = {"PATH": str(bin_dir), "HOME": os.environ.get("HOME", "/tmp"), "DATABASE_URL": UP_DB,
            "CELERY_BROKER_URL": UP_REDIS}
    return subprocess.run([str(bin_dir / "bash"), str(SCRIPT)], env={**base, **env}, capture_output=True,
                          text=True, timeout=60)


def fake_chromium(tmp_path: Path) -> str:
    path = tmp_path / "chromium-bin"
    path.write_text("#!/bin/bash\necho Chromium 1.0\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(("env", "line"), [
    pytest.param({}, "make test: Chromium is missing for the browser tests: install Debian's chromium "
                     "(`apt-get install chromium`) or set CHROMIUM_PATH to a Chromium binary", id="no chromium"),
    pytest.param({"CHROMIUM_PATH": "/nonexistent/chromium"}, "make test: Chromium is missing",
                 id="CHROMIUM_PATH names nothing"),
    pytest.param({"CHROMIUM_PATH": "fake", "DATABASE_URL": DOWN_DB},
                 "make test: PostgreSQL does not answer on 127.0.0.1:9 (DATABASE_URL): start it", id="PostgreSQL down"),
    pytest.param({"CHROMIUM_PATH": "fake", "CELERY_BROKER_URL": DOWN_REDIS},
                 "make test: Redis does not answer on 127.0.0.1:9 (CELERY_BROKER_URL): start it", id="Redis down"),
])
def test_a_missing_piece_stops_with_one_line(tmp_path, env, line):
    if env.get("CHROMIUM_PATH") == "fake":
        env = {**env, "CHROMIUM_PATH": fake_chromium(tmp_path)}
    proc = run(fake_bin(tmp_path), **env)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(line), proc.stderr


def test_chromium_is_installed_with_apt_when_root(tmp_path):
    """Root with apt-get: `apt-get install chromium` (a fake one here, which puts a chromium
    on the PATH as Debian's package does), then the servers are checked and all is well."""
    bin_dir = fake_bin(tmp_path, **{
        "id": 'echo 0\n',
        "apt-get": f'echo "$@" >> {tmp_path}/apt.log\n'
                   f'if [[ " $* " == *" install "* && " $* " == *" chromium "* ]]; then\n'
                   f'  printf "#!/bin/bash\\necho Chromium 1.0\\n" > {tmp_path}/bin/chromium; '
                   f'chmod +x {tmp_path}/bin/chromium\nfi\n'})
    proc = run(bin_dir)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "make test: installing Debian's chromium for the browser tests\n"
    assert "install -y -qq chromium" in (tmp_path / "apt.log").read_text()
    assert (bin_dir / "chromium").exists()


def test_nothing_missing_says_nothing(tmp_path):
    proc = run(fake_bin(tmp_path), CHROMIUM_PATH=fake_chromium(tmp_path))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")

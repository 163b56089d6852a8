"""`manage.py setup_local` (what `make run` calls): admin user, team, demo topology, login line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from services.models import Membership, Topology

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def test_setup_local_creates_the_admin_team_and_demo_and_says_how_to_log_in(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("setup_local", "--demo", str(ROOT / "demo" / "demo.yaml"), "--url", "http://127.0.0.1:8123",
                 stdout=out)
    password = (tmp_path / "admin-password").read_text().strip()
    assert f"Log in at http://127.0.0.1:8123/login/ as admin with password {password}" in out.getvalue()
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser
    assert Membership.objects.get(user=user).team.name == "default"
    assert Topology.objects.get(name="demo", team__name="default").revision >= 1

    again = io.StringIO()
    call_command("setup_local", "--demo", str(ROOT / "demo" / "demo.yaml"), stdout=again)
    assert password in again.getvalue()  # the same password, the demo not imported twice
    assert Topology.objects.filter(name="demo").count() == 1

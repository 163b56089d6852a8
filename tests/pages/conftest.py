"""The demo topology and a logged-in client, for the page tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from checks.operations import create_topology, import_manifests
from services.models import Membership, Team, Topology

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"


@pytest.fixture
def user(db) -> User:
    user = User.objects.create_user("dana", password="pw-dana-123")
    return user


@pytest.fixture
def team(user) -> Team:
    team = Team.objects.create(name="shopteam")
    Membership.objects.create(team=team, user=user, role="owner")
    return team


@pytest.fixture
def demo(team) -> Topology:
    topology = create_topology(team, "demo", bootstrap=False)
    import_manifests(topology, DEMO.read_text())
    topology.refresh_from_db()
    return topology


@pytest.fixture
def client_in(client, user):
    client.force_login(user)
    return client


def at(topology: Topology, rest: str = "") -> str:
    return f"/t/{topology.team.name}/{topology.name}/{rest}"

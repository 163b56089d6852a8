"""Users, teams and clients for the REST API tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checks.operations import create_topology
from services.models import Membership, Team


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def team(db) -> Team:
    return Team.objects.create(name="shop")


@pytest.fixture
def alice(team) -> User:
    user = User.objects.create_user("alice", password="pw-alice-123")
    Membership.objects.create(team=team, user=user, role="owner")
    return user


@pytest.fixture
def api(alice) -> APIClient:
    return client_for(alice)


@pytest.fixture
def topology(team, alice):
    return create_topology(team, "demo", user=alice)


@pytest.fixture
def other_team_topology(db):
    other = Team.objects.create(name="elsewhere")
    return create_topology(other, "secret")

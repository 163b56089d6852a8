"""Fixtures of the audit-log and lost-update tests: a small shop topology in a team of two
editors (alice, an admin, and bob), and an outsider of another team."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from checks.operations import create_topology, import_manifests
from services.models import Membership, Team, Topology

SHOP = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: shop}
data: {mode: blue}
"""
DEPLOYMENT = "workloads/deployments.apps/shop/web/"


def at(topology: Topology, rest: str = "") -> str:
    return f"/t/{topology.team.name}/{topology.name}/{rest}"


@pytest.fixture
def alice(db) -> User:
    return User.objects.create_user("alice", password="pw-alice-123")


@pytest.fixture
def bob(db) -> User:
    return User.objects.create_user("bob", password="pw-bob-123")


@pytest.fixture
def shop(alice, bob) -> Topology:
    team = Team.objects.create(name="shopteam")
    Membership.objects.create(team=team, user=alice, role="admin")
    Membership.objects.create(team=team, user=bob, role="editor")
    topology = create_topology(team, "shop", bootstrap=False)
    import_manifests(topology, SHOP)
    topology.refresh_from_db()
    return topology


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client

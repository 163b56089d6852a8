"""The workloads page: each workload with its pods (generated ones marked, read-only), and
replicas edited as a change to the workload's manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from checks.operations import create_topology, import_manifests
from checks.snapshot import build
from services.models import OtherObject

from .conftest import at

HELM = Path(__file__).resolve().parents[1] / "fixtures" / "workloads" / "helm-wordpress.yaml"
DEPLOYMENT = "workloads/deployments.apps/blog/my-release-wordpress/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def blog(team):
    topology = create_topology(team, "blog")
    import_manifests(topology, HELM.read_text())
    topology.refresh_from_db()
    return topology


def wordpress_pods(topology) -> list[str]:
    return sorted(p.name for p in build(topology).snapshot.pods if p.name.startswith("my-release-wordpress-"))


def test_list_shows_each_workload_with_its_pods(client_in, blog, demo):
    page = client_in.get(at(blog, "workloads/")).content.decode().split('id="workloads"')[1]
    assert "my-release-wordpress" in page and "my-release-mariadb-0" in page
    assert page.count("generated</span>") == 3
    for name in wordpress_pods(blog):
        assert name in page
    # present pods (the demo's frontend, its ReplicaSet not in the manifests) are listed unmarked
    demo_page = client_in.get(at(demo, "workloads/")).content.decode().split('id="workloads"')[1]
    assert "frontend-6f7d9c8b5-2xkqp" in demo_page and "generated</span>" not in demo_page


def test_replicas_edit_changes_the_workload_manifest(client_in, blog):
    assert len(wordpress_pods(blog)) == 2
    detail = client_in.get(at(blog, DEPLOYMENT))
    assert detail.status_code == 200 and 'name="replicas" value="2"' in detail.content.decode()
    resp = client_in.post(at(blog, DEPLOYMENT), {"replicas": "3"})
    assert resp.status_code == 302 and resp["Location"].endswith(DEPLOYMENT)
    row = OtherObject.objects.get(topology=blog, kind_name="Deployment", name="my-release-wordpress")
    assert row.manifest["spec"]["replicas"] == 3
    assert len(wordpress_pods(blog)) == 3


@pytest.mark.parametrize("value", ["-1", "two", ""])
def test_bad_replicas_are_refused_at_the_field(client_in, blog, value):
    resp = client_in.post(at(blog, DEPLOYMENT), {"replicas": value})
    assert resp.status_code == 200 and "spec.replicas" in resp.content.decode()
    assert len(wordpress_pods(blog)) == 2


def test_unknown_workload_is_404(client_in, blog):
    assert client_in.get(at(blog, "workloads/deployments.apps/blog/nope/")).status_code == 404

"""GET /api/v1/runs/{a}/diff/{b}/: the diff of the objects two runs pinned (checks.run_diff)."""

from __future__ import annotations

from checks.models import CheckRun
from checks.snapshot import topology_manifests

WEB = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
       "spec": {"selector": {"k8s-app": "kube-dns"}, "ports": [{"port": 80, "targetPort": 53}]}}


def pinned_run(topology) -> CheckRun:
    topology.refresh_from_db()
    return CheckRun.objects.create(topology=topology, revision=topology.revision, checks=["endpoints"],
                                   status=CheckRun.Status.SUCCEEDED,
                                   input={"cluster": topology.cluster_document(),
                                          "manifests": topology_manifests(topology)})


def test_diff_of_two_runs(api, topology):
    before = pinned_run(topology)
    assert api.post(f"/api/v1/topologies/{topology.pk}/services/", data=WEB, format="json").status_code == 201
    after = pinned_run(topology)
    resp = api.get(f"/api/v1/runs/{before.pk}/diff/{after.pk}")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) >= {"cells", "endpoints", "dns", "routes", "findings", "assertions"}
    assert [e["service"] for e in body["endpoints"]] == ["default/web"]
    assert api.get(f"/api/v1/runs/{after.pk}/diff/{after.pk}/").json()["endpoints"] == []


def test_diff_with_another_teams_run_is_404(api, topology, other_team_topology):
    mine, theirs = pinned_run(topology), pinned_run(other_team_topology)
    resp = api.get(f"/api/v1/runs/{mine.pk}/diff/{theirs.pk}/")
    assert resp.status_code == 404 and set(resp.json()) == {"error", "where"}

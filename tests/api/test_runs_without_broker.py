"""Starting a run with the broker down: 503 and no run (a real kombu failure, fast)."""

from __future__ import annotations

import socket

from celery import Celery

from checks import dispatch, runs
from checks.models import CheckRun


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_broker_down_is_503_and_no_run(api, topology, monkeypatch):
    dead = Celery("dead", set_as_current=False)  # else later tasks would go to the dead broker too
    dead.config_from_object("django.conf:settings", namespace="CELERY")
    dead.conf.broker_url = dead.conf.result_backend = f"redis://127.0.0.1:{closed_port()}/0"
    monkeypatch.setattr(runs, "enqueue", lambda name, *args, app=None: dispatch.enqueue(name, *args, app=dead))
    resp = api.post(f"/api/v1/topologies/{topology.pk}/runs/", data={}, format="json")
    assert resp.status_code == 503, resp.content
    assert "unavailable" in resp.json()["error"] and set(resp.json()) == {"error", "where"}
    assert CheckRun.objects.count() == 0


def test_matrix_is_computed_once_per_revision(api, topology):
    from checks.models import KeptMatrix

    first = api.get(f"/api/v1/topologies/{topology.pk}/matrices/clusterip/")
    assert first.status_code == 200 and first.json()["run"] is None
    assert KeptMatrix.objects.filter(topology=topology, revision=topology.revision).count() == 1
    assert api.get(f"/api/v1/topologies/{topology.pk}/matrices/clusterip/").json() == first.json()
    pods = api.get(f"/api/v1/topologies/{topology.pk}/matrices/pods/?port=53&protocol=UDP")
    assert pods.status_code == 200 and pods.json()["kind"] == "pods"
    assert api.get(f"/api/v1/topologies/{topology.pk}/matrices/pods/").json()["where"] == "port"
    assert api.get(f"/api/v1/topologies/{topology.pk}/matrices/bogus/").status_code == 404
    assert api.get(f"/api/v1/topologies/{topology.pk}/matrices/clusterip/?page=0").status_code == 400

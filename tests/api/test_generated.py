"""Pods the engine derives from workloads are listed read-only, marked generated, and a write
to one answers 409 naming its workload (interfaces.md, "Workloads"). The engine's derivation
is stood in for here by a snapshot holding one pod that no row stores."""

from __future__ import annotations

import dataclasses
import json

import pytest

from checks import snapshot
from checks.api import objects
from kubenet_site.semantics.types import OwnerReference, Pod

RAW = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-7c9d8-bcdfg", "namespace": "default",
                                                       "labels": {"app": "web"}}}


@pytest.fixture
def with_generated_pod(monkeypatch):
    def build(topology):
        result = snapshot.build(topology)
        pod = Pod("default", "web-7c9d8-bcdfg", labels={"app": "web"}, raw=RAW,
                  owner_references=(OwnerReference("ReplicaSet", "web-7c9d8", controller=True),))
        return dataclasses.replace(result, snapshot=dataclasses.replace(
            result.snapshot, pods=(*result.snapshot.pods, pod)))

    monkeypatch.setattr(objects, "build", build)


def test_listed_only_when_asked(api, topology, with_generated_pod):
    base = f"/api/v1/topologies/{topology.pk}/pods/"
    assert "Pod/default/web-7c9d8-bcdfg" not in [r["id"] for r in api.get(base).json()["results"]]
    listed = api.get(f"{base}?includeGenerated=true&labelSelector=app=web").json()["results"]
    assert [(r["id"], r["generated"], r["manifest"]) for r in listed] == [("Pod/default/web-7c9d8-bcdfg", True, RAW)]
    assert api.get(f"{base}?includeGenerated=true&namespace=kube-system&labelSelector=app=web").json()["count"] == 0


def test_read_only(api, topology, with_generated_pod):
    url = f"/api/v1/topologies/{topology.pk}/pods/default/web-7c9d8-bcdfg/"
    assert api.get(url).json()["generated"] is True
    for resp in (api.delete(url), api.put(url, data=json.dumps(RAW), content_type="application/json"),
                 api.patch(url, data="{}", content_type="application/merge-patch+json")):
        assert resp.status_code == 409
        assert "ReplicaSet/default/web-7c9d8" in resp.json()["error"]


def test_the_409_names_the_deployment_behind_the_replicaset(api, topology, with_generated_pod):
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                  "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": []}}}}
    assert api.post(f"/api/v1/topologies/{topology.pk}/others/deployments.apps/", data=deployment,
                    format="json").status_code == 201
    resp = api.delete(f"/api/v1/topologies/{topology.pk}/pods/default/web-7c9d8-bcdfg/")
    assert resp.status_code == 409 and "Deployment/default/web" in resp.json()["error"]

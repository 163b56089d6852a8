"""Check runs through the REST API on a real worker, and the done-when walkthrough: a script
with only curl and a token (docs/api-walkthrough.sh) against a live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest
import yaml
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checks.models import CheckRun
from services.models import Membership, Team

from .conftest import ROOT

pytestmark = pytest.mark.workers
DEMO = ROOT / "demo" / "demo.yaml"


@pytest.fixture
def token(transactional_db) -> str:
    team = Team.objects.create(name="default")
    user = User.objects.create_user("walker")
    Membership.objects.create(team=team, user=user, role="member")
    return Token.objects.create(user=user).key


def test_walkthrough_with_only_curl_and_a_token(live_server, worker, token, tmp_path):
    assert shutil.which("curl"), "the walkthrough needs curl: apt-get install curl"
    out = tmp_path / "walk"
    env = {"PATH": os.environ["PATH"], "KUBENET_URL": live_server.url, "KUBENET_TOKEN": token,
           "KUBENET_TEAM": "default", "OUT": str(out)}
    proc = subprocess.run(["sh", str(ROOT / "docs" / "api-walkthrough.sh"), str(DEMO)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "succeeded", run
    assert run["progress"]["done"] == run["progress"]["total"] > 0
    matrix = json.loads((out / "matrix.json").read_text())
    assert matrix["kind"] == "clusterip" and matrix["totalRows"] > 0 and matrix["run"] == run["id"]
    exported = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"])
                for d in yaml.safe_load_all((out / "export.yaml").read_text())}
    assert ("Service", "shop", "web") in exported or len(exported) > 20
    stale = json.loads((out / "stale.json").read_text())
    [change] = stale["changes"]
    assert change["object"] == "Service/kube-system/kube-dns" and change["user"] == "walker"
    assert change["fields"] == ["metadata.labels.walkthrough"]
    assert "412" in proc.stdout


def test_runs_over_the_api(worker, token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    created = api.post("/api/v1/topologies/", data={"name": "r"}, format="json").json()
    base = f"/api/v1/topologies/{created['id']}"
    resp = api.post(f"{base}/runs/", data={"checks": ["endpoints", "routing"]}, format="json")
    assert resp.status_code == 202, resp.content
    assert resp["Location"] == f"/api/v1/runs/{resp.json()['id']}/"
    deadline = time.monotonic() + 60
    while True:
        body = api.get(resp["Location"]).json()
        if body["status"] in ("succeeded", "failed", "cancelled") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert body["status"] == "succeeded", body
    assert set(body) >= {"id", "topology", "revision", "checks", "status", "progress", "stale", "created", "started",
                         "finished", "summary", "url"}
    assert body["checks"] == ["endpoints", "routing"] and not body["stale"]
    results = api.get(f"{resp['Location']}results/").json()
    assert "default/kubernetes" in results["endpoints"] and "ClusterIP" in results["routing"]
    assert api.get(f"{resp['Location']}results/?kind=endpoints").json().keys() == {"endpoints"}
    listed = api.get(f"{base}/runs/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert api.get(f"{base}/").json()["latestRun"]["id"] == body["id"]
    matrix = api.get(f"{base}/matrices/clusterip/?page=1&page_size=1").json()
    assert matrix["run"] == body["id"] and len(matrix["rows"]) == 1 and matrix["pageSize"] == 1
    cancelled = api.post(f"{resp['Location']}cancel/")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "succeeded"  # final stays final
    api.post(f"{base}/namespaces/", data={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}},
             format="json")
    assert api.get(resp["Location"]).json()["stale"] is True
    assert CheckRun.objects.count() == 1

"""The CLI and REST doors of the query API: answers, refusals (exit 2 / HTTP 400), auth."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
SMALL = """
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: default, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}], nodeName: n1}
status: {phase: Running, podIP: 10.244.0.5, conditions: [{type: Ready, status: "True"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: http}]}
"""
DOC = {"manifests": SMALL, "queries": [{"kind": "select", "service": "default/web"},
                                       {"kind": "endpoints", "service": "default/web"}]}
EXPECTED = [{"kind": "select", "pods": ["default/web-1"]}, {"kind": "endpoints", "ports": {
    "80/TCP": {"ready": ["10.244.0.5:8080"], "serving": ["10.244.0.5:8080"]}}}]


def strip_traces(answers: list[dict]) -> list[dict]:
    return [{k: v for k, v in a.items() if k not in ("trace", "hostnames")} for a in answers]


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "kubenet", "query", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_answers_a_yaml_file(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump(DOC))
    out = io.StringIO()
    call_command("kubenet", "query", str(path), stdout=out)
    assert strip_traces(json.loads(out.getvalue())["answers"]) == EXPECTED


def test_cli_reads_json_from_stdin():
    proc = run_cli("-", stdin=json.dumps(DOC))
    assert proc.returncode == 0, proc.stderr
    assert strip_traces(json.loads(proc.stdout)["answers"]) == EXPECTED


@pytest.mark.parametrize("text, fragment", [
    pytest.param("{not yaml: [", "", id="not parseable"),
    pytest.param("- 1\n- 2\n", "mapping", id="not a mapping"),
    pytest.param("manifests: ''\n", "queries", id="no queries list"),
    pytest.param("manifests: 'a: [b'\nqueries: []\n", "", id="manifests not parseable"),
    pytest.param("manifests: |\n  a: &a [1,1,1,1,1,1,1,1,1]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                 "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                 "  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                 "  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nqueries: []\n", "", id="alias bomb in manifests"),
])
def test_cli_refuses_unreadable_documents_with_exit_2(text, fragment):
    proc = run_cli("-", stdin=text)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    body = json.loads(proc.stdout)
    assert set(body) == {"error", "where"}
    assert body["error"] and body["where"]
    assert fragment.lower() in (body["error"] + body["where"]).lower()


@pytest.fixture
def api(db) -> APIClient:
    user = User.objects.create_user("alice", password="pw-alice-123")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_rest_answers_json(api):
    resp = api.post("/api/v1/query", data=json.dumps(DOC), content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert strip_traces(resp.json()["answers"]) == EXPECTED


@pytest.mark.parametrize("media", ["application/yaml", "application/x-yaml", "text/yaml"])
def test_rest_answers_yaml(api, media):
    resp = api.post("/api/v1/query", data=yaml.safe_dump(DOC), content_type=media)
    assert resp.status_code == 200, resp.content
    assert strip_traces(resp.json()["answers"]) == EXPECTED


@pytest.mark.parametrize("body", ["{", "[]", '{"manifests": ""}'])
def test_rest_refuses_unreadable_documents_with_400(api, body):
    resp = api.post("/api/v1/query", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert set(resp.json()) == {"error", "where"}


def test_rest_needs_authentication(db):
    resp = APIClient().post("/api/v1/query", data=json.dumps(DOC), content_type="application/json")
    assert resp.status_code == 401 and resp["WWW-Authenticate"]


def test_rest_accepts_a_session_login_and_basic_auth(db):
    User.objects.create_user("bob", password="pw-bob-123")
    client = APIClient()
    client.login(username="bob", password="pw-bob-123")
    assert client.post("/api/v1/query", data=json.dumps(DOC), content_type="application/json").status_code == 200
    basic = APIClient()
    basic.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"bob:pw-bob-123").decode())
    assert basic.post("/api/v1/query", data=json.dumps(DOC), content_type="application/json").status_code == 200

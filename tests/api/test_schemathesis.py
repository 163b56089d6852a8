"""Schemathesis against the live schema: a live server, a token, seeded data. Every answer
conforms to the schema (status code, content type, body, headers), none is a 5xx, and every
call got past authentication (never 401 or 403: each operation really ran).

Not checked: that every schema-valid body is accepted (ST202, positive_data_acceptance). The
bodies are Kubernetes manifests and query documents, whose validity is the engine's (the API
server's rules), not something an OpenAPI schema can state: a schema-valid manifest with a
port of 0 is rightly refused with 400. Nor that every schema-violating request is refused
(ST201, negative_data_rejection): unknown query parameters are ignored, as DRF does, and a
stale If-Match answers 412 before the body is read; the negative cases still run, for the
other checks (no 5xx, answers as documented)."""

from __future__ import annotations

import os

import pytest
import schemathesis
import yaml
from django.contrib.auth.models import User
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.core.media_types import YAML_MEDIA_TYPES
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from checks.models import CheckRun
from checks.operations import create_topology, import_manifests
from checks.snapshot import topology_manifests
from services.models import Membership, Team

EXAMPLES = int(os.environ.get("KUBENET_SCHEMATHESIS_EXAMPLES", "8"))  # per operation; CI may raise it
SEED = """
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: default}
data: {a: "1"}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""


@pytest.fixture
def seeded(transactional_db) -> dict:
    team = Team.objects.create(name="fuzz")
    user = User.objects.create_user("fuzzer")
    Membership.objects.create(team=team, user=user, role="owner")
    topology = create_topology(team, "seeded", user=user)
    import_manifests(topology, SEED, user=user)
    topology.refresh_from_db()
    run = CheckRun.objects.create(topology=topology, revision=topology.revision, checks=["endpoints"],
                                  status=CheckRun.Status.SUCCEEDED,
                                  input={"cluster": topology.cluster_document(), "manifests": topology_manifests(topology)})
    return {"token": Token.objects.create(user=user).key, "id": topology.pk, "run": run.pk}


def served_schema() -> dict:
    """The document /api/v1/schema/ serves (drf-spectacular), as JSON data."""
    from django.test import Client

    return Client().get("/api/v1/schema/?format=json", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


schema = schemathesis.openapi.from_dict(served_schema())


def aim(case, seeded: dict) -> None:
    """Half the generated ids point at the seeded topology and run, so operations reach real
    objects (the other half exercise the 404s)."""
    params = case.path_parameters or {}
    for name, seed in (("id", "id"), ("run", "run"), ("other", "run")):
        value = params.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0 and value % 2 == 0:
            params[name] = seeded[seed]
    if "resource" in params and len(str(params["resource"])) % 2 == 0:
        params["resource"] = "configmaps"


@schemathesis.deserializer(*YAML_MEDIA_TYPES)  # every YAML type: they are one family
def yaml_documents(ctx, response) -> list:
    """The export's multi-document YAML, as the list of its documents."""
    return [d for d in yaml.safe_load_all(response.content) if d is not None]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case, live_server, seeded):
    aim(case, seeded)
    response = case.call_and_validate(base_url=live_server.url,
                                      headers={"Authorization": f"Token {seeded['token']}"},
                                      excluded_checks=[positive_data_acceptance, negative_data_rejection])
    assert response.status_code not in (401, 403), (case.operation.label, response.text)

"""`kubenet get` over a stored topology, kubectl's columns, with a frozen clock."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from checks import cli
from checks.operations import create_topology, import_manifests
from services.models import Team

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 2, 11, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db

GET_SVC_A = """\
NAMESPACE       NAME                       TYPE           CLUSTER-IP    EXTERNAL-IP                                                       PORT(S)                       AGE
default         kubernetes                 ClusterIP      10.96.0.1     <none>                                                            443/TCP                       41d
ingress-nginx   ingress-nginx-controller   LoadBalancer   10.96.20.20   a1b2c3d4e5f6-1234567890.elb.eu-west-1.amazonaws.com               80:31080/TCP,443:31443/TCP    41d
kube-system     kube-dns                   ClusterIP      10.96.0.10    <none>                                                            53/UDP,53/TCP,9153/TCP        41d
shop            api                        NodePort       10.96.10.20   <none>                                                            80:30080/TCP,9090:30090/TCP   37d
shop            db                         ClusterIP      None          <none>                                                            5432/TCP                      37d
shop            frontend                   ClusterIP      10.96.10.10   <none>                                                            80/TCP                        37d
shop            managed-db                 ExternalName   <none>        orders.c9akciq32.eu-west-1.rds.amazonaws.com                      5432/TCP                      37d
shop            recommendations            ClusterIP      10.96.10.40   <none>                                                            8080/TCP                      9d
shop            shop-public                LoadBalancer   10.96.10.30   203.0.113.10,shop-public-0123456789.eu-west-1.elb.amazonaws.com   80:30180/TCP                  37d
"""


@pytest.fixture
def demo():
    topology = create_topology(Team.objects.create(name="default"), "demo", bootstrap=False)
    import_manifests(topology, (ROOT / "demo" / "demo.yaml").read_text())
    return topology


def get(*args: str, **kw) -> str:
    out = io.StringIO()
    cli.cmd_get(out, io.StringIO(), topology="demo", team=None, now=NOW, **kw)
    return out.getvalue()


def test_get_svc_all_namespaces_is_kubectls_table(demo):
    assert get(resource="svc", all_namespaces=True, namespace=None, output="") == GET_SVC_A


def test_get_svc_in_one_namespace_drops_the_namespace_column(demo):
    text = get(resource="services", all_namespaces=False, namespace="kube-system", output="")
    assert text == ("NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE\n"
                    "kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   41d\n")


def test_get_pods_wide_shows_ips_and_nodes(demo):
    text = get(resource="pods", all_namespaces=False, namespace="shop", output="wide")
    header = text.splitlines()[0].split()
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE", "READINESS", "GATES"]
    db0 = next(line for line in text.splitlines() if line.startswith("db-0 "))
    assert db0.split()[:7] == ["db-0", "1/1", "Running", "0", "36d", "10.244.1.30", "ip-10-0-1-10.eu-west-1.compute.internal"]


def test_get_ingress_and_netpol(demo):
    ing = get(resource="ingress", all_namespaces=True, namespace=None, output="")
    assert ing.splitlines()[1].split() == ["shop", "shop", "nginx", "shop.example.com,status.example.com",
                                           "a1b2c3d4e5f6-1234567890.elb.eu-west-1.amazonaws.com", "80,", "443", "31d"]
    pol = get(resource="netpol", all_namespaces=False, namespace="shop", output="")
    assert pol.splitlines() == ["NAME                             POD-SELECTOR   AGE",
                                "api-allow-frontend-and-ingress   app=api        36d",
                                "db-allow-api                     app=db         36d"]


def test_get_yaml_and_json_are_the_objects_as_a_list(demo):
    as_yaml = yaml.safe_load(get(resource="svc", all_namespaces=False, namespace="shop", output="yaml"))
    assert as_yaml["kind"] == "List"
    assert [i["metadata"]["name"] for i in as_yaml["items"]] == [
        "api", "db", "frontend", "managed-db", "recommendations", "shop-public"]
    as_json = json.loads(get(resource="svc", all_namespaces=True, namespace=None, output="json"))
    assert len(as_json["items"]) == 9


def test_management_command_runs_get(demo):
    out = io.StringIO()
    call_command("kubenet", "get", "svc", "-A", "--topology", "demo", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("NAMESPACE       NAME")

"""Manifest import (atomic, validated) and export (lossless), through the models and the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from checks.operations import ImportRefused, create_topology, export_topology, import_manifests
from checks.snapshot import build, topology_manifests
from kubenet_site.semantics.manifests import ManifestError
from services.models import Namespace, Pod, Service, Team, Topology, topology_rows

from .manifest_factory import generated_manifests

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"
K8S_VERSION = "1.30.0"

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="platform")


@pytest.fixture
def topology(team) -> Topology:
    return create_topology(team, "shop")


def service_yaml(name: str, node_port: int = 30080, ns: str = "default") -> str:
    return f"""
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: {ns}}}
spec:
  type: NodePort
  selector: {{app: {name}}}
  ports: [{{name: http, port: 80, targetPort: 8080, nodePort: {node_port}}}]
"""


def state(topology: Topology) -> tuple[int, list[dict]]:
    topology.refresh_from_db()
    return topology.revision, topology_manifests(topology)


def test_a_new_topology_starts_as_a_new_cluster_does(topology):
    snap = build(topology).snapshot
    assert {n.name for n in snap.namespaces} >= {"default", "kube-system", "kube-public", "kube-node-lease"}
    assert snap.service("default/kubernetes").cluster_ip == "10.96.0.1"
    assert snap.service("kube-system/kube-dns").cluster_ip == "10.96.0.10"
    dns_ports = {(p.name, p.port, p.protocol) for p in snap.service("kube-system/kube-dns").ports}
    assert dns_ports == {("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP")}
    coredns = [p for p in snap.pods if p.labels.get("k8s-app") == "kube-dns"]
    assert len(coredns) == 2 and all(p.ready and p.ip for p in coredns)
    assert not build(topology).errors


def test_invalid_node_port_is_refused_with_its_field_path_and_nothing_changes(topology):
    before = state(topology)
    with pytest.raises(ImportRefused) as info:
        import_manifests(topology, service_yaml("web", node_port=99999))
    assert any(e.object == "Service/default/web" and e.field == "spec.ports[0].nodePort" for e in info.value.errors)
    assert "spec.ports[0].nodePort" in str(info.value)
    assert state(topology) == before


def test_an_import_is_all_or_nothing(topology):
    before = state(topology)
    text = service_yaml("good", node_port=30081) + "---" + service_yaml("bad", node_port=80)
    with pytest.raises(ImportRefused) as info:
        import_manifests(topology, text)
    assert [e.object for e in info.value.errors] == ["Service/default/bad"]
    assert state(topology) == before
    assert not Service.objects.filter(topology=topology, name="good").exists()


def test_a_node_port_taken_by_an_existing_object_refuses_the_newcomer(topology):
    import_manifests(topology, service_yaml("first", node_port=30100))
    with pytest.raises(ImportRefused) as info:
        import_manifests(topology, service_yaml("second", node_port=30100))
    assert info.value.errors[0].object == "Service/default/second"
    assert info.value.errors[0].field == "spec.ports[0].nodePort"


def test_malformed_yaml_names_the_line_and_saves_nothing(topology):
    before = state(topology)
    with pytest.raises(ManifestError) as info:
        import_manifests(topology, "apiVersion: v1\nkind: Service\nmetadata: {name: x\n")
    assert "line" in info.value.where
    assert state(topology) == before


def test_a_document_without_kind_is_an_error(topology):
    with pytest.raises((ImportRefused, ManifestError)) as info:
        import_manifests(topology, "apiVersion: v1\nmetadata: {name: x}\n")
    assert "kind" in str(info.value)


def test_reimport_updates_in_place_and_bumps_the_revision(topology):
    import_manifests(topology, service_yaml("web", node_port=30090))
    row = Service.objects.get(topology=topology, name="web")
    revision = state(topology)[0]
    summary = import_manifests(topology, service_yaml("web", node_port=30091))
    assert summary.updated == ["Service/default/web"] and summary.created == []
    updated = Service.objects.get(topology=topology, name="web")
    assert updated.pk == row.pk and updated.position == row.position
    assert [p.node_port for p in updated.ports.all()] == [30091]
    assert state(topology)[0] == revision + 1


def test_columns_mirror_the_manifest(topology):
    import_manifests(topology, DEMO.read_text())
    svc = Service.objects.get(topology=topology, namespace="shop", name="shop-public")
    assert svc.type == "LoadBalancer" and svc.external_traffic_policy == "Local"
    assert svc.health_check_node_port == 32080
    assert "service.beta.kubernetes.io/aws-load-balancer-connection-draining-enabled" in svc.annotations
    assert [(p.name, p.port, p.target_port, p.node_port) for p in svc.ports.all()] == [("http", 80, "http", 30180)]
    db0 = Pod.objects.get(topology=topology, namespace="shop", name="db-0")
    assert (db0.hostname, db0.subdomain, db0.ready, db0.ip) == ("db-0", "db", True, "10.244.1.30")
    assert Namespace.objects.get(topology=topology, name="shop").labels["team"] == "shop"


def load_all(text: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_demo_round_trip_is_lossless(team):
    topology = create_topology(team, "demo", bootstrap=False)
    import_manifests(topology, DEMO.read_text())
    exported = export_topology(topology)
    assert load_all(exported) == load_all(DEMO.read_text())


def test_generated_topology_round_trip_is_lossless(team):
    topology = create_topology(team, "generated", bootstrap=False)
    manifests = generated_manifests()
    import_manifests(topology, yaml.safe_dump_all(manifests))
    assert load_all(export_topology(topology)) == manifests
    kinds = {m["kind"] for m in load_all(export_topology(topology))}
    assert {"ConfigMap", "Deployment", "Pod", "Service", "NetworkPolicy"} <= kinds


@pytest.mark.parametrize("source", ["demo", "generated"])
def test_exported_yaml_passes_kubernetes_validate(team, source):
    topology = create_topology(team, source, bootstrap=False)
    text = DEMO.read_text() if source == "demo" else yaml.safe_dump_all(generated_manifests())
    import_manifests(topology, text)
    for obj in load_all(export_topology(topology)):
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def test_cli_import_refusal_names_the_field_and_changes_nothing(tmp_path, topology):
    path = tmp_path / "bad.yaml"
    path.write_text(service_yaml("web", node_port=99999))
    before = state(topology)
    with pytest.raises(CommandError) as info:
        call_command("kubenet", "import", str(path), "--topology", "shop", "--team", "platform")
    assert "Service/default/web" in str(info.value)
    assert "spec.ports[0].nodePort" in str(info.value)
    assert state(topology) == before


def test_cli_import_creates_team_and_topology_and_export_gives_it_back(tmp_path):
    out = io.StringIO()
    call_command("kubenet", "import", str(DEMO), "--topology", "demo", "--team", "newteam", stdout=out)
    assert "created 37" in out.getvalue()
    assert "kept verbatim (kinds kubenet does not model): ConfigMap, Deployment, Secret" in out.getvalue()
    topology = Topology.objects.get(name="demo", team__name="newteam")
    # The demo brings its own kube-dns: no bootstrap objects were added.
    assert len(topology_rows(topology)) == 37
    exported = io.StringIO()
    call_command("kubenet", "export", "--topology", "demo", stdout=exported)
    assert load_all(exported.getvalue()) == load_all(DEMO.read_text())


def test_cli_import_of_a_directory_recurses(tmp_path, topology):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(service_yaml("alpha", node_port=30201))
    (tmp_path / "sub" / "b.yml").write_text(service_yaml("beta", node_port=30202))
    (tmp_path / "sub" / "notes.txt").write_text("not a manifest")
    call_command("kubenet", "import", str(tmp_path), "--topology", "shop", "--team", "platform", stdout=io.StringIO())
    assert set(Service.objects.filter(topology=topology, name__in=["alpha", "beta"]).values_list("name", flat=True)) == {
        "alpha", "beta"}

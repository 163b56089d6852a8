"""Import of the real-world fixtures in one step: missing namespaces created and stored,
generated objects derived (never stored), listed, refused as write targets (409) and left
out of export unless asked; a round trip through export; the REST query door."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checks import check_command, cli, matrix_command
from checks.operations import (
    GeneratedObjectWrite,
    create_topology,
    describes_whole_cluster,
    export_topology,
    import_manifests,
)
from checks.snapshot import build, topology_manifests
from kubenet_site.semantics.manifests import load_documents
from services.models import Namespace, Pod, Team, Topology

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "workloads"
DUMP = FIXTURES / "kubectl-dump.yaml"
HELM = FIXTURES / "helm-wordpress.yaml"
HELM_DIR = FIXTURES / "helm-output-dir"

pytestmark = pytest.mark.django_db


@pytest.fixture
def team() -> Team:
    return Team.objects.create(name="platform")


def import_new(team: Team, name: str, path: Path):
    docs = load_documents(path.read_text())
    top = create_topology(team, name, bootstrap=not describes_whole_cluster(docs))
    return top, import_manifests(top, docs)


def test_kubectl_dump_imports_in_one_step(team):
    top, summary = import_new(team, "kind", DUMP)
    assert summary.created[:2] == ["Namespace/ingress-nginx", "Namespace/shop"]
    assert [w.code for w in summary.warnings][:2] == ["namespace-created", "namespace-created"]
    assert summary.generated == []
    assert set(Namespace.objects.filter(topology=top).values_list("name", flat=True)) == {"ingress-nginx", "shop"}
    result = build(top)
    assert not result.errors
    dumped = [o for o in load_documents(DUMP.read_text()) if o["kind"] == "Pod"]
    assert sorted(p.key for p in result.snapshot.pods) == sorted(
        f"{o['metadata']['namespace']}/{o['metadata']['name']}" for o in dumped)
    # a round trip: the export imports into a new topology as the same objects
    exported = export_topology(top)
    again = create_topology(team, "again", bootstrap=False)
    import_manifests(again, exported)
    assert topology_manifests(again) == topology_manifests(top)
    assert export_topology(again) == exported


def test_helm_render_imports_in_one_step(team):
    top, summary = import_new(team, "blog", HELM)
    assert "Namespace/blog" in summary.created
    assert any(w.code == "namespace-created" and w.object == "Namespace/blog" for w in summary.warnings)
    assert "cluster-nodes-assumed" in [w.code for w in summary.warnings]
    result = build(top)
    # the bootstrap's control plane is tainted: the pods go to the cluster's own workers
    placed = sorted((p.name.rsplit("-", 2)[0] if "wordpress" in p.name else p.name, p.node_name, p.ip)
                    for p in result.snapshot.pods if p.namespace == "blog")
    assert placed == [("my-release-mariadb-0", "node-1", "10.244.1.3"),
                      ("my-release-wordpress", "node-1", "10.244.1.2"),
                      ("my-release-wordpress", "node-2", "10.244.2.2")]
    assert sorted(summary.generated) == sorted(result.generated_by)
    # derived, never stored
    assert not Pod.objects.filter(topology=top, namespace="blog").exists()
    stored = export_topology(top)
    assert "my-release-wordpress-" not in "".join(
        d["metadata"]["name"] for d in yaml.safe_load_all(stored) if d["kind"] == "Pod")
    full = list(yaml.safe_load_all(export_topology(top, include_generated=True)))
    kinds = [(d["kind"], d["metadata"]["name"]) for d in full[len(list(yaml.safe_load_all(stored))):]]
    assert [k for k, _ in kinds] == ["ReplicaSet", "Node", "Node", "Node", "Pod", "Pod", "Pod"]


def test_helm_directory_gives_the_same_pods(team):
    out = io.StringIO()
    assert cli.cmd_import(out, io.StringIO(), paths=[str(HELM_DIR)], topology="blog-dir", team="platform") == 0
    assert "created" in out.getvalue()
    top_dir = Topology.objects.get(name="blog-dir")
    top_file, _ = import_new(team, "blog-file", HELM)
    names = [sorted(p.key for p in build(t).snapshot.pods) for t in (top_dir, top_file)]
    assert names[0] == names[1] and len(names[0]) == 2 + 3  # CoreDNS's 2 + wordpress 2 + mariadb 1


def test_a_write_to_a_generated_object_is_refused_naming_its_workload(team):
    top, _ = import_new(team, "blog", HELM)
    result = build(top)
    pod = next(m for m in result.generated if m["kind"] == "Pod" and "wordpress" in m["metadata"]["name"])
    before = topology_manifests(top)
    with pytest.raises(GeneratedObjectWrite) as exc:
        import_manifests(top, [pod])
    assert exc.value.status == 409
    (err,) = exc.value.errors
    assert err.object == f"Pod/blog/{pod['metadata']['name']}"
    assert "Deployment/blog/my-release-wordpress" in err.message
    assert topology_manifests(top) == before


def test_import_into_an_existing_namespace_creates_nothing(team):
    top, _ = import_new(team, "blog", HELM)
    summary = import_manifests(top, [{"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": "extra", "namespace": "blog"}}])
    assert summary.created == ["ConfigMap/blog/extra"]
    assert summary.warnings == []  # nothing new: no namespace created, the nodes were already assumed


def test_helm_round_trip_gives_the_same_pods(team):
    top, _ = import_new(team, "blog", HELM)
    again = create_topology(team, "again", bootstrap=False)
    import_manifests(again, export_topology(top))
    assert export_topology(again) == export_topology(top)
    first, second = build(top), build(again)
    assert first.generated == second.generated
    assert [(p.key, p.node_name, p.pod_ips) for p in first.snapshot.pods] == \
        [(p.key, p.node_name, p.pod_ips) for p in second.snapshot.pods]


def test_get_pods_lists_generated_pods(team):
    top, _ = import_new(team, "blog", HELM)
    out = io.StringIO()
    cli.cmd_get(out, io.StringIO(), resource="pods", topology="blog", team="platform", all_namespaces=False,
                namespace="blog", output="wide")
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["NAME", "READY", "STATUS"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["my-release-mariadb-0"][2] == "Running"
    assert "10.244.1.3" in rows["my-release-mariadb-0"] and "node-1" in rows["my-release-mariadb-0"]
    assert sum(1 for name in rows if name.startswith("my-release-wordpress-")) == 2


@pytest.mark.parametrize("path, prepend, service, ready", [
    pytest.param(HELM, ["blog"], "blog/my-release-wordpress", ["10.244.0.2:8080", "10.244.1.2:8080"],
                 id="helm render"),
    pytest.param(DUMP, ["ingress-nginx", "shop"], "shop/cart", ["10.244.1.5:8080", "10.244.2.4:8080"],
                 id="kubectl dump"),
])
def test_rest_query_door(path, prepend, service, ready):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=User.objects.create_user('a')).key}")
    manifests = "".join(f"---\napiVersion: v1\nkind: Namespace\nmetadata: {{name: {n}}}\n" for n in prepend)
    doc = {"manifests": manifests + "---\n" + path.read_text(),
           "queries": [{"kind": "endpoints", "service": service}]}
    resp = client.post("/api/v1/query", data=yaml.safe_dump(doc), content_type="application/yaml")
    assert resp.status_code == 200, resp.content
    assert resp.json()["answers"][0]["ports"]["http"]["ready"] == ready


def test_matrix_and_check_of_the_stored_topology(team):
    import_new(team, "blog", HELM)
    out = io.StringIO()
    assert matrix_command.cmd_matrix(out, io.StringIO(), paths=[], topology="blog", team="platform", type="pods",
                                     port="3306", format="json") == 0
    labels = [r["label"] for r in json.loads(out.getvalue())["rows"]]
    assert {"blog/my-release-wordpress", "blog/my-release-mariadb", "kube-system/coredns"} <= set(labels)
    out = io.StringIO()
    assert check_command.cmd_check(out, io.StringIO(), topology="blog", team="platform", format="json") == 0
    codes = [f["code"] for f in json.loads(out.getvalue())["findings"]]
    assert "cluster-nodes-assumed" in codes and "namespace-created" not in codes

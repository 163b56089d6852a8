"""Topology pages: list, create (with and without bootstrap), clone, settings, delete,
summary, import preview (rolled back) and apply, export, the kubectl listings."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.auth.models import User

from checks.models import CheckRun
from checks.operations import create_topology, export_topology
from services.models import Namespace, OtherObject, Pod, Service, Team, Topology, topology_rows

from .conftest import DEMO, at

pytestmark = pytest.mark.django_db


def test_list_shows_counts_and_the_latest_run(client_in, demo):
    CheckRun.objects.create(topology=demo, revision=demo.revision, status="succeeded")
    html = client_in.get("/").content.decode()
    row = html[html.index(">demo</a>"):]
    assert ">10<" in row  # pods
    assert "succeeded" in row


@pytest.mark.parametrize(("bootstrap", "namespaces"), [
    pytest.param("on", {"default", "kube-system", "kube-public", "kube-node-lease"}, id="bootstrapped"),
    pytest.param("", set(), id="empty"),
])
def test_create(client_in, team, bootstrap, namespaces):
    data = {"team": team.pk, "name": "lab", "description": "", "domain": "cluster.local",
            "service_cidr": "10.96.0.0/12", "pod_cidr": "10.244.0.0/16", "node_port_range": "30000-32767",
            "cluster_dns": "10.96.0.10", "bootstrap": bootstrap}
    response = client_in.post("/topologies/new/", data)
    assert response.status_code == 302 and response.url == "/t/shopteam/lab/"
    topology = Topology.objects.get(name="lab")
    assert set(Namespace.objects.filter(topology=topology).values_list("name", flat=True)) == namespaces


def test_create_refuses_a_bad_cluster_block(client_in, team):
    data = {"team": team.pk, "name": "lab", "domain": "cluster.local", "service_cidr": "10.96.0.0/33",
            "pod_cidr": "10.244.0.0/16", "node_port_range": "30000-32767", "cluster_dns": "10.96.0.10"}
    response = client_in.post("/topologies/new/", data)
    assert response.status_code == 200
    assert "serviceCIDR" in response.content.decode()
    assert not Topology.objects.filter(name="lab").exists()


def test_clone_copies_every_object(client_in, demo, team):
    response = client_in.post(at(demo, "clone/"), {"team": team.pk, "name": "demo-2"})
    assert response.status_code == 302
    clone = Topology.objects.get(name="demo-2")
    assert export_topology(clone) == export_topology(demo)
    assert response.url == "/t/shopteam/demo-2/"


def test_clone_refuses_a_name_in_use(client_in, demo, team):
    response = client_in.post(at(demo, "clone/"), {"team": team.pk, "name": "demo"})
    assert response.status_code == 200


def settings_data(topology: Topology, **extra) -> dict:
    data = {"name": topology.name, "description": "", "domain": topology.domain, "service_cidr": topology.service_cidr,
            "pod_cidr": topology.pod_cidr, "node_port_range": topology.node_port_range,
            "cluster_dns": ",".join(topology.cluster_dns), "nameservers": "10.0.0.2"}
    data.update(extra)
    return data


def test_settings_rename(client_in, demo):
    response = client_in.post(at(demo, "settings/"), settings_data(demo, name="shop-prod"))
    assert response.status_code == 302
    assert Topology.objects.filter(name="shop-prod").exists()


def test_settings_refuse_a_change_that_breaks_objects(client_in, demo):
    response = client_in.post(at(demo, "settings/"), settings_data(demo, node_port_range="31000-31100"))
    assert response.status_code == 200
    assert "Service/shop/api: spec.ports[0].nodePort" in response.content.decode()
    demo.refresh_from_db()
    assert demo.node_port_range == "30000-32767"


def test_delete_confirms_then_deletes(client_in, demo):
    assert b"Delete topology demo?" in client_in.get(at(demo, "delete/")).content
    assert client_in.post(at(demo, "delete/")).status_code == 302
    assert not Topology.objects.filter(pk=demo.pk).exists()


def test_summary_counts_types_findings_and_links(client_in, demo):
    response = client_in.get(at(demo))
    html = response.content.decode()
    assert dict((p.slug, n) for p, n in response.context["kinds"])["pods"] == 10
    assert ("NodePort", 1) in response.context["service_types"]
    assert "created after pod(s)" in html
    assert f'href="{at(demo, "services/shop/recommendations/")}"><code>Service/shop/recommendations</code>' in html
    for slug in ("namespaces", "nodes", "pods", "services", "endpoints", "endpointslices", "ingressclasses",
                 "ingresses", "networkpolicies", "others", "import", "export", "settings", "get/svc"):
        assert f'href="{at(demo, slug + "/")}"' in html, slug


def test_legacy_listing_address_redirects(client_in, demo):
    response = client_in.get(at(demo), {"resource": "pods", "o": "wide"})
    assert response.status_code == 302 and response.url == at(demo, "get/pods/") + "?o=wide"


def test_get_listing_rows_link_to_their_objects(client_in, demo):
    html = client_in.get(at(demo, "get/svc/")).content.decode()
    assert "NAMESPACE" in html and f'href="{at(demo, "services/shop/api/")}"' in html


NEW = """
apiVersion: v1
kind: Service
metadata: {name: extra, namespace: shop}
spec: {selector: {app: db}, ports: [{port: 5432}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {a: b}
"""


def test_import_preview_changes_nothing_and_lists_every_group(client_in, demo):
    revision = demo.revision
    changed = yaml.safe_load_all(DEMO.read_text())
    api = next(d for d in changed if d and d.get("kind") == "Service" and d["metadata"]["name"] == "api")
    api["metadata"]["labels"]["tier"] = "backend"
    source = NEW + "---\n" + yaml.safe_dump(api) + "---\n" + yaml.safe_dump(
        Service.objects.get(topology=demo, name="db").manifest)
    response = client_in.post(at(demo, "import/"), {"text": source, "action": "preview"})
    preview = response.context["preview"]
    assert preview.added == ["Service/shop/extra", "ConfigMap/shop/settings"]
    assert preview.changed == ["Service/shop/api"]
    assert preview.unchanged == ["Service/shop/db"]
    assert preview.kept_verbatim == ["ConfigMap/shop/settings"]
    assert not preview.refusals
    assert not Service.objects.filter(topology=demo, name="extra").exists()
    demo.refresh_from_db()
    assert demo.revision == revision


def test_import_preview_lists_refusals_by_object_and_field(client_in, demo):
    bad = NEW.replace("ports: [{port: 5432}]", "ports: [{port: 5432, nodePort: 99999}], type: NodePort")
    response = client_in.post(at(demo, "import/"), {"text": bad, "action": "preview"})
    assert response.status_code == 200
    refusal = response.context["preview"].refusals[0]
    assert (refusal.object, refusal.field) == ("Service/shop/extra", "spec.ports[0].nodePort")
    response = client_in.post(at(demo, "import/"), {"text": bad, "action": "apply"})
    assert response.status_code == 200
    assert not OtherObject.objects.filter(topology=demo, name="settings").exists()


def test_import_apply_and_upload(client_in, demo):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("new.yaml", NEW.encode(), content_type="application/yaml")
    response = client_in.post(at(demo, "import/"), {"text": "", "action": "apply", "files": [upload]})
    assert response.status_code == 302
    assert Service.objects.filter(topology=demo, name="extra").exists()
    assert OtherObject.objects.filter(topology=demo, name="settings").exists()


def test_importing_a_whole_cluster_into_a_bootstrapped_topology_ends_as_into_a_new_one(client_in, team):
    bootstrapped = create_topology(team, "fresh")
    response = client_in.post(at(bootstrapped, "import/"), {"text": DEMO.read_text(), "action": "apply"})
    assert response.status_code == 302, response.context["preview"].refusals
    empty = create_topology(team, "direct", bootstrap=False)
    from checks.operations import import_manifests

    import_manifests(empty, DEMO.read_text())
    assert sorted(r.object_name for r in topology_rows(bootstrapped)) == sorted(r.object_name for r in topology_rows(empty))
    assert not Pod.objects.filter(topology=bootstrapped, name__startswith="coredns-5d78c9869d").exists()


def test_export_downloads_the_yaml(client_in, demo):
    response = client_in.get(at(demo, "export/"))
    assert response["Content-Disposition"] == 'attachment; filename="demo.yaml"'
    assert response.content.decode() == export_topology(demo)


def test_a_renamed_topologys_old_addresses_redirect_until_another_takes_the_name(client_in, demo, team):
    client_in.post(at(demo, "settings/"), settings_data(demo, name="shop-prod"))
    response = client_in.get("/t/shopteam/demo/services/shop/api/", {"x": "1"})
    assert (response.status_code, response.url) == (302, "/t/shopteam/shop-prod/services/shop/api/?x=1")
    assert client_in.get("/t/shopteam/demo/").url == "/t/shopteam/shop-prod/"
    create_topology(team, "demo", bootstrap=False)
    assert client_in.get("/t/shopteam/demo/services/").status_code == 200  # the new demo's page


def test_list_filters_by_team_and_search(client_in, demo, team):
    other = Team.objects.create(name="other")
    create_topology(other, "lab", bootstrap=False)
    client_in.force_login(User.objects.create_superuser("root", password="x"))
    assert [t.name for t in client_in.get("/", {"team": "other"}).context["topologies"]] == ["lab"]
    assert [t.name for t in client_in.get("/", {"search": "dem"}).context["topologies"]] == ["demo"]

"""Object pages: every kind's table and detail, forms with rows, errors at the field from the
engine validator, the YAML editor, delete, kept objects."""

from __future__ import annotations

import pytest
import yaml
from django import forms

from checks.snapshot import build
from ingress.models import Ingress
from kubenet_site.semantics.endpoints import service_endpoints
from services.kinds import object_url, pages
from services.models import EndpointSlice, NetworkPolicy, OtherObject, Pod, Service, topology_rows

from .conftest import at

pytestmark = pytest.mark.django_db


def endpoints_of(topology, ns: str, name: str) -> set[str]:
    snap = build(topology).snapshot
    return {f"{e.ip}:{e.port}" for e in service_endpoints(snap, snap.service(f"{ns}/{name}"))}


def form_data(form) -> dict:
    """What the browser posts for a form as it is rendered (rows and nested rows included)."""
    data: dict = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        if isinstance(value, dict):  # key=value lines
            value = "\n".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list) and not isinstance(field.field, forms.MultipleChoiceField):
            value = field.field.prepare_value(value)  # a comma-separated list
        data[field.html_name] = value
    for rowset in getattr(form, "rowsets", {}).values():
        data[rowset.total_name] = rowset.total
        for row in rowset.forms:
            data.update(form_data(row))
    return data


def service_post(**extra) -> dict:
    data = {"name": "web", "namespace": "shop", "labels": "app=web", "type": "NodePort", "selector": "app=frontend",
            "ports-TOTAL": "1", "ports-0-name": "http", "ports-0-protocol": "TCP", "ports-0-port": "80",
            "ports-0-target_port": "http", "ports-0-node_port": "30999"}
    data.update(extra)
    return data


def test_every_kind_lists_and_every_object_has_its_pages(client_in, demo):
    for page in pages():
        response = client_in.get(at(demo, f"{page.slug}/"))
        assert response.status_code == 200, page.slug
    for row in topology_rows(demo):
        row.topology = demo
        url = object_url(row)
        assert client_in.get(url).status_code == 200, url
        if not isinstance(row, OtherObject):
            assert client_in.get(object_url(row, "edit")).status_code in (200, 302), url
        assert client_in.get(object_url(row, "yaml")).status_code == 200, url


def test_table_filters_sort_and_links(client_in, demo):
    response = client_in.get(at(demo, "pods/"), {"namespace": "shop", "labelSelector": "app=db", "sort": "-name"})
    html = response.content.decode()
    assert html.index("db-1") < html.index("db-0")
    assert "frontend-" not in html
    assert f'href="{at(demo, "pods/shop/db-0/")}"' in html


def test_table_with_a_bad_selector_shows_the_parsers_error(client_in, demo):
    response = client_in.get(at(demo, "services/"), {"labelSelector": "app in (a"})
    assert response.status_code == 200
    assert "unable to parse requirement" in response.content.decode()


def test_htmx_filter_answers_the_table_only(client_in, demo):
    response = client_in.get(at(demo, "services/"), {"type": "NodePort"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and ">api</a>" in html and ">db</a>" not in html


def test_service_detail_shows_selected_pods_endpoints_and_ingresses(client_in, demo):
    html = client_in.get(at(demo, "services/shop/api/")).content.decode()
    assert "api-84c6d5b7f9-5dnwz" in html
    assert "10.244.1.20:9000" in html
    assert at(demo, "ingresses/shop/shop/") in html


def test_pod_detail_shows_services_and_policies_selecting_it(client_in, demo):
    html = client_in.get(at(demo, "pods/shop/db-0/")).content.decode()
    assert at(demo, "services/shop/db/") in html
    assert at(demo, "networkpolicies/shop/db-allow-api/") in html


def test_create_service_through_the_form(client_in, demo):
    response = client_in.post(at(demo, "services/_add/"), service_post())
    assert response.status_code == 302
    svc = Service.objects.get(topology=demo, namespace="shop", name="web")
    spec = svc.manifest["spec"]
    assert spec["ports"] == [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30999}]
    assert spec["selector"] == {"app": "frontend"} and spec["type"] == "NodePort"
    assert svc.ports.get().node_port == 30999


def test_out_of_range_node_port_is_refused_at_its_field(client_in, demo):
    revision = demo.revision
    response = client_in.post(at(demo, "services/_add/"), service_post(**{"ports-0-node_port": "99999"}))
    assert response.status_code == 200
    form = response.context["form"]
    errors = form.rowsets["ports"].forms[0].errors["node_port"]
    assert errors == ["spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range. "
                      "The range of valid ports is 30000-32767"]
    assert not Service.objects.filter(topology=demo, name="web").exists()
    demo.refresh_from_db()
    assert demo.revision == revision


def test_a_removed_row_is_gone_and_rows_keep_their_errors(client_in, demo):
    # row 0 removed in the page: only row 1 is posted
    data = service_post(**{"ports-TOTAL": "2", "ports-1-name": "grpc", "ports-1-port": "0", "ports-1-protocol": "TCP"})
    for key in [k for k in data if k.startswith("ports-0-")]:
        del data[key]
    response = client_in.post(at(demo, "services/_add/"), data)
    assert response.status_code == 200
    form = response.context["form"].rowsets["ports"].forms[0]
    assert form.prefix == "ports-1"
    assert "spec.ports[0].port" in form.errors["port"][0]


def test_row_form_endpoint_adds_a_row_and_bumps_the_count(client_in, demo):
    response = client_in.get("/_rows/container-port/", {"prefix": "containers-0-ports", "containers-0-ports-TOTAL": "2"})
    html = response.content.decode()
    assert 'name="containers-0-ports-2-container_port"' in html
    assert 'id="containers-0-ports-TOTAL" value="3" hx-swap-oob="true"' in html


def test_edit_pod_labels_changes_the_services_endpoints(client_in, demo):
    assert "10.244.1.20:9000" in endpoints_of(demo, "shop", "api")
    data = form_data(client_in.get(at(demo, "pods/shop/api-84c6d5b7f9-5dnwz/edit/")).context["form"])
    data["labels"] = "app=api-old\ntier=backend"
    response = client_in.post(at(demo, "pods/shop/api-84c6d5b7f9-5dnwz/edit/"), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    pod = Pod.objects.get(topology=demo, name="api-84c6d5b7f9-5dnwz")
    assert pod.labels == {"app": "api-old", "tier": "backend"}
    assert pod.manifest["spec"]["containers"][0]["ports"]  # the rest kept
    assert "10.244.1.20:9000" not in endpoints_of(demo, "shop", "api")


def test_network_policy_form_writes_selectors_from_the_l_syntax(client_in, demo):
    data = {"name": "deny-web", "namespace": "shop", "pod_selector": "app=frontend,tier in (web)",
            "policy_types": ["Ingress"], "ingress-TOTAL": "1", "ingress-0-from-TOTAL": "1",
            "ingress-0-from-0-namespace_selector": "*", "ingress-0-from-0-pod_selector": "app!=db",
            "ingress-0-ports-TOTAL": "1", "ingress-0-ports-0-protocol": "TCP", "ingress-0-ports-0-port": "http",
            "egress-TOTAL": "0"}
    response = client_in.post(at(demo, "networkpolicies/_add/"), data)
    assert response.status_code == 302, response.context["form"].errors
    spec = NetworkPolicy.objects.get(topology=demo, name="deny-web").manifest["spec"]
    assert spec["podSelector"] == {"matchLabels": {"app": "frontend"},
                                   "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}
    assert spec["ingress"] == [{"from": [{"podSelector": {"matchExpressions": [
        {"key": "app", "operator": "NotIn", "values": ["db"]}]}, "namespaceSelector": {}}],
        "ports": [{"protocol": "TCP", "port": "http"}]}]
    assert spec["policyTypes"] == ["Ingress"]


def test_ingress_form_with_rules_paths_and_tls(client_in, demo):
    data = {"name": "web", "namespace": "shop", "ingress_class_name": "nginx", "rules-TOTAL": "1",
            "rules-0-host": "web.example.com", "rules-0-paths-TOTAL": "1", "rules-0-paths-0-path": "/",
            "rules-0-paths-0-path_type": "Prefix", "rules-0-paths-0-service": "frontend",
            "rules-0-paths-0-port": "80", "tls-TOTAL": "1", "tls-0-hosts": "web.example.com",
            "tls-0-secret_name": "web-tls"}
    response = client_in.post(at(demo, "ingresses/_add/"), data)
    assert response.status_code == 302, response.context["form"].errors
    spec = Ingress.objects.get(topology=demo, name="web").manifest["spec"]
    assert spec["rules"] == [{"host": "web.example.com", "http": {"paths": [
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "frontend", "port": {"number": 80}}}}]}}]
    assert spec["tls"] == [{"hosts": ["web.example.com"], "secretName": "web-tls"}]


def test_ingress_path_error_lands_on_its_row(client_in, demo):
    data = {"name": "bad", "namespace": "shop", "rules-TOTAL": "1", "rules-0-host": "x.example.com",
            "rules-0-paths-TOTAL": "1", "rules-0-paths-0-path": "no-slash", "rules-0-paths-0-path_type": "Prefix",
            "rules-0-paths-0-service": "frontend", "rules-0-paths-0-port": "80", "tls-TOTAL": "0"}
    response = client_in.post(at(demo, "ingresses/_add/"), data)
    assert response.status_code == 200
    path_row = response.context["form"].rowsets["rules"].forms[0].rowsets["paths"].forms[0]
    assert path_row.errors["path"][0].startswith("spec.rules[0].http.paths[0].path: ")


def test_yaml_editor_saves_and_refuses_like_import(client_in, demo):
    url = at(demo, "services/shop/db/yaml/")
    text = client_in.get(url).context["text"]
    doc = yaml.safe_load(text)
    doc["spec"]["ports"][0]["port"] = 99999
    response = client_in.post(url, {"yaml": yaml.safe_dump(doc)})
    assert response.status_code == 200
    assert any("spec.ports[0].port" in e for e in response.context["errors"])
    assert Service.objects.get(topology=demo, name="db").manifest["spec"]["ports"][0]["port"] == 5432
    doc["spec"]["ports"][0]["port"] = 5433
    assert client_in.post(url, {"yaml": yaml.safe_dump(doc)}).status_code == 302
    assert Service.objects.get(topology=demo, name="db").manifest["spec"]["ports"][0]["port"] == 5433


def test_yaml_editor_refuses_a_change_of_kind(client_in, demo):
    url = at(demo, "services/shop/db/yaml/")
    response = client_in.post(url, {"yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: db, namespace: shop}\n"})
    assert response.status_code == 200
    assert "cannot change" in " ".join(response.context["errors"])


def test_delete_asks_then_deletes(client_in, demo):
    url = at(demo, "services/shop/db/delete/")
    assert b"Delete" in client_in.get(url).content
    assert client_in.post(url).status_code == 302
    assert not Service.objects.filter(topology=demo, name="db").exists()


def test_kept_objects_list_view_and_edit(client_in, demo):
    html = client_in.get(at(demo, "others/")).content.decode()
    assert at(demo, "others/configmaps/kube-system/coredns/") in html
    assert at(demo, "others/deployments.apps/") in html
    url = at(demo, "others/configmaps/kube-system/coredns/yaml/")
    doc = yaml.safe_load(client_in.get(url).context["text"])
    doc.setdefault("data", {})["extra"] = "1"
    assert client_in.post(url, {"yaml": yaml.safe_dump(doc)}).status_code == 302
    assert OtherObject.objects.get(topology=demo, name="coredns").manifest["data"]["extra"] == "1"


def test_pages_of_another_team_are_not_found(client, demo, django_user_model):
    stranger = django_user_model.objects.create_user("eve", password="x")
    client.force_login(stranger)
    assert client.get(at(demo, "services/")).status_code == 404
    assert client.get(at(demo, "services/shop/db/")).status_code == 404


def test_deleting_a_namespace_deletes_what_it_holds(client_in, demo):
    url = at(demo, "namespaces/shop/delete/")
    assert "Service/shop/api" in client_in.get(url).content.decode()
    client_in.post(url)
    assert not Service.objects.filter(topology=demo, namespace="shop").exists()
    assert not Pod.objects.filter(topology=demo, namespace="shop").exists()
    assert Service.objects.filter(topology=demo, namespace="default", name="kubernetes").exists()
    assert not build(demo).errors


def test_add_a_kept_object_from_yaml(client_in, demo):
    url = at(demo, "others/_add/")
    assert client_in.get(url).status_code == 200
    assertion = ("apiVersion: kubenet.io/v1alpha1\nkind: ConnectivityAssertion\nmetadata: {name: fe-to-db}\n"
                 "spec: {query: {kind: connect, from: shop/db-0, to: shop/db-1, port: 5432}, expect: {verdict: allowed}}\n")
    response = client_in.post(url, {"yaml": assertion})
    assert response.status_code == 302
    row = OtherObject.objects.get(topology=demo, name="fe-to-db")
    assert response.url == at(demo, "others/connectivityassertions.kubenet.io/_/fe-to-db/")
    assert row.manifest["spec"]["expect"] == {"verdict": "allowed"}
    assert "ConnectivityAssertion" in client_in.get(response.url).content.decode()
    response = client_in.post(url, {"yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"})
    assert "add it on its own page" in " ".join(response.context["errors"])


@pytest.mark.parametrize(("changes", "where", "field", "text"), [
    pytest.param({"cluster_ip": "192.168.7.7"}, None, "cluster_ip", "spec.clusterIPs: Invalid value", id="main field"),
    pytest.param({"name": "Web_1"}, None, "name", "metadata.name: Invalid value", id="metadata.name"),
    pytest.param({"ports-0-protocol": "TCP", "ports-0-target_port": "no_such_name!"}, 0, "target_port",
                 "spec.ports[0].targetPort", id="row field"),
])
def test_engine_errors_land_at_their_field(client_in, demo, changes, where, field, text):
    response = client_in.post(at(demo, "services/_add/"), service_post(**changes))
    form = response.context["form"]
    target = form if where is None else form.rowsets["ports"].forms[where]
    assert any(e.startswith(text) for e in target.errors.get(field, [])), form.errors


def test_an_error_of_the_whole_list_lands_on_the_rows(client_in, demo):
    data = service_post(**{"ports-TOTAL": "0"})
    response = client_in.post(at(demo, "services/_add/"), {k: v for k, v in data.items() if not k.startswith("ports-0")})
    assert response.context["form"].rowsets["ports"].errors == ["spec.ports: Required value"]



def test_saving_a_form_unchanged_keeps_every_manifest(client_in, demo):
    for page in pages():
        if page.form is None:
            continue
        for row in page.rows(demo):
            row.topology = demo
            before = row.manifest
            response = client_in.post(object_url(row, "edit"), form_data(client_in.get(object_url(row, "edit")).context["form"]))
            assert response.status_code == 302, (row.object_name, response.context["form"].errors)
            row.refresh_from_db()
            assert row.manifest == before, row.object_name


def test_endpoints_form_for_a_service_without_selector(client_in, demo):
    data = {"name": "managed-db", "namespace": "shop", "subsets-TOTAL": "1", "subsets-0-addresses": "10.0.5.7, 10.0.5.8",
            "subsets-0-not_ready": "10.0.5.9", "subsets-0-ports-TOTAL": "1", "subsets-0-ports-0-name": "postgres",
            "subsets-0-ports-0-port": "5432", "subsets-0-ports-0-protocol": "TCP"}
    response = client_in.post(at(demo, "endpoints/_add/"), data)
    assert response.status_code == 302, response.context["form"].errors
    row = EndpointSlice.objects.get(topology=demo, kind_name="Endpoints", name="managed-db")
    assert row.manifest["subsets"] == [{"addresses": [{"ip": "10.0.5.7"}, {"ip": "10.0.5.8"}],
                                        "notReadyAddresses": [{"ip": "10.0.5.9"}],
                                        "ports": [{"name": "postgres", "port": 5432, "protocol": "TCP"}]}]
    data["subsets-0-addresses"] = "not-an-ip"
    response = client_in.post(at(demo, "endpoints/shop/managed-db/edit/"), data)
    errors = response.context["form"].rowsets["subsets"].forms[0].errors["addresses"]
    assert errors[0].startswith("subsets[0].addresses[0].ip: Invalid value")


@pytest.mark.parametrize("path", ["services/", "services/shop/api/", "services/_add/", "others/", "import/", ""])
def test_pages_ask_an_anonymous_user_to_log_in(client, demo, path):
    response = client.get(at(demo, path))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_add_from_a_namespace_filtered_table_starts_in_that_namespace(client_in, demo):
    html = client_in.get(at(demo, "services/"), {"namespace": "shop"}).content.decode()
    assert f'href="{at(demo, "services/_add/")}?namespace=shop"' in html
    form = client_in.get(at(demo, "services/_add/"), {"namespace": "shop"}).context["form"]
    assert form["namespace"].value() == "shop"


def test_a_new_object_starts_in_the_default_namespace(client_in, demo):
    assert client_in.get(at(demo, "pods/_add/")).context["form"]["namespace"].value() == "default"


def test_service_booleans_may_stay_absent_or_be_set_either_way(client_in, demo):
    base = service_post(type="LoadBalancer", **{"ports-0-node_port": ""})
    client_in.post(at(demo, "services/_add/"), {**base, "allocate_load_balancer_node_ports": "false",
                                                "ip_family_policy": "SingleStack"})
    spec = Service.objects.get(topology=demo, name="web").manifest["spec"]
    assert spec["allocateLoadBalancerNodePorts"] is False and spec["ipFamilyPolicy"] == "SingleStack"
    assert "publishNotReadyAddresses" not in spec

"""load_documents and parse_cluster: what can be read, and hostile input refused with where."""

from __future__ import annotations

import json

import pytest

from kubenet_site.semantics.manifests import ManifestError, load_documents, parse_cluster

BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"


def _names(objs):
    return [f"{o.get('kind')}/{(o.get('metadata') or {}).get('name')}" for o in objs]


LOADS = [
    pytest.param(SVC, ["Service/web"], id="one document"),
    pytest.param(f"---\n{SVC}---\n---\n{SVC.replace('web', 'db')}...\n", ["Service/web", "Service/db"],
                 id="empty documents skipped, explicit end marker"),
    pytest.param("", [], id="empty text"),
    pytest.param("# only a comment\n", [], id="only a comment"),
    pytest.param(json.dumps({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "j"}}), ["Service/j"],
                 id="JSON is YAML"),
    pytest.param(
        "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a}}\n"
        "- {apiVersion: v1, kind: Pod, metadata: {name: b}}\nmetadata: {resourceVersion: ''}\n",
        ["Service/a", "Pod/b"], id="kind: List as kubectl get -o yaml prints it"),
    pytest.param("apiVersion: v1\nkind: ServiceList\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: a}}\n",
                 ["Service/a"], id="ServiceList"),
    pytest.param("apiVersion: v1\nkind: List\nitems: []\n", [], id="empty List"),
    pytest.param("apiVersion: music.example.com/v1\nkind: PlayList\nmetadata: {name: mix}\nitems: [a, b]\n",
                 ["PlayList/mix"], id="a named object whose kind ends in List is no list"),
    pytest.param("- {apiVersion: v1, kind: Service, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}}\n",
                 ["Service/a", "Pod/b"], id="a YAML sequence of objects"),
    pytest.param("\ufeff" + SVC, ["Service/web"], id="byte order mark"),
    pytest.param(SVC.encode(), ["Service/web"], id="bytes"),
    pytest.param("base: &labels {app: web}\n", ["None/None"], id="a small anchor is fine"),
]


@pytest.mark.parametrize(("source", "names"), LOADS)
def test_load_documents(source, names):
    assert _names(load_documents(source)) == names


def test_list_input_flattened_and_kept_verbatim():
    objs = [{"apiVersion": "v1", "kind": "List", "items": [{"kind": "Service", "metadata": {"name": "a"}}]},
            {"kind": "Pod", "metadata": {"name": "b"}}]
    assert _names(load_documents(objs)) == ["Service/a", "Pod/b"]
    assert load_documents({"kind": "Pod", "metadata": {"name": "c"}}) == [{"kind": "Pod", "metadata": {"name": "c"}}]


REFUSALS = [
    pytest.param(BILLION_LAUGHS, "alias", "document 1, line", id="billion laughs"),
    pytest.param("a: [" * 70 + "]" * 70, "nesting deeper than 64", "document 1, line 1", id="nesting 70 deep"),
    pytest.param(SVC + "---\nkind: Service\nmetadata: {name: x\n", "YAML syntax error", "document 2, line",
                 id="syntax error in the second document"),
    pytest.param("kind: Service\n  bad: indent\n", "YAML syntax error", "document 1, line 2",
                 id="bad indentation, line 2"),
    pytest.param("just a string\n", "not a Kubernetes object", "document 1", id="a scalar document"),
    pytest.param(f"{SVC}---\n42\n", "not a Kubernetes object", "document 2", id="a number as the second document"),
    pytest.param("- a\n- b\n", "not a Kubernetes object", "document 1, item 1", id="a list of strings"),
    pytest.param("apiVersion: v1\nkind: List\nitems: [1]\n", "not a Kubernetes object", "document 1, item 1",
                 id="a List item that is not an object"),
    pytest.param(b"\xff\xfe\x00bad", "not UTF-8", "input", id="binary input"),
    pytest.param("a: !!python/object:os.system x\n", "YAML", "", id="python tags are refused by the safe loader"),
]


@pytest.mark.parametrize(("source", "message", "where"), REFUSALS)
def test_hostile_or_unreadable_input_refused(source, message, where):
    with pytest.raises(ManifestError) as info:
        load_documents(source)
    assert message in info.value.message, info.value.message
    assert info.value.where.startswith(where), info.value.where


def test_size_limit():
    big = "a: " + "x" * (20 * 1024 * 1024 + 1)
    with pytest.raises(ManifestError) as info:
        load_documents(big)
    assert "20 MiB" in info.value.message and info.value.where == "input"


def test_too_many_objects():
    items = [{"kind": "ConfigMap", "metadata": {"name": f"c{i}"}} for i in range(50_001)]
    with pytest.raises(ManifestError) as info:
        load_documents(items)
    assert "50000" in info.value.message


def test_deep_python_structure_refused():
    deep: dict = {}
    cur = deep
    for _ in range(100):
        cur["a"] = {}
        cur = cur["a"]
    with pytest.raises(ManifestError) as info:
        load_documents([deep])
    assert "nesting" in info.value.message and info.value.where == "document 1"


CLUSTERS = [
    pytest.param(None, "service_cidrs", ("10.96.0.0/12",), id="defaults"),
    pytest.param({"serviceCIDR": "10.0.0.0/16,fd00::/108"}, "service_cidrs", ("10.0.0.0/16", "fd00::/108"),
                 id="dual-stack service CIDR"),
    pytest.param({"serviceCIDR": ["10.0.0.0/16"]}, "service_cidrs", ("10.0.0.0/16",), id="CIDR list"),
    pytest.param({"nodePortRange": "30000-32767"}, "node_port_range", (30000, 32767), id="node port range"),
    pytest.param({"nodePortRange": "20000+2767"}, "node_port_range", (20000, 22767), id="base+offset port range"),
    pytest.param({"domain": "corp.example."}, "domain", "corp.example", id="domain trailing dot dropped"),
    pytest.param({"ingressControllers": None}, "ingress_controllers", None, id="null controllers: all run"),
    pytest.param({"ingressControllers": []}, "ingress_controllers", (), id="no controller runs"),
    pytest.param({"clusterDNS": ["10.96.0.10", "10.96.0.11"]}, "cluster_dns", ("10.96.0.10", "10.96.0.11"),
                 id="two cluster DNS servers"),
]


@pytest.mark.parametrize(("data", "attr", "value"), CLUSTERS)
def test_parse_cluster(data, attr, value):
    assert getattr(parse_cluster(data), attr) == value


def test_parse_cluster_resolv_conf_and_controller_pods():
    c = parse_cluster({
        "nodeResolvConf": {"nameservers": ["10.0.0.2"], "searches": ["corp.example."], "options": ["edns0"]},
        "ingressControllerPods": [{"controller": "example.com/lb", "namespace": "lb", "podLabels": {"app": "lb"}}],
    })
    assert c.node_resolv_conf.searches == ("corp.example",)
    assert c.node_resolv_conf.options == ("edns0",)
    assert c.controller_mappings[0].controller == "example.com/lb"
    assert dict(c.controller_mappings[0].pod_labels) == {"app": "lb"}


BAD_CLUSTERS = [
    pytest.param({"serviceCIDR": "10.0.0.0/33"}, "cluster.serviceCIDR", id="CIDR /33"),
    pytest.param({"serviceCIDR": "10.0.0.0/16,10.1.0.0/16"}, "cluster.serviceCIDR", id="two IPv4 CIDRs"),
    pytest.param({"podCIDR": "nope"}, "cluster.podCIDR", id="pod CIDR garbage"),
    pytest.param({"nodePortRange": "32767-30000"}, "cluster.nodePortRange", id="reversed range"),
    pytest.param({"nodePortRange": "a-b"}, "cluster.nodePortRange", id="non-numeric range"),
    pytest.param({"clusterDNS": ["dns"]}, "cluster.clusterDNS", id="cluster DNS not an IP"),
    pytest.param({"domain": "Bad_Domain"}, "cluster.domain", id="bad domain"),
    pytest.param({"nodeResolvConf": "x"}, "cluster.nodeResolvConf", id="resolv.conf not a mapping"),
    pytest.param({"ingressControllerPods": [{"namespace": "x"}]}, "cluster.ingressControllerPods[0]",
                 id="controller pods without controller"),
    pytest.param(["x"], "cluster", id="cluster not a mapping"),
]


@pytest.mark.parametrize(("data", "where"), BAD_CLUSTERS)
def test_parse_cluster_refusals(data, where):
    with pytest.raises(ManifestError) as info:
        parse_cluster(data)
    assert info.value.where == where, info.value

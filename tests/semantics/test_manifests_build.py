"""build_snapshot: the API server's defaults, deterministic allocation, admission, round trip.

Band arithmetic from kubernetes/website concepts/services-networking/cluster-ip-allocation.md
("Service IP CIDR block: 10.96.0.0/24 ... Static band end: 10.96.0.16"; "/16 ... Static band
ends: 10.96.1.0") and portallocator's offset min(max(16, size/32), 128) (2768 ports / 32 = 86).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from kubenet_site.semantics.manifests import (
    build_snapshot,
    export_objects,
    export_yaml,
    generated_name,
    load_documents,
    parse_cluster,
)
from tests.semantics.manifest_builders import ing_m, ingclass_m, np_m, ns_m, pod_m, rule, svc_m


def build(*objects, cluster=None):
    result = build_snapshot(list(objects), parse_cluster(cluster))
    return result


def one_service(obj, cluster=None):
    r = build(obj, cluster=cluster)
    assert not r.errors, [e.as_dict() for e in r.errors]
    return r.snapshot.services[0]


# --- Service defaults -------------------------------------------------------------------------------

SERVICE_DEFAULTS = [
    pytest.param(svc_m(), "type", "ClusterIP", id="type defaults to ClusterIP"),
    pytest.param(svc_m(), "session_affinity", "None", id="sessionAffinity defaults to None"),
    pytest.param(svc_m(sessionAffinity="ClientIP"), "session_affinity_timeout", 10800,
                 id="ClientIP timeout defaults to 10800 s"),
    pytest.param(svc_m(), "external_traffic_policy", None, id="no externalTrafficPolicy for ClusterIP"),
    pytest.param(svc_m(type="NodePort"), "external_traffic_policy", "Cluster", id="NodePort: externalTrafficPolicy Cluster"),
    pytest.param(svc_m(type="LoadBalancer"), "external_traffic_policy", "Cluster",
                 id="LoadBalancer: externalTrafficPolicy Cluster"),
    pytest.param(svc_m(externalIPs=["203.0.113.7"]), "external_traffic_policy", "Cluster",
                 id="ClusterIP with externalIPs is externally accessible"),
    pytest.param(svc_m(), "internal_traffic_policy", "Cluster", id="internalTrafficPolicy Cluster"),
    pytest.param(svc_m(type="LoadBalancer"), "allocate_load_balancer_node_ports", True,
                 id="allocateLoadBalancerNodePorts true for LoadBalancer"),
    pytest.param(svc_m(type="NodePort"), "allocate_load_balancer_node_ports", None,
                 id="allocateLoadBalancerNodePorts unset for NodePort"),
    pytest.param(svc_m(), "ip_families", ("IPv4",), id="ipFamilies from the cluster's first CIDR"),
    pytest.param(svc_m(clusterIP="None", selector={"app": "a"}), "ip_families", ("IPv4",),
                 id="headless with selector: single stack"),
    pytest.param(svc_m(clusterIP="None"), "ip_families", ("IPv4", "IPv6"),
                 id="headless without selector: RequireDualStack families even on one stack (alloc.go)"),
    pytest.param(svc_m(clusterIP="None"), "cluster_ips", ("None",), id="headless keeps clusterIPs [None]"),
    pytest.param(svc_m(type="ExternalName", externalName="db.example.com", ports=None), "cluster_ip", None,
                 id="ExternalName has no cluster IP"),
    pytest.param(svc_m(type="ExternalName", externalName="db.example.com", ports=None), "ip_families", (),
                 id="ExternalName has no IP families"),
    pytest.param(svc_m(ipFamilyPolicy="PreferDualStack"), "ip_families", ("IPv6", "IPv4"),
                 id="PreferDualStack on a dual-stack cluster (IPv6 first)"),
]


@pytest.mark.parametrize(("obj", "attr", "value"), SERVICE_DEFAULTS)
def test_service_defaults(obj, attr, value, request):
    cluster = {"serviceCIDR": "fd00::/108,10.96.0.0/12"} if "dual-stack cluster" in request.node.name else None
    assert getattr(one_service(obj, cluster), attr) == value


def test_port_defaults():
    s = one_service(svc_m(ports=[{"port": 80, "name": "http"},
                                 {"port": 53, "protocol": "UDP", "name": "dns", "targetPort": "dns"},
                                 {"port": 443, "name": "https", "targetPort": 8443}]))
    assert [(p.port, p.protocol, p.target_port) for p in s.ports] == [
        (80, "TCP", 80), (53, "UDP", "dns"), (443, "TCP", 8443)]


# --- allocation -----------------------------------------------------------------------------------

ALLOCATION = [
    pytest.param([svc_m()], None, {"web": "10.96.1.1"}, id="/12: first dynamic IP after the 256-address static band"),
    pytest.param([svc_m()], {"serviceCIDR": "10.96.0.0/24"}, {"web": "10.96.0.17"},
                 id="/24: static band ends at 10.96.0.16"),
    pytest.param([svc_m()], {"serviceCIDR": "10.96.0.0/16"}, {"web": "10.96.1.1"},
                 id="/16: static band ends at 10.96.1.0"),
    pytest.param([svc_m()], {"serviceCIDR": "10.96.0.0/28"}, {"web": "10.96.0.1"},
                 id="/28: no static band (16 addresses or fewer)"),
    pytest.param([svc_m("a"), svc_m("b")], None, {"a": "10.96.1.1", "b": "10.96.1.2"}, id="in document order"),
    pytest.param([svc_m("a"), svc_m("b", clusterIP="10.96.1.1")], None, {"a": "10.96.1.2", "b": "10.96.1.1"},
                 id="an explicit clusterIP of a later document is skipped by allocation"),
    pytest.param([svc_m("a", clusterIP="10.96.0.10"), svc_m("b")], None, {"a": "10.96.0.10", "b": "10.96.1.1"},
                 id="explicit static-band IP kept"),
    pytest.param([svc_m("bad", ports=[{"port": 80, "name": "HTTP"}]), svc_m("b")], None, {"b": "10.96.1.1"},
                 id="a refused Service releases its allocation"),
    pytest.param([svc_m("h", clusterIP="None"), svc_m("b")], None, {"h": "None", "b": "10.96.1.1"},
                 id="headless takes no IP"),
]


@pytest.mark.parametrize(("objects", "cluster", "expected"), ALLOCATION)
def test_cluster_ip_allocation(objects, cluster, expected):
    r = build(*objects, cluster=cluster)
    got = {s.name: s.cluster_ip for s in r.snapshot.services}
    assert got == expected, [e.as_dict() for e in r.errors]


def test_allocation_is_deterministic():
    docs = [svc_m(f"s{i}", type="LoadBalancer", externalTrafficPolicy="Local") for i in range(5)]
    a = [(s.cluster_ip, s.ports[0].node_port, s.health_check_node_port) for s in build(*docs).snapshot.services]
    b = [(s.cluster_ip, s.ports[0].node_port, s.health_check_node_port) for s in build(*docs).snapshot.services]
    assert a == b
    assert len({x[0] for x in a}) == 5 and len({p for x in a for p in x[1:]}) == 10


def test_service_range_exhausted():
    r = build(*[svc_m(f"s{i}") for i in range(15)], cluster={"serviceCIDR": "10.96.0.0/28"})
    assert [s.cluster_ip for s in r.snapshot.services][-1] == "10.96.0.14"
    assert [(e.object, e.field, e.message) for e in r.errors] == [
        ("Service/default/s14", "spec.clusterIPs", "Internal error occurred: failed to allocate a serviceIP: range is full")]


NODE_PORTS = [
    pytest.param([svc_m(type="NodePort")], None, {"web": [30086]}, id="first dynamic node port after the 86-port band"),
    pytest.param([svc_m(type="NodePort")], {"nodePortRange": "30000-30015"}, {"web": [30000]},
                 id="16-port range has no static band"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 53, "name": "u", "protocol": "UDP"},
                                                {"port": 53, "name": "t"}])], None, {"web": [30086, 30086]},
                 id="TCP and UDP of one port share a node port"),
    pytest.param([svc_m("a", type="NodePort"), svc_m("b", type="NodePort", ports=[{"port": 80, "nodePort": 30086}])],
                 None, {"a": [30087], "b": [30086]}, id="explicit nodePort of a later document is skipped"),
    pytest.param([svc_m(type="LoadBalancer", allocateLoadBalancerNodePorts=False)], None, {"web": [None]},
                 id="allocateLoadBalancerNodePorts false: none allocated"),
    pytest.param([svc_m(type="LoadBalancer", allocateLoadBalancerNodePorts=False,
                        ports=[{"port": 80, "name": "a", "nodePort": 30100}, {"port": 81, "name": "b"}])], None,
                 {"web": [30100, None]}, id="allocateLoadBalancerNodePorts false keeps explicit ones"),
    pytest.param([svc_m()], None, {"web": [None]}, id="ClusterIP gets no node port"),
]


@pytest.mark.parametrize(("objects", "cluster", "expected"), NODE_PORTS)
def test_node_port_allocation(objects, cluster, expected):
    r = build(*objects, cluster=cluster)
    got = {s.name: [p.node_port for p in s.ports] for s in r.snapshot.services}
    assert got == expected, [e.as_dict() for e in r.errors]


@pytest.mark.parametrize(("obj", "expected"), [
    pytest.param(svc_m(type="LoadBalancer", externalTrafficPolicy="Local"), 30087, id="LoadBalancer Local gets one"),
    pytest.param(svc_m(type="LoadBalancer", externalTrafficPolicy="Local", healthCheckNodePort=31000), 31000,
                 id="explicit healthCheckNodePort kept"),
    pytest.param(svc_m(type="NodePort", externalTrafficPolicy="Local"), None, id="NodePort Local gets none"),
    pytest.param(svc_m(type="LoadBalancer"), None, id="LoadBalancer Cluster gets none"),
])
def test_health_check_node_port(obj, expected):
    assert one_service(obj).health_check_node_port == expected


# --- Pods, policies, endpoints ------------------------------------------------------------------------

def one(kind_field, obj):
    r = build(obj)
    assert not r.errors, [e.as_dict() for e in r.errors]
    return getattr(r.snapshot, kind_field)[0]


READY = [{"type": "Ready", "status": "True"}]

POD_DEFAULTS = [
    pytest.param(pod_m(), "dns_policy", "ClusterFirst", id="dnsPolicy ClusterFirst"),
    pytest.param(pod_m(), "enable_service_links", True, id="enableServiceLinks true"),
    pytest.param(pod_m(enableServiceLinks=False), "enable_service_links", False, id="enableServiceLinks false kept"),
    pytest.param(pod_m(), "phase", "Pending", id="no status: Pending"),
    pytest.param(pod_m(status={"phase": "Running", "podIP": "10.244.1.7"}), "ready", False,
                 id="no Ready condition: not ready"),
    pytest.param(pod_m(status={"phase": "Running", "conditions": READY}), "ready", True, id="Ready True"),
    pytest.param(pod_m(status={"conditions": [{"type": "Ready", "status": "False"}]}), "ready", False, id="Ready False"),
    pytest.param(pod_m(status={"conditions": [{"type": "ContainersReady", "status": "True"}]}), "ready", False,
                 id="ContainersReady is not Ready"),
    pytest.param(pod_m(status={"podIP": "10.244.1.7", "podIPs": [{"ip": "10.244.1.7"}, {"ip": "fd00::7"}]}),
                 "pod_ips", ("10.244.1.7", "fd00::7"), id="podIPs, primary first"),
    pytest.param(pod_m(status={"podIP": "10.244.1.7"}), "pod_ips", ("10.244.1.7",), id="podIP alone"),
    pytest.param(pod_m(status={"hostIP": "192.168.1.10"}), "host_ip", "192.168.1.10", id="hostIP"),
    pytest.param(pod_m(metadata={"deletionTimestamp": "2026-01-01T00:00:30Z"}), "terminating", True,
                 id="deletionTimestamp: terminating"),
    pytest.param(pod_m(hostname="h", subdomain="s", nodeName="n1"), "subdomain", "s", id="subdomain"),
]


@pytest.mark.parametrize(("obj", "attr", "value"), POD_DEFAULTS)
def test_pod_fields(obj, attr, value):
    assert getattr(one("pods", obj), attr) == value


def test_pod_containers_and_sidecars():
    p = one("pods", pod_m(
        containers=[{"name": "app", "image": "x", "ports": [{"containerPort": 8080, "name": "http"}],
                     "env": [{"name": "A", "value": "1"}]}],
        initContainers=[{"name": "init", "image": "x"}, {"name": "proxy", "image": "x", "restartPolicy": "Always",
                                                         "ports": [{"containerPort": 15001, "protocol": "UDP"}]}]))
    assert [(c.name, c.role) for c in p.init_containers] == [("init", "init"), ("proxy", "sidecar")]
    assert p.containers[0].ports[0].protocol == "TCP" and p.containers[0].ports[0].name == "http"
    assert p.sidecars[0].ports[0].protocol == "UDP"
    assert p.containers[0].env[0].value == "1"


def test_host_network_pod_ports_get_host_ports():
    p = one("pods", pod_m(hostNetwork=True, containers=[{"name": "a", "image": "x", "ports": [{"containerPort": 53}]}]))
    assert p.host_network and p.containers[0].ports[0].host_port == 53


@pytest.mark.parametrize(("spec", "types"), [
    pytest.param({}, ("Ingress",), id="no rules: Ingress"),
    pytest.param({"egress": [{}]}, ("Ingress", "Egress"), id="egress rules: Ingress and Egress"),
    pytest.param({"egress": []}, ("Ingress",), id="empty egress list: Ingress only"),
    pytest.param({"policyTypes": ["Egress"]}, ("Egress",), id="explicit Egress kept"),
    pytest.param({"ingress": [{}], "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]},
                 ("Ingress", "Egress"), id="both directions"),
])
def test_network_policy_types_default(spec, types):
    assert one("network_policies", np_m(**spec)).policy_types == types


def test_network_policy_rules():
    p = one("network_policies", np_m(
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "web"}}},
                           {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
                  "ports": [{"port": 5432}, {"port": "metrics", "protocol": "UDP"}, {"port": 8000, "endPort": 8080}]}],
    ))
    rule0 = p.ingress[0]
    assert rule0.peers[0].namespace_selector is not None and rule0.peers[0].pod_selector.match_labels == {"app": "web"}
    assert rule0.peers[1].ip_block.except_ == ("10.1.0.0/16",)
    assert [(x.protocol, x.port, x.end_port) for x in rule0.ports] == [
        ("TCP", 5432, None), ("UDP", "metrics", None), ("TCP", 8000, 8080)]


def test_legacy_endpoints_become_slices():
    ep = {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext"},
          "subsets": [{"addresses": [{"ip": "192.168.1.5", "hostname": "db-0"}],
                       "notReadyAddresses": [{"ip": "192.168.1.6"}],
                       "ports": [{"port": 5432, "name": "pg"}]}]}
    s = one("endpoint_slices", ep)
    assert (s.source_kind, s.service_name, s.address_type) == ("Endpoints", "ext", "IPv4")
    assert [(e.addresses, e.ready, e.hostname) for e in s.endpoints] == [
        (("192.168.1.5",), True, "db-0"), (("192.168.1.6",), False, None)]
    assert [(p.name, p.port, p.protocol) for p in s.ports] == [("pg", 5432, "TCP")]


def test_endpoint_slice_conditions_kept_unknown():
    es = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
          "metadata": {"name": "ext-1", "labels": {"kubernetes.io/service-name": "ext"}},
          "endpoints": [{"addresses": ["10.1.2.3"]},
                        {"addresses": ["10.1.2.4"], "conditions": {"ready": False, "serving": True, "terminating": True}}],
          "ports": [{"port": 80}]}
    s = one("endpoint_slices", es)
    assert s.service_name == "ext"
    assert [(e.ready, e.serving, e.terminating) for e in s.endpoints] == [(None, None, None), (False, True, True)]


# --- Ingress class admission ---------------------------------------------------------------------------

ING = ing_m(rules=[rule()])


@pytest.mark.parametrize(("objects", "expected"), [
    pytest.param([ingclass_m("nginx", default=True), ING], "nginx", id="the default class is written in"),
    pytest.param([ING, ingclass_m("nginx", default=True)], None, id="a default class created later is too late"),
    pytest.param([ingclass_m("nginx"), ING], None, id="no default class"),
    pytest.param([ingclass_m("nginx", default=True), ing_m(rules=[rule()], ingressClassName="other")], "other",
                 id="explicit ingressClassName kept"),
    pytest.param([ingclass_m("nginx", default=True),
                  ing_m(rules=[rule()], metadata={"annotations": {"kubernetes.io/ingress.class": "traefik"}})], None,
                 id="the class annotation stops defaulting"),
    pytest.param([ingclass_m("old", default=True, created="2024-01-01T00:00:00Z"),
                  ingclass_m("new", default=True, created="2025-06-01T00:00:00Z"), ING], "new",
                 id="several defaults: the newest wins"),
    pytest.param([ingclass_m("b", default=True, created="2025-06-01T00:00:00Z"),
                  ingclass_m("a", default=True, created="2025-06-01T00:00:00Z"), ING], "a",
                 id="several defaults created at once: the first by name"),
    pytest.param([ingclass_m("x", default=True), ingclass_m("y", default=True), ING], "y",
                 id="undated defaults: the later document is newer"),
])
def test_default_ingress_class_admission(objects, expected):
    r = build(*objects)
    assert not r.errors, [e.as_dict() for e in r.errors]
    assert r.snapshot.ingresses[0].ingress_class_name == expected


# --- names, times, kinds ---------------------------------------------------------------------------

def test_generate_name_is_deterministic():
    obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"},
           "spec": {"containers": [{"name": "a", "image": "x"}]}}
    a = build(obj).snapshot.pods[0].name
    assert a == build(obj).snapshot.pods[0].name == generated_name("web-", 0)
    assert a.startswith("web-") and len(a) == len("web-") + 5


def test_creation_timestamps():
    r = build(svc_m("a"), svc_m("b", metadata={"creationTimestamp": "2025-03-01T10:00:00Z"}), svc_m("c"),
              pod_m(metadata={"creationTimestamp": "2024-01-01T00:00:00Z"}))
    t = {s.name: s.creation_timestamp for s in r.snapshot.services}
    explicit = datetime(2025, 3, 1, 10, tzinfo=UTC)
    assert t["b"] == explicit
    assert explicit < t["a"] < t["c"], t  # created "now", in document order, after every dated object
    assert r.snapshot.pods[0].creation_timestamp == datetime(2024, 1, 1, tzinfo=UTC)


def test_unmodelled_kinds_kept():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}
    crd = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"}}
    r = build(cm, crd, ns_m("shop"))
    assert [(o.kind, o.key) for o in r.snapshot.others] == [("ConfigMap", "default/cfg"), ("Widget", "default/w")]
    assert r.snapshot.others[0].raw is cm
    assert r.summary["unmodeled_kinds"] == ["ConfigMap", "Widget"]
    assert r.summary["counts"] == {"ConfigMap": 1, "Namespace": 1, "Widget": 1}


def test_builtin_namespaces_present_and_relabelled():
    r = build({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default", "labels": {"env": "prod"}}})
    assert not r.errors
    names = [n.name for n in r.snapshot.namespaces]
    assert sorted(names) == ["default", "kube-node-lease", "kube-public", "kube-system"]
    assert r.snapshot.namespace_by_name["default"].labels == {"env": "prod"}


# --- round trip ---------------------------------------------------------------------------------------

ROUND_TRIP = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: shop}
data:
  nginx.conf: |
    server { listen 8080; }
  LOG_LEVEL: debug
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{name: http, containerPort: 8080}]
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {memory: 256Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          initialDelaySeconds: 5
          periodSeconds: 10
        livenessProbe:
          tcpSocket: {port: 8080}
          failureThreshold: 3
        envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {service.beta.kubernetes.io/aws-load-balancer-type: nlb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 8080}]}]
"""


def test_round_trip_import_export_equals_input():
    objects = load_documents(ROUND_TRIP)
    r = build_snapshot(objects, parse_cluster(None))
    assert not r.errors, [e.as_dict() for e in r.errors]
    expected = [d for d in yaml.safe_load_all(ROUND_TRIP)]
    assert list(yaml.safe_load_all(export_yaml(r))) == expected
    # A bare Snapshot carries no document order (the BuildResult does): the same objects,
    # kind by kind.
    kinds = ["Namespace", "Node", "IngressClass", "Pod", "Service", "EndpointSlice", "Ingress", "NetworkPolicy"]
    by_kind = sorted(expected, key=lambda o: kinds.index(o["kind"]) if o["kind"] in kinds else len(kinds))
    assert list(yaml.safe_load_all(export_yaml(r.snapshot))) == by_kind
    assert export_objects(objects) == expected
    # defaults and allocations never leak into the manifests
    assert "clusterIP" not in export_objects(r)[3]["spec"]


def test_export_leaves_refused_objects_out():
    r = build(svc_m("ok"), svc_m("Bad"))
    assert [o["metadata"]["name"] for o in export_objects(r)] == ["ok"]


def test_kind_list_builds():
    text = ("apiVersion: v1\nkind: List\nitems:\n"
            "- {apiVersion: v1, kind: Namespace, metadata: {name: shop}}\n"
            "- {apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {ports: [{port: 80}]}}\n")
    r = build_snapshot(load_documents(text), parse_cluster(None))
    assert not r.errors and [s.key for s in r.snapshot.services] == ["shop/web"]


def test_node():
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "node-1", "labels": {"topology.kubernetes.io/zone": "a"}},
            "spec": {"podCIDR": "10.244.1.0/24"},
            "status": {"addresses": [{"type": "InternalIP", "address": "192.168.1.10"},
                                     {"type": "Hostname", "address": "node-1"}]}}
    n = one("nodes", node)
    assert (n.internal_ip, n.zone, n.pod_cidrs) == ("192.168.1.10", "a", ("10.244.1.0/24",))


def test_same_port_name_in_two_containers_is_a_warning():
    r = build(pod_m(containers=[{"name": "a", "image": "x", "ports": [{"name": "http", "containerPort": 80}]},
                                {"name": "b", "image": "x", "ports": [{"name": "http", "containerPort": 81}]}]))
    assert not r.errors and r.snapshot.pods
    assert [(w.field, w.code, w.message) for w in r.warnings] == [
        ("spec.containers[1].ports[0]", "duplicate-port-name",
         'duplicate port name "http" with spec.containers[0].ports[0], services and probes that select ports by '
         "name will use spec.containers[0].ports[0]")]

"""Golden-text tests for `kubectl get` tables (kubectl_tables.py).

Every expected table below is written by hand the way kubectl prints it: cells from
printers.go (printService, printPod, printIngress, printNetworkPolicy), laid out by the
tabwriter (minwidth 6, padding 3, the last column unpadded), AGE from HumanDuration on a
frozen clock. Columns are aligned in the source so a misplaced space shows.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from kubenet_site.semantics.kubectl_tables import (
    format_label_selector,
    format_labels,
    get,
    get_ingresses,
    get_network_policies,
    get_output,
    get_pods,
    get_services,
    human_duration,
    ingress_cells,
    pod_cells,
    render_table,
    translate_timestamp_since,
)
from kubenet_site.semantics.types import (
    Container,
    Ingress,
    IngressRule,
    IngressTLS,
    LabelSelector,
    LoadBalancerIngress,
    NetworkPolicy,
    Requirement,
)
from tests.semantics.builders import T0, at, pod, snapshot, sport, svc

NOW = at(3 * 24 * 60)  # 2026-01-04T00:00:00Z; created=0 is 3d old
AGO_5M, AGO_3H12M, AGO_2D = 4320 - 5, 4320 - 192, 4320 - 2 * 24 * 60


def lines(*rows: str) -> str:
    return "".join(r + "\n" for r in rows)


# --- HumanDuration: apimachinery pkg/util/duration/duration_test.go ---------------------------

S, MS, M, H = timedelta(seconds=1), timedelta(milliseconds=1), timedelta(minutes=1), timedelta(hours=1)
D, Y = 24 * H, 365 * 24 * H


@pytest.mark.parametrize(("d", "want"), [
    # TestHumanDuration
    pytest.param(S, "1s", id="1s"),
    pytest.param(70 * S, "70s", id="70s"),
    pytest.param(190 * S, "3m10s", id="190s"),
    pytest.param(70 * M, "70m", id="70m"),
    pytest.param(47 * H, "47h", id="47h"),
    pytest.param(49 * H, "2d1h", id="49h"),
    pytest.param((8 * 24 + 2) * H, "8d", id="8d2h"),
    pytest.param(367 * 24 * H, "367d", id="367d"),
    pytest.param((365 * 2 * 24 + 25) * H, "2y1d", id="2y25h"),
    pytest.param((365 * 8 * 24 + 2) * H, "8y", id="8y2h"),
    # TestHumanDurationBoundaries (Go's -2s+1ns becomes -2s+1us: timedelta stops at us)
    pytest.param(-2 * S, "<invalid>", id="-2s"),
    pytest.param(-2 * S + timedelta(microseconds=1), "0s", id="-2s+1us"),
    pytest.param(timedelta(0), "0s", id="0"),
    pytest.param(S - MS, "0s", id="1s-1ms"),
    pytest.param(2 * M - MS, "119s", id="2m-1ms"),
    pytest.param(2 * M, "2m", id="2m"),
    pytest.param(2 * M + S, "2m1s", id="2m1s"),
    pytest.param(10 * M - MS, "9m59s", id="10m-1ms"),
    pytest.param(10 * M, "10m", id="10m"),
    pytest.param(10 * M + S, "10m", id="10m1s"),
    pytest.param(3 * H - MS, "179m", id="3h-1ms"),
    pytest.param(3 * H, "3h", id="3h"),
    pytest.param(3 * H + M, "3h1m", id="3h1m"),
    pytest.param(8 * H - MS, "7h59m", id="8h-1ms"),
    pytest.param(8 * H, "8h", id="8h"),
    pytest.param(8 * H + 59 * M, "8h", id="8h59m"),
    pytest.param(2 * D - MS, "47h", id="2d-1ms"),
    pytest.param(2 * D, "2d", id="2d"),
    pytest.param(2 * D + H, "2d1h", id="2d1h"),
    pytest.param(8 * D - MS, "7d23h", id="8d-1ms"),
    pytest.param(8 * D, "8d", id="8d"),
    pytest.param(8 * D + 23 * H, "8d", id="8d23h"),
    pytest.param(2 * Y - MS, "729d", id="2y-1ms"),
    pytest.param(2 * Y, "2y", id="2y"),
    pytest.param(2 * Y + 23 * H, "2y", id="2y23h"),
    pytest.param(2 * Y + 23 * H + 59 * M, "2y", id="2y23h59m"),
    pytest.param(2 * Y + 24 * H - MS, "2y", id="2y1d-1ms"),
    pytest.param(2 * Y + 24 * H, "2y1d", id="2y1d"),
    pytest.param(3 * Y, "3y", id="3y"),
    pytest.param(4 * Y, "4y", id="4y"),
    pytest.param(5 * Y, "5y", id="5y"),
    pytest.param(6 * Y, "6y", id="6y"),
    pytest.param(7 * Y, "7y", id="7y"),
    pytest.param(8 * Y - MS, "7y364d", id="8y-1ms"),
    pytest.param(8 * Y, "8y", id="8y"),
    pytest.param(8 * Y + 364 * D, "8y", id="8y364d"),
    pytest.param(9 * Y, "9y", id="9y"),
    # the brief's examples
    pytest.param(5 * M, "5m", id="5m"),
    pytest.param(3 * H + 12 * M, "3h12m", id="3h12m"),
])
def test_human_duration(d, want):
    assert human_duration(d) == want


def test_age_without_creation_time_is_unknown():
    assert translate_timestamp_since(None, NOW) == "<unknown>"
    assert translate_timestamp_since(T0, T0 + 5 * M) == "5m"
    assert translate_timestamp_since(NOW + 5 * S, NOW) == "<invalid>"  # clock skew


# --- the tabwriter -----------------------------------------------------------------------------

def test_layout_pads_columns_to_widest_plus_three_with_minimum_six():
    assert render_table(["A", "LONGER-HEADER", "Z"], [["x", "y", "last-cell-unpadded"]]) == lines(
        "A     LONGER-HEADER   Z",
        "x     y               last-cell-unpadded",
    )


def test_layout_pads_empty_cells_and_never_leaves_trailing_spaces():
    assert render_table(["NAME", "ADDRESS", "AGE"], [["a", "", "5m"], ["b", "10.0.0.1", ""]]) == lines(
        "NAME   ADDRESS    AGE",
        "a                 5m",
        "b      10.0.0.1   ",  # the last cell is written as it is, even when empty
    )


def test_cells_stop_at_a_line_break_and_escape_terminal_characters():
    assert render_table(["NAME"], [["two\nlines"], ["esc\x1b[31m"]]) == lines("NAME", "two...", "esc^[[31m")


# --- Services, one per type --------------------------------------------------------------------

LB = dict(type="LoadBalancer", cluster_ip="10.96.0.50", ports=(sport(443, 8443, node_port=31443),),
          created=AGO_2D)

SERVICE_CASES = [
    pytest.param(
        svc("web", cluster_ip="10.96.0.100", selector={"app": "web"}, ports=(sport(80, 8080),), created=AGO_5M),
        lines("NAME   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE",
              "web    ClusterIP   10.96.0.100   <none>        80/TCP    5m"),
        id="ClusterIP"),
    pytest.param(
        svc("api", type="NodePort", cluster_ip="10.96.12.7", ports=(sport(80, 8080, node_port=30080),),
            created=AGO_3H12M),
        lines("NAME   TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE",
              "api    NodePort   10.96.12.7   <none>        80:30080/TCP   3h12m"),
        id="NodePort"),
    pytest.param(
        svc("shop", **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   <pending>     443:31443/TCP   2d"),
        id="LoadBalancer pending"),
    pytest.param(
        svc("shop", load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.10"),), **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP    PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   203.0.113.10   443:31443/TCP   2d"),
        id="LoadBalancer with an IP"),
    pytest.param(
        svc("shop", load_balancer_ingress=(
            LoadBalancerIngress(hostname="web.elb.example.com"),
            LoadBalancerIngress(ip="203.0.113.20"),
            LoadBalancerIngress(ip="203.0.113.10", hostname="not-shown.example.com"),
            LoadBalancerIngress(ip="203.0.113.20"),
        ), **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP                                     PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   203.0.113.10,203.0.113.20,web.elb.example.com   443:31443/TCP   2d"),
        id="LoadBalancer with IPs and a hostname: sorted set, IP before hostname"),
    pytest.param(
        svc("shop", load_balancer_ingress=(
            LoadBalancerIngress(hostname="a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com"),), **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP                                           PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   a1b2c3d4e5f6-1234567890.us-east-1.elb.amazonaws.com   443:31443/TCP   2d"),
        id="LoadBalancer hostname, not clipped (the server prints wide)"),
    pytest.param(
        svc("shop", load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.10"),),
            external_ips=("198.51.100.7",), **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP                 PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   203.0.113.10,198.51.100.7   443:31443/TCP   2d"),
        id="LoadBalancer addresses then externalIPs"),
    pytest.param(
        svc("shop", external_ips=("198.51.100.7",), **LB),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP    PORT(S)         AGE",
              "shop   LoadBalancer   10.96.0.50   198.51.100.7   443:31443/TCP   2d"),
        id="LoadBalancer pending with externalIPs"),
    pytest.param(
        svc("db", type="ExternalName", cluster_ip=None, external_name="db.example.com", created=AGO_5M),
        lines("NAME   TYPE           CLUSTER-IP   EXTERNAL-IP      PORT(S)   AGE",
              "db     ExternalName   <none>       db.example.com   <none>    5m"),
        id="ExternalName"),
    pytest.param(
        svc("postgres", cluster_ip="None", selector={"app": "db"}, ports=(sport(5432),), created=AGO_5M),
        lines("NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)    AGE",
              "postgres   ClusterIP   None         <none>        5432/TCP   5m"),
        id="headless"),
    pytest.param(
        svc("postgres", cluster_ip="None", cluster_ips=("None",), ports=(sport(5432),), created=AGO_5M),
        lines("NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)    AGE",
              "postgres   ClusterIP   None         <none>        5432/TCP   5m"),
        id="headless, clusterIPs [None] as the API stores it"),
    pytest.param(
        svc("web", cluster_ip="10.96.0.100", external_ips=("198.51.100.7", "198.51.100.8"),
            ports=(sport(80),), created=AGO_5M),
        lines("NAME   TYPE        CLUSTER-IP    EXTERNAL-IP                 PORT(S)   AGE",
              "web    ClusterIP   10.96.0.100   198.51.100.7,198.51.100.8   80/TCP    5m"),
        id="externalIPs"),
    pytest.param(
        svc("kube-dns", ns="kube-system", cluster_ip="10.96.0.10", selector={"k8s-app": "kube-dns"},
            ports=(sport(53, name="dns", protocol="UDP"), sport(53, name="dns-tcp"),
                   sport(9153, name="metrics")), created=0),
        lines("NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE",
              "kube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   3d"),
        id="multi-port"),
    pytest.param(
        svc("legacy", cluster_ip="10.96.0.200", ports=(), created=AGO_5M),
        lines("NAME     TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE",
              "legacy   ClusterIP   10.96.0.200   <none>        <none>    5m"),
        id="no ports"),
    pytest.param(
        dataclasses.replace(svc("web", cluster_ip="10.96.0.100", ports=(sport(80),)), creation_timestamp=None),
        lines("NAME   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE",
              "web    ClusterIP   10.96.0.100   <none>        80/TCP    <unknown>"),
        id="no creation time"),
]


@pytest.mark.parametrize(("service", "expected"), SERVICE_CASES)
def test_get_svc_one_per_type(service, expected):
    snap = snapshot(service)
    got = get_services(snap, service.namespace, False, False, NOW)
    assert got == expected, "\n" + got


def cluster():
    return snapshot(
        svc("kubernetes", cluster_ip="10.96.0.1", ports=(sport(443, 6443, name="https"),), created=0),
        svc("kube-dns", ns="kube-system", cluster_ip="10.96.0.10", selector={"k8s-app": "kube-dns"},
            ports=(sport(53, name="dns", protocol="UDP"), sport(53, name="dns-tcp"),
                   sport(9153, name="metrics")), created=0),
        svc("web", ns="shop", cluster_ip="10.96.0.100", selector={"app": "web", "tier": "frontend"},
            ports=(sport(80, 8080),), created=AGO_5M),
        svc("api", ns="shop", type="NodePort", cluster_ip="10.96.12.7",
            ports=(sport(80, 8080, node_port=30080),), created=AGO_3H12M),
        svc("shop-lb", ns="shop-edge", type="LoadBalancer", cluster_ip="10.96.0.50",
            ports=(sport(443, 8443, node_port=31443),),
            load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.10"),), created=AGO_2D),
    )


def test_get_svc_all_namespaces_in_storage_key_order():
    # The API server lists by key "<namespace>/<name>" as bytes: "shop-edge/" sorts before
    # "shop/" because '-' (0x2d) < '/' (0x2f).
    got = get(cluster(), "svc", all_namespaces=True, now=NOW)
    assert got == lines(
        "NAMESPACE     NAME         TYPE           CLUSTER-IP    EXTERNAL-IP    PORT(S)                  AGE",
        "default       kubernetes   ClusterIP      10.96.0.1     <none>         443/TCP                  3d",
        "kube-system   kube-dns     ClusterIP      10.96.0.10    <none>         53/UDP,53/TCP,9153/TCP   3d",
        "shop-edge     shop-lb      LoadBalancer   10.96.0.50    203.0.113.10   443:31443/TCP            2d",
        "shop          api          NodePort       10.96.12.7    <none>         80:30080/TCP             3h12m",
        "shop          web          ClusterIP      10.96.0.100   <none>         80/TCP                   5m",
    ), "\n" + got


def test_get_svc_wide_adds_selector():
    got = get(cluster(), "services", namespace="shop", output="wide", now=NOW)
    assert got == lines(
        "NAME   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)        AGE     SELECTOR",
        "api    NodePort    10.96.12.7    <none>        80:30080/TCP   3h12m   <none>",
        "web    ClusterIP   10.96.0.100   <none>        80/TCP         5m      app=web,tier=frontend",
    ), "\n" + got


def test_get_svc_defaults_to_the_default_namespace():
    got = get(cluster(), "service", now=NOW)
    assert got == lines(
        "NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE",
        "kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   3d",
    ), "\n" + got


def test_no_resources_messages_go_to_stderr():
    snap = cluster()
    assert get(snap, "svc", namespace="empty", now=NOW) == "No resources found in empty namespace.\n"
    assert get(snap, "netpol", all_namespaces=True, now=NOW) == "No resources found\n"
    out = get_output(snap, "ing", namespace="shop", now=NOW)
    assert (out.stdout, out.stderr) == ("", "No resources found in shop namespace.\n")
    out = get_output(snap, "svc", namespace="shop", now=NOW)
    assert out.stderr == "" and out.stdout.startswith("NAME   TYPE")


@pytest.mark.parametrize("alias", ["svc", "service", "services", "SVC"])
def test_resource_aliases(alias):
    assert get(cluster(), alias, now=NOW) == get_services(cluster(), None, False, False, NOW)


def test_unknown_resource_or_output_is_refused():
    with pytest.raises(ValueError, match='resource type "deploy"'):
        get(cluster(), "deploy", now=NOW)
    with pytest.raises(ValueError, match="output format"):
        get(cluster(), "svc", output="yaml", now=NOW)


def test_format_labels():
    assert format_labels(None) == "<none>"
    assert format_labels({}) == "<none>"
    assert format_labels({"tier": "web", "app": "shop"}) == "app=shop,tier=web"


# --- Pods --------------------------------------------------------------------------------------

def pods_snapshot():
    def ts(minutes):
        return at(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")

    return snapshot(
        pod("web-1", ns="shop", ip="10.244.1.7", node="node-a", created=AGO_5M, raw={
            "spec": {"readinessGates": [{"conditionType": "target-health.elbv2.k8s.aws/web"}]},
            "status": {"phase": "Running", "conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "target-health.elbv2.k8s.aws/web", "status": "True"}]},
        }),
        pod("web-2", ns="shop", ip="10.244.2.9", node="node-b", ready=False, created=AGO_3H12M,
            containers=(Container("app"), Container("proxy")), raw={"status": {
                "phase": "Running",
                "containerStatuses": [
                    {"name": "app", "ready": False, "restartCount": 4,
                     "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                     "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                                  "finishedAt": ts(4320 - 2)}}},
                    {"name": "proxy", "ready": True, "restartCount": 0, "state": {"running": {}}},
                ]}}),
        pod("web-3", ns="shop", ip="10.244.1.8", node="node-a", terminating=True, created=AGO_2D),
        pod("worker-0", ns="shop", ip=None, node=None, ready=False, phase="Pending", created=4320 - 1,
            raw={"status": {"phase": "Pending", "nominatedNodeName": "node-c"}}),
        pod("migrate-1", ns="shop", ip="10.244.2.3", node="node-b", ready=False, phase="Succeeded",
            created=0, containers=(Container("migrate"),), raw={"status": {
                "phase": "Succeeded",
                "containerStatuses": [{"name": "migrate", "ready": False, "restartCount": 0,
                                       "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}],
            }}),
        pod("db-0", ns="shop", ip="10.244.1.9", node="node-a", ready=False, phase="Pending",
            created=4320 - 2, containers=(Container("postgres"),),
            init_containers=(Container("wait-for-dns", role="init"),), raw={"status": {
                "phase": "Pending",
                "initContainerStatuses": [{"name": "wait-for-dns", "ready": False, "restartCount": 0,
                                           "state": {"running": {}}}],
                "containerStatuses": [{"name": "postgres", "ready": False, "restartCount": 0,
                                       "state": {"waiting": {"reason": "PodInitializing"}}}],
            }}),
        pod("log-1", ns="shop", ip="10.244.2.4", node="node-b", created=AGO_3H12M,
            containers=(Container("app"),), init_containers=(Container("log-shipper", role="sidecar"),),
            raw={"status": {
                "phase": "Running",
                "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
                "initContainerStatuses": [{"name": "log-shipper", "ready": True, "started": True,
                                           "restartCount": 1, "state": {"running": {}},
                                           "lastState": {"terminated": {"exitCode": 137,
                                                                        "finishedAt": ts(4320 - 10)}}}],
                "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0,
                                       "state": {"running": {}}}],
            }}),
        pod("other", ns="default", created=0),
    )


def test_get_pods_wide():
    got = get(pods_snapshot(), "po", namespace="shop", output="wide", now=NOW)
    assert got == lines(
        "NAME        READY   STATUS             RESTARTS      AGE     IP           NODE     NOMINATED NODE   READINESS GATES",
        "db-0        0/1     Init:0/1           0             2m      10.244.1.9   node-a   <none>           <none>",
        "log-1       2/2     Running            1 (10m ago)   3h12m   10.244.2.4   node-b   <none>           <none>",
        "migrate-1   0/1     Completed          0             3d      10.244.2.3   node-b   <none>           <none>",
        "web-1       1/1     Running            0             5m      10.244.1.7   node-a   <none>           1/1",
        "web-2       1/2     CrashLoopBackOff   4 (2m ago)    3h12m   10.244.2.9   node-b   <none>           <none>",
        "web-3       1/1     Terminating        0             2d      10.244.1.8   node-a   <none>           <none>",
        "worker-0    0/1     Pending            0             60s     <none>       <none>   node-c           <none>",
    ), "\n" + got


def test_get_pods_all_namespaces():
    got = get_pods(pods_snapshot(), None, True, False, NOW)
    assert got == lines(
        "NAMESPACE   NAME        READY   STATUS             RESTARTS      AGE",
        "default     other       1/1     Running            0             3d",
        "shop        db-0        0/1     Init:0/1           0             2m",
        "shop        log-1       2/2     Running            1 (10m ago)   3h12m",
        "shop        migrate-1   0/1     Completed          0             3d",
        "shop        web-1       1/1     Running            0             5m",
        "shop        web-2       1/2     CrashLoopBackOff   4 (2m ago)    3h12m",
        "shop        web-3       1/1     Terminating        0             2d",
        "shop        worker-0    0/1     Pending            0             60s",
    ), "\n" + got


# --- Ingresses ---------------------------------------------------------------------------------

def ingress(name, ns="shop", hosts=(), created=0, **kw):
    return Ingress(namespace=ns, name=name, rules=tuple(IngressRule(host=h) for h in hosts),
                   creation_timestamp=at(created), **kw)


def test_get_ingress_all_namespaces():
    snap = snapshot(
        ingress("shop", hosts=("shop.example.com", "api.example.com"), ingress_class_name="nginx",
                tls=(IngressTLS(hosts=("shop.example.com",), secret_name="shop-tls"),),
                load_balancer_ingress=(LoadBalancerIngress(hostname="k8s-shop.elb.amazonaws.com"),
                                       LoadBalancerIngress(ip="203.0.113.30")),
                created=AGO_5M),
        ingress("catch-all", ns="default", hosts=(None,), class_annotation="nginx"),
    )
    got = get_ingresses(snap, None, True, False, NOW)
    assert got == lines(
        "NAMESPACE   NAME        CLASS    HOSTS                              ADDRESS                                   PORTS     AGE",
        "default     catch-all   <none>   *                                                                            80        3d",
        "shop        shop        nginx    shop.example.com,api.example.com   203.0.113.30,k8s-shop.elb.amazonaws.com   80, 443   5m",
    ), "\n" + got
    assert get(snap, "ingresses", namespace="default", output="wide", now=NOW) == lines(
        "NAME        CLASS    HOSTS   ADDRESS   PORTS   AGE",
        "catch-all   <none>   *                 80      3d",
    )


@pytest.mark.parametrize(("hosts", "want"), [
    pytest.param((), "*", id="no rules"),
    pytest.param((None,), "*", id="a rule without host"),
    pytest.param(("a.example.com", None), "a.example.com", id="host-less rules are not listed"),
    pytest.param(("a", "b", "c"), "a,b,c", id="three hosts"),
    pytest.param(("a", "b", "c", "d"), "a,b,c + 1 more...", id="four hosts: only three shown"),
    pytest.param(("a", "b", None, "c", "d"), "a,b,c + 2 more...", id="more counts every rule past three"),
])
def test_ingress_hosts(hosts, want):
    assert ingress_cells(ingress("x", hosts=hosts), NOW)[2] == want


# --- NetworkPolicies ---------------------------------------------------------------------------

def test_get_netpol():
    snap = snapshot(
        NetworkPolicy("shop", "default-deny", pod_selector=LabelSelector(), creation_timestamp=at(0)),
        NetworkPolicy("shop", "allow-web", pod_selector=LabelSelector(match_labels={"app": "web"}),
                      creation_timestamp=at(AGO_5M)),
        NetworkPolicy("shop", "db-access", creation_timestamp=at(AGO_3H12M), pod_selector=LabelSelector(
            match_labels={"app": "db"},
            match_expressions=(Requirement("role", "In", ("replica", "primary")),
                               Requirement("legacy", "DoesNotExist")))),
        NetworkPolicy("other", "elsewhere", creation_timestamp=at(0)),
    )
    got = get_network_policies(snap, "shop", False, False, NOW)
    assert got == lines(
        "NAME           POD-SELECTOR                               AGE",
        "allow-web      app=web                                    5m",
        "db-access      app=db,!legacy,role in (primary,replica)   3h12m",
        "default-deny   <none>                                     3d",
    ), "\n" + got
    assert get(snap, "networkpolicy", all_namespaces=True, now=NOW) == lines(
        "NAMESPACE   NAME           POD-SELECTOR                               AGE",
        "other       elsewhere      <none>                                     3d",
        "shop        allow-web      app=web                                    5m",
        "shop        db-access      app=db,!legacy,role in (primary,replica)   3h12m",
        "shop        default-deny   <none>                                     3d",
    )


@pytest.mark.parametrize(("selector", "want"), [
    pytest.param(LabelSelector(), "<none>", id="{} selects every pod"),
    pytest.param(LabelSelector(match_labels={"tier": "web", "app": "shop"}), "app=shop,tier=web", id="matchLabels"),
    pytest.param(LabelSelector(match_expressions=(Requirement("env", "NotIn", ("test", "dev")),)),
                 "env notin (dev,test)", id="NotIn"),
    pytest.param(LabelSelector(match_expressions=(Requirement("tier", "Exists"),)), "tier", id="Exists"),
    pytest.param(LabelSelector(match_labels={"app": "web"},
                               match_expressions=(Requirement("app", "In", ("api",)),)),
                 "app=web,app in (api)", id="same key: matchLabels first"),
    pytest.param(LabelSelector(match_expressions=(Requirement("env", "In", ()),)), "<error>",
                 id="In without values"),
    pytest.param(LabelSelector(match_expressions=(Requirement("env", "Exists", ("x",)),)), "<error>",
                 id="Exists with values"),
    pytest.param(LabelSelector(match_expressions=(Requirement("env", "Gt", ("1",)),)), "<error>",
                 id="unknown operator"),
])
def test_format_label_selector(selector, want):
    assert format_label_selector(selector) == want


# --- printPod cells: printers_test.go TestPrintPod / TestPrintPodWithRestartableInitContainer ----

def _rfc3339(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def cs(name="", ready=False, restarts=0, state=None, last=None, started=None):
    """A containerStatus; `last` is how long ago its last termination finished."""
    out = {"name": name, "ready": ready, "restartCount": restarts, "state": state or {}}
    if last is not None:
        out["lastState"] = {"terminated": {"finishedAt": _rfc3339(NOW - last)}}
    if started is not None:
        out["started"] = started
    return out


RUNNING, WAITING = {"running": {}}, {"waiting": {}}


def go_pod(name, containers=1, init=(), phase="podPhase", statuses=None, init_statuses=None,
           conditions=(), reason=None, deleted=False, **status):
    """A Pod as printers_test.go builds it: `init` lists (name, role) pairs."""
    st = {"phase": phase, "conditions": list(conditions), **status}
    if reason:
        st["reason"] = reason
    if statuses is not None:
        st["containerStatuses"] = statuses
    if init_statuses is not None:
        st["initContainerStatuses"] = init_statuses
    return dataclasses.replace(
        pod(name, ip=None, node=None, phase=phase, terminating=deleted,
            ready=any(c["type"] == "Ready" and c["status"] == "True" for c in conditions),
            containers=tuple(Container("") for _ in range(containers)),
            init_containers=tuple(Container(n, role=r) for n, r in init),
            raw={"status": st}),
        creation_timestamp=None)


SIDECARS = (("restartable-init-1", "sidecar"), ("restartable-init-2", "sidecar"))

POD_CELL_CASES = [
    pytest.param(go_pod("test1", 2, statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(restarts=3)]),
                 "1/2 podPhase 6", id="test1 restarts and ready"),
    pytest.param(go_pod("test2", 2, statuses=[
        cs(ready=True, restarts=3, state=RUNNING),
        cs(restarts=3, state={"waiting": {"reason": "ContainerWaitingReason"}})]),
        "1/2 ContainerWaitingReason 6", id="test2 container error overwrites phase"),
    pytest.param(go_pod("test3", 2, statuses=[
        cs(restarts=3, state={"waiting": {"reason": "ContainerWaitingReason"}}),
        cs(restarts=3, state={"terminated": {"reason": "ContainerTerminatedReason"}})]),
        "0/2 ContainerWaitingReason 6", id="test3 first container wins"),
    pytest.param(go_pod("test4", 2, statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(ready=True, restarts=3)]),
                 "1/2 podPhase 6", id="test4 ready is not enough"),
    pytest.param(go_pod("test5", 2, reason="podReason",
                        statuses=[cs(ready=True, restarts=3, state=RUNNING), cs(ready=True, restarts=3)]),
                 "1/2 podReason 6", id="test5 pod reason"),
    pytest.param(go_pod("test6", 2, phase="Running", statuses=[
        cs(ready=True, restarts=3, state={"terminated": {"reason": "Completed", "exitCode": 0}}),
        cs(ready=True, restarts=3, state=RUNNING)]),
        "1/2 NotReady 6", id="test6 completed and running, no Ready condition"),
    pytest.param(go_pod("test6", 2, phase="Running", conditions=[{"type": "Ready", "status": "True"}], statuses=[
        cs(ready=True, restarts=3, state={"terminated": {"reason": "Completed", "exitCode": 0}}),
        cs(ready=True, restarts=3, state=RUNNING)]),
        "1/2 Running 6", id="test6 completed and running, Ready"),
    pytest.param(go_pod("test7", 1, init=(("i", "init"),),
                        init_statuses=[cs("i", restarts=3, state=RUNNING, last=10 * S)],
                        statuses=[cs(state=WAITING)]),
                 "0/1 Init:0/1 3 (10s ago)", id="test7 init restarting"),
    pytest.param(go_pod("test8", 1, init=(("i", "init"), ("j", "init")),
                        init_statuses=[cs("i", restarts=3, state=RUNNING, last=10 * S), cs("j", state=WAITING)],
                        statuses=[cs(state=WAITING)]),
                 "0/1 Init:0/2 3 (10s ago)", id="test8"),
    pytest.param(go_pod("test9", 1, init=(("i", "init"), ("j", "init")),
                        init_statuses=[cs("i", state={"terminated": {}}),
                                       cs("j", restarts=3, state=RUNNING, last=10 * S)],
                        statuses=[cs(state=WAITING)]),
                 "0/1 Init:1/2 3 (10s ago)", id="test9"),
    pytest.param(go_pod("test10", 1, init=(("i", "init"), ("j", "init")),
                        init_statuses=[cs("i", restarts=2, state={"terminated": {}}, last=2 * M),
                                       cs("j", restarts=3, state=RUNNING, last=10 * S)],
                        statuses=[cs(state=WAITING)]),
                 "0/1 Init:1/2 5 (10s ago)", id="test10"),
    pytest.param(go_pod("test11", 1, phase="Running", init=(("i", "init"),),
                        init_statuses=[cs("i", restarts=2, state={"terminated": {}}, last=2 * M)],
                        statuses=[cs(restarts=4, state=RUNNING, last=20 * S)]),
                 "0/1 Running 4 (20s ago)", id="test11 init restarts drop once initialized"),
    pytest.param(go_pod("test12", 1, phase="Running",
                        statuses=[cs(ready=True, restarts=3, state=RUNNING, last=5 * D)]),
                 "1/1 Running 3 (5d ago)", id="test12"),
    pytest.param(go_pod("test13", 2, phase="Running", statuses=[
        cs(ready=True, state=RUNNING), cs(ready=True, restarts=3, state=RUNNING, last=10 * D)]),
        "2/2 Running 3 (10d ago)", id="test13"),
    pytest.param(go_pod("test14", 2, phase="Running", statuses=[
        cs(ready=True, restarts=6, state=RUNNING, last=5 * D), cs(ready=True, restarts=3, state=RUNNING, last=20 * D)]),
        "2/2 Running 9 (5d ago)", id="test14 latest restart"),
    pytest.param(go_pod("test15", 2, conditions=[
        {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]),
        "0/2 SchedulingGated 0", id="test15 SchedulingGated"),
    pytest.param(go_pod("test16", phase="Succeeded", statuses=[
        cs(state={"terminated": {"reason": "Completed", "exitCode": 0}})]),
        "0/1 Completed 0", id="test16 succeeded"),
    pytest.param(go_pod("test17", phase="Failed", statuses=[
        cs(state={"terminated": {"reason": "Error", "exitCode": 1}})]),
        "0/1 Error 0", id="test17 failed"),
    pytest.param(go_pod("test18", phase="Succeeded", deleted=True, statuses=[
        cs(state={"terminated": {"reason": "Completed", "exitCode": 0}})]),
        "0/1 Completed 0", id="test18 succeeded, deleted"),
    pytest.param(go_pod("test19", phase="Running", deleted=True, statuses=[cs(state=RUNNING)]),
                 "0/1 Terminating 0", id="test19 running, deleted"),
    pytest.param(go_pod("test20", phase="Pending", deleted=True), "0/1 Terminating 0", id="test20 pending, deleted"),
    pytest.param(go_pod("r1", 1, phase="Pending", init=SIDECARS,
                        conditions=[{"type": "Initialized", "status": "False"}],
                        init_statuses=[cs("restartable-init-1", restarts=3, state=RUNNING, started=False, last=10 * S),
                                       cs("restartable-init-2", state=WAITING, started=False)],
                        statuses=[cs(state=WAITING)]),
                 "0/3 Init:0/2 3 (10s ago)", id="sidecar running, not started"),
    pytest.param(go_pod("r2", 1, phase="Pending", init=SIDECARS,
                        conditions=[{"type": "Initialized", "status": "False"}],
                        init_statuses=[cs("restartable-init-1", restarts=3, state=RUNNING, started=True, last=10 * S),
                                       cs("restartable-init-2", state=RUNNING, started=False)],
                        statuses=[cs(state=WAITING)]),
                 "0/3 Init:1/2 3 (10s ago)", id="first sidecar started"),
    pytest.param(go_pod("r3", 1, phase="Running", init=SIDECARS,
                        conditions=[{"type": "Initialized", "status": "True"}],
                        init_statuses=[cs("restartable-init-1", restarts=3, state=RUNNING, started=True, last=10 * S),
                                       cs("restartable-init-2", state=RUNNING, started=True)],
                        statuses=[cs(ready=True, restarts=4, state=RUNNING, last=20 * S)]),
                 "1/3 Running 7 (10s ago)", id="sidecars started, container running"),
    pytest.param(go_pod("r4", 1, phase="Succeeded", init=SIDECARS,
                        conditions=[{"type": "Initialized", "status": "True"}],
                        init_statuses=[
                            cs("restartable-init-1", restarts=3, started=False, last=10 * S,
                               state={"terminated": {"reason": "Error", "exitCode": 137}}),
                            cs("restartable-init-2", started=False,
                               state={"terminated": {"reason": "Error", "exitCode": 137}})],
                        statuses=[cs(restarts=4, last=20 * S,
                                     state={"terminated": {"reason": "Completed", "exitCode": 0}})]),
                 "0/3 Completed 7 (10s ago)", id="sidecars failed, container completed"),
    pytest.param(go_pod("r5", 1, phase="Running", init=(("init1", "init"), ("sidecar1", "sidecar")),
                        init_statuses=[{"name": "initinvalid"}, {"name": "init1"}, {"name": "sidecar1"}],
                        statuses=[{"name": "containerinvalid"}, {"name": "container1"}]),
                 "0/2 Init:0/2 0", id="statuses of containers the spec lacks"),
]


@pytest.mark.parametrize(("p", "want"), POD_CELL_CASES)
def test_pod_cells_as_printers_test(p, want):
    cells = pod_cells(p, NOW)
    assert cells[0] == p.name and cells[4] == "<unknown>"
    assert " ".join(cells[1:4]) == want


def test_pod_wide_cells_as_printers_test():
    p = dataclasses.replace(pod("test1", ip=("1.1.1.1", "2001:db8::"), node="test1", phase="podPhase", ready=False,
                                containers=(Container(""), Container("")), raw={
        "spec": {"readinessGates": [{"conditionType": "condition1"}, {"conditionType": "condition2"},
                                    {"conditionType": "condition3"}]},
        "status": {"phase": "podPhase", "nominatedNodeName": "node1",
                   "conditions": [{"type": "condition1", "status": "False"},
                                  {"type": "condition2", "status": "True"}],
                   "containerStatuses": [cs(ready=True, restarts=3, state=RUNNING), cs(restarts=3)]},
    }), creation_timestamp=None)
    assert pod_cells(p, NOW) == ["test1", "1/2", "podPhase", "6", "<unknown>", "1.1.1.1", "test1", "node1", "1/3"]

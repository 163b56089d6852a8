"""The compressed matrices on a small hand-made cluster: each Service type's rows with their
expected outcomes written out, workload grouping, row splits, paging and sharding.

Expected values come from the rules in semantics.md and the Kubernetes docs they cite:
NetworkPolicy judged at the backend after DNAT (network-policies.md), the own-node rule,
externalTrafficPolicy Local dropping on nodes without a local endpoint and preserving the
client IP, Cluster SNATing to the receiving node (service.md "Traffic policies",
tutorials/services/source-ip), ExternalName as a CNAME only, a cluster IP unreachable from
outside.
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics.labels import parse_selector
from kubenet_site.semantics.matrix import (
    CompressedMatrix,
    merge_blocks,
    pod_matrix,
    service_matrix,
)
from kubenet_site.semantics.pod_classes import build_classes, pod_rows, workload_of
from kubenet_site.semantics.types import (
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    IngressRule,
    IPBlock,
    LoadBalancerIngress,
    NetworkPolicy,
    OwnerReference,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    QueryError,
)
from tests.semantics.builders import node, ns, pod, ports, snapshot, sport, svc

RS = OwnerReference("ReplicaSet", "web-7d9c5b8f6d", True, "apps/v1")


def _objects() -> list:
    return [
        ns("shop", team="shop"), ns("other"), ns("ingress-nginx"),
        node("n1", "10.0.0.1"), node("n2", "10.0.0.2"),
        pod("coredns-1", ns="kube-system", labels={"k8s-app": "kube-dns"}, ip="10.244.1.53", node="n1",
            container_ports=ports("dns:53/UDP", "dns-tcp:53/TCP")),
        pod("web-7d9c5b8f6d-aaaaa", ns="shop", labels={"app": "web", "pod-template-hash": "7d9c5b8f6d"},
            ip="10.244.1.10", node="n1", container_ports=ports("http:8080"), owner_references=(RS,)),
        pod("web-7d9c5b8f6d-bbbbb", ns="shop", labels={"app": "web", "pod-template-hash": "7d9c5b8f6d"},
            ip="10.244.2.10", node="n2", container_ports=ports("http:8080"), owner_references=(RS,)),
        pod("db-0", ns="shop", labels={"app": "db"}, ip="10.244.2.20", node="n2",
            container_ports=ports("pg:5432"),
            owner_references=(OwnerReference("StatefulSet", "db", True, "apps/v1"),)),
        pod("client", ns="other", labels={"app": "client"}, ip="10.244.1.30", node="n1"),
        pod("locked", ns="other", labels={"app": "locked"}, ip="10.244.1.31", node="n1"),
        pod("ctrl", ns="ingress-nginx", labels={"app.kubernetes.io/name": "ingress-nginx"}, ip="10.244.1.80",
            node="n1", container_ports=ports("http:80")),
        svc("kube-dns", ns="kube-system", selector={"k8s-app": "kube-dns"}, cluster_ip="10.96.0.10",
            ports=(sport(53, name="dns", protocol="UDP"), sport(53, name="dns-tcp"))),
        svc("web", ns="shop", selector={"app": "web"}, cluster_ip="10.96.0.100", ports=(sport(80, "http"),)),
        svc("db", ns="shop", selector={"app": "db"}, cluster_ip="10.96.0.101", ports=(sport(5432),)),
        svc("db-itp", ns="shop", selector={"app": "db"}, cluster_ip="10.96.0.102", ports=(sport(5432),),
            internal_traffic_policy="Local"),
        svc("web-np", ns="shop", selector={"app": "web"}, cluster_ip="10.96.0.110", type="NodePort",
            ports=(sport(80, "http", node_port=30080),)),
        svc("db-np", ns="shop", selector={"app": "db"}, cluster_ip="10.96.0.111", type="NodePort",
            ports=(sport(5432, node_port=30082),), external_traffic_policy="Local"),
        svc("web-lb", ns="shop", selector={"app": "web"}, cluster_ip="10.96.0.120", type="LoadBalancer",
            ports=(sport(80, "http", node_port=30083),),
            load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.10"),)),
        svc("db-lb", ns="shop", selector={"app": "db"}, cluster_ip="10.96.0.121", type="LoadBalancer",
            ports=(sport(5432, node_port=30084),), external_traffic_policy="Local",
            health_check_node_port=32000, load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.11"),)),
        svc("pending-lb", ns="shop", selector={"app": "web"}, cluster_ip="10.96.0.122", type="LoadBalancer",
            ports=(sport(80, "http", node_port=30085),)),
        svc("ext", ns="shop", type="ExternalName", cluster_ip=None, external_name="db.example.com"),
        svc("web-ext", ns="shop", selector={"app": "web"}, cluster_ip="10.96.0.103", ports=(sport(80, "http"),),
            external_ips=("192.0.2.50",)),
        svc("ctrl", ns="ingress-nginx", selector={"app.kubernetes.io/name": "ingress-nginx"},
            cluster_ip="10.96.0.200", type="LoadBalancer", ports=(sport(80, "http", name="http", node_port=30090),),
            load_balancer_ingress=(LoadBalancerIngress(ip="203.0.113.20"),)),
        # db: only web pods, and outside clients of 198.51.100.0/24.
        NetworkPolicy("shop", "db", parse_selector({"matchLabels": {"app": "db"}}), ("Ingress",), ingress=(
            PolicyRule((PolicyPeer(pod_selector=parse_selector({"matchLabels": {"app": "web"}})),),
                       (PolicyPort("TCP", 5432),)),
            PolicyRule((PolicyPeer(ip_block=IPBlock("198.51.100.0/24")),)),
        )),
        # locked: no egress at all, so no DNS either.
        NetworkPolicy("other", "locked", parse_selector({"matchLabels": {"app": "locked"}}), ("Egress",)),
        IngressClass("nginx", "k8s.io/ingress-nginx", is_default=True),
        Ingress("shop", "shop", ingress_class_name="nginx", rules=(IngressRule("shop.example.com", (
            IngressPath("/", "Prefix", IngressBackend("web", port_number=80)),
            IngressPath("/db", "Prefix", IngressBackend("db", port_number=5432)),
        )),)),
    ]


@pytest.fixture(scope="module")
def snap():
    return snapshot(*_objects())


def _table(m: CompressedMatrix) -> dict[str, dict[str, str]]:
    return {r.id: {c.id: m.cell(i, j).outcome for j, c in enumerate(m.columns)} for i, r in enumerate(m.rows)}


def _show(m: CompressedMatrix, row: str, col: str) -> str:
    return "\n".join(m.cell(row, col).trace)


ROW_IDS = ["ingress-nginx/ingress-nginx", "kube-system/coredns-1", "other/client", "other/locked", "shop/db",
           "shop/web", "node:n1", "node:n2", "external"]


def test_rows_group_pods_by_namespace_and_workload(snap):
    m = service_matrix(snap, "clusterip")
    assert [r.id for r in m.rows] == ROW_IDS
    web = m.rows[ROW_IDS.index("shop/web")]
    assert web.members == ("shop/web-7d9c5b8f6d-aaaaa", "shop/web-7d9c5b8f6d-bbbbb")
    assert web.label == "shop/web"


@pytest.mark.parametrize(("owner", "labels", "name", "expected"), [
    pytest.param(OwnerReference("ReplicaSet", "web-7d9c5b8f6d", True), {"pod-template-hash": "7d9c5b8f6d"},
                 "web-7d9c5b8f6d-x1", "web", id="ReplicaSet with pod-template-hash: the Deployment"),
    pytest.param(OwnerReference("ReplicaSet", "api-6b7f9d4c8", True), {}, "api-6b7f9d4c8-x", "api",
                 id="ReplicaSet without the label: hash-looking suffix stripped"),
    pytest.param(OwnerReference("StatefulSet", "db", True), {"app": "x"}, "db-0", "db", id="StatefulSet"),
    pytest.param(OwnerReference("ReplicaSet", "rs", False), {"app": "x"}, "p", "x",
                 id="not the controller: the app label"),
    pytest.param(None, {"app.kubernetes.io/name": "n", "app": "a"}, "p", "n",
                 id="app.kubernetes.io/name before app"),
    pytest.param(None, {}, "lonely", "lonely", id="no owner, no label: the pod itself"),
])
def test_workload_of(owner, labels, name, expected):
    p = pod(name, labels=labels, owner_references=(owner,) if owner else ())
    assert workload_of(p) == expected


def test_clusterip_rows(snap):
    m = service_matrix(snap, "clusterip")
    assert [c.id for c in m.columns] == ["svc:kube-system/kube-dns:53/TCP", "svc:shop/web:80/TCP",
                                         "svc:shop/db:5432/TCP", "svc:shop/db-itp:5432/TCP",
                                         "svc:shop/web-ext:80/TCP"]
    t = _table(m)
    web, db = "svc:shop/web:80/TCP", "svc:shop/db:5432/TCP"
    assert t["other/client"][web] == "reachable"
    assert t["other/client"][db] == "blocked", _show(m, "other/client", db)  # db admits web pods only
    assert t["shop/web"][db] == "reachable"
    assert t["shop/db"][db] == "reachable"  # its own Service: a pod never blocks itself
    assert t["other/locked"][web] == "blocked"  # no egress: DNS times out
    assert "DNS" in _show(m, "other/locked", web)
    assert t["node:n2"][db] == "reachable"  # db-0 runs on n2: its own node
    assert t["node:n1"][db] == "blocked"  # 10.0.0.1 is neither a web pod nor in 198.51.100.0/24
    assert t["node:n1"][web] == "reachable"
    ext = "svc:shop/web-ext:80/TCP"  # externalIPs: served like the cluster IP on the nodes
    assert all(t["external"][c] == "not-applicable" for c in t["external"] if c != ext)
    assert t["external"][ext] == "reachable", _show(m, "external", ext)
    assert "ingress: isolated by shop/db" in _show(m, "other/client", db)


def test_internal_traffic_policy_local_splits_by_node(snap):
    """db-itp is internalTrafficPolicy Local and db-0 runs on n2: clients on n1 are dropped."""
    m = service_matrix(snap, "clusterip")
    col = "svc:shop/db-itp:5432/TCP"
    v = m.cell("shop/web", col)
    assert v.outcome == "partial" and v.details["members"] == {"blocked": 1, "reachable": 1}
    per = {k: vs[m.columns.index(next(c for c in m.columns if c.id == col))].outcome
           for k, vs in m.expand_row("shop/web").items()}
    assert per == {"shop/web-7d9c5b8f6d-aaaaa": "blocked", "shop/web-7d9c5b8f6d-bbbbb": "reachable"}
    assert m.member_verdict("shop/web-7d9c5b8f6d-aaaaa", col).outcome == "blocked"
    assert "internalTrafficPolicy Local" in "\n".join(m.member_verdict("shop/web-7d9c5b8f6d-aaaaa", col).trace)
    assert m.cell("node:n1", col).outcome == "blocked"
    assert m.cell("node:n2", col).outcome == "reachable"


def test_nodeport_rows(snap):
    m = service_matrix(snap, "nodeport")
    t = _table(m)
    web, db = "svc:shop/web-np:80/TCP", "svc:shop/db-np:5432/TCP"
    assert t["other/client"][web] == "reachable"
    assert t["node:n1"][web] == "reachable"
    # Cluster: SNAT to the receiving node; web pods are not isolated.
    assert t["external"][web] == "reachable"
    assert m.cell("external", web).details["nodes"] == {"n1": "reachable", "n2": "reachable"}
    # Local: n1 has no db endpoint (dropped); n2 keeps 198.51.100.7, which the ipBlock admits.
    assert t["external"][db] == "partial", _show(m, "external", db)
    assert m.cell("external", db).details["nodes"] == {"n1": "blocked", "n2": "reachable"}


def test_loadbalancer_rows(snap):
    m = service_matrix(snap, "loadbalancer")
    t = _table(m)
    web, db, pending = "svc:shop/web-lb:80/TCP", "svc:shop/db-lb:5432/TCP", "svc:shop/pending-lb:80/TCP"
    assert t["external"][web] == "reachable"
    assert m.cell("external", web).details["sourceIPPreserved"] is False
    assert t["external"][db] == "reachable"  # Local: the client IP is kept and the ipBlock admits it
    assert m.cell("external", db).details["sourceIPPreserved"] is True
    assert t["external"][pending] == "blocked"
    assert "pending" in _show(m, "external", pending)
    assert t["other/client"][db] == "blocked"
    assert t["shop/web"][db] == "reachable"


def test_externalname_rows(snap):
    m = service_matrix(snap, "externalname")
    t = _table(m)
    col = "svc:shop/ext"
    assert t["other/client"][col] == "not-proxied"
    assert "db.example.com" in _show(m, "other/client", col)
    assert t["other/locked"][col] == "blocked"
    assert t["node:n1"][col] == "not-proxied"
    assert t["external"][col] == "not-proxied"
    assert m.cell("external", col).details["cname"] == "db.example.com"


def test_ingress_rows(snap):
    m = service_matrix(snap, "ingress")
    assert [c.id for c in m.columns] == ["ingress:shop.example.com/", "ingress:shop.example.com/db"]
    t = _table(m)
    root, db = "ingress:shop.example.com/", "ingress:shop.example.com/db"
    assert t["external"][root] == "reachable", _show(m, "external", root)
    assert t["other/client"][root] == "reachable"
    assert t["other/locked"][root] == "blocked"
    # the controller's pod is not a web pod: db's policy stops it
    assert t["external"][db] == "blocked"
    assert "ingress: isolated by shop/db" in _show(m, "external", db)


def test_pod_matrix(snap):
    m = pod_matrix(snap, 5432)
    t = _table(m)
    assert t["shop/web"]["shop/db"] == "reachable"
    assert t["other/client"]["shop/db"] == "blocked"
    assert t["shop/db"]["shop/db"] == "reachable"
    assert t["other/locked"]["shop/web"] == "blocked"  # no egress rule
    assert t["shop/web"]["other/locked"] == "reachable"
    named = pod_matrix(snap, "http")
    assert named.cell("other/client", "shop/web").outcome == "reachable"
    assert named.cell("other/client", "shop/db").outcome == "blocked"  # db-0 has no port named http
    assert "no TCP port named 'http'" in "\n".join(named.cell("other/client", "shop/db").trace)


def test_pod_matrix_one_pod_group_against_itself():
    """Two single-pod workloads that behave alike share a class; each one's cell with itself is
    the pod to itself (allowed), with the other the policy's answer (deny-all: blocked)."""
    deny = NetworkPolicy("x", "deny", parse_selector({}), ("Ingress",))
    s = snapshot(pod("a", ns="x", labels={"role": "w"}, ip="10.244.0.1"),
                 pod("b", ns="x", labels={"role": "w"}, ip="10.244.0.2"), deny)
    m = pod_matrix(s, 80)
    assert len(build_classes(s).classes) == 1
    t = _table(m)
    assert t["x/a"] == {"x/a": "reachable", "x/b": "blocked"}
    assert t["x/b"] == {"x/a": "blocked", "x/b": "reachable"}


def test_unknown_type_is_a_query_error(snap):
    with pytest.raises(QueryError):
        service_matrix(snap, "headless")


def test_classes_are_fewer_than_pods_and_rows_share_cells():
    from kubenet_site.semantics.synthetic import generate

    s = generate(400, seed=7)
    idx = build_classes(s)
    assert len(idx.classes) < len(s.pods)
    assert sum(len(c.members) for c in idx.classes) == len(s.pods)
    specs = pod_rows(idx)
    assert sorted(p.key for r in specs for p in r.members) == sorted(p.key for p in s.pods)


@pytest.mark.parametrize("kind", ["clusterip", "nodeport", "loadbalancer", "externalname", "ingress"])
def test_merge_blocks_equals_one_call(snap, kind):
    whole = service_matrix(snap, kind)
    total = len(whole.rows)
    blocks = [service_matrix(snap, kind, row_block=(lo, lo + 3)) for lo in range(0, total, 3)]
    merged = merge_blocks(list(reversed(blocks)))
    assert [r.id for r in merged.rows] == [r.id for r in whole.rows]
    assert merged.cells == whole.cells
    assert merged.verdicts == whole.verdicts
    assert merged.member_cells == whole.member_cells


def test_merge_blocks_on_a_synthetic_cluster():
    from kubenet_site.semantics.synthetic import generate

    s = generate(300, seed=5)
    whole = service_matrix(s, "clusterip")
    step = len(whole.rows) // 4 + 1
    merged = merge_blocks([service_matrix(s, "clusterip", row_block=(lo, lo + step))
                           for lo in range(0, len(whole.rows), step)])
    assert merged.cells == whole.cells and merged.verdicts == whole.verdicts
    pm = pod_matrix(s, 8080)
    merged = merge_blocks([pod_matrix(s, 8080, row_block=(lo, lo + 50)) for lo in range(0, len(pm.rows), 50)])
    assert merged.cells == pm.cells and merged.verdicts == pm.verdicts


def test_to_dict_pages(snap):
    m = service_matrix(snap, "clusterip")
    page = m.to_dict(page=2, page_size=4)
    assert page["totalRows"] == len(ROW_IDS) and page["pages"] == 3
    assert [r["id"] for r in page["rows"]] == ROW_IDS[4:8]
    used = {str(i) for row in page["cells"] for i in row}
    assert used <= set(page["verdicts"])
    assert page["memberCells"] == {"1": page["memberCells"]["1"]}  # shop/web is row 5, index 1 here
    assert len(m.verdicts) < len(m.rows) * len(m.columns)  # distinct verdicts are shared

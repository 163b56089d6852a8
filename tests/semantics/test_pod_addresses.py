"""pod_addresses.py and the cluster's own nodes: node pod CIDRs (nodeipam range allocator:
the next free node-sized subnet, /24 IPv4 and /64 IPv6 by default), host-local addresses from
`.2` skipping held ones, dual-stack, and `node-1`.. when no worker node exists."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.manifests import ManifestError, parse_cluster
from kubenet_site.semantics.pod_addresses import AddressAllocator, carve_node_cidrs
from kubenet_site.semantics.types import ClusterConfig, Node

from .workload_builders import build, control_plane, generated_pods, node, running_pod, workload


@pytest.mark.parametrize("cluster, used, expected", [
    pytest.param(("10.244.0.0/16",), [], {"a": ("10.244.0.0/24",), "b": ("10.244.1.0/24",)}, id="from the first"),
    pytest.param(("10.244.0.0/16",), ["10.244.0.0/24", "10.244.2.0/23"],
                 {"a": ("10.244.1.0/24",), "b": ("10.244.4.0/24",)}, id="skipping ranges in use"),
    pytest.param(("10.244.0.0/16", "fd00:10:244::/56"), [],
                 {"a": ("10.244.0.0/24", "fd00:10:244::/64"), "b": ("10.244.1.0/24", "fd00:10:244:1::/64")},
                 id="dual-stack: one of each family"),
    pytest.param(("10.244.0.0/25",), [], {"a": ("10.244.0.0/25",), "b": ()}, id="a cluster CIDR smaller than /24"),
])
def test_carve_in_name_order(cluster, used, expected):
    assert carve_node_cidrs(["b", "a"], ClusterConfig(pod_cidrs=cluster), used) == expected


def test_allocator_skips_held_addresses():
    n = Node("n", pod_cidrs=("10.244.1.0/24",))
    alloc = AddressAllocator([n], ["10.244.1.2", "10.244.1.4"], (4,))
    assert [alloc.allocate("n") for _ in range(3)] == [("10.244.1.3",), ("10.244.1.5",), ("10.244.1.6",)]


def test_allocator_exhausted_and_unknown_node():
    n = Node("n", pod_cidrs=("10.244.1.0/30",))
    alloc = AddressAllocator([n], [], (4,))
    # a /30 holds .0 (network), .1 (gateway), .2 and .3 (broadcast): one pod address
    assert [alloc.allocate("n"), alloc.allocate("n")] == [("10.244.1.2",), ()]
    assert alloc.allocate("missing") == ()


def test_present_pods_keep_their_addresses():
    present = running_pod("old", {"app": "old"}, "10.244.1.2", node_name="w1")
    r = build(node("w1", "10.244.1.0/24", "10.0.1.1"), present, workload("StatefulSet", "s", replicas=2))
    assert [p.ip for p in generated_pods(r)] == ["10.244.1.3", "10.244.1.4"]


def test_own_nodes_when_no_worker_exists():
    r = build(control_plane(), workload("Deployment", replicas=4))
    own = [n for n in r.snapshot.nodes if n.name.startswith("node-")]
    assert [(n.name, n.internal_ip, n.pod_cidrs) for n in own] == [
        ("node-1", "10.0.0.11", ("10.244.1.0/24",)), ("node-2", "10.0.0.12", ("10.244.2.0/24",)),
        ("node-3", "10.0.0.13", ("10.244.3.0/24",))]
    assert all(r.generated_by[f"Node/{n.name}"] == "" for n in own)
    assert [(p.node_name, p.ip) for p in generated_pods(r)] == [
        ("node-1", "10.244.1.2"), ("node-2", "10.244.2.2"), ("node-3", "10.244.3.2"), ("node-1", "10.244.1.3")]
    assert [d.code for d in r.warnings] == ["cluster-nodes-assumed"]


@pytest.mark.parametrize("cluster, count", [
    pytest.param(None, 3, id="three by default"),
    pytest.param({"nodes": 1}, 1, id="cluster key nodes"),
])
def test_own_node_count(cluster, count):
    r = build(workload("DaemonSet", "agent"), cluster=cluster)
    assert sorted(p.node_name for p in generated_pods(r)) == [f"node-{i}" for i in range(1, count + 1)]


def test_no_own_nodes_without_pods_to_place():
    r = build(workload("Deployment", replicas=0))
    assert r.snapshot.nodes == ()


def test_nodes_without_pod_cidr_get_one():
    r = build(node("b", ip="10.0.1.2"), node("a", ip="10.0.1.1"), workload("StatefulSet", "s", replicas=2))
    assert {n.name: n.pod_cidrs for n in r.snapshot.nodes} == {"a": ("10.244.0.0/24",), "b": ("10.244.1.0/24",)}
    assert [(p.node_name, p.ip, p.host_ip) for p in generated_pods(r)] == [
        ("a", "10.244.0.2", "10.0.1.1"), ("b", "10.244.1.2", "10.0.1.2")]


def test_dual_stack_pods():
    cluster = {"podCIDR": "10.244.0.0/16,fd00:10:244::/56", "serviceCIDR": "10.96.0.0/12,fd00:10:96::/112"}
    r = build(workload("StatefulSet", "s"), cluster=cluster)
    (p,) = generated_pods(r)
    assert p.pod_ips == ("10.244.0.2", "fd00:10:244::2")


@pytest.mark.parametrize("value", [0, 201, "3", True])
def test_bad_node_count(value):
    with pytest.raises(ManifestError) as exc:
        parse_cluster({"nodes": value})
    assert exc.value.where == "cluster.nodes"


def test_bad_generated_pods_ready():
    with pytest.raises(ManifestError) as exc:
        parse_cluster({"generatedPodsReady": "no"})
    assert exc.value.where == "cluster.generatedPodsReady"


def test_full_node_ranges_leave_pods_pending_with_one_finding():
    r = build(node("a", "10.244.1.0/30", "10.0.1.1"), workload("Deployment", replicas=3))
    assert sorted((p.phase, p.ip, p.ready) for p in generated_pods(r)) == [
        ("Pending", None, False), ("Pending", None, False), ("Running", "10.244.1.2", True)]
    (w,) = [d for d in r.warnings if d.code == "pod-address-exhausted"]
    assert w.object == "Deployment/default/web" and w.message.startswith("2 pod(s)")

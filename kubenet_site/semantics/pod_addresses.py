"""Nodes' pod CIDRs and generated pods' addresses (interfaces.md "Workloads", addresses).

- Node pod CIDRs: kube-controller-manager's range allocator (pkg/controller/nodeipam/ipam
  range_allocator.go with cidrset) gives each node without one the next free subnet of the
  cluster CIDR, `--node-cidr-mask-size-ipv4` 24 and `--node-cidr-mask-size-ipv6` 64 by
  default, skipping subnets already in use; here nodes take them in name order.
- Pod addresses: the CNI host-local IPAM plugin (containernetworking/plugins
  plugins/ipam/host-local/backend/allocator) hands out a node's range from its first address
  after the network address (`.1`, the bridge plugin's gateway, is reserved), so pods get
  `.2`, `.3`, ...; addresses pods already hold are skipped; dual-stack pods get one address of
  each family the cluster has, the cluster's first family first.
- The cluster's own nodes (no worker node at all): `node-1`... with InternalIP 10.0.0.(10+N),
  the labels the kubelet sets on every node (kubernetes.io/hostname, os, arch).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from .types import ClusterConfig, Node

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
NODE_MASK = {4: 24, 6: 64}
NODE_IP_BASE = ipaddress.ip_address("10.0.0.10")
MAX_OWN_NODES = 200


def _net(cidr: str) -> Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def node_subnets(cluster_cidr: str, used: Iterable[Network]) -> Iterable[Network]:
    """The cluster CIDR's node-sized subnets in order, skipping any that overlap one in use."""
    net = _net(cluster_cidr)
    if net is None:
        return
    taken = [u for u in used if u.version == net.version]
    prefix = max(net.prefixlen, NODE_MASK[net.version])
    for sub in net.subnets(new_prefix=prefix):
        if not any(sub.overlaps(u) for u in taken):
            yield sub


def carve_node_cidrs(names: Sequence[str], cluster: ClusterConfig, used: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Pod CIDRs for nodes that have none, one per cluster family, given out in name order."""
    in_use = [n for n in (_net(c) for c in used) if n is not None]
    out: dict[str, list[str]] = {name: [] for name in sorted(names)}
    for cluster_cidr in cluster.pod_cidrs:
        free = iter(node_subnets(cluster_cidr, in_use))
        for name in sorted(names):
            sub = next(free, None)
            if sub is None:
                break
            out[name].append(sub.with_prefixlen)
    return {k: tuple(v) for k, v in out.items()}


def own_node_manifests(count: int, cidrs: dict[str, tuple[str, ...]], created: str) -> list[dict[str, Any]]:
    """The cluster's own worker nodes `node-1`..`node-<count>`."""
    out = []
    for n in range(1, count + 1):
        name = f"node-{n}"
        spec: dict[str, Any] = {}
        if cidrs.get(name):
            spec = {"podCIDR": cidrs[name][0], "podCIDRs": list(cidrs[name])}
        out.append({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "creationTimestamp": created,
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                    "kubernetes.io/arch": "amd64"}},
            "spec": spec,
            "status": {"addresses": [{"type": "InternalIP", "address": str(NODE_IP_BASE + n)},
                                     {"type": "Hostname", "address": name}],
                       "conditions": [{"type": "Ready", "status": "True"}]},
        })
    return out


class AddressAllocator:
    """host-local IPAM over every node's pod CIDRs, skipping the addresses present pods hold."""

    def __init__(self, nodes: Iterable[Node], held: Iterable[str], families: Sequence[int]) -> None:
        self.families = tuple(families)
        self.held = set()
        for ip in held:
            try:
                self.held.add(ipaddress.ip_address(ip))
            except ValueError:
                continue
        self.ranges: dict[str, dict[int, Network]] = {}
        self.cursor: dict[tuple[str, int], int] = {}
        for node in nodes:
            nets = [n for n in (_net(c) for c in node.pod_cidrs) if n is not None]
            self.ranges[node.name] = {n.version: n for n in reversed(nets)}

    def allocate(self, node_name: str) -> tuple[str, ...]:
        """The next free address of each family on the node (empty when the node has no range
        or it is exhausted)."""
        out = []
        for fam in self.families:
            net = self.ranges.get(node_name, {}).get(fam)
            if net is None:
                continue
            i = self.cursor.get((node_name, fam), 2)
            last = net.num_addresses - (1 if fam == 4 else 0)  # IPv4: not the broadcast address
            while i < last and net.network_address + i in self.held:
                i += 1
            if i >= last:
                continue
            ip = net.network_address + i
            self.held.add(ip)
            self.cursor[(node_name, fam)] = i + 1
            out.append(str(ip))
        return tuple(out)


def cluster_families(cluster: ClusterConfig) -> tuple[int, ...]:
    """The IP versions of the cluster's pod CIDRs, its first family first."""
    return tuple(n.version for n in (_net(c) for c in cluster.pod_cidrs) if n is not None)

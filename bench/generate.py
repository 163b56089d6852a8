"""Deterministic (seeded) Kubernetes YAML for the benchmark, at named sizes.

    python bench/generate.py SIZE [--seed 0] [-o FILE]      # SIZE: tiny|small|medium|large|xlarge

A cluster shaped like a multi-team one: namespaces labelled by team and environment, nodes
with /24 pod CIDRs, CoreDNS behind kube-dns, an ingress-nginx controller (IngressClass nginx,
the default, with its running pod) and Ingresses to ClusterIP Services; per application a
Deployment AND its pods (owned through the ReplicaSet `<name>-<hash>`, so workload expansion
takes them as present and the figures hold with or without it), named container ports, one
Service of each type in turn (ClusterIP, headless, NodePort, LoadBalancer with an ingress IP,
ExternalName); NetworkPolicies: default-deny per namespace, then allow rules by pod selector,
namespace selector, matchExpressions, ipBlocks with `except`, and egress with a DNS allowance.
Every string comes from one `random.Random(seed)` and counters: same size and seed, same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Size:
    namespaces: int
    pods: int
    services: int
    policies: int
    nodes: int


SIZES = {
    "tiny": Size(3, 9, 3, 3, 2),
    "small": Size(10, 200, 50, 30, 3),
    "medium": Size(50, 2_000, 500, 300, 20),
    "large": Size(200, 10_000, 2_000, 1_000, 100),
    "xlarge": Size(1_000, 50_000, 10_000, 5_000, 250),
}
SAFE = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.SafeEncodeString alphabet
TIERS = ("web", "api", "db", "cache", "worker")
# Container ports by tier: (name, port, protocol). About ten distinct ports in all.
PORTS = {
    "web": (("http", 8080, "TCP"), ("metrics", 9090, "TCP")),
    "api": (("http", 8080, "TCP"), ("grpc", 9000, "TCP"), ("metrics", 9090, "TCP")),
    "db": (("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")),
    "cache": (("redis", 6379, "TCP"),),
    "worker": (("metrics", 9090, "TCP"), ("stats", 8125, "UDP")),
}
SERVICE_TYPES = ("ClusterIP", "ClusterIP", "ClusterIP", "headless", "NodePort", "ClusterIP", "LoadBalancer",
                 "ClusterIP", "ExternalName", "ClusterIP")
T0 = "2026-01-01T00:00:00Z"
PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9_./-]*$")
YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if v is None:
        return "null"
    if PLAIN.match(v) and v.lower() not in YAML11_WORDS:
        return v
    return json.dumps(v)


def emit(value: Any, indent: str = "") -> Iterator[str]:
    """Block-style YAML of plain data (mappings, lists, scalars)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict) and v:
                yield f"{indent}{k}:\n"
                yield from emit(v, indent + "  ")
            elif isinstance(v, list) and v:
                yield f"{indent}{k}:\n"
                yield from emit(v, indent)
            else:
                yield f"{indent}{k}: {'{}' if v == {} else '[]' if v == [] else scalar(v)}\n"
    else:
        for item in value:
            if isinstance(item, dict) and item:
                lines = list(emit(item, indent + "  "))
                yield f"{indent}- {lines[0][len(indent) + 2:]}"
                yield from lines[1:]
            else:
                yield f"{indent}- {scalar(item)}\n"


class Cluster:
    def __init__(self, size: Size, seed: int):
        self.size = size
        self.rng = random.Random(seed)
        self.minute = 0
        self.node_next = [2] * size.nodes  # host-local's first address is .2
        self.svc_next = 100

    def when(self) -> str:
        self.minute += 1
        days, rest = divmod(self.minute, 24 * 60)
        return f"2026-01-{1 + days % 28:02d}T{rest // 60:02d}:{rest % 60:02d}:00Z"

    def hash(self, n: int) -> str:
        return "".join(self.rng.choice(SAFE) for _ in range(n))

    def place(self, i: int) -> tuple[str, str, str]:
        """(node name, pod IP, host IP) for the i-th pod: round robin over the nodes."""
        n = i % self.size.nodes
        host = self.node_next[n]
        self.node_next[n] += 1
        if host > 254:
            raise ValueError("too many pods for the nodes' /24 pod CIDRs")
        return f"node-{n:03d}", f"10.244.{n}.{host}", f"10.0.{n // 250}.{n % 250 + 10}"

    def cluster_ip(self) -> str:
        self.svc_next += 1
        return f"10.{96 + self.svc_next // 65536}.{self.svc_next // 256 % 256}.{self.svc_next % 256}"

    # objects ---------------------------------------------------------------------------
    def namespace(self, name: str, labels: dict[str, str]) -> dict:
        return {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "creationTimestamp": T0, "labels": labels}}

    def node(self, n: int) -> dict:
        name = f"node-{n:03d}"
        return {"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": name, "creationTimestamp": T0, "labels": {
                "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": f"zone-{'abc'[n % 3]}"}},
            "spec": {"podCIDR": f"10.244.{n}.0/24", "podCIDRs": [f"10.244.{n}.0/24"]},
            "status": {"addresses": [{"type": "InternalIP", "address": f"10.0.{n // 250}.{n % 250 + 10}"},
                                     {"type": "Hostname", "address": name}]}}

    def containers(self, ports: tuple[tuple[str, int, str], ...]) -> list[dict]:
        return [{"name": "main", "image": "registry.example.com/app:1.0", "ports": [
            {"name": n, "containerPort": p, "protocol": proto} for n, p, proto in ports]}]

    def deployment(self, ns: str, name: str, labels: dict[str, str], replicas: int,
                   ports: tuple[tuple[str, int, str], ...]) -> tuple[dict, str]:
        rs_hash = self.hash(10)
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {
            "name": name, "namespace": ns, "creationTimestamp": T0, "labels": dict(labels)},
            "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "template": {
                "metadata": {"labels": dict(labels)}, "spec": {"containers": self.containers(ports)}}}}, rs_hash

    def pod(self, i: int, ns: str, deploy: str, rs_hash: str, labels: dict[str, str],
            ports: tuple[tuple[str, int, str], ...], ready: bool = True) -> dict:
        node, ip, host_ip = self.place(i)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {
            "name": f"{deploy}-{rs_hash}-{self.hash(5)}", "namespace": ns, "creationTimestamp": self.when(),
            "labels": {**labels, "pod-template-hash": rs_hash},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{deploy}-{rs_hash}",
                                 "uid": f"rs-{deploy}-{rs_hash}", "controller": True}]},
            "spec": {"nodeName": node, "containers": self.containers(ports)},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": host_ip,
                       "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}

    def service(self, ns: str, name: str, kind: str, selector: dict[str, str],
                ports: tuple[tuple[str, int, str], ...], k: int) -> dict:
        spec: dict[str, Any] = {}
        if kind == "ExternalName":
            spec = {"type": "ExternalName", "externalName": f"{name}.{ns}.example.net"}
        else:
            spec["type"] = "ClusterIP" if kind == "headless" else kind
            spec["selector"] = selector
            spec["clusterIP"] = "None" if kind == "headless" else self.cluster_ip()
            used = ports[:1] if kind in ("NodePort", "LoadBalancer") else ports  # node ports stay few
            spec["ports"] = [{"name": n, "port": 80 if n == "http" else p, "targetPort": n, "protocol": proto}
                             for n, p, proto in used]
            if kind in ("NodePort", "LoadBalancer") and k % 2:
                spec["externalTrafficPolicy"] = "Local"
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {
            "name": name, "namespace": ns, "creationTimestamp": self.when()}, "spec": spec}
        if kind == "LoadBalancer":
            svc["status"] = {"loadBalancer": {"ingress": [{"ip": f"203.0.{113 + k // 250 % 10}.{k % 250 + 1}"}]}}
        return svc

    def policy(self, ns: str, name: str, spec: dict) -> dict:
        return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": ns, "creationTimestamp": self.when()}, "spec": spec}

    def allow(self, ns: str, k: int, app: str, tier: str, apps: list[tuple[str, str, str]]) -> dict:
        """The k-th allow rule of a namespace, in turn by pod selector, namespace selector,
        matchExpressions, ipBlock with except, and egress with a DNS allowance."""
        port = PORTS[tier][0]
        ports = [{"port": port[0], "protocol": port[2]}]  # the named port
        form = (k + k // len(self.names)) % 5
        target = {"matchLabels": {"app": app}}
        if form == 0:
            peer_app = apps[(k + 1) % len(apps)][0]
            rule = {"from": [{"podSelector": {"matchLabels": {"app": peer_app}}}], "ports": ports}
        elif form == 1:
            team = f"t{self.rng.randrange(7)}"
            rule = {"from": [{"namespaceSelector": {"matchLabels": {"team": team}},
                              "podSelector": {"matchLabels": {"tier": "web"}}},
                             {"namespaceSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}}}],
                    "ports": ports}
        elif form == 2:
            rule = {"from": [{"namespaceSelector": {"matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "staging"]}]},
                "podSelector": {"matchExpressions": [
                    {"key": "tier", "operator": "NotIn", "values": ["db"]},
                    {"key": "app", "operator": "Exists"}]}}], "ports": ports}
        elif form == 3:
            # The pod network but node-000's range (pods there form classes of their own),
            # and an office network outside the cluster.
            rule = {"from": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.0.0/24"]}},
                             {"ipBlock": {"cidr": f"192.168.{self.rng.randrange(256)}.0/24"}}],
                    "ports": [{"port": port[1], "protocol": port[2]}]}
        else:
            peer_app = apps[(k + 2) % len(apps)][0]
            return self.policy(ns, f"egress-{app}-{k}", {
                "podSelector": target, "policyTypes": ["Egress"], "egress": [
                    {"to": [{"podSelector": {"matchLabels": {"app": peer_app}}}]},
                    {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                             "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                     "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]})
        return self.policy(ns, f"allow-{app}-{k}", {"podSelector": target, "policyTypes": ["Ingress"],
                                                        "ingress": [rule]})

    # the whole -------------------------------------------------------------------------
    def objects(self) -> Iterator[dict]:
        size = self.size
        yield from (self.namespace(n, {}) for n in ("default", "kube-system", "kube-public", "kube-node-lease"))
        yield self.namespace("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"})
        names = self.names = [f"ns-{i:04d}" for i in range(size.namespaces)]
        for i, name in enumerate(names):
            yield self.namespace(name, {"team": f"t{i % 7}", "env": ("prod", "dev", "staging")[i % 3]})
        yield from (self.node(n) for n in range(size.nodes))
        pod_i = 0
        # CoreDNS behind kube-dns, and the ingress-nginx controller (its pod runs: it serves).
        dns_labels = {"k8s-app": "kube-dns"}
        dns_ports = (("dns", 53, "UDP"), ("dns-tcp", 53, "TCP"), ("metrics", 9153, "TCP"))
        dep, h = self.deployment("kube-system", "coredns", dns_labels, 2, dns_ports)
        yield dep
        for _ in range(2):
            yield self.pod(pod_i, "kube-system", "coredns", h, dns_labels, dns_ports)
            pod_i += 1
        yield {"apiVersion": "v1", "kind": "Service", "metadata": {
            "name": "kubernetes", "namespace": "default", "creationTimestamp": T0},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443}]}}
        yield {"apiVersion": "v1", "kind": "Service", "metadata": {
            "name": "kube-dns", "namespace": "kube-system", "creationTimestamp": T0},
            "spec": {"clusterIP": "10.96.0.10", "selector": dns_labels, "ports": [
                {"name": n, "port": p, "targetPort": p, "protocol": proto} for n, p, proto in dns_ports]}}
        ctl_labels = {"app.kubernetes.io/name": "ingress-nginx"}
        ctl_ports = (("http", 80, "TCP"), ("https", 443, "TCP"))
        dep, h = self.deployment("ingress-nginx", "ingress-nginx-controller", ctl_labels, 1, ctl_ports)
        yield dep
        yield self.pod(pod_i, "ingress-nginx", "ingress-nginx-controller", h, ctl_labels, ctl_ports)
        pod_i += 1
        yield {"apiVersion": "v1", "kind": "Service", "metadata": {
            "name": "ingress-nginx-controller", "namespace": "ingress-nginx", "creationTimestamp": T0},
            "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.20", "selector": ctl_labels, "ports": [
                {"name": n, "port": p, "targetPort": n} for n, p, _ in ctl_ports]},
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.250"}]}}}
        yield {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {
            "name": "nginx", "creationTimestamp": T0,
            "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
            "spec": {"controller": "k8s.io/ingress-nginx"}}

        # Applications: one per Service, spread over the namespaces; pods shared out in turn.
        n_apps = max(1, size.services)
        app_pods = [0] * n_apps
        for k in range(size.pods - pod_i):
            app_pods[k % n_apps] += 1
        apps_by_ns: dict[str, list[tuple[str, str, str]]] = {n: [] for n in names}
        cluster_ips: list[tuple[str, str, str]] = []  # ns, service, port name of ClusterIP Services
        for a in range(n_apps):
            ns = names[a % len(names)]
            tier = TIERS[a % len(TIERS)]
            app = f"{tier}-{a:05d}"
            labels = {"app": app, "tier": tier}
            ports = PORTS[tier]
            if app_pods[a]:
                dep, h = self.deployment(ns, app, labels, app_pods[a], ports)
                yield dep
                for _ in range(app_pods[a]):
                    yield self.pod(pod_i, ns, app, h, labels, ports, ready=(pod_i % 53 != 0))
                    pod_i += 1
            kind = SERVICE_TYPES[a % len(SERVICE_TYPES)]
            yield self.service(ns, app, kind, {"app": app}, ports, a)
            apps_by_ns[ns].append((app, tier, kind))
            if kind == "ClusterIP":
                cluster_ips.append((ns, app, ports[0][0]))

        # NetworkPolicies: default-deny first in each namespace, then allow rules in turn.
        left = size.policies
        for ns in names:
            if left <= 0:
                break
            yield self.policy(ns, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress"]})
            left -= 1
        k = 0
        while left > 0:
            ns = names[k % len(names)]
            apps = apps_by_ns[ns] or [(f"{TIERS[0]}-none", "web", "ClusterIP")]
            app, tier, _ = apps[(k // len(names)) % len(apps)]
            yield self.allow(ns, k, app, tier, apps)
            left -= 1
            k += 1

        # Ingresses: one per 20 ClusterIP Services, two paths each, TLS on every other one.
        for i in range(0, len(cluster_ips), 20):
            group = cluster_ips[i:i + 20]
            ns = group[0][0]
            host = f"app-{i // 20:04d}.example.com"
            paths = [{"path": f"/{svc}", "pathType": "Prefix", "backend": {"service": {
                "name": svc, "port": {"number": 80 if port == "http" else PORTS[svc.split('-')[0]][0][1]}}}}
                for n_, svc, port in group[:2] if n_ == ns]
            spec: dict[str, Any] = {"ingressClassName": "nginx", "rules": [{"host": host, "http": {"paths": paths}}]}
            if (i // 20) % 2:
                spec["tls"] = [{"hosts": [host], "secretName": f"tls-{i // 20:04d}"}]
            yield {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {
                "name": f"ingress-{i // 20:04d}", "namespace": ns, "creationTimestamp": self.when()}, "spec": spec}


def generate(size: str | Size, seed: int = 0) -> str:
    """The whole cluster as multi-document YAML (each document starts with `---`)."""
    spec = SIZES[size] if isinstance(size, str) else size
    parts = []
    for obj in Cluster(spec, seed).objects():
        parts.append("---\n")
        parts.extend(emit(obj))
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("size", choices=list(SIZES))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-o", "--output", help="file to write (default: stdout)")
    args = ap.parse_args(argv)
    text = generate(args.size, args.seed)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

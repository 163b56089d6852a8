"""What a new cluster already has (semantics.md "Cluster defaults"), as manifests.

A new kubeadm cluster: the four namespaces, a control-plane node (with kubeadm's
`node-role.kubernetes.io/control-plane:NoSchedule` taint, cmd/kubeadm/app/constants
ControlPlaneTaint, so workloads' pods go to worker nodes as in a real cluster), the `kubernetes` Service
(first IP of the service CIDR, https 443 -> the API server on 6443) and `kube-dns` (the
tenth IP; dns 53/UDP, dns-tcp 53/TCP, metrics 9153/TCP) selecting two CoreDNS pods.
"""

from __future__ import annotations

import ipaddress

from kubenet_site.semantics.types import ClusterConfig

CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane"


def nth_ip(cidr: str, n: int) -> str:
    return str(ipaddress.ip_network(cidr, strict=False).network_address + n)


def new_cluster_manifests(cluster: ClusterConfig, node_ip: str = "10.0.0.10") -> list[dict]:
    svc_cidr = cluster.service_cidrs[0]
    pod_net = ipaddress.ip_network(cluster.pod_cidrs[0], strict=False)
    node_pod_cidr = str(next(pod_net.subnets(new_prefix=max(pod_net.prefixlen, 24))))
    dns_ip = cluster.cluster_dns[0] if cluster.cluster_dns else nth_ip(svc_cidr, 10)
    created = "2026-01-01T00:00:00Z"
    objs: list[dict] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n, "creationTimestamp": created}}
        for n in ("default", "kube-system", "kube-public", "kube-node-lease")
    ]
    objs.append({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "control-plane", "creationTimestamp": created,
                     "labels": {"kubernetes.io/hostname": "control-plane",
                                "node-role.kubernetes.io/control-plane": ""}},
        "spec": {"podCIDR": node_pod_cidr, "podCIDRs": [node_pod_cidr],
                 "taints": [{"key": CONTROL_PLANE_TAINT, "effect": "NoSchedule"}]},
        "status": {"addresses": [{"type": "InternalIP", "address": node_ip},
                                 {"type": "Hostname", "address": "control-plane"}]},
    })
    objs.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "creationTimestamp": created,
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"type": "ClusterIP", "clusterIP": nth_ip(svc_cidr, 1),
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
    })
    objs.append({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": "kubernetes", "namespace": "default", "creationTimestamp": created,
                     "labels": {"kubernetes.io/service-name": "kubernetes"}},
        "addressType": "IPv4",
        "endpoints": [{"addresses": [node_ip], "conditions": {"ready": True}}],
        "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
    })
    objs.append({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system", "creationTimestamp": created,
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"}},
        "spec": {"type": "ClusterIP", "clusterIP": dns_ip, "selector": {"k8s-app": "kube-dns"},
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]},
    })
    base = ipaddress.ip_network(node_pod_cidr).network_address
    for i, suffix in enumerate(("5d78c9869d-abcde", "5d78c9869d-fghij")):
        ip = str(base + 2 + i)
        objs.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"coredns-{suffix}", "namespace": "kube-system", "creationTimestamp": created,
                         "labels": {"k8s-app": "kube-dns", "pod-template-hash": "5d78c9869d"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                              "name": "coredns-5d78c9869d", "uid": f"rs-coredns-{i}",
                                              "controller": True}]},
            "spec": {"nodeName": "control-plane", "dnsPolicy": "Default",
                     # kubeadm's CoreDNS Deployment (cmd/kubeadm/app/phases/addons/dns manifests.go)
                     "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                     {"key": CONTROL_PLANE_TAINT, "effect": "NoSchedule"}],
                     "containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                                     "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                               {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                                               {"name": "metrics", "containerPort": 9153, "protocol": "TCP"}]}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}], "hostIP": node_ip,
                       "conditions": [{"type": "Ready", "status": "True"}]},
        })
    return objs

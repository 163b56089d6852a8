"""Can a pod's DNS queries reach its nameservers under NetworkPolicy?

A pod whose egress (or whose DNS servers' ingress) does not allow UDP 53 resolves nothing: its
queries time out (dns.py answers TIMEOUT). TCP 53 blocked alone is a warning: answers too large
for UDP fail. Sources: concepts/services-networking/dns-pod-service "Pod's DNS Policy" (which
nameservers a pod uses), resolv.conf(5) (the next nameserver after a timeout), and policy.py /
policy_services.py for the connection itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from .endpoints import per_snapshot
from .policy import ALLOWED, BLOCKED, PARTIAL, connect
from .policy_services import connect_service, service_backends
from .types import (
    Container,
    ContainerPort,
    Pod,
    Service,
    Snapshot,
    Verdict,
)

# --------------------------------------------------------------------------- DNS


def _assumed_coredns(labels: Mapping[str, str] | None) -> Pod:
    """interfaces.md: the cluster DNS server is CoreDNS even when no manifest shows its pods;
    kubeadm's CoreDNS pods (kube-system, k8s-app: kube-dns, ports dns 53/UDP, dns-tcp 53/TCP,
    metrics 9153/TCP)."""
    return Pod(
        namespace="kube-system", name="coredns (assumed)", labels=dict(labels or {"k8s-app": "kube-dns"}),
        phase="Running", ready=True,
        containers=(Container(name="coredns", ports=(
            ContainerPort(53, "dns", "UDP"), ContainerPort(53, "dns-tcp", "TCP"),
            ContainerPort(9153, "metrics", "TCP"))),),
    )


def pod_nameservers(snap: Snapshot, pod: Pod) -> tuple[str, ...]:
    # concepts/services-networking/dns-pod-service "Pod's DNS Policy".
    extra = pod.dns_config.nameservers if pod.dns_config else ()
    if pod.dns_policy == "None":
        return tuple(extra)
    if pod.dns_policy == "Default" or (pod.host_network and pod.dns_policy == "ClusterFirst"):
        return tuple(snap.cluster.node_resolv_conf.nameservers)
    return tuple(snap.cluster.cluster_dns) + tuple(extra)


def _service_at(snap: Snapshot, ip: str) -> Service | None:
    for s in snap.services:
        if s.has_cluster_ip and (ip == s.cluster_ip or ip in s.cluster_ips):
            return s
    return None


def _dns_to(snap: Snapshot, pod: Pod, server_ip: str, protocol: str) -> tuple[str, list[str]]:
    svc = _service_at(snap, server_ip)
    if svc is None and server_ip in snap.cluster.cluster_dns:
        svc = snap.service("kube-system/kube-dns")
    if svc is not None:
        ports = [sp for sp in svc.ports if sp.port == 53 and sp.protocol.upper() == protocol]
        if not ports:
            return BLOCKED, [f"{server_ip} (Service {svc.key}) has no port 53/{protocol}"]
        backends = service_backends(snap, svc, ports[0])
        if backends:
            v = connect_service(snap, pod, svc, 53, protocol)
            return v.outcome, [f"{server_ip} (Service {svc.key}): {v.outcome}"] + ["  " + t for t in v.trace[1:]]
        target: Pod | str = _assumed_coredns(svc.selector)
        label = f"{server_ip} (Service {svc.key}, no endpoint in the topology: CoreDNS pods assumed)"
    elif server_ip in snap.cluster.cluster_dns:
        target = _assumed_coredns(None)
        label = f"{server_ip} (cluster DNS: CoreDNS pods in kube-system assumed)"
    else:
        target, label = server_ip, server_ip
    v = connect(snap, pod, target, 53, protocol)
    return v.outcome, [f"{label}: {v.outcome}"] + ["  " + t for t in v.trace[1:]]


def dns_access(snap: Snapshot, pod: Pod) -> Verdict:
    """Whether the pod's DNS queries (UDP 53, and TCP 53 for large answers) reach a nameserver of
    its resolv.conf: the pod's egress AND the DNS pods' ingress. A resolver tries the next
    nameserver after a timeout, so one reachable server is enough (resolv.conf(5)).
    Once per pod and Snapshot (a DNS check asks it for every name the pod resolves)."""
    memo: dict[str, tuple[Pod, Verdict]] = per_snapshot(snap, "policy_dns.dns_access", dict)
    seen = memo.get(pod.key)
    if seen is not None and seen[0] is pod:
        return seen[1]
    verdict = _dns_access(snap, pod)
    memo[pod.key] = (pod, verdict)
    return verdict


def _dns_access(snap: Snapshot, pod: Pod) -> Verdict:
    if pod.host_network:
        return Verdict(ALLOWED, (f"{pod.key} is a hostNetwork pod: outside NetworkPolicy",),
                       {"udp": True, "tcp": True})
    servers = pod_nameservers(snap, pod)
    if not servers:
        return Verdict(BLOCKED, (f"{pod.key} has no nameserver",), {"udp": False, "tcp": False})
    trace: list[str] = [f"DNS from {pod.key} to {', '.join(servers)}"]
    best: dict[str, str] = {}
    rank = {ALLOWED: 2, PARTIAL: 1, BLOCKED: 0}
    for proto in ("UDP", "TCP"):
        outcome = BLOCKED
        for ip in servers:
            o, lines = _dns_to(snap, pod, ip, proto)
            trace.append(f"{proto} 53 -> " + lines[0])
            trace.extend(lines[1:])
            if rank[o] > rank[outcome]:
                outcome = o
        best[proto] = outcome
    udp, tcp = best["UDP"], best["TCP"]
    if udp != BLOCKED and tcp == BLOCKED:
        trace.append("warning: TCP 53 is blocked: answers too large for UDP (truncated) will fail")
    return Verdict(udp, tuple(trace), {"udp": udp != BLOCKED, "tcp": tcp != BLOCKED,
                                       "servers": list(servers)})

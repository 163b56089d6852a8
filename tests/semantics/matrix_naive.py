"""A naive, pod-by-pod evaluation of the matrices' cells, straight from the engine's
public entry points (policy.connect, policy_dns.dns_access, proxy.trace): the oracle the
class-based matrices are checked against. Slow on purpose: no classes, no caches."""

from __future__ import annotations

from kubenet_site.semantics import policy, policy_dns, policy_services, proxy
from kubenet_site.semantics.types import (
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Pod,
    Service,
    ServicePort,
    Snapshot,
)

REACHABLE, BLOCKED, PARTIAL = "reachable", "blocked", "partial"


def aggregate(outcomes) -> str:
    s = set(outcomes)
    if not s:
        return BLOCKED
    if s == {"allowed"} or s == {REACHABLE}:
        return REACHABLE
    if s <= {"blocked", BLOCKED}:
        return BLOCKED
    return PARTIAL


def _addr(a: str) -> tuple[str, int]:
    host, _, port = a.rpartition(":")
    return host.strip("[]"), int(port)


def _target(snap: Snapshot, ip: str) -> Pod | str:
    party = policy.party_of_ip(snap, ip)
    return party.pod if party.pod is not None else ip


def _connect(snap: Snapshot, src, ip: str, port: int, proto: str) -> str:
    return policy.connect(snap, src, _target(snap, ip), port, proto).outcome


def pod_to_service(snap: Snapshot, pod: Pod, svc: Service, sp: ServicePort | None) -> str:
    servers = policy_dns.pod_nameservers(snap, pod)
    resolves = any(s in snap.cluster.cluster_dns for s in servers) and \
        policy_dns.dns_access(snap, pod).outcome != "blocked"
    if svc.type == EXTERNAL_NAME:
        return "not-proxied" if resolves else BLOCKED
    if not resolves:
        return BLOCKED
    assert sp is not None
    proto = sp.protocol.upper()
    if svc.headless:
        eps = policy_services.service_backends(snap, svc, sp)
        if not eps:
            return BLOCKED
        addrs = [e.address for e in eps]
    else:
        v = proxy.trace(snap, pod.key, f"svc:{svc.key}:{sp.port}/{proto}")
        if v.outcome != "delivered":
            return BLOCKED
        addrs = v.details["endpoints"]
    outs = []
    for a in addrs:
        ip, port = _addr(a)
        outs.append(_connect(snap, pod, ip, port, proto))
    return aggregate(outs)


def node_to_service(snap: Snapshot, node: str, svc: Service, sp: ServicePort | None) -> str:
    if svc.type == EXTERNAL_NAME:
        return "not-proxied"
    assert sp is not None
    proto = sp.protocol.upper()
    if svc.type == NODE_PORT:
        dest = f"node:{node}:{sp.node_port}/{proto}"
    elif svc.type == LOAD_BALANCER:
        dest = f"lb:{svc.key}:{sp.port}/{proto}"
    else:
        if svc.headless:
            return "not-proxied"
        dest = f"svc:{svc.key}:{sp.port}/{proto}"
    v = proxy.trace(snap, f"node:{node}", dest)
    if v.outcome == "not-proxied":
        return "not-proxied"
    if v.outcome != "delivered":
        return BLOCKED
    return aggregate(_connect(snap, f"node:{node}", *_addr(a), proto) for a in v.details["endpoints"])


def external_to_service(snap: Snapshot, svc: Service, sp: ServicePort | None) -> str:
    if svc.type == EXTERNAL_NAME:
        return "not-proxied"
    assert sp is not None
    proto = sp.protocol.upper()
    if svc.type == NODE_PORT:
        per_node = []
        for n in snap.nodes:
            v = proxy.trace(snap, "external", f"node:{n.name}:{sp.node_port}/{proto}")
            if v.outcome != "delivered":
                per_node.append(BLOCKED)
                continue
            src = "external" if v.details["sourceIPPreserved"] else f"node:{n.name}"  # SNAT to that node
            per_node.append(aggregate(_connect(snap, src, *_addr(a), proto) for a in v.details["endpoints"]))
        return aggregate(per_node)
    if svc.type == LOAD_BALANCER or svc.external_ips:
        dest = f"lb:{svc.key}:{sp.port}/{proto}" if svc.type == LOAD_BALANCER else \
            f"{svc.external_ips[0]}:{sp.port}/{proto}"
        try:
            v = proxy.trace(snap, "external", dest)
        except Exception:  # a pending load balancer
            return BLOCKED
        if v.outcome != "delivered":
            return BLOCKED
        outs = []
        for a in v.details["endpoints"]:
            if v.details["sourceIPPreserved"]:
                outs.append(_connect(snap, "external", *_addr(a), proto))
            else:  # any node may receive it and SNAT to its own IP
                outs.append(aggregate(_connect(snap, f"node:{n.name}", *_addr(a), proto) for n in snap.nodes))
        return aggregate(outs)
    return "not-applicable"


def pod_to_pod(snap: Snapshot, p: Pod, q: Pod, port: int | str, proto: str) -> str:
    return REACHABLE if policy.connect(snap, p, q, port, proto).outcome == "allowed" else BLOCKED

"""Lint findings over a Snapshot: things a real cluster accepts but that do not work as meant.

The API server's refusals are reported by manifests.py; here only warnings and infos. Each
check is a small function `(snap) -> Iterable[Diagnostic]` listed in CHECKS; diagnose() runs
them all and sorts the findings (object, field, code) so the output is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .endpoints import describe_map, port_key, resolve_target_port, selected_pods, service_endpoints
from .kube_kinds import object_label
from .types import EXTERNAL_NAME, Diagnostic, Pod, Service, Snapshot

WARNING, INFO = "warning", "info"


def _svc(svc: Service) -> str:
    return object_label("Service", svc.namespace, svc.name)


def _pod(pod: Pod) -> str:
    return object_label("Pod", pod.namespace, pod.name)


def _names(pods: Iterable[Pod]) -> str:
    return ", ".join(sorted(p.name for p in pods))


def selector_matches_nothing(snap: Snapshot) -> Iterable[Diagnostic]:
    """A Service whose selector picks no pod gets no endpoints (EndpointSlice controller)."""
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME or not svc.selector:
            continue
        if not selected_pods(snap, svc):
            yield Diagnostic(WARNING, _svc(svc), "spec.selector", "selector-matches-nothing",
                             f"selector {describe_map(svc.selector)} matches no pod in namespace "
                             f"{svc.namespace}: the Service has no endpoints")


def no_ready_endpoints(snap: Snapshot) -> Iterable[Diagnostic]:
    """Pods (or hand-made endpoints) exist but none is ready: kube-proxy rejects connections
    unless serving-but-terminating endpoints remain (pkg/proxy/topology.go)."""
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME:
            continue
        eps = service_endpoints(snap, svc)
        if any(e.ready for e in eps):
            continue
        if svc.selector:
            pods = selected_pods(snap, svc)
            if not pods:
                continue  # selector-matches-nothing says it
            yield Diagnostic(WARNING, _svc(svc), "spec.selector", "no-ready-endpoints",
                             f"none of the selected pods ({_names(pods)}) is a ready endpoint: "
                             "not Ready, terminating, finished, without IP, or missing the target port")
        elif eps:
            yield Diagnostic(WARNING, _svc(svc), "spec.selector", "no-ready-endpoints",
                             "its EndpointSlices/Endpoints list no ready address")


def target_port_unresolved(snap: Snapshot) -> Iterable[Diagnostic]:
    """A named targetPort is resolved on each pod (FindPort, by name and protocol); a pod
    without it is no endpoint for that port."""
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME or not svc.selector:
            continue
        pods = [p for p in selected_pods(snap, svc) if not p.finished]
        for i, sp in enumerate(svc.ports):
            if not isinstance(sp.target_port, str):
                continue
            lacking = [p for p in pods if resolve_target_port(p, sp) is None]
            if lacking:
                yield Diagnostic(WARNING, _svc(svc), f"spec.ports[{i}].targetPort", "target-port-unresolved",
                                 f"port {port_key(sp)}: no container port named {sp.target_port!r} with "
                                 f"protocol {sp.protocol} on pod(s) {_names(lacking)}: they are no "
                                 "endpoint for this port")


def service_created_after_pod(snap: Snapshot) -> Iterable[Diagnostic]:
    """The kubelet injects a Service's variables only into containers started after it
    (kubelet_pods.go getServiceEnvVarMap; kubenet takes the pod's creation time)."""
    for svc in snap.services:
        if not svc.has_cluster_ip or svc.creation_timestamp is None:
            continue
        if svc.namespace == "default" and svc.name == "kubernetes":
            continue  # the master Service is always injected
        late = [p for p in snap.pods_by_namespace.get(svc.namespace, ())
                if p.enable_service_links and not p.finished and p.creation_timestamp is not None
                and p.creation_timestamp < svc.creation_timestamp]
        if late:
            prefix = svc.name.replace("-", "_").upper()
            yield Diagnostic(INFO, _svc(svc), "metadata.creationTimestamp", "service-created-after-pod",
                             f"created after pod(s) {_names(late)}: their containers have no "
                             f"{prefix}_SERVICE_HOST/_PORT variables until restarted (use DNS)")


def pod_without_ip(snap: Snapshot) -> Iterable[Diagnostic]:
    """A Running pod always has an IP in a real cluster; without one it is no endpoint."""
    for pod in snap.pods:
        if pod.phase == "Running" and not pod.pod_ips:
            yield Diagnostic(WARNING, _pod(pod), "status.podIP", "pod-without-ip",
                             "Running pod without status.podIP: it is no Service endpoint and "
                             "cannot be reached")


def headless_hostname_without_service(snap: Snapshot) -> Iterable[Diagnostic]:
    """`<hostname>.<subdomain>.<ns>.svc` exists only when a headless Service named like the
    subdomain selects the pod (DNS specification; ShouldSetHostname)."""
    for pod in snap.pods:
        if not pod.subdomain:
            continue
        svc = snap.service(f"{pod.namespace}/{pod.subdomain}")
        if svc is not None and svc.headless:
            continue
        why = "no Service of that name" if svc is None else "the Service of that name is not headless"
        yield Diagnostic(WARNING, _pod(pod), "spec.subdomain", "headless-hostname-without-service",
                         f"subdomain {pod.subdomain!r}: {why} in namespace {pod.namespace}, so the pod "
                         "gets no hostname DNS record")


def pod_node_not_found(snap: Snapshot) -> Iterable[Diagnostic]:
    """When the document declares Nodes, a pod bound to an undeclared one is left out of
    EndpointSlices (endpointslice reconciler.go: Node not found), unless the Service has
    publishNotReadyAddresses."""
    if not snap.nodes:
        return
    for pod in snap.pods:
        if pod.node_name and pod.node_name not in snap.node_by_name and pod.pod_ips:
            yield Diagnostic(WARNING, _pod(pod), "spec.nodeName", "pod-node-not-found",
                             f"node {pod.node_name!r} does not exist: the pod is left out of Service "
                             "endpoints (except for Services with publishNotReadyAddresses)")


def ingress_conflicts(snap: Snapshot) -> Iterable[Diagnostic]:
    """Ingress paths and default backends another served Ingress shadows (ingress.conflicts:
    ingress-nginx merges Ingresses per host, the oldest wins)."""
    from .ingress import conflicts  # the merge rules live with the Ingress routing

    return conflicts(snap)


CHECKS: list[Callable[[Snapshot], Iterable[Diagnostic]]] = [
    selector_matches_nothing,
    no_ready_endpoints,
    target_port_unresolved,
    service_created_after_pod,
    pod_without_ip,
    headless_hostname_without_service,
    pod_node_not_found,
    ingress_conflicts,
]


def diagnose(snap: Snapshot) -> list[Diagnostic]:
    """Every lint finding of every check, sorted by object, field and code."""
    found = [d for check in CHECKS for d in check(snap)]
    return sorted(found, key=lambda d: (d.object, d.field, d.code, d.message))

"""Lint findings about pods: addresses, hostnames and nodes."""

from __future__ import annotations

from collections.abc import Iterable

from . import examples as ex
from .catalogue import WARNING, lint
from .kube_kinds import object_label
from .types import Diagnostic, Pod, Snapshot

DNS_DOC = "https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/"


def pod_name(pod: Pod) -> str:
    return object_label("Pod", pod.namespace, pod.name)


_POD = ex.pod("web-1", "10.244.1.10")


@lint("pod-without-ip", WARNING,
      "A Running pod without status.podIP: a real cluster always gives a running pod an address; without "
      "one it is no Service endpoint and cannot be reached.",
      "pkg/controller/util/endpoint/controller_utils.go (ShouldPodBeInEndpoints); "
      "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/",
      _POD.replace("  podIP: 10.244.1.10\n", ""), _POD)
def pod_without_ip(snap: Snapshot) -> Iterable[Diagnostic]:
    for pod in snap.pods:
        if pod.phase == "Running" and not pod.pod_ips:
            yield Diagnostic(WARNING, pod_name(pod), "status.podIP", "pod-without-ip",
                             "Running pod without status.podIP: it is no Service endpoint and "
                             "cannot be reached")


_SUBDOMAIN = _POD.replace("spec:\n", "spec:\n  hostname: web-1\n  subdomain: web\n")
_HEADLESS = ex.service("web", "  clusterIP: None\n  selector: {app: web}\n  ports: [{port: 8080}]")


@lint("headless-hostname-without-service", WARNING,
      "A pod sets spec.subdomain but no headless Service of that name exists in its namespace, so "
      "`<hostname>.<subdomain>.<namespace>.svc` has no DNS record.",
      DNS_DOC + "#pod-s-hostname-and-subdomain-fields",
      _SUBDOMAIN, ex.docs(_HEADLESS, _SUBDOMAIN))
def headless_hostname_without_service(snap: Snapshot) -> Iterable[Diagnostic]:
    for pod in snap.pods:
        if not pod.subdomain:
            continue
        svc = snap.service(f"{pod.namespace}/{pod.subdomain}")
        if svc is not None and svc.headless:
            continue
        why = "no Service of that name" if svc is None else "the Service of that name is not headless"
        yield Diagnostic(WARNING, pod_name(pod), "spec.subdomain", "headless-hostname-without-service",
                         f"subdomain {pod.subdomain!r}: {why} in namespace {pod.namespace}, so the pod "
                         "gets no hostname DNS record")


@lint("pod-node-not-found", WARNING,
      "The manifests declare Nodes but a pod is bound to one they do not: the EndpointSlice controller leaves "
      "such a pod out of Service endpoints (unless the Service has publishNotReadyAddresses).",
      "pkg/controller/endpointslice/reconciler.go (Node not found)",
      ex.docs(ex.node("node-1", "10.0.0.11"), ex.pod("web-1", "10.244.1.10", node_name="node-9")),
      ex.docs(ex.node("node-1", "10.0.0.11"), ex.pod("web-1", "10.244.1.10", node_name="node-1")))
def pod_node_not_found(snap: Snapshot) -> Iterable[Diagnostic]:
    if not snap.nodes:
        return
    for pod in snap.pods:
        if pod.node_name and pod.node_name not in snap.node_by_name and pod.pod_ips:
            yield Diagnostic(WARNING, pod_name(pod), "spec.nodeName", "pod-node-not-found",
                             f"node {pod.node_name!r} does not exist: the pod is left out of Service "
                             "endpoints (except for Services with publishNotReadyAddresses)")

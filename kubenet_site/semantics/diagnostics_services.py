"""Lint findings about Services: selectors, target ports, ExternalName and traffic policy."""

from __future__ import annotations

from collections.abc import Iterable

from . import examples as ex
from .catalogue import INFO, WARNING, lint
from .endpoints import describe_map, port_key, resolve_target_port, selected_pods, service_endpoints
from .kube_kinds import object_label
from .pod_classes import workload_of
from .types import EXTERNAL_NAME, NODE_PORT, Diagnostic, Pod, Service, ServicePort, Snapshot

SERVICE_DOC = "https://kubernetes.io/docs/concepts/services-networking/service/"
CONTAINER_PORTS = ("k8s.io/api core/v1 types.go Container.Ports: \"Not specifying a port here DOES NOT prevent "
                   "that port from being exposed\"")


def svc_name(svc: Service) -> str:
    return object_label("Service", svc.namespace, svc.name)


def pod_names(pods: Iterable[Pod]) -> str:
    return ", ".join(sorted(p.name for p in pods))


def shorten(names: list[str], shown: int = 10) -> str:
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _web(spec: str = "  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]") -> str:
    return ex.service("web", spec)


@lint("selector-matches-nothing", WARNING,
      "The Service's selector picks no pod of its namespace, so it has no endpoints.",
      SERVICE_DOC + "#defining-a-service; pkg/controller/endpointslice (syncService)",
      ex.docs(_web("  selector: {app: wbe}\n  ports: [{port: 80, targetPort: 8080}]"), ex.pod("web-1", "10.244.1.10")),
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10")))
def selector_matches_nothing(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME or not svc.selector:
            continue
        if not selected_pods(snap, svc):
            yield Diagnostic(WARNING, svc_name(svc), "spec.selector", "selector-matches-nothing",
                             f"selector {describe_map(svc.selector)} matches no pod in namespace "
                             f"{svc.namespace}: the Service has no endpoints")


@lint("no-ready-endpoints", WARNING,
      "Pods (or hand-made endpoints) exist but none is a ready endpoint: kube-proxy rejects connections "
      "unless serving-but-terminating endpoints remain.",
      "pkg/proxy/topology.go (CategorizeEndpoints); "
      "https://kubernetes.io/docs/concepts/services-networking/endpoint-slices/#conditions",
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10").replace("status: 'True'", "status: 'False'")),
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10")))
def no_ready_endpoints(snap: Snapshot) -> Iterable[Diagnostic]:
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
            yield Diagnostic(WARNING, svc_name(svc), "spec.selector", "no-ready-endpoints",
                             f"none of the selected pods ({pod_names(pods)}) is a ready endpoint: "
                             "not Ready, terminating, finished, without IP, or missing the target port")
        elif eps:
            yield Diagnostic(WARNING, svc_name(svc), "spec.selector", "no-ready-endpoints",
                             "its EndpointSlices/Endpoints list no ready address")


def _live_selected(snap: Snapshot, svc: Service) -> list[Pod]:
    if svc.type == EXTERNAL_NAME or not svc.selector:
        return []
    return [p for p in selected_pods(snap, svc) if not p.finished]


@lint("target-port-unresolved", WARNING,
      "A named targetPort is looked up on each selected pod by name and protocol; a pod without a container "
      "port of that name is no endpoint for that Service port.",
      "pkg/api/v1/pod/util.go (FindPort); " + SERVICE_DOC + "#field-spec-ports",
      ex.docs(_web("  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]"), ex.pod("web-1", "10.244.1.10")),
      ex.docs(_web("  selector: {app: web}\n  ports: [{port: 80, targetPort: http}]"),
              ex.pod("web-1", "10.244.1.10", ports="{name: http, containerPort: 8080}")))
def target_port_unresolved(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        pods = _live_selected(snap, svc)
        for i, sp in enumerate(svc.ports):
            if not isinstance(sp.target_port, str):
                continue
            lacking = [p for p in pods if resolve_target_port(p, sp) is None]
            if lacking:
                yield Diagnostic(WARNING, svc_name(svc), f"spec.ports[{i}].targetPort", "target-port-unresolved",
                                 f"port {port_key(sp)}: no container port named {sp.target_port!r} with "
                                 f"protocol {sp.protocol} on pod(s) {pod_names(lacking)}: they are no "
                                 "endpoint for this port")


def _declares(pod: Pod, sp: ServicePort) -> bool:
    return any(cp.container_port == sp.target_port and cp.protocol == sp.protocol
               for c in tuple(pod.containers) + pod.sidecars for cp in c.ports)


def _declares_any(pod: Pod) -> bool:
    return any(c.ports for c in tuple(pod.containers) + pod.sidecars)


@lint("target-port-not-declared", WARNING,
      "A numeric targetPort that no selected pod declares as a containerPort, while the pods declare other "
      "ports: Kubernetes still forwards to that port (declaring ports is informational), so this is most "
      "often a targetPort pointing at the wrong port. Pods that declare no port at all are not judged.",
      CONTAINER_PORTS + "; " + SERVICE_DOC + "#defining-a-service",
      ex.docs(_web("  selector: {app: web}\n  ports: [{port: 80, targetPort: 80}]"), ex.pod("web-1", "10.244.1.10")),
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10")))
def target_port_not_declared(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        pods = _live_selected(snap, svc)
        if not pods or not any(_declares_any(p) for p in pods):
            continue
        for i, sp in enumerate(svc.ports):
            if isinstance(sp.target_port, str) or any(_declares(p, sp) for p in pods):
                continue
            declared = sorted({f"{cp.container_port}/{cp.protocol}" for p in pods
                               for c in tuple(p.containers) + p.sidecars for cp in c.ports})
            yield Diagnostic(WARNING, svc_name(svc), f"spec.ports[{i}].targetPort", "target-port-not-declared",
                             f"port {port_key(sp)}: targetPort {sp.target_port}/{sp.protocol} is declared by none "
                             f"of the selected pods ({pod_names(pods)}), which declare {', '.join(declared)}; "
                             "traffic is still forwarded to that port")


@lint("target-port-mixed-workloads", WARNING,
      "The Service selects pods of several workloads and only some of them declare its numeric targetPort: "
      "the others receive its traffic too, on a port they most likely do not serve (a selector shared by "
      "mistake, or a half-finished port change).",
      CONTAINER_PORTS + "; " + SERVICE_DOC + "#defining-a-service",
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10", owner="web-5d8f7"),
              ex.pod("admin-1", "10.244.1.11", ports="{containerPort: 9090}", owner="admin-6c9b4")),
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10", owner="web-5d8f7"),
              ex.pod("admin-1", "10.244.1.11", labels="app: admin", ports="{containerPort: 9090}",
                     owner="admin-6c9b4")))
def target_port_mixed_workloads(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        pods = _live_selected(snap, svc)
        by_workload: dict[str, list[Pod]] = {}
        for p in pods:
            by_workload.setdefault(workload_of(p), []).append(p)
        if len(by_workload) < 2:
            continue
        for i, sp in enumerate(svc.ports):
            if isinstance(sp.target_port, str):
                continue  # a named port is resolved per pod: target-port-unresolved
            declaring = {w for w, ps in by_workload.items() if any(_declares(p, sp) for p in ps)}
            lacking = sorted(w for w in by_workload if w not in declaring)
            if declaring and lacking:
                yield Diagnostic(WARNING, svc_name(svc), f"spec.ports[{i}].targetPort", "target-port-mixed-workloads",
                                 f"port {port_key(sp)}: the selector picks pods of workloads "
                                 f"{', '.join(sorted(by_workload))}; {', '.join(lacking)} do(es) not declare "
                                 f"targetPort {sp.target_port}/{sp.protocol} but still receive its traffic")


EXTERNAL_NAME_DOC = ("k8s.io/api core/v1 types.go ServiceSpec.Selector (\"Ignored if type is ExternalName\"); "
                     + SERVICE_DOC + "#externalname")
_EXTERNAL = "  type: ExternalName\n  externalName: db.example.com"


@lint("externalname-selector-ignored", WARNING,
      "An ExternalName Service with a selector: Kubernetes ignores the selector (no endpoints, no proxying); "
      "the name only answers a CNAME to externalName.",
      EXTERNAL_NAME_DOC,
      ex.docs(ex.service("db", _EXTERNAL + "\n  selector: {app: db}")), ex.docs(ex.service("db", _EXTERNAL)))
def externalname_selector_ignored(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        if svc.type == EXTERNAL_NAME and svc.selector:
            yield Diagnostic(WARNING, svc_name(svc), "spec.selector", "externalname-selector-ignored",
                             f"type ExternalName: the selector {describe_map(svc.selector)} is ignored; clients "
                             f"get a CNAME to {svc.external_name}, never the selected pods")


def _ingress_backends(snap: Snapshot) -> set[str]:
    """`ns/name` of every Service an Ingress backend names."""
    out = set()
    for ing in snap.ingresses:
        backends = [p.backend for r in ing.rules for p in r.paths]
        if ing.default_backend is not None:
            backends.append(ing.default_backend)
        out |= {f"{ing.namespace}/{b.service_name}" for b in backends if b.service_name}
    return out


def _remaps(sp: ServicePort) -> bool:
    return sp.target_port not in (sp.port, 0)


@lint("externalname-ports-ignored", INFO,
      "An ExternalName Service with ports that no Ingress backend uses: kube-proxy does not proxy ExternalName "
      "Services and DNS answers a CNAME, so the ports do nothing (clients reach externalName on the port they "
      "dial). Only an ingress controller reads them, for a backend naming the Service.",
      SERVICE_DOC + "#externalname; https://kubernetes.io/docs/reference/networking/virtual-ips/",
      ex.docs(ex.service("db", _EXTERNAL + "\n  ports: [{port: 5432}]")),
      ex.docs(ex.ingress_class(), ex.service("db", _EXTERNAL + "\n  ports: [{port: 5432}]"),
              ex.ingress("db", "  defaultBackend: {service: {name: db, port: {number: 5432}}}")))
def externalname_ports_ignored(snap: Snapshot) -> Iterable[Diagnostic]:
    used = _ingress_backends(snap)
    for svc in snap.services:
        if svc.type != EXTERNAL_NAME or not svc.ports or svc.key in used or any(_remaps(sp) for sp in svc.ports):
            continue  # a remapping port is externalname-target-port-ignored
        yield Diagnostic(INFO, svc_name(svc), "spec.ports", "externalname-ports-ignored",
                         f"type ExternalName: ports {', '.join(f'{sp.port}/{sp.protocol}' for sp in svc.ports)} are not proxied "
                         f"and no Ingress backend uses them; clients reach {svc.external_name} on the port they dial")


@lint("externalname-target-port-ignored", WARNING,
      "An ExternalName Service whose port remaps (targetPort differs from port): nothing applies the "
      "remapping, since kube-proxy does not proxy ExternalName Services and DNS answers a CNAME; clients reach "
      "externalName on the port they dial.",
      SERVICE_DOC + "#externalname; https://kubernetes.io/docs/reference/networking/virtual-ips/",
      ex.docs(ex.service("db", _EXTERNAL + "\n  ports: [{port: 5432, targetPort: 6432}]")),
      ex.docs(ex.service("db", _EXTERNAL)))
def externalname_target_port_ignored(snap: Snapshot) -> Iterable[Diagnostic]:
    for svc in snap.services:
        if svc.type != EXTERNAL_NAME:
            continue
        for i, sp in enumerate(svc.ports):
            if _remaps(sp):
                yield Diagnostic(WARNING, svc_name(svc), f"spec.ports[{i}].targetPort",
                                 "externalname-target-port-ignored",
                                 f"type ExternalName: targetPort {sp.target_port} is never applied; clients reach "
                                 f"{svc.external_name} on the port they dial ({sp.port})")


_NODES = ex.docs(ex.node("node-1", "10.0.0.11"), ex.node("node-2", "10.0.0.12"))
_LOCAL = "  type: {type}\n  externalTrafficPolicy: Local\n  selector: {{app: web}}\n  ports: [{{port: 80, targetPort: 8080}}]"


@lint("local-traffic-node-without-endpoint", WARNING,
      "A NodePort Service with externalTrafficPolicy Local: nodes without a ready local endpoint drop the "
      "traffic sent to their node port. On a LoadBalancer Service this is the intended design (the load "
      "balancer's health check avoids those nodes), so it is not reported there.",
      "https://kubernetes.io/docs/reference/networking/virtual-ips/#external-traffic-policy; "
      "https://kubernetes.io/docs/tutorials/services/source-ip/#source-ip-for-services-with-type-nodeport",
      ex.docs(_NODES, ex.service("web", _LOCAL.format(type="NodePort")),
              ex.pod("web-1", "10.244.1.10", node_name="node-1")),
      ex.docs(_NODES, ex.service("web", _LOCAL.format(type="LoadBalancer")),
              ex.pod("web-1", "10.244.1.10", node_name="node-1")))
def local_traffic_node_without_endpoint(snap: Snapshot) -> Iterable[Diagnostic]:
    if not snap.nodes:
        return
    for svc in snap.services:
        if svc.type != NODE_PORT or svc.external_traffic_policy != "Local":
            continue
        eps = service_endpoints(snap, svc)
        if not any(e.ready for e in eps):
            continue  # no-ready-endpoints / selector-matches-nothing say it
        local = {e.node_name for e in eps if e.ready and e.node_name}
        missing = sorted(n.name for n in snap.nodes if n.name not in local)
        if missing:
            yield Diagnostic(WARNING, svc_name(svc), "spec.externalTrafficPolicy",
                             "local-traffic-node-without-endpoint",
                             f"externalTrafficPolicy Local on a NodePort Service: {len(missing)} of "
                             f"{len(snap.nodes)} node(s) ({shorten(missing)}) "
                             "have no ready local endpoint and drop connections to its node ports")


@lint("service-created-after-pod", INFO,
      "The kubelet injects a Service's environment variables only into containers started after the Service "
      "exists; pods created earlier lack them until restarted.",
      "pkg/kubelet/kubelet_pods.go (getServiceEnvVarMap); " + SERVICE_DOC + "#environment-variables",
      ex.docs(ex.pod("web-1", "10.244.1.10"), _web()),
      ex.docs(_web(), ex.pod("web-1", "10.244.1.10")))
def service_created_after_pod(snap: Snapshot) -> Iterable[Diagnostic]:
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
            yield Diagnostic(INFO, svc_name(svc), "metadata.creationTimestamp", "service-created-after-pod",
                             f"created after pod(s) {pod_names(late)}: their containers have no "
                             f"{prefix}_SERVICE_HOST/_PORT variables until restarted (use DNS)")

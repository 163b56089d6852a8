"""How an outside client reaches an ingress controller: its Service and pods.

The controller's pods are found through `cluster.controller_mappings` (IngressClass
spec.controller -> pod labels, optionally a namespace); the Services whose selector picks them
(LoadBalancer, then NodePort) are the entry points. Each entry (the load balancer address, or a
node's node port) is traced by proxy.py from `external`, so kube-proxy's rules apply: with
`externalTrafficPolicy: Local` a node without a controller pod drops what enters through it
(kubernetes/website `concepts/services-networking/service.md` "Traffic policies";
ingress-nginx `deploy/static/provider/*` runs the controller behind such a Service).
"""

from __future__ import annotations

from . import proxy
from .endpoints import per_snapshot
from .labels import map_selects
from .types import (
    LOAD_BALANCER,
    NODE_PORT,
    IngressClass,
    Pod,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
    Verdict,
)

SCHEME_PORTS = {"http": (80, "http"), "https": (443, "https")}


def _class(snap: Snapshot, ingress_class: IngressClass | str) -> IngressClass | None:
    if isinstance(ingress_class, IngressClass):
        return ingress_class
    return snap.ingress_class_by_name.get(ingress_class)


def controller_pods(snap: Snapshot, cls: IngressClass) -> tuple[Pod, ...]:
    """The pods of the controller that implements the class (cluster.controller_mappings)."""
    memo: dict[str, tuple[Pod, ...]] = per_snapshot(snap, "_controller_pods", dict)
    got = memo.get(cls.controller)
    if got is None:
        got = memo[cls.controller] = _controller_pods(snap, cls.controller)
    return got


def _controller_pods(snap: Snapshot, controller: str) -> tuple[Pod, ...]:
    found: list[Pod] = []
    for m in snap.cluster.controller_mappings:
        if m.controller != controller:
            continue
        for pod in snap.pods:
            if m.namespace is not None and pod.namespace != m.namespace:
                continue
            if map_selects(m.pod_labels, pod.labels) and pod not in found:
                found.append(pod)
    return tuple(found)


def controller_services(snap: Snapshot, pods: tuple[Pod, ...]) -> tuple[Service, ...]:
    """Services selecting any controller pod: LoadBalancer first, then NodePort, then others."""
    hits = [s for s in snap.services
            if any(p.namespace == s.namespace and map_selects(s.selector, p.labels) for p in pods)]
    rank = {LOAD_BALANCER: 0, NODE_PORT: 1}
    return tuple(sorted(hits, key=lambda s: rank.get(s.type, 2)))


def scheme_ports(svc: Service, scheme: str | None = None) -> tuple[ServicePort, ...]:
    """The Service ports that carry http/https (port 80/443 or named http/https); every TCP
    port when none is recognisable."""
    schemes = [scheme] if scheme else list(SCHEME_PORTS)
    out = [sp for sp in svc.ports if sp.protocol == "TCP" and any(
        sp.port == SCHEME_PORTS[s][0] or sp.name == SCHEME_PORTS[s][1] for s in schemes)]
    if not out and scheme is None:
        out = [sp for sp in svc.ports if sp.protocol == "TCP"]
    return tuple(out)


def _entries(snap: Snapshot, svc: Service, sp: ServicePort) -> list[str]:
    out: list[str] = []
    if svc.type == LOAD_BALANCER and svc.load_balancer_ingress:
        out.append(f"lb:{svc.key}:{sp.port}/{sp.protocol}")
    if svc.type in (LOAD_BALANCER, NODE_PORT) and sp.node_port:
        out.extend(f"node:{n.name}:{sp.node_port}/{sp.protocol}" for n in snap.nodes)
    return out


def _trace(snap: Snapshot, destination: str) -> Verdict:
    try:
        return proxy.trace(snap, "external", destination)
    except QueryError as exc:  # e.g. a node without an address to send to
        return Verdict("error", (f"{destination}: {exc}",), {"error": str(exc)})


def entry_paths(snap: Snapshot, ingress_class: IngressClass | str,
                scheme: str | None = None) -> list[Verdict]:
    """One Verdict per way in from outside (each load balancer address and each node's node
    port of each http/https port of each controller Service), as proxy.trace answers it,
    with details["entry"] (the destination traced) and details["controllerService"]."""
    cls = _class(snap, ingress_class)
    if cls is None:
        return []
    # The answer depends on the controller only; computed once per snapshot (each call
    # traces every node's node port).
    memo: dict[tuple[str, str | None], tuple[Verdict, ...]] = per_snapshot(snap, "_entry_paths", dict)
    key = (cls.controller, scheme)
    got = memo.get(key)
    if got is None:
        got = memo[key] = tuple(_entry_paths(snap, cls, scheme))
    return list(got)


def _entry_paths(snap: Snapshot, cls: IngressClass, scheme: str | None) -> list[Verdict]:
    out: list[Verdict] = []
    for svc in controller_services(snap, controller_pods(snap, cls)):
        for sp in scheme_ports(svc, scheme):
            for dest in _entries(snap, svc, sp):
                v = _trace(snap, dest)
                out.append(Verdict(v.outcome, v.trace,
                                   {**v.details, "entry": dest, "controllerService": svc.key}))
    return out


def _host_entries(pods: tuple[Pod, ...], scheme: str) -> list[str]:
    """Controller pods reached on their node's own address (hostNetwork or a hostPort)."""
    port = SCHEME_PORTS[scheme][0]
    out = []
    for p in pods:
        if p.host_network:
            out.append(f"controller pod {p.key} uses hostNetwork: clients reach it on node "
                       f"{p.node_name} port {port} directly")
        elif any(cp.host_port == port for c in p.containers for cp in c.ports):
            out.append(f"controller pod {p.key} has hostPort {port}: clients reach it on node "
                       f"{p.node_name} directly")
    return out


def controller_hops(snap: Snapshot, cls: IngressClass, scheme: str) -> tuple[list[str], dict[str, str]]:
    """Trace lines (external client -> controller Service -> controller pods) and the outcome
    of each entry ("lb:..." / "node:..." -> delivered/dropped/...)."""
    pods = controller_pods(snap, cls)
    if not pods:
        return [f"no pods of controller {cls.controller} in the topology (cluster "
                "controllerMappings): the trace starts at the controller"], {}
    lines = [f"controller {cls.controller} pods: {', '.join(p.key for p in pods)}"]
    lines.extend(_host_entries(pods, scheme))
    services = [s for s in controller_services(snap, pods) if s.type in (LOAD_BALANCER, NODE_PORT)]
    if not services:
        lines.append("no LoadBalancer or NodePort Service selects the controller pods: "
                     "the trace starts at the controller")
        return lines, {}
    entries = entry_paths(snap, cls, scheme)
    if not entries:
        lines.append(f"controller Service {services[0].key} has no {scheme} entry (no load "
                     "balancer address, no node port)")
    for v in entries:
        eps = v.details.get("endpoints") or []
        lines.append(f"external client -> {v.details['entry']} ({v.details['controllerService']}): "
                     f"{v.outcome}" + (f" -> {', '.join(eps)}" if eps else ""))
    return lines, {v.details["entry"]: v.outcome for v in entries}

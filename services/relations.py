"""An object's relations both ways, as the engine computes them (the pods a Service selects and
its endpoints; the Services and policies that select a pod; the Ingresses routing to a
Service), as sections of links for its page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from kubenet_site.semantics.endpoints import selected_pods, service_endpoints
from kubenet_site.semantics.labels import map_selects, selects
from kubenet_site.semantics.types import Snapshot

from .models import KubeObject, Topology


@dataclass
class Link:
    text: str
    url: str = ""
    note: str = ""


@dataclass
class Section:
    title: str
    links: list[Link] = field(default_factory=list)
    empty: str = "none"


def url(topology: Topology, slug: str, *names: str) -> str:
    return reverse(f"{slug}-detail", args=[topology.team.name, topology.name, *names])


def pod_link(topology: Topology, key: str, note: str = "") -> Link:
    ns, _, name = key.partition("/")
    return Link(key, url(topology, "pods", ns, name), note)


def ingresses_to(snap: Snapshot, namespace: str, service: str) -> list:
    out = []
    for ing in snap.ingresses:
        if ing.namespace != namespace:
            continue
        backends = [p.backend for r in ing.rules for p in r.paths]
        if ing.default_backend:
            backends.append(ing.default_backend)
        if any(b.service_name == service for b in backends):
            out.append(ing)
    return out


def service_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    topology = row.topology
    svc = snap.service(f"{row.namespace}/{row.name}")
    if svc is None:
        return []
    pods = Section("Pods it selects", [pod_link(topology, p.key, p.ip or "no IP") for p in selected_pods(snap, svc)],
                   "none (no selector, or no pod matches)")
    eps = Section("Endpoints", empty="none")
    for ep in service_endpoints(snap, svc):
        state = "ready" if ep.ready else ("serving, terminating" if ep.serving else "not ready")
        port = ep.service_port.name or str(ep.service_port.port) if ep.service_port else ""
        where = f"{ep.ip}:{ep.port}" if ep.port is not None else ep.ip
        link = pod_link(topology, ep.pod_key, "") if ep.pod_key else Link("")
        eps.links.append(Link(where, link.url, f"{state}; port {port}" + (f"; pod {ep.pod_key}" if ep.pod_key else "")))
    ing = Section("Ingresses routing to it", [Link(f"{i.namespace}/{i.name}", url(topology, "ingresses", i.namespace, i.name))
                                              for i in ingresses_to(snap, row.namespace, row.name)])
    slices = Section("EndpointSlices", [Link(f"{s.namespace}/{s.name}", url(
        topology, "endpoints" if s.source_kind == "Endpoints" else "endpointslices", s.namespace, s.name))
        for s in snap.endpoint_slices if s.namespace == row.namespace and s.service_name == row.name],
        "none (the engine computes endpoints from the selected pods)")
    return [pods, eps, ing, slices]


def pod_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    topology = row.topology
    pod = snap.pod(f"{row.namespace}/{row.name}")
    if pod is None:
        return []
    services = Section("Services selecting it", [
        Link(s.key, url(topology, "services", s.namespace, s.name))
        for s in snap.services_by_namespace.get(pod.namespace, ()) if map_selects(s.selector, pod.labels)])
    policies = Section("NetworkPolicies selecting it", [
        Link(p.key, url(topology, "networkpolicies", p.namespace, p.name), ", ".join(p.policy_types))
        for p in snap.network_policies if p.namespace == pod.namespace and selects(p.pod_selector, pod.labels)],
        "none: the pod is not isolated")
    node = Section("Node", [Link(pod.node_name, url(topology, "nodes", pod.node_name))] if pod.node_name else [],
                   "not scheduled")
    return [services, policies, node]


def node_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    return [Section("Pods on it", [pod_link(row.topology, p.key, p.ip or "") for p in snap.pods
                                   if p.node_name == row.name])]


def policy_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    policy = next((p for p in snap.network_policies if p.key == f"{row.namespace}/{row.name}"), None)
    if policy is None:
        return []
    return [Section("Pods it selects", [pod_link(row.topology, p.key, p.ip or "") for p in
                                        snap.pods_by_namespace.get(row.namespace, ())
                                        if selects(policy.pod_selector, p.labels)])]


def slice_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    name = row.name if row.kind == "Endpoints" else (row.labels or {}).get("kubernetes.io/service-name", "")
    svc = snap.service(f"{row.namespace}/{name}") if name else None
    return [Section("Service", [Link(svc.key, url(row.topology, "services", svc.namespace, svc.name))] if svc else [],
                    "no such Service")]


def namespace_relations(row: KubeObject, snap: Snapshot) -> list[Section]:
    topology = row.topology
    counts = [("pods", len(snap.pods_by_namespace.get(row.name, ()))),
              ("services", len(snap.services_by_namespace.get(row.name, ()))),
              ("ingresses", sum(1 for i in snap.ingresses if i.namespace == row.name)),
              ("networkpolicies", sum(1 for p in snap.network_policies if p.namespace == row.name))]
    return [Section("Objects in it", [
        Link(f"{n} {slug}", reverse(f"{slug}-list", args=[topology.team.name, topology.name]) + f"?namespace={row.name}")
        for slug, n in counts])]

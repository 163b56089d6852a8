"""The topology diagram (`.../diagram/`): the page, its graph as JSON, and what a pod can reach.

The graph is built from the snapshot with the engine's own answers: the pods a Service
selects (endpoints.selected_pods), the Services an Ingress sends to (its rules and default
backend), the entry points of NodePort and LoadBalancer Services, ExternalName pointing out
of the cluster, each pod on its node, namespaces as compound groups. Every element carries
the address of its object's page. What a pod can reach is the query API's `connect` answer
for each Service port (NetworkPolicy after DNAT), run over the same build.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kubenet_site.semantics.endpoints import selected_pods
from kubenet_site.semantics.query import answer_queries
from kubenet_site.semantics.types import EXTERNAL_NAME, LOAD_BALANCER, NODE_PORT, Ingress, Snapshot
from services.object_views import base_context
from services.views import topology_or_404

from .object_links import ObjectLinks, pod_at, pods_by_ip
from .snapshot import build

NODES_GROUP = "group:nodes"


def ingress_services(ing: Ingress) -> list[str]:
    """The Services (`ns/name`) an Ingress names in its rules and default backend."""
    backends = [ing.default_backend] if ing.default_backend else []
    backends += [p.backend for rule in ing.rules for p in rule.paths]
    return sorted({f"{ing.namespace}/{b.service_name}" for b in backends if b and b.service_name})


def graph(snap: Snapshot, links: ObjectLinks) -> dict[str, list[dict[str, Any]]]:
    """Cytoscape elements: {"nodes": [{data}], "edges": [{data}]}."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def node(id_: str, label: str, kind: str, url: str = "", parent: str = "", ns: str = "", **extra: Any) -> None:
        data = {"id": id_, "label": label, "kind": kind, "url": url, "ns": ns, **extra}
        if parent:
            data["parent"] = parent
        nodes.append({"data": data})

    def edge(source: str, target: str, kind: str, label: str = "") -> None:
        edges.append({"data": {"id": f"{kind}:{source}->{target}", "source": source, "target": target,
                               "kind": kind, "label": label}})

    used_ns = {p.namespace for p in snap.pods} | {s.namespace for s in snap.services} | {
        i.namespace for i in snap.ingresses}
    for ns in snap.namespaces:
        if ns.name in used_ns:
            node(f"ns:{ns.name}", ns.name, "Namespace", links.url("Namespace", ns.name), ns=ns.name)
    if snap.nodes:
        node(NODES_GROUP, "Nodes", "Group")
    for n in snap.nodes:
        node(f"node:{n.name}", n.name, "Node", links.url("Node", n.name), NODES_GROUP, ip=n.internal_ip or "")
    for p in snap.pods:
        node(f"pod:{p.key}", p.name, "Pod", links.url("Pod", p.key), f"ns:{p.namespace}", p.namespace,
             ready=p.ready, ip=", ".join(p.pod_ips))
        if p.node_name and p.node_name in snap.node_by_name:
            edge(f"pod:{p.key}", f"node:{p.node_name}", "runs-on")
    externals: set[str] = set()
    for s in snap.services:
        sid = f"svc:{s.key}"
        node(sid, f"{s.name}\n{s.type}", "Service", links.url("Service", s.key), f"ns:{s.namespace}", s.namespace,
             type=s.type, ip=s.cluster_ip or "")
        for p in selected_pods(snap, s):
            edge(sid, f"pod:{p.key}", "selects")
        if s.type == EXTERNAL_NAME and s.external_name:
            ext = f"ext:{s.external_name}"
            if ext not in externals:
                externals.add(ext)
                node(ext, s.external_name, "External")
            edge(sid, ext, "cname", "CNAME")
        if s.type in (NODE_PORT, LOAD_BALANCER):
            ports = ", ".join(str(sp.node_port) for sp in s.ports if sp.node_port)
            if s.type == LOAD_BALANCER:
                lb = [i.ip or i.hostname for i in s.load_balancer_ingress if i.ip or i.hostname]
                label = f"LoadBalancer {lb[0] if lb else '(pending)'}"
            else:
                label = f"NodePort {ports}"
            node(f"entry:{s.key}", label, "Entry", links.url("Service", s.key), ns=s.namespace)
            edge(f"entry:{s.key}", sid, "entry", ports and f":{ports}")
    for ing in snap.ingresses:
        iid = f"ing:{ing.key}"
        hosts = sorted({r.host for r in ing.rules if r.host})
        node(iid, f"{ing.name}\n{', '.join(hosts) or '*'}", "Ingress", links.url("Ingress", ing.key),
             f"ns:{ing.namespace}", ing.namespace)
        for key in ingress_services(ing):
            if key in snap.service_by_key:
                edge(iid, f"svc:{key}", "routes")
    return {"nodes": nodes, "edges": edges}


@login_required
def diagram_page(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    snap = build(obj).snapshot
    namespaces = sorted({p.namespace for p in snap.pods} | {s.namespace for s in snap.services})
    return render(request, "checks/diagram.html", base_context(
        obj, nav="diagram", namespaces=namespaces, pods=sorted(p.key for p in snap.pods)))


@login_required
def diagram_graph(request: HttpRequest, team: str, topology: str) -> JsonResponse:
    obj = topology_or_404(request, team, topology)
    snap = build(obj).snapshot
    return JsonResponse(graph(snap, ObjectLinks(obj, snap)))


def reach(result: Any, pod: str) -> dict[str, Any]:
    """What `pod` can reach through each Service port (the query API's `connect`): the Services
    with an allowed or partial verdict and the backend pods that let it in."""
    snap = result.snapshot
    ports = [(s, sp) for s in snap.services if s.has_cluster_ip for sp in s.ports]
    queries = [{"kind": "connect", "from": pod, "to": f"svc:{s.key}:{sp.port}", "port": sp.port,
                "protocol": sp.protocol} for s, sp in ports]
    by_ip = pods_by_ip(snap)
    services, pods = set(), set()
    for (s, _), answer in zip(ports, answer_queries(result, queries), strict=True):
        if answer.get("verdict") not in ("allowed", "partial"):
            continue
        services.add(f"svc:{s.key}")
        for address, verdict in (answer.get("backends") or {}).items():
            owner = pod_at(by_ip, address)
            if owner and verdict == "allowed":
                pods.add(f"pod:{owner}")
        if answer.get("verdict") == "allowed" and not answer.get("backends"):
            pods.update(f"pod:{p.key}" for p in selected_pods(snap, s))
    return {"pod": pod, "services": sorted(services), "pods": sorted(pods)}


@login_required
def diagram_reach(request: HttpRequest, team: str, topology: str) -> JsonResponse:
    obj = topology_or_404(request, team, topology)
    result = build(obj)
    pod = request.GET.get("pod", "")
    if pod not in result.snapshot.pod_by_key:
        return JsonResponse({"error": f"Pod {pod} not found", "where": "pod"}, status=400)
    return JsonResponse(reach(result, pod))

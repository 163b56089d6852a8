"""The tools (interfaces.md "Pages": `.../tools/<tool>/`): each a form over the query API.

A tool's inputs are the query string, under the query API's own names, so an answer is a
permalink (`dns/?from=shop/web-1&name=api&type=A`). The answer is the query API's, computed by
query.answer_queries over the topology's build (no second implementation); the page only
renders it, naming every object it mentions with a link to that object's page.

TOOLS is the registry: a tool is one entry (its inputs and how they become one query).
PICKERS serve the search-as-you-type inputs (`.../tools/_pick/?kind=&q=`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kubenet_site.semantics.query import answer_queries
from kubenet_site.semantics.types import EXTERNAL_NAME, LOAD_BALANCER, Snapshot
from services.object_views import base_context
from services.views import topology_or_404

from .object_links import ObjectLinks
from .snapshot import build

MAX_PICKS = 20
DNS_TYPES = ("A", "AAAA", "SRV", "PTR", "TXT", "CNAME", "resolv.conf")


@dataclass(frozen=True)
class Field:
    name: str  # the query API's name, and the query-string key
    label: str
    picker: str = ""  # a PICKERS key: search as you type
    choices: tuple[str, ...] = ()  # a <select>
    placeholder: str = ""
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Tool:
    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    to_query: Callable[[Mapping[str, str]], dict[str, Any]]


def _dns_query(v: Mapping[str, str]) -> dict[str, Any]:
    q: dict[str, Any] = {"kind": "dns", "from": v["from"], "type": v.get("type") or "A"}
    if v.get("name"):
        q["name"] = v["name"]
    return q


def _env_query(v: Mapping[str, str]) -> dict[str, Any]:
    q = {"kind": "env", "pod": v["pod"]}
    if v.get("container"):
        q["container"] = v["container"]
    return q


def _route_query(v: Mapping[str, str]) -> dict[str, Any]:
    return {"kind": "route", "from": v["from"], "to": v["to"]}


def _ingress_query(v: Mapping[str, str]) -> dict[str, Any]:
    request = {k: v[k] for k in ("host", "path", "scheme", "sni") if v.get(k)}
    return {"kind": "ingress-route", "request": request}


def _connect_query(v: Mapping[str, str]) -> dict[str, Any]:
    q: dict[str, Any] = {"kind": "connect", "from": v["from"], "to": v["to"]}
    port = v.get("port") or ""
    if port:
        q["port"] = int(port) if port.isdigit() else port
    q["protocol"] = v.get("protocol") or "TCP"
    return q


TOOLS: dict[str, Tool] = {t.slug: t for t in (
    Tool("dns", "DNS lookup", "What a pod's resolver finds: the names tried in order, the answer and its rcode.", (
        Field("from", "Pod", picker="pod", placeholder="ns/pod"),
        Field("name", "Name", placeholder="api, api.shop, 10.96.0.10", required=False,
              help="Not needed for resolv.conf."),
        Field("type", "Record type", choices=DNS_TYPES, required=False)), _dns_query),
    Tool("env", "Environment", "The service variables the kubelet injects into a container, and the Services "
         "whose variables it does not get, with why.", (
             Field("pod", "Pod", picker="pod", placeholder="ns/pod"),
             Field("container", "Container", placeholder="first app container", required=False)), _env_query),
    Tool("route", "Route tracer", "Where kube-proxy sends a packet, hop by hop (NetworkPolicy does not take part).", (
        Field("from", "From", picker="source", placeholder="ns/pod, external, node:<node>"),
        Field("to", "To", picker="target", placeholder="svc:ns/name:80/TCP, ip:port/TCP, node:<node>:port/TCP")),
         _route_query),
    Tool("ingress", "Ingress tester", "Which Ingress and backend a request reaches, or why none does.", (
        Field("host", "Host", placeholder="shop.example.com"),
        Field("path", "Path", placeholder="/", required=False),
        Field("scheme", "Scheme", choices=("http", "https"), required=False),
        Field("sni", "TLS server name", placeholder="when it differs from the host", required=False)),
         _ingress_query),
    Tool("connect", "Connect", "Whether NetworkPolicy lets one pod reach another pod or a Service, and why.", (
        Field("from", "From", picker="pod", placeholder="ns/pod or an IP"),
        Field("to", "To", picker="peer", placeholder="ns/pod, an IP, svc:ns/name:port"),
        Field("port", "Port", placeholder="80 or a port name"),
        Field("protocol", "Protocol", choices=("TCP", "UDP", "SCTP"), required=False)), _connect_query),
)}


# Pickers: what an input may name, matching what was typed --------------------------------------

def _pods(snap: Snapshot) -> list[tuple[str, str]]:
    return [(p.key, f"Pod {p.key} ({', '.join(p.pod_ips) or 'no IP'})") for p in snap.pods]


def _sources(snap: Snapshot) -> list[tuple[str, str]]:
    return [*_pods(snap), ("external", "a client outside the cluster (198.51.100.7)"),
            *((f"node:{n.name}", f"a host-network process on Node {n.name}") for n in snap.nodes)]


def _targets(snap: Snapshot) -> list[tuple[str, str]]:
    out = []
    for s in snap.services:
        for sp in s.ports:
            out.append((f"svc:{s.key}:{sp.port}/{sp.protocol}", f"Service {s.key} ({s.type})"))
            if s.type == LOAD_BALANCER:
                out.append((f"lb:{s.key}:{sp.port}/{sp.protocol}", f"the load balancer of Service {s.key}"))
            if sp.node_port and snap.nodes:
                out.append((f"node:{snap.nodes[0].name}:{sp.node_port}/{sp.protocol}",
                            f"node port of Service {s.key}"))
    return out


def _peers(snap: Snapshot) -> list[tuple[str, str]]:
    services = [(f"svc:{s.key}:{sp.port}", f"Service {s.key} port {sp.port}/{sp.protocol}")
                for s in snap.services if s.type != EXTERNAL_NAME for sp in s.ports]
    return [*_pods(snap), *services]


PICKERS: dict[str, Callable[[Snapshot], list[tuple[str, str]]]] = {
    "pod": _pods, "source": _sources, "target": _targets, "peer": _peers,
}


def picks(snap: Snapshot, kind: str, text: str) -> list[tuple[str, str]]:
    """At most MAX_PICKS choices whose value or label holds every word typed."""
    words = text.lower().split()
    found = [c for c in PICKERS[kind](snap) if all(w in f"{c[0]} {c[1]}".lower() for w in words)]
    return found[:MAX_PICKS]


@login_required
def tool_pick(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """The htmx endpoint behind a picker: <option>s for its <datalist>."""
    obj = topology_or_404(request, team, topology)
    kind = request.GET.get("kind", "pod")
    if kind not in PICKERS:
        raise Http404(f"no picker {kind!r}")
    field = request.GET.get("field") or ""
    text = request.GET.get(field) or request.GET.get("q") or ""
    return render(request, "checks/tools/_picks.html", {"picks": picks(build(obj).snapshot, kind, text)})


# The tool pages ------------------------------------------------------------------------------

def tool_inputs(tool: Tool, params: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The inputs given (stripped) and the required ones missing."""
    values = {f.name: (params.get(f.name) or "").strip() for f in tool.fields}
    missing = [f.label for f in tool.fields if f.required and not values[f.name]]
    return values, missing


@login_required
def tools_index(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """`.../tools/` is the first tool."""
    topology_or_404(request, team, topology)
    return redirect(reverse("tool", args=[team, topology, next(iter(TOOLS))]))


@login_required
def tool_page(request: HttpRequest, team: str, topology: str, tool: str) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    if tool not in TOOLS:
        raise Http404(f"no tool {tool!r} (tools: {', '.join(TOOLS)})")
    spec = TOOLS[tool]
    values, missing = tool_inputs(spec, request.GET)
    asked = any(values.values())
    query = answer = None
    links = None
    if asked and not missing:
        result = build(obj)
        query = spec.to_query(values)
        answer = answer_queries(result, [query])[0]
        links = ObjectLinks(obj, result.snapshot)
    return render(request, "checks/tool.html", base_context(
        obj, nav=f"tool-{tool}", tool=spec, tools=TOOLS.values(), values=values, missing=missing if asked else [],
        query=query, answer=answer, links=links, query_json=json.dumps(query, indent=2) if query else "",
        answer_json=json.dumps(answer, indent=2, sort_keys=True) if answer is not None else ""))

"""Pages of topologies: the list, and a topology's `kubectl get -A` listings.

A listing needs the topology as the engine sees it, which only `checks` can build (every kind
of row): it asks through services.hooks. Addresses: interfaces.md "Pages"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from kubenet_site.semantics import kubectl_tables

from . import hooks
from .models import Topology
from .queries import TopologyNotFound, get_topology, topologies_for

# The resources of the listings page, in tab order: (address, tab label).
LISTINGS = (("svc", "Services"), ("pods", "Pods"), ("ingress", "Ingresses"), ("netpol", "NetworkPolicies"))


def topology_or_404(request: HttpRequest, team: str, name: str) -> Topology:
    """The page's topology among those the user may see (services.queries.get_topology), else 404."""
    try:
        return get_topology(name, request.user, team=team)
    except TopologyNotFound as exc:
        raise Http404(str(exc)) from exc


@login_required
def topology_list(request: HttpRequest) -> HttpResponse:
    return render(request, "checks/topology_list.html", {"topologies": topologies_for(request.user)})


@login_required
def topology_detail(request: HttpRequest, team: str, name: str) -> HttpResponse:
    """For now the listings: `get/svc/`; the former `?resource=X&o=wide` form keeps its meaning."""
    topology = topology_or_404(request, team, name)
    resource = request.GET.get("resource", "svc")
    if resource not in dict(LISTINGS):
        resource = "svc"
    query = {"o": "wide"} if request.GET.get("o") == "wide" else {}
    url = reverse("topology-get", args=[topology.team.name, topology.name, resource])
    return redirect(url + (f"?{urlencode(query)}" if query else ""))


def render_listing(request: HttpRequest, team: str, name: str, resource: str, *, note: str = "") -> HttpResponse:
    """`kubectl get <resource> -A [-o wide]` of the topology as a page (`note`: shown below it)."""
    if resource not in dict(LISTINGS):
        raise Http404(f"no listing of {resource!r} (known: {', '.join(dict(LISTINGS))})")
    topology = topology_or_404(request, team, name)
    wide = request.GET.get("o") == "wide"
    result = hooks.topology_snapshot(topology)
    listing = kubectl_tables.get(result.snapshot, resource, all_namespaces=True,
                                 output="wide" if wide else "", now=timezone.now())
    return render(request, "checks/topology_detail.html", {
        "topology": topology, "listing": listing, "resource": resource, "listings": LISTINGS, "wide": wide,
        "command": f"kubectl get {resource} -A" + (" -o wide" if wide else ""), "errors": result.errors,
        "implementation_specific": note,
    })


@login_required
def topology_get(request: HttpRequest, team: str, name: str, resource: str) -> HttpResponse:
    return render_listing(request, team, name, resource)

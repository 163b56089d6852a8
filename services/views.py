"""A topology's `kubectl get -A` listings, each row linking to its object; the page lookup.

A listing needs the topology as the engine sees it, which only `checks` can build (every kind
of row): it asks through services.hooks. Addresses: interfaces.md "Pages"."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from kubenet_site.semantics import kubectl_tables

from . import hooks
from .kinds import pages
from .models import FormerName, Topology
from .queries import TopologyNotFound, get_topology, topologies_for

# The resources of the listings page, in tab order: (address, tab label).
LISTINGS = (("svc", "Services"), ("pods", "Pods"), ("ingress", "Ingresses"), ("netpol", "NetworkPolicies"))
LISTED_KINDS = {"svc": "services", "pods": "pods", "ingress": "ingresses", "netpol": "networkpolicies"}


class TopologyMoved(Exception):
    """The topology was renamed: answer with a redirect to `url` (services.middleware)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def topology_or_404(request: HttpRequest, team: str, name: str) -> Topology:
    """The page's topology among those the user may see (services.queries.get_topology), else 404."""
    try:
        return get_topology(name, request.user, team=team)
    except TopologyNotFound as exc:
        renamed = FormerName.objects.filter(team__name=team, name=name,
                                            topology__in=topologies_for(request.user)).select_related("topology").first()
        old = f"/t/{team}/{name}/"
        if renamed is not None and request.path.startswith(old):
            query = request.META.get("QUERY_STRING", "")
            raise TopologyMoved(f"/t/{team}/{renamed.topology.name}/{request.path[len(old):]}"
                                + (f"?{query}" if query else "")) from exc
        raise Http404(str(exc)) from exc


def render_listing(request: HttpRequest, team: str, name: str, resource: str, *, note: str = "") -> HttpResponse:
    """`kubectl get <resource> -A [-o wide]` of the topology as a page (`note`: shown below it)."""
    if resource not in dict(LISTINGS):
        raise Http404(f"no listing of {resource!r} (known: {', '.join(dict(LISTINGS))})")
    topology = topology_or_404(request, team, name)
    wide = request.GET.get("o") == "wide"
    result = hooks.topology_snapshot(topology)
    listing = kubectl_tables.get(result.snapshot, resource, all_namespaces=True,
                                 output="wide" if wide else "", now=timezone.now())
    lines = listing.splitlines()
    slug = LISTED_KINDS[resource]
    rows = []
    for line in lines[1:]:  # NAMESPACE NAME ...: each row links to its object's page
        ns, name = (line.split() + ["", ""])[:2]
        rows.append((line, reverse(f"{slug}-detail", args=[topology.team.name, topology.name, ns, name])
                     if name else ""))
    return render(request, "checks/topology_detail.html", {
        "topology": topology, "kind_pages": pages(), "header": lines[0] if lines else "", "rows": rows,
        "resource": resource, "listings": LISTINGS, "wide": wide,
        "command": f"kubectl get {resource} -A" + (" -o wide" if wide else ""), "errors": result.errors,
        "implementation_specific": note,
    })


@login_required
def topology_get(request: HttpRequest, team: str, name: str, resource: str) -> HttpResponse:
    return render_listing(request, team, name, resource)

"""Pages: the topologies a user may see, and a topology's kubectl-style listings."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kubenet_site.semantics import kubectl_tables
from kubenet_site.semantics.ingress import IMPLEMENTATION_SPECIFIC_BEHAVIOUR
from services.queries import TopologyNotFound, get_topology, topologies_for

from .snapshot import build

LISTINGS = (("svc", "Services"), ("pods", "Pods"), ("ingress", "Ingresses"), ("netpol", "NetworkPolicies"))


@login_required
def topology_list(request: HttpRequest) -> HttpResponse:
    return render(request, "checks/topology_list.html", {"topologies": topologies_for(request.user)})


@login_required
def topology_detail(request: HttpRequest, team: str, name: str) -> HttpResponse:
    try:
        topology = get_topology(name, request.user, team=team)
    except TopologyNotFound as exc:
        raise Http404(str(exc)) from exc
    resource = request.GET.get("resource", "svc")
    if resource not in dict(LISTINGS):
        resource = "svc"
    wide = request.GET.get("o") == "wide"
    result = build(topology)
    listing = kubectl_tables.get(result.snapshot, resource, all_namespaces=True,
                                 output="wide" if wide else "", now=timezone.now())
    return render(request, "checks/topology_detail.html", {
        "topology": topology, "listing": listing, "resource": resource, "listings": LISTINGS, "wide": wide,
        "command": f"kubectl get {resource} -A" + (" -o wide" if wide else ""), "errors": result.errors,
        "implementation_specific": IMPLEMENTATION_SPECIFIC_BEHAVIOUR if resource == "ingress" else "",
    })

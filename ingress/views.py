"""Pages of Ingresses: `kubectl get ingress -A`, with how ImplementationSpecific paths match."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from kubenet_site.semantics.ingress import IMPLEMENTATION_SPECIFIC_BEHAVIOUR
from services.views import render_listing


@login_required
def ingress_get(request: HttpRequest, team: str, name: str) -> HttpResponse:
    return render_listing(request, team, name, "ingress", note=IMPLEMENTATION_SPECIFIC_BEHAVIOUR)

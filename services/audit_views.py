"""The audit log pages: a topology's changes (`.../changes/`, interfaces.md "Pages") and one
object's (`<object page>/changes/`, kept objects `others/<resource>/<ns>/<name>/changes/`):
who, when, which object, which fields with their values before and after; paginated and
filtered by user, kind, object and what happened."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import roles
from .audit import view_of
from .audit_filters import ChangeFilterSet
from .kinds import object_url, url_of
from .models import Change, Topology
from .object_views import KindView, base_context, filtered
from .other_views import other_or_404
from .views import topology_or_404

PER_PAGE = 25


def readable_topology(request: HttpRequest, team: str, name: str) -> Topology:
    """The topology when the user may read it (services.roles), else 404 as for another team's."""
    topology = topology_or_404(request, team, name)
    if not roles.allowed(request.user, topology.team, "read"):
        raise Http404(f'topology "{name}" not found in team "{team}"')
    return topology


def changes_page(request: HttpRequest, topology: Topology, *, label: str | None = None,
                 object_link: str = "", page=None) -> HttpResponse:
    """The changes of `topology` (of the object `label` when given), newest first."""
    queryset = Change.objects.filter(topology=topology).select_related("user").order_by("-revision", "-pk")
    if label is not None:
        queryset = queryset.filter(object=label)
    filterset = ChangeFilterSet(request.GET or None, queryset=queryset, topology=topology, fixed_object=label is not None)
    paginator = Paginator(filtered(filterset, queryset), PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = [(view_of(c), "" if label else url_of(topology, c.object)) for c in page_obj]
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = base_context(topology, page, nav="changes" if label is None else "", label=label,
                                           object_link=object_link, filter=filterset, page_obj=page_obj,
                                           rows=rows, query=query.urlencode())
    template = "services/_changes_table.html" if request.htmx else "services/changes.html"
    return render(request, template, context)


@login_required
def topology_changes(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    return changes_page(request, readable_topology(request, team, topology))


class ObjectChangesView(KindView):
    """`<kind>/<ns>/<name>/changes/`: kept after the object is deleted (its label is the address)."""

    def get(self, request: HttpRequest, **kwargs) -> HttpResponse:
        if not roles.allowed(request.user, self.topology.team, "read"):
            raise Http404("topology not found")
        ns = kwargs.get("namespace", "") if self.page.namespaced else ""
        label = f"{self.page.kind_name}/{ns}/{kwargs['name']}" if ns else f"{self.page.kind_name}/{kwargs['name']}"
        row = self.page.rows(self.topology).filter(namespace=ns, name=kwargs["name"]).first()
        if row is None and not Change.objects.filter(topology=self.topology, object=label).exists():
            raise Http404(f"{label} not found")
        if row is not None:
            row.topology = self.topology
        return changes_page(request, self.topology, label=label, object_link=object_url(row) if row else "",
                            page=self.page)


@login_required
def other_changes(request: HttpRequest, team: str, topology: str, resource: str, namespace: str,
                  name: str) -> HttpResponse:
    top = readable_topology(request, team, topology)
    row = other_or_404(top, resource, namespace, name)
    return changes_page(request, top, label=row.object_name, object_link=object_url(row))

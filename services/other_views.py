"""Objects kept verbatim (ConfigMaps, Deployments, assertions, custom resources): a table, the
YAML, the YAML editor, delete. Addressed by kubectl's qualified resource name."""

from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kubenet_site.semantics.manifests import ManifestError

from .audit import posted_revision
from .filtersets import OtherObjectFilterSet
from .kinds import CLUSTER_SCOPED_NS, object_url, pages, resource_of
from .models import OtherObject, Topology
from .object_views import (
    PER_PAGE,
    base_context,
    edit_state,
    filtered,
    manifest_yaml,
    parse_one,
    yaml_errors,
)
from .operations import ObjectRefused, delete_object, save_object
from .revisions import PreconditionFailed
from .tables import OtherObjectTable
from .views import topology_or_404


def other_or_404(topology: Topology, resource: str, namespace: str, name: str) -> OtherObject:
    namespace = "" if namespace == CLUSTER_SCOPED_NS else namespace
    for row in OtherObject.objects.filter(topology=topology, namespace=namespace, name=name):
        if resource_of(row) == resource:
            row.topology = topology
            return row
    raise Http404(f"{resource} {namespace + '/' if namespace else ''}{name} not found")


@login_required
def other_list(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    queryset = OtherObject.objects.filter(topology=top).select_related("topology__team")
    filterset = OtherObjectFilterSet(request.GET or None, queryset=queryset, topology=top)
    table = OtherObjectTable(filtered(filterset, queryset))
    tables.RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(request, "services/other_list.html", base_context(top, None, table=table, filter=filterset, nav="others"))


@login_required
def other_detail(request: HttpRequest, team: str, topology: str, resource: str, namespace: str,
                 name: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    row = other_or_404(top, resource, namespace, name)
    return render(request, "services/other_detail.html", base_context(
        top, None, row=row, yaml=manifest_yaml(row.manifest), resource=resource,
        yaml_url=object_url(row, "yaml"), delete_url=object_url(row, "delete"),
        changes_url=object_url(row, "changes")))


@login_required
def other_yaml(request: HttpRequest, team: str, topology: str, resource: str, namespace: str,
               name: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    row = other_or_404(top, resource, namespace, name)
    text, errors, conflict = manifest_yaml(row.manifest), [], None
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            saved = save_object(top, OtherObject, parse_one(text), row, user=request.user,
                                if_match=posted_revision(request.POST))
        except (ManifestError, ObjectRefused) as exc:
            errors = yaml_errors(exc)
        except PreconditionFailed as exc:  # changed since the editor was loaded: show both
            conflict = exc
        else:
            saved.topology = top
            messages.success(request, f"{saved.object_name} saved.")
            return redirect(object_url(saved))
    return render(request, "services/object_yaml.html", base_context(top, None, row=row, text=text, errors=errors,
                                                                     **edit_state(request, row, conflict)))


@login_required
def other_delete(request: HttpRequest, team: str, topology: str, resource: str, namespace: str,
                 name: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    row = other_or_404(top, resource, namespace, name)
    conflict = None
    if request.method == "POST":
        try:
            delete_object(row, user=request.user, if_match=posted_revision(request.POST))
        except PreconditionFailed as exc:  # changed since the page was loaded: confirm again
            conflict = exc
        else:
            messages.success(request, f"{row.object_name} deleted.")
            return redirect(reverse("other-list", args=[team, topology]))
    return render(request, "services/object_confirm_delete.html",
                  base_context(top, None, row=row, cancel_url=object_url(row), **edit_state(request, row, conflict)))


NEW_OTHER = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "", "namespace": "default"}, "data": {}}


@login_required
def other_add(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """A new kept object from YAML (a ConfigMap, a connectivity assertion, a custom resource);
    a kind kubenet models has its own page."""
    top = topology_or_404(request, team, topology)
    text, errors = manifest_yaml(NEW_OTHER), []
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        try:
            manifest = parse_one(text)
            modelled = next((p for p in pages() if p.kind_name == manifest.get("kind")), None)
            if modelled is not None:
                raise ManifestError(f"kubenet models {modelled.kind_name}: add it on its own page "
                                    f"({modelled.url(top, 'add')})", "kind")
            saved = save_object(top, OtherObject, manifest, user=request.user)
        except (ManifestError, ObjectRefused) as exc:
            errors = yaml_errors(exc)
        else:
            saved.topology = top
            messages.success(request, f"{saved.object_name} created.")
            return redirect(object_url(saved))
    return render(request, "services/object_yaml.html", base_context(top, None, row=None, text=text, errors=errors,
                                                                     new_title="New kept object"))

"""Topology pages that need every layer: the list (counts, latest run), create, clone, delete,
settings, the summary, import (preview, apply), export."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kubenet_site.semantics.answer_sets import declared_ports
from kubenet_site.semantics.diagnostics import diagnose
from kubenet_site.semantics.manifests import ManifestError, build_snapshot
from services import roles
from services.audit import REVISION_FIELD, conflict_context, object_etag, posted_revision
from services.filtersets import TopologyFilterSet
from services.kinds import pages, url_of
from services.models import OtherObject, Team, Topology, row_models
from services.object_views import base_context, manifest_yaml
from services.queries import topologies_for
from services.revisions import PreconditionFailed
from services.views import LISTINGS, topology_or_404

from .matrix_pages import heatmap
from .matrix_store import matrix_for
from .models import CheckRun
from .operations import (
    ImportRefused,
    create_topology,
    export_topology,
    import_manifests,
    save_topology,
    settings_document,
)
from .snapshot import build, topology_manifests
from .topology_forms import (
    CLUSTER_FIELDS,
    ImportForm,
    TopologyCloneForm,
    TopologyCreateForm,
    TopologySettingsForm,
)
from .web_import import apply_import, documents_of, preview_import


def teams_of(user) -> list[Team]:
    return list(Team.objects.all() if user.is_superuser else Team.objects.filter(memberships__user=user))


def summary_url(topology: Topology) -> str:
    return reverse("topology-summary", args=[topology.team.name, topology.name])


@login_required
def topology_list(request: HttpRequest) -> HttpResponse:
    latest = CheckRun.objects.filter(topology=OuterRef("pk")).order_by("-created", "-pk")
    filterset = TopologyFilterSet(request.GET or None, queryset=topologies_for(request.user))
    visible = filterset.qs if filterset.is_valid() else topologies_for(request.user)
    topologies = list(visible.annotate(
        run_id=Subquery(latest.values("pk")[:1]), run_status=Subquery(latest.values("status")[:1]),
        run_revision=Subquery(latest.values("revision")[:1])))
    counts: Counter = Counter()
    for model in row_models():
        for row in model.objects.filter(topology__in=topologies).values("topology").annotate(n=Count("pk")):
            counts[(row["topology"], model.__name__)] += row["n"]
    for t in topologies:
        t.object_count = sum(n for (pk, _), n in counts.items() if pk == t.pk)
        t.pod_count = counts[(t.pk, "Pod")]
        t.service_count = counts[(t.pk, "Service")]
    return render(request, "checks/topology_list.html", {"topologies": topologies, "teams": teams_of(request.user),
                                                         "filter": filterset})


@login_required
def topology_create(request: HttpRequest) -> HttpResponse:
    teams = teams_of(request.user)
    form = TopologyCreateForm(request.POST or None, teams=Team.objects.filter(pk__in=[t.pk for t in teams]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cluster = {f: form.instance.__dict__[f] if f not in data else data[f] for f in CLUSTER_FIELDS}
        cluster["ingress_controllers"] = cluster.get("ingress_controllers") or None
        try:
            topology = create_topology(data["team"], data["name"], data["description"], bootstrap=data["bootstrap"],
                                       user=request.user, node_resolv_conf=form.instance.node_resolv_conf, **cluster)
        except (ValidationError, ImportRefused) as exc:
            form.add_error(None, "; ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"Topology {topology.name} created.")
            return redirect(summary_url(topology))
    return render(request, "checks/topology_form.html", {"form": form, "title": "New topology"})


@login_required
def topology_clone(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    source = topology_or_404(request, team, topology)
    teams = Team.objects.filter(pk__in=[t.pk for t in teams_of(request.user)])
    form = TopologyCloneForm(request.POST or None, teams=teams,
                             initial={"team": source.team_id, "name": f"{source.name}-copy"})
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            clone = create_topology(form.cleaned_data["team"], form.cleaned_data["name"], source.description,
                                    bootstrap=False, user=request.user, **{f: getattr(source, f) for f in (
                                        *CLUSTER_FIELDS, "node_resolv_conf", "ingress_controller_pods")})
            manifests = topology_manifests(source)
            if manifests:
                import_manifests(clone, manifests, user=request.user)
        messages.success(request, f"Topology {source.name} cloned as {clone.name}.")
        return redirect(summary_url(clone))
    return render(request, "checks/topology_form.html", base_context(
        source, form=form, title=f"Clone {source.name}"))


@login_required
def topology_delete(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    if request.method == "POST":
        obj.delete()
        messages.success(request, f"Topology {obj.name} deleted.")
        return redirect(reverse("topology-list"))
    return render(request, "checks/topology_confirm_delete.html", base_context(obj))


@login_required
def topology_settings(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """The cluster block and the name. A change that makes objects invalid (a service CIDR that
    no longer holds the cluster IPs) is refused with those objects' errors."""
    obj = topology_or_404(request, team, topology)
    label = f"Topology/{obj.name}"  # the settings' change label, as stored (before the form renames)
    revision: int | str = posted_revision(request.POST) or object_etag(obj, label)
    conflict = None
    before = build(obj).errors
    form = TopologySettingsForm(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        candidate = form.instance
        known = {(e.object, e.field, e.message) for e in before}
        try:
            candidate.cluster_config()
            new = [e for e in build_snapshot(topology_manifests(obj), candidate.cluster_config()).errors
                   if (e.object, e.field, e.message) not in known]
        except ManifestError as exc:
            new = []
            form.add_error(None, f"{exc.where}: {exc.message}")
        for e in new:
            form.add_error(None, f"{e.object}: {e.field}: {e.message}")
        if not form.errors:
            form.instance.ingress_controllers = form.cleaned_data.get("ingress_controllers") or None
            try:
                save_topology(form.instance, user=request.user, if_match=posted_revision(request.POST),
                              object_label=label)
            except PreconditionFailed as exc:  # changed since the form was loaded: keep both versions
                obj.refresh_from_db()
                conflict = conflict_context(exc, manifest_yaml(settings_document(obj)))
                revision = exc.current
            else:
                messages.success(request, "Settings saved.")
                return redirect(reverse("topology-settings", args=[obj.team.name, obj.name]))
        obj.refresh_from_db()
    return render(request, "checks/topology_settings.html", base_context(
        obj, form=form, conflict=conflict, revision=revision, revision_field=REVISION_FIELD))


@login_required
def topology_summary(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    if "resource" in request.GET:
        return legacy_listing(request, team, topology)
    result = build(obj)
    snap = result.snapshot
    kinds = [(page, page.rows(obj).count()) for page in pages()]
    service_types = Counter(s.type for s in snap.services)
    findings = [(f, url_of(obj, f.object)) for f in result.errors + result.warnings + diagnose(snap)]
    others = OtherObject.objects.filter(topology=obj).count()
    latest = CheckRun.objects.filter(topology=obj).order_by("-created", "-pk").first()
    return render(request, "checks/topology_summary.html", base_context(
        obj, heat=namespace_heatmap(obj, snap, request.GET.get("heatmap_port")), kinds=kinds,
        service_types=sorted(service_types.items()), findings=findings, others=others, nav="summary", latest=latest,
        can_run=roles.allowed(request.user, obj.team, "write"),
        severities=sorted(Counter(f.severity for f, _ in findings).items()), listings=LISTINGS))


@login_required
def topology_import(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """Paste or upload; `preview` runs the import and rolls it back, `apply` keeps it."""
    obj = topology_or_404(request, team, topology)
    form = ImportForm(request.POST or None)
    preview = conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            sources = form.sources(request.FILES.getlist("files"))
        except ValidationError as exc:
            form.add_error(None, exc)
            sources = []
        if sources and request.POST.get("action") == "apply":
            try:
                summary, replaced = apply_import(obj, documents_of(sources), user=request.user,
                                                 if_match=posted_revision(request.POST))
            except (ManifestError, ImportRefused):
                preview = preview_import(obj, sources)  # show why, as the preview does
            except PreconditionFailed as exc:  # the topology changed since the preview: preview again
                obj.refresh_from_db()
                conflict = conflict_context(exc, "")
                preview = preview_import(obj, sources)
            else:
                messages.success(request, f"Imported: {len(summary.created)} added, {len(summary.updated)} updated"
                                 + (f", {len(replaced)} bootstrap objects replaced" if replaced else "") + ".")
                return redirect(summary_url(obj))
        elif sources:
            preview = preview_import(obj, sources)
            form = ImportForm(initial={"text": "\n---\n".join(sources)})
    # A preview carries the revision it was made at: Apply imports onto that state or says what changed.
    return render(request, "checks/topology_import.html", base_context(
        obj, form=form, preview=preview, conflict=conflict, revision=obj.revision, revision_field=REVISION_FIELD))


@login_required
def topology_export(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    response = HttpResponse(export_topology(obj), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{obj.name}.yaml"'
    return response


def legacy_listing(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """The former `?resource=` form of the listings redirects to `get/<resource>/`."""
    resource = request.GET.get("resource", "svc")
    url = reverse("topology-get", args=[team, topology, resource if resource in dict(LISTINGS) else "svc"])
    return redirect(url + ("?o=wide" if request.GET.get("o") == "wide" else ""))


def heat_style(share: float | None) -> str:
    """Light to dark blue with the share; text stays at WCAG AA (black on the light half, white
    on the dark one, no shade in between where neither would)."""
    if share is None:
        return ""
    pct = share * 100
    if pct <= 60:
        return f"background: hsl(210, 70%, {95 - 0.6 * pct:.0f}%); color: #000"
    return f"background: hsl(210, 70%, {42 - 0.15 * (pct - 60):.0f}%); color: #fff"


def namespace_heatmap(topology: Topology, snap, wanted: str | None) -> dict | None:
    """The namespace x namespace heatmap of one declared port's pods matrix (`?heatmap_port=80/TCP`,
    else the port most pods declare); None when no pod declares one."""
    ports = declared_ports(snap)
    if not ports:
        return None
    declaring = Counter(pp for pod in snap.pods
                        for pp in {(q.container_port, q.protocol) for c in pod.containers for q in c.ports})
    chosen = next((pp for pp in ports if f"{pp[0]}/{pp[1]}" == wanted),
                  max(ports, key=lambda pp: declaring[pp]))
    names, shares = heatmap(matrix_for(topology, "pods", *chosen).matrix)
    base = reverse("matrix-page", args=[topology.team.name, topology.name, "pods"])
    rows = [(a, [(b, share, None if share is None else round(share * 100), heat_style(share),
                  f"{base}?port={chosen[0]}&protocol={chosen[1]}&from={a}&to={b}") for b, share in zip(names, line, strict=True)])
            for a, line in zip(names, shares, strict=True)]
    return {"names": names, "rows": rows, "port": f"{chosen[0]}/{chosen[1]}",
            "ports": [f"{p}/{proto}" for p, proto in ports]}

"""The workloads page (interfaces.md "Pages": `.../workloads/` and
`.../workloads/<resource>/<ns>/<name>/`): each Deployment, ReplicaSet, StatefulSet, DaemonSet,
Job and CronJob with its pods, present or generated from it (derived by the engine, shown
read-only), and `replicas` edited as a change to the workload's own manifest."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from kubenet_site.semantics.types import Pod
from kubenet_site.semantics.workloads import WORKLOAD_KINDS, Presence, Workload, replicas

from . import hooks
from .audit import posted_revision
from .kinds import object_url, resource_of
from .models import OtherObject, Topology
from .object_views import base_context, edit_state
from .operations import ObjectRefused, save_object
from .revisions import PreconditionFailed
from .views import topology_or_404

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")  # the kinds with spec.replicas


@dataclass
class WorkloadRow:
    row: OtherObject
    resource: str
    workload: Workload
    pods: list[Pod] = field(default_factory=list)
    generated: set[str] = field(default_factory=set)  # keys of the pods derived from it

    @property
    def replicas(self) -> int | None:
        return replicas(self.workload) if self.workload.kind in SCALABLE else None

    @property
    def ready(self) -> int:
        return sum(1 for p in self.pods if p.ready)

    @property
    def url(self) -> str:
        top = self.row.topology
        return reverse("workload-detail", args=[top.team.name, top.name, self.resource, self.row.namespace,
                                                self.row.name])

    def pod_rows(self) -> list[dict[str, Any]]:
        return [{"pod": p, "generated": p.key in self.generated} for p in self.pods]


def workload_rows(topology: Topology) -> list[WorkloadRow]:
    """The topology's workloads in creation order, each with its pods."""
    rows = [r for r in OtherObject.objects.filter(topology=topology, kind_name__in=list(WORKLOAD_KINDS))
            .order_by("position", "pk") if WORKLOAD_KINDS.get(r.kind_name) == r.api_version and r.namespace]
    snap = hooks.topology_snapshot(topology).snapshot
    out = [WorkloadRow(r, resource_of(r), Workload(r.kind_name, r.namespace, r.name, r.manifest)) for r in rows]
    presence = Presence(snap.pods, [w.workload for w in out])
    for w in out:
        w.row.topology = topology
        label = w.workload.object_name
        w.generated = {p.key for p in snap.pods if snap.generated_by.get(f"Pod/{p.key}") == label}
        w.pods = [p for p in snap.pods if p.key in w.generated] or presence.pods_of(w.workload)
    return out


@login_required
def workload_list(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    return render(request, "services/workload_list.html",
                  base_context(top, None, workloads=workload_rows(top), nav="workloads"))


@login_required
def workload_detail(request: HttpRequest, team: str, topology: str, resource: str, namespace: str,
                    name: str) -> HttpResponse:
    top = topology_or_404(request, team, topology)
    found = next((w for w in workload_rows(top) if (w.resource, w.row.namespace, w.row.name) ==
                  (resource, namespace, name)), None)
    if found is None:
        raise Http404(f"{resource} {namespace}/{name} not found")
    errors: list[str] = []
    conflict: PreconditionFailed | None = None
    value = found.replicas
    if request.method == "POST" and found.workload.kind in SCALABLE:
        value = request.POST.get("replicas", "").strip()
        if not value.isdigit():
            errors.append(f"spec.replicas: Invalid value: {value!r}: must be a whole number, 0 or more")
        else:
            manifest = copy.deepcopy(found.row.manifest)
            manifest.setdefault("spec", {})["replicas"] = int(value)
            try:
                save_object(top, OtherObject, manifest, found.row, user=request.user,
                            if_match=posted_revision(request.POST))
            except ObjectRefused as exc:
                errors += [f"{e.field}: {e.message}" if e.field else e.message for e in exc.errors]
            except PreconditionFailed as exc:  # changed since the page was loaded: show both
                conflict = exc
            else:
                messages.success(request, f"{found.workload.object_name}: replicas {value}.")
                return redirect(found.url)
    return render(request, "services/workload_detail.html", base_context(
        top, None, w=found, errors=errors, nav="workloads", yaml_url=object_url(found.row), value=value,
        **edit_state(request, found.row, conflict),
        changes_url=object_url(found.row, "changes")))

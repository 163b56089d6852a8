"""Check-run pages (interfaces.md "Pages": `.../runs/`, `.../runs/<id>/`, `.../runs/<a>/diff/<b>/`).

Starting, cancelling and reading a run go through checks.runs (the only module that changes
a run's state); the page of an open run polls its progress partial until the run is final,
then reloads itself once to show the results. Each step links to its matrix page
(`.../matrices/<type>/`); the diff of two runs is checks.run_diff's (the diff engine's).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from services import roles
from services.kinds import url_of
from services.models import Topology
from services.object_views import base_context
from services.views import topology_or_404

from . import kinds, runs
from .check_command import check, load_objects
from .models import CheckRun
from .run_diff import diff_runs
from .steps import step_error

# A matrix step's key -> its page under `.../matrices/` (`policy/<port>/<proto>` -> pods).
MATRIX_PAGES = {"routing/ClusterIP": "clusterip", "routing/NodePort": "nodeport",
                "routing/LoadBalancer": "loadbalancer", "routing/ExternalName": "externalname",
                "ingress": "ingress"}


def topology_url(topology: Topology, rest: str = "") -> str:
    return reverse("topology-summary", args=[topology.team.name, topology.name]) + rest


def matrix_url(topology: Topology, key: str) -> str:
    """The matrix page a step's result is shown on, or ""."""
    if key in MATRIX_PAGES:
        return topology_url(topology, f"matrices/{MATRIX_PAGES[key]}/")
    kind, _, rest = key.partition("/")
    if kind == "policy" and rest.count("/") == 1:
        port, proto = rest.split("/")
        return topology_url(topology, f"matrices/pods/?port={port}&protocol={proto}")
    return ""


def require_editor(request: HttpRequest, topology: Topology, what: str) -> None:
    """Run starts and cancels need the editor role (services.roles), as in the REST API."""
    if not roles.allowed(request.user, topology.team, "write"):
        yours = roles.role(request.user, topology.team) or "none"
        raise PermissionDenied(f"{what} needs the editor role in team {topology.team.name} (yours: {yours})")


def run_of(topology: Topology, pk: int) -> CheckRun:
    return runs.refresh(get_object_or_404(CheckRun.objects.select_related("topology"), pk=pk, topology=topology))


@login_required
def run_list(request: HttpRequest, team: str, topology: str) -> HttpResponse:
    """The topology's runs; POST starts one (BrokerUnavailable: a clear message, no run)."""
    obj = topology_or_404(request, team, topology)
    if request.method == "POST":
        require_editor(request, obj, "starting a check run")
        try:
            run = runs.start_run(obj, request.POST.getlist("checks") or None, user=request.user)
        except runs.BrokerUnavailable as exc:
            messages.error(request, f"No check run was started: the task broker is not answering ({exc}). "
                                    "Start the broker (Redis) and a worker, then try again.")
            return redirect(topology_url(obj, "runs/"))
        except kinds.UnknownCheck as exc:
            messages.error(request, str(exc))
            return redirect(topology_url(obj, "runs/"))
        messages.success(request, f"Check run #{run.pk} started on revision {run.revision}.")
        return redirect(reverse("run-detail", args=[team, topology, run.pk]))
    all_runs = list(CheckRun.objects.filter(topology=obj).order_by("-created", "-pk")[:200])
    runs.reap([r for r in all_runs if not r.is_final])
    for r in all_runs:
        r.topology = obj
        r.previous = None
    for newer, older in zip(all_runs, all_runs[1:], strict=False):
        newer.previous = older
    return render(request, "checks/run_list.html", base_context(
        obj, nav="runs", runs=all_runs, check_kinds=kinds.CHECK_KINDS.values(),
        can_run=roles.allowed(request.user, obj.team, "write")))


def step_rows(run: CheckRun) -> list[dict[str, Any]]:
    """Each planned step: its key, stored or not, error, counts and matrix page."""
    stored = dict(run.steps.values_list("key", "value"))
    rows = []
    for lay in run.plan or []:
        key = lay["key"]
        value = stored.get(key)
        rows.append({"key": key, "done": key in stored, "error": step_error(value) if key in stored else None,
                     "summary": kinds.summarize_step(key, value) if key in stored else {},
                     "matrix": matrix_url(run.topology, key)})
    return rows


def run_findings(run: CheckRun) -> list[tuple[dict[str, Any], str]] | None:
    """The diagnostics step's findings, each with its object's page (None when the run did
    not store that step)."""
    value = run.steps.filter(key="diagnostics").values_list("value", flat=True).first()
    if not isinstance(value, list):
        return None
    return [(f, url_of(run.topology, str(f.get("object") or ""))) for f in value]


def run_assertions(run: CheckRun) -> list[dict[str, Any]]:
    """The connectivity assertions kept in the pinned objects, answered as `kubenet check` does."""
    loaded = load_objects((run.input or {}).get("manifests") or [], f"run #{run.pk}")
    if not loaded.assertions:
        return []
    return [a.as_dict() for a in check(loaded, (run.input or {}).get("cluster")).assertions]


@login_required
def run_detail(request: HttpRequest, team: str, topology: str, run: int) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    the_run = run_of(obj, run)
    compare = request.GET.get("compare", "")
    if compare.isdigit():  # the compare form: this run against another
        return redirect(reverse("run-diff", args=[team, topology, int(compare), the_run.pk]))
    final = the_run.is_final
    others = CheckRun.objects.filter(topology=obj).exclude(pk=the_run.pk).order_by("-created", "-pk")[:50]
    return render(request, "checks/run_detail.html", base_context(
        obj, nav="runs", run=the_run, steps=step_rows(the_run),
        findings=run_findings(the_run) if final else None,
        assertions=run_assertions(the_run) if final else [],
        others=others, can_run=roles.allowed(request.user, obj.team, "write")))


@login_required
def run_progress(request: HttpRequest, team: str, topology: str, run: int) -> HttpResponse:
    """The progress partial the page polls; once the run is final, the page reloads to its results."""
    obj = topology_or_404(request, team, topology)
    the_run = run_of(obj, run)
    response = render(request, "checks/_run_progress.html", {"run": the_run, "topology": obj})
    if the_run.is_final and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def run_cancel(request: HttpRequest, team: str, topology: str, run: int) -> HttpResponse:
    obj = topology_or_404(request, team, topology)
    the_run = run_of(obj, run)
    require_editor(request, obj, "cancelling a check run")
    if runs.cancel(the_run.pk, by=request.user.get_username()):
        messages.success(request, f"Check run #{the_run.pk} cancelled.")
    else:
        messages.info(request, f"Check run #{the_run.pk} had already finished ({the_run.status}).")
    return redirect(reverse("run-detail", args=[team, topology, the_run.pk]))


def cell_groups(topology: Topology, cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The diff's changed cells by matrix (type, port, protocol), each group with its matrix page."""
    groups: dict[tuple[str, Any, Any], dict[str, Any]] = {}
    for c in cells:
        kind = c.get("type") or ""
        key = (kind, c.get("port"), c.get("protocol")) if kind == "pods" else (kind, None, None)
        if key not in groups:
            url = topology_url(topology, f"matrices/{kind}/")
            title = kind
            if kind == "pods":
                url += f"?port={c.get('port')}&protocol={c.get('protocol')}"
                title = f"pods {c.get('port')}/{c.get('protocol')}"
            groups[key] = {"title": title, "matrix": url, "cells": []}
        groups[key]["cells"].append(c)
    return list(groups.values())


@login_required
def run_diff_page(request: HttpRequest, team: str, topology: str, a: int, b: int) -> HttpResponse:
    """What changed from run `a` to run `b`: matrix cells, endpoints, DNS, routes, findings, assertions."""
    obj = topology_or_404(request, team, topology)
    run_a, run_b = run_of(obj, a), run_of(obj, b)
    diff = diff_runs(run_a, run_b)
    empty = not any([diff["cells"], diff["endpoints"], diff["dns"], diff["routes"],
                     diff["findings"]["added"], diff["findings"]["removed"],
                     diff["assertions"]["broken"], diff["assertions"]["fixed"]])
    return render(request, "checks/run_diff.html", base_context(
        obj, nav="runs", a=run_a, b=run_b, diff=diff, groups=cell_groups(obj, diff["cells"]), empty=empty))

"""The matrix pages (`.../matrices/<type>/`, interfaces.md "Pages") and their htmx partials: a
row section opened or closed, a group's members shown or hidden, one cell's explanation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from kubenet_site.semantics.answer_sets import declared_ports
from services.models import Topology
from services.object_views import base_context
from services.views import topology_or_404

from .matrix_explain import explain
from .matrix_pages import (
    LEGEND,
    TITLES,
    Filters,
    Layout,
    column_heads_html,
    group_rows_html,
    section_body_html,
    shape,
    summarise,
)
from .matrix_store import MATRIX_TYPES, PROTOCOLS, MatrixRequestError, MatrixSource, matrix_for, parse_port
from .snapshot import build

KEPT_PARAMS = ("port", "protocol", "from", "to", "selector", "only", "open", "cols")


def matrix_url(topology: Topology, kind: str, view: str = "matrix-page", **params: Any) -> str:
    url = reverse(view, args=[topology.team.name, topology.name, kind])
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{url}?{query}" if query else url


def state(request: HttpRequest, **changes: Any) -> dict[str, Any]:
    """The page's query parameters, some changed."""
    out = {k: request.GET.get(k) for k in KEPT_PARAMS if request.GET.get(k) is not None}
    out.update(changes)
    return out


def load(request: HttpRequest, team: str, topology: str, kind: str,
         summaries: bool = True) -> tuple[Topology, MatrixSource, Layout]:
    obj = topology_or_404(request, team, topology)
    if kind not in MATRIX_TYPES:
        raise Http404(f"no matrix type {kind!r} (types: {', '.join(MATRIX_TYPES)})")
    port, protocol = parse_port(kind, request.GET.get("port"), request.GET.get("protocol"))
    source = matrix_for(obj, kind, port, protocol)
    filters = Filters.of(request.GET)
    labels = None
    if filters.requirements:
        labels = {p.key: dict(p.labels) for p in build(obj).snapshot.pods}
    layout = shape(source.matrix, kind, filters, request.GET.get("open"), request.GET.get("cols"), labels,
                   summaries)
    return obj, source, layout


def partial_urls(request: HttpRequest, obj: Topology, kind: str) -> tuple[str, str]:
    params = state(request)
    params.pop("open", None)
    rows = matrix_url(obj, kind, "matrix-rows", **params)
    members = matrix_url(obj, kind, "matrix-members", **params)
    return rows + ("&" if "?" in rows else "?") + "_=1", members + ("&" if "?" in members else "?") + "_=1"


def pod_ports(obj: Topology) -> list[tuple[int, str]]:
    """(port, protocol) the pods declare, in declared_ports' order (protocol, then port)."""
    return declared_ports(build(obj).snapshot)


@login_required
def matrix_page(request: HttpRequest, team: str, topology: str, kind: str) -> HttpResponse:
    if kind == "pods" and not request.GET.get("port"):
        obj = topology_or_404(request, team, topology)
        ports = pod_ports(obj)
        if ports:
            return redirect(matrix_url(obj, kind, **state(request, port=ports[0][0], protocol=ports[0][1])))
        return render(request, "checks/matrix.html", base_context(
            obj, nav=f"matrix-{kind}", kind=kind, title=TITLES[kind], types=TITLES, no_ports=True, legend=LEGEND))
    try:
        obj, source, layout = load(request, team, topology, kind)
    except MatrixRequestError as exc:
        return HttpResponseBadRequest(str(exc))
    rows_url, members_url = partial_urls(request, obj, kind)
    body = mark_safe("".join(section_body_html(layout, s, rows_url, members_url) for s in layout.rows))
    base = state(request)
    column_links = []
    for cs in layout.columns:
        names = {c.name for c in layout.columns if c.open} ^ {cs.name}
        cols = "*" if names >= {c.name for c in layout.columns} else ",".join(sorted(names)) or ","
        column_links.append((cs, matrix_url(obj, kind, **{**base, "cols": cols})))
    rsections = layout.row_sections
    context = base_context(
        obj, nav=f"matrix-{kind}", kind=kind, title=TITLES[kind], types=TITLES, layout=layout, source=source,
        body=body, column_heads=mark_safe(column_heads_html(layout)), column_links=column_links, legend=LEGEND, filters=layout.filters, row_sections=rsections,
        column_sections=layout.column_sections,
        ports=sorted({p for p, _ in pod_ports(obj)}) if kind == "pods" else [],
        port=request.GET.get("port", ""), protocols=PROTOCOLS,
        named_port=not (request.GET.get("port") or "1").isdigit(), protocol=(request.GET.get("protocol") or "TCP").upper(),
        cell_url=matrix_url(obj, kind, "matrix-cell", **{k: base[k] for k in ("port", "protocol") if k in base}),
        expand_all=matrix_url(obj, kind, **{**base, "open": "*", "cols": "*"}),
        collapse_all=matrix_url(obj, kind, **{**base, "open": ",", "cols": ","}),
        count_columns=sum(len(s.indices) for s in layout.columns),
        count_rows=sum(len(s.indices) for s in layout.rows))
    return render(request, "checks/matrix.html", context)


@login_required
def matrix_rows(request: HttpRequest, team: str, topology: str, kind: str) -> HttpResponse:
    """One row section's <tbody>, opened (`open=true`) or closed."""
    name = request.GET.get("section", "")
    want = request.GET.get("open") == "true"
    try:
        obj, _, layout = load(request, team, topology, kind, summaries=False)
    except MatrixRequestError as exc:
        return HttpResponseBadRequest(str(exc))
    section = next((s for s in layout.rows if s.name == name), None)
    if section is None:
        raise Http404(f"no row section {name!r}")
    section.open = want
    if not want:
        summarise(layout, section)
    rows_url, members_url = partial_urls(request, obj, kind)
    return HttpResponse(section_body_html(layout, section, rows_url, members_url))


@login_required
def matrix_members(request: HttpRequest, team: str, topology: str, kind: str) -> HttpResponse:
    """A group's row, with (`members=1`) or without its members' rows."""
    try:
        obj, _, layout = load(request, team, topology, kind, summaries=False)
    except MatrixRequestError as exc:
        return HttpResponseBadRequest(str(exc))
    row = request.GET.get("r", "")
    r = next((i for i, g in enumerate(layout.matrix.rows) if g.id == row), None)
    if r is None:
        raise Http404(f"no row {row!r}")
    _, members_url = partial_urls(request, obj, kind)
    return HttpResponse(group_rows_html(layout, r, members_url, request.GET.get("members") == "1"))


@login_required
def matrix_cell(request: HttpRequest, team: str, topology: str, kind: str) -> HttpResponse:
    """One cell's explanation (the dialog's content)."""
    obj = topology_or_404(request, team, topology)
    if kind not in MATRIX_TYPES:
        raise Http404(f"no matrix type {kind!r}")
    try:
        port, protocol = parse_port(kind, request.GET.get("port"), request.GET.get("protocol"))
    except MatrixRequestError as exc:
        return HttpResponseBadRequest(str(exc))
    source = matrix_for(obj, kind, port, protocol)
    try:
        e = explain(obj, source.matrix, request.GET.get("r", ""), request.GET.get("c", ""), request.GET.get("m", ""))
    except KeyError as exc:
        raise Http404(str(exc.args[0])) from exc
    return render(request, "checks/_matrix_cell.html", {"e": e, "source": source, "topology": obj, "kind": kind})

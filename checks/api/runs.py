"""Check runs and matrices over HTTP: start (202 + Location), list, status, results, cancel;
a topology's compressed matrices, from its latest run that is not stale, else computed once
and kept for that revision (interfaces.md, "REST API")."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from kubenet_site.semantics import matrix
from services.models import Topology
from services.queries import topologies_for

from .. import runs
from ..kinds import UnknownCheck
from ..models import CheckRun, KeptMatrix
from ..run_diff import diff_runs
from ..snapshot import build
from ..steps import matrix_from_json, matrix_json
from .base import ApiView, with_etag
from .errors import ApiError
from .schema import documented, paginated
from .serializers import CheckRunSerializer, RunStartSerializer, run_body

RUN_EXAMPLE = {"id": 7, "topology": 1, "revision": 3, "checks": ["endpoints", "routing"], "status": "running",
               "progress": {"done": 2, "total": 9, "step": "routing ClusterIP"}, "stale": False,
               "created": "2026-01-01T00:00:00Z", "started": "2026-01-01T00:00:01Z", "finished": None,
               "summary": [], "error": None, "url": "http://testserver/api/v1/runs/7/"}
# matrix type -> (run step key, engine function, Service type)
SERVICE_TYPES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
                 "externalname": "ExternalName"}
MATRIX_TYPES = (*SERVICE_TYPES, "ingress", "pods")


def run_location(run: CheckRun) -> str:
    return reverse("api-run", args=[run.pk]) + "/"


class TopologyRunsView(ApiView):
    parser_classes = [JSONParser]

    @documented("List the topology's check runs, newest first", operation_id="topologies_runs_list", responses={200: paginated(CheckRunSerializer)},
                examples=[OpenApiExample("a run", value=RUN_EXAMPLE, response_only=True)])
    def get(self, request, pk):
        topology = self.topology(pk)
        qs = CheckRun.objects.filter(topology=topology).select_related("topology").order_by("-created", "-pk")
        pager = LimitOffsetPagination()
        page = pager.paginate_queryset(qs, request, view=self)
        return pager.get_paginated_response([run_body(request, r) for r in page])

    @documented("Start a check run on the workers (202; Location: the run)", request=RunStartSerializer,
                responses={202: CheckRunSerializer}, examples=[
                    OpenApiExample("some kinds", value={"checks": ["endpoints", "routing"]}, request_only=True),
                    OpenApiExample("queued", value={**RUN_EXAMPLE, "status": "queued"}, response_only=True,
                                   status_codes=["202"])])
    def post(self, request, pk):
        topology = self.topology(pk, "write")
        body = request.data if request.data not in (None, "") else {}
        data = RunStartSerializer(data=body if isinstance(body, dict) else {"checks": "not a list"})
        data.is_valid(raise_exception=True)
        try:
            run = runs.start_run(topology, data.validated_data.get("checks") or None, user=request.user)
        except UnknownCheck as exc:
            raise ApiError(400, f"checks: {exc}", "checks") from exc
        except runs.BrokerUnavailable as exc:
            raise ApiError(503, str(exc), None) from exc
        response = Response(run_body(request, run), status=202)
        response["Location"] = run_location(run)
        return response


class RunView(ApiView):
    def run(self, run_id: Any, action: str = "read") -> CheckRun:
        try:
            number = int(run_id)
            if not 0 < number < 2**63:
                raise ValueError(run_id)
            run = CheckRun.objects.select_related("topology__team").get(
                pk=number, topology__in=topologies_for(self.request.user))
        except (CheckRun.DoesNotExist, ValueError):
            raise ApiError(404, f"run {run_id} not found", "run") from None
        self.require(run.topology, action)  # type: ignore[arg-type]
        return runs.refresh(run)


class RunDetailView(RunView):
    @documented("A check run: status, progress, summary", responses={200: CheckRunSerializer},
                examples=[OpenApiExample("running", value=RUN_EXAMPLE, response_only=True)])
    def get(self, request, run):
        return Response(run_body(request, self.run(run)))


class RunResultsView(RunView):
    @documented("A check run's results, by check kind", parameters=[
        OpenApiParameter("kind", str, description="Only this check kind (endpoints, dns, env, routing, ...).")],
        responses={200: OpenApiTypes.OBJECT}, examples=[OpenApiExample("endpoints", response_only=True, value={
            "endpoints": {"default/web": {"ports": {"80/TCP": {"ready": ["10.244.0.5:8080"]}}}}})])
    def get(self, request, run):
        found = self.run(run)
        results = found.results()
        kind = request.query_params.get("kind")
        if kind:
            if kind not in found.checks:
                raise ApiError(400, f"kind: this run did not check {kind!r} (it checked {', '.join(found.checks)})",
                               "kind")
            results = {kind: results.get(kind)}
        return Response(results)


class RunCancelView(RunView):
    @documented("Cancel a run (202; a finished run stays as it is)", request=None,
                responses={202: CheckRunSerializer},
                examples=[OpenApiExample("cancelled", value={**RUN_EXAMPLE, "status": "cancelled"},
                                         response_only=True, status_codes=["202"])])
    def post(self, request, run):
        found = self.run(run, "write")
        runs.cancel(found.pk, by=request.user.get_username())
        found.refresh_from_db()
        return Response(run_body(request, found), status=202)


class RunDiffView(RunView):
    @documented("What changed from run a to run b: matrix cells, endpoints, DNS answers, routes, findings, "
                "assertions (the `kubenet diff` JSON)", responses={200: OpenApiTypes.OBJECT}, examples=[
                    OpenApiExample("one cell", response_only=True, value={
                        "cells": [{"type": "clusterip", "port": 80, "protocol": "TCP", "row": "shop/frontend",
                                   "column": "shop/web:80/TCP", "member": None, "before": "reachable",
                                   "after": "blocked", "beforeTrace": [], "afterTrace": []}],
                        "endpoints": [], "dns": [], "routes": [], "findings": {"added": [], "removed": []},
                        "assertions": {"broken": [], "fixed": []}})])
    def get(self, request, run, other):
        return Response(diff_runs(self.run(run), self.run(other)))


def positive(params, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 0 < number <= 10**6:
        raise ApiError(400, f"{name}: a whole number from 1 to 1000000", name)
    return number


def matrix_key(kind: str, port: Any, protocol: str) -> str:
    if kind in SERVICE_TYPES:
        return f"routing/{SERVICE_TYPES[kind]}"
    if kind == "ingress":
        return "ingress"
    return f"policy/{port}/{protocol}"


def compute(topology: Topology, kind: str, port: Any, protocol: str) -> dict[str, Any]:
    """The matrix as a run's step computes it (kinds.plan_routing, plan_ingress, plan_policy)."""
    snap = build(topology).snapshot
    if kind == "pods":
        m = matrix.pod_matrix(snap, port, protocol)
    else:
        m = matrix.service_matrix(snap, kind if kind == "ingress" else SERVICE_TYPES[kind].lower(), protocol=None)
    return matrix_json(matrix.canonical(m))


class MatrixView(ApiView):
    @documented("A compressed matrix, paged by rows (CompressedMatrix.to_dict)", parameters=[
        OpenApiParameter("port", str, description="pods: the port (a number or a port name); required."),
        OpenApiParameter("protocol", str, enum=["TCP", "UDP", "SCTP"], description="pods: default TCP."),
        OpenApiParameter("page", int, description="1-based page of rows."),
        OpenApiParameter("page_size", int, description="Rows per page (default 100)."),
    ], responses={200: OpenApiTypes.OBJECT}, examples=[OpenApiExample("a page", response_only=True, value={
        "kind": "clusterip", "page": 1, "pageSize": 100, "totalRows": 1, "pages": 1,
        "columns": [{"id": "c0", "label": "default/web:80/TCP", "members": [], "kind": "service"}],
        "rows": [{"id": "r0", "label": "default/client", "members": ["default/client-1"], "kind": "pods"}],
        "cells": [[0]], "memberCells": {}, "verdicts": {"0": {"outcome": "reachable", "trace": [], "details": {}}},
        "run": 7, "revision": 3})])
    def get(self, request, pk, kind):
        topology = self.topology(pk)
        if kind not in MATRIX_TYPES:
            raise ApiError(404, f"no matrix type {kind!r} (types: {', '.join(MATRIX_TYPES)})", "type")
        params = request.query_params
        page, page_size = positive(params, "page", 1), positive(params, "page_size", 100)
        port: Any = None
        protocol = (params.get("protocol") or "TCP").upper()
        if kind == "pods":
            text = (params.get("port") or "").strip()
            if not text:
                raise ApiError(400, "port: the pods matrix needs a port (a number or a port name)", "port")
            port = int(text) if text.isdigit() else text
            if isinstance(port, int) and not 0 < port < 65536:
                raise ApiError(400, "port: a number from 1 to 65535 or a port name", "port")
            if protocol not in ("TCP", "UDP", "SCTP"):
                raise ApiError(400, "protocol: TCP, UDP or SCTP", "protocol")
        key = matrix_key(kind, port, protocol)
        value, run_id = self.stored(topology, key)
        if value is None:
            value = compute(topology, kind, port, protocol)
            try:
                with transaction.atomic():
                    KeptMatrix.objects.filter(topology=topology, revision__lt=topology.revision).delete()
                    KeptMatrix.objects.create(topology=topology, revision=topology.revision, key=key, value=value)
            except IntegrityError:
                pass  # another request kept the same matrix first
        body = matrix_from_json(value).to_dict(page=page, page_size=page_size)
        body.update({"run": run_id, "revision": topology.revision})
        return with_etag(Response(body), topology.revision)

    @staticmethod
    def stored(topology: Topology, key: str) -> tuple[dict[str, Any] | None, int | None]:
        """From the latest run of this revision that has it, else what was kept for it."""
        for run in CheckRun.objects.filter(topology=topology, revision=topology.revision).order_by("-created", "-pk"):
            step = run.steps.filter(key=key).first()
            if step is not None and isinstance(step.value, dict) and "cells" in step.value:
                return step.value, run.pk
        kept = KeptMatrix.objects.filter(topology=topology, revision=topology.revision, key=key).first()
        return (kept.value, None) if kept else (None, None)

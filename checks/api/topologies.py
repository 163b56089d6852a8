"""Topologies over HTTP: list, create (cluster block, bootstrap), read, patch, delete; import,
export and the change record (interfaces.md, "REST API")."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from kubenet_site.semantics.manifests import ManifestError, export_objects, export_yaml, load_documents
from services.api.serializers import ChangeSerializer
from services.models import Change, Membership, Team, Topology
from services.queries import topologies_for
from services.revisions import changes
from services.roles import allowed

from ..operations import (
    ImportRefused,
    create_topology,
    import_manifests,
    settings_document,
    update_topology,
)
from ..snapshot import build, topology_manifests
from .base import ApiView, with_etag
from .errors import ApiError, refused
from .parsers import DOCUMENT_PARSERS, PATCH_PARSERS, json_body, merge_patch, require_storable
from .schema import documented, paginated
from .serializers import (
    ImportSummarySerializer,
    TopologyCreateSerializer,
    TopologyPatchSerializer,
    TopologySerializer,
    topology_body,
)

TOPOLOGY_EXAMPLE = {"id": 1, "name": "demo", "team": "default", "description": "", "cluster": {
    "domain": "cluster.local", "serviceCIDR": "10.96.0.0/12", "podCIDR": "10.244.0.0/16",
    "nodePortRange": "30000-32767", "clusterDNS": ["10.96.0.10"],
    "nodeResolvConf": {"nameservers": ["10.0.0.2"], "searches": [], "options": []}, "ingressControllers": None},
    "revision": 3, "counts": {"namespaces": 4, "nodes": 1, "pods": 2, "services": 2, "endpoints": 0,
                              "endpointslices": 1, "ingressclasses": 0, "ingresses": 0, "networkpolicies": 0,
                              "others": 0},
    "latestRun": None, "url": "http://testserver/api/v1/topologies/1/"}
TEAM_PARAMS = [OpenApiParameter("team", str, description="Only this team's topologies."),
               OpenApiParameter("name", str, description="Only the topology of this name.")]


def validation_error(exc: ValidationError) -> ApiError:
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = "; ".join(m for e in errors for m in e.messages)
        where = None if field == "__all__" else field
    else:
        message, where = "; ".join(exc.messages), None
    return ApiError(400, f"{where}: {message}" if where else message, where)


class TopologyListView(ApiView):
    parser_classes = [JSONParser]

    @documented("List the topologies of your teams", operation_id="topologies_list", parameters=TEAM_PARAMS, responses={
        200: paginated(TopologySerializer)}, examples=[OpenApiExample("a page", value=TOPOLOGY_EXAMPLE,
                                                                      response_only=True)])
    def get(self, request):
        qs = topologies_for(request.user).order_by("team__name", "name")
        if request.query_params.get("team"):
            qs = qs.filter(team__name=request.query_params["team"])
        if request.query_params.get("name"):
            qs = qs.filter(name=request.query_params["name"])
        pager = LimitOffsetPagination()
        page = pager.paginate_queryset(qs, request, view=self)
        return pager.get_paginated_response([topology_body(request, t) for t in page])

    @documented("Create a topology (a new cluster unless bootstrap is false)", request=TopologyCreateSerializer,
                responses={201: TopologySerializer}, examples=[
                    OpenApiExample("create", request_only=True, value={
                        "name": "shop", "team": "default", "description": "the shop",
                        "cluster": {"serviceCIDR": "10.96.0.0/12"}, "bootstrap": True}),
                    OpenApiExample("created", response_only=True, status_codes=["201"], value=TOPOLOGY_EXAMPLE)])
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ApiError(400, "the body must be a JSON object {name, team, description, cluster, bootstrap}",
                           None)
        data = TopologyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        require_storable(dict(values))
        team = self.target_team(values.get("team"))
        try:
            columns = Topology.cluster_columns(values.get("cluster"))
            if Topology.objects.filter(team=team, name=values["name"]).exists():
                raise ApiError(400, f'name: team {team.name} already has a topology "{values["name"]}"', "name")
            topology = create_topology(team, values["name"], values.get("description") or "",
                                       bootstrap=values.get("bootstrap", True), user=request.user, **columns)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        except IntegrityError as exc:
            raise ApiError(400, f'name: team {team.name} already has a topology "{values["name"]}"', "name") from exc
        response = Response(topology_body(request, topology), status=201)
        response["Location"] = reverse("api-topology", args=[topology.pk]) + "/"
        return with_etag(response, topology.revision)

    def target_team(self, name: str | None) -> Team:
        user = self.request.user
        if name is None:
            teams = list(Team.objects.filter(memberships__user=user).distinct()[:2])
            if len(teams) != 1:
                raise ApiError(400, "team: name the team (you are in " +
                               ("no team" if not teams else "several teams") + ")", "team")
            team = teams[0]
        else:
            team = Team.objects.filter(name=name).first()
            if team is None and user.is_superuser:
                team = Team.objects.create(name=name)
            if team is None or not (user.is_superuser or Membership.objects.filter(team=team, user=user).exists()):
                raise ApiError(400, f"team: you are not in a team named {name!r}", "team")
        if not allowed(user, team, "write"):
            raise ApiError(403, f"creating a topology needs the editor role in team {team.name}", None)
        return team


class TopologyDetailView(ApiView):
    parser_classes = PATCH_PARSERS

    @documented("Read a topology", responses={200: TopologySerializer}, examples=[
        OpenApiExample("a topology", value=TOPOLOGY_EXAMPLE, response_only=True)])
    def get(self, request, pk):
        topology = self.topology(pk)
        return with_etag(Response(topology_body(request, topology)), topology.revision)

    @documented("Rename, describe or re-configure a topology (JSON or a JSON merge patch)",
                request={"application/merge-patch+json": TopologyPatchSerializer,
                         "application/json": TopologyPatchSerializer},
                responses={200: TopologySerializer}, examples=[
                    OpenApiExample("rename", request_only=True, value={"name": "shop-v2"}),
                    OpenApiExample("renamed", response_only=True, value=TOPOLOGY_EXAMPLE)],
                parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                                             description='"<revision>" or *')])
    def patch(self, request, pk):
        topology = self.topology(pk, "admin")
        patch = json_body(request.data)
        if not isinstance(patch, dict):
            raise ApiError(400, "the body must be a JSON object (name, description, cluster)", None)
        require_storable(patch)
        unknown = sorted(set(patch) - {"name", "description", "cluster"})
        if unknown:
            raise ApiError(400, f"{unknown[0]}: cannot be changed (name, description and cluster can)", unknown[0])
        current = settings_document(topology)
        merged = merge_patch(current, patch)
        data = TopologyPatchSerializer(data={k: v for k, v in merged.items() if k != "cluster"})
        data.is_valid(raise_exception=True)
        values: dict[str, Any] = dict(data.validated_data)
        if "cluster" in patch:
            if not isinstance(merged.get("cluster") or {}, dict):
                raise ApiError(400, "cluster: must be a mapping (the query document's cluster block)", "cluster")
            cluster = dict(merged.get("cluster") or {})
            defaults = Topology().cluster_document()  # what a key the patch removed returns to
            for key in set(current["cluster"]) - set(cluster):
                cluster[key] = defaults.get(key)
            values["cluster"] = cluster
        if values.get("name") and values["name"] != topology.name and \
                Topology.objects.filter(team=topology.team, name=values["name"]).exists():
            raise ApiError(400, f'name: team {topology.team.name} already has a topology "{values["name"]}"', "name")
        try:
            topology = update_topology(topology, user=request.user, if_match=self.if_match(), **values)
        except ValidationError as exc:
            raise validation_error(exc) from exc
        return with_etag(Response(topology_body(request, topology)), topology.revision)

    @documented("Delete a topology and everything in it", responses={204: OpenApiResponse(description="Deleted.")},
                parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                                             description='"<revision>" or *')])
    def delete(self, request, pk):
        topology = self.topology(pk, "admin")
        with transaction.atomic(), changes(topology, request.user, if_match=self.if_match()):
            topology.delete()
        return Response(status=204)


class ImportView(ApiView):
    parser_classes = DOCUMENT_PARSERS

    @documented("Import manifests (atomic: all or nothing)",
                request={"application/yaml": OpenApiTypes.STR, "application/json": OpenApiTypes.OBJECT},
                responses={200: ImportSummarySerializer}, examples=[
                    OpenApiExample("manifests", request_only=True, media_type="application/yaml",
                                   value="apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"),
                    OpenApiExample("summary", response_only=True, value={
                        "created": ["Namespace/shop"], "updated": [], "unchanged": [], "keptVerbatim": [],
                        "generated": [], "warnings": [], "warningDetails": [], "revision": 4})],
                parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                                             description='"<revision>" or *')])
    def post(self, request, pk):
        topology = self.topology(pk, "write")
        text = request.data if isinstance(request.data, str) else json.dumps(request.data)
        try:
            documents = load_documents(text)
            require_storable(documents)
            summary = import_manifests(topology, documents, user=request.user, if_match=self.if_match())
        except ManifestError as exc:
            raise ApiError(400, f"{exc.where}: {exc.message}" if exc.where else exc.message, exc.where) from exc
        except ImportRefused as exc:
            raise refused(exc.errors) from exc
        return with_etag(Response(summary.as_dict()), summary.revision)


class YAMLRenderer(BaseRenderer):
    media_type = "application/yaml"
    format = "yaml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode() if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False).encode()


class ExportView(ApiView):
    renderer_classes = [YAMLRenderer, JSONRenderer]

    @documented("Export the objects: YAML, or with Accept: application/json a kind: List",
                parameters=[OpenApiParameter("includeGenerated", bool,
                                             description="Add the pods derived from workloads.")],
                responses={(200, "application/yaml"): OpenApiResponse(
                    {"type": "array", "items": {"type": "object"}},
                    description="Multi-document YAML: one document per object."),
                    (200, "application/json"): OpenApiTypes.OBJECT},
                examples=[OpenApiExample("as JSON", response_only=True, media_type="application/json", value={
                    "apiVersion": "v1", "kind": "List", "items": [
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}]})])
    def get(self, request, pk):
        topology = self.topology(pk)
        items = topology_manifests(topology)
        if request.query_params.get("includeGenerated", "").lower() in ("true", "1", "yes"):
            stored = {(m.get("kind"), (m.get("metadata") or {}).get("namespace"), (m.get("metadata") or {}).get("name"))
                      for m in items}
            items += [dict(p.raw) for p in build(topology).snapshot.pods
                      if ("Pod", p.namespace, p.name) not in stored and p.raw]
        response = Response({"apiVersion": "v1", "kind": "List", "items": export_objects(items),
                             "metadata": {"resourceVersion": ""}}
                            if request.accepted_renderer.format == "json" else export_yaml(items))
        if request.accepted_renderer.format != "json":
            response["Content-Disposition"] = f'inline; filename="{topology.name}.yaml"'
        return with_etag(response, topology.revision)


class ChangeListView(ApiView):
    @documented("The change record: every write, oldest first", parameters=[
        OpenApiParameter("object", str, description="Only this object (Kind/namespace/name)."),
        OpenApiParameter("user", str, description="Only this user's changes."),
        OpenApiParameter("kind", str, description="Only changes of objects of this kind (Service, Topology, ...)."),
        OpenApiParameter("since", int, description="Only changes after this revision.")],
        responses={200: paginated(ChangeSerializer)}, examples=[OpenApiExample("a change", response_only=True, value={
            "object": "Service/shop/web", "revision": 5, "user": "alice", "time": "2026-01-01T00:00:00Z",
            "fields": ["spec.type"], "before": {"spec": {"type": "ClusterIP"}}, "after": {"spec": {"type": "NodePort"}}})])
    def get(self, request, pk):
        topology = self.topology(pk)
        qs = Change.objects.filter(topology=topology).select_related("user").order_by("revision", "pk")
        params = request.query_params
        if params.get("object"):
            qs = qs.filter(object=params["object"])
        if params.get("user"):
            qs = qs.filter(user__username=params["user"])
        if params.get("kind"):
            qs = qs.filter(object__startswith=f"{params['kind']}/")
        if params.get("since"):
            try:
                qs = qs.filter(revision__gt=int(params["since"]))
            except ValueError:
                raise ApiError(400, "since: must be a revision number", "since") from None
        pager = LimitOffsetPagination()
        page = pager.paginate_queryset(qs, request, view=self)
        return with_etag(pager.get_paginated_response([c.as_dict() for c in page]), topology.revision)

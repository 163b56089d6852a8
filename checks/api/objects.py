"""A topology's objects over HTTP, one set of addresses per kind, and kept objects by
kubectl's qualified resource name (interfaces.md, "REST API").

Bodies are the Kubernetes manifests themselves (JSON or YAML); PATCH takes a JSON merge patch
(RFC 7386). Every write goes through services.operations (save_object, delete_object), as the
pages' do: the engine validates it exactly as import does, and it lands in the change record.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from kubenet_site.semantics.manifests import CLUSTER_SCOPED, ManifestError, load_documents
from services.api.serializers import KubeObjectSerializer
from services.models import KubeObject, OtherObject, Topology
from services.operations import ObjectRefused, delete_object, save_object
from services.revisions import held, object_revisions

from ..registry import ApiKind, identity, manifest_resource, model_for, resource_of
from ..snapshot import build
from .base import ApiView, with_etag
from .errors import ApiError, refused
from .parsers import DOCUMENT_PARSERS, PATCH_PARSERS, json_body, merge_patch, require_storable
from .schema import documented, paginated

IF_MATCH = OpenApiParameter("If-Match", str, OpenApiParameter.HEADER,
                            description='"<revision>" (the ETag of a read) or *: 412 when the object changed since')
LIST_PARAMS = [
    OpenApiParameter("namespace", str, description="Only this namespace."),
    OpenApiParameter("labelSelector", str, description="kubectl's -l syntax: app=web,tier in (a,b),!canary"),
    OpenApiParameter("type", str, description="Services: the type; NetworkPolicies: the policy type."),
    OpenApiParameter("search", str, description="Part of a name (or namespace, address...)."),
    OpenApiParameter("includeGenerated", bool, description="Pods: add those derived from workloads (read-only)."),
    OpenApiParameter("ordering", str, description="name, namespace or position (creation order); - descends."),
]
MANIFEST_REQUEST = {"application/json": OpenApiTypes.OBJECT, "application/yaml": OpenApiTypes.STR}
SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
           "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
OBJECT_EXAMPLE = {"id": "Service/default/web", "revision": 4, "generated": False, "manifest": SERVICE}
ORDERINGS = {"name": ("name",), "namespace": ("namespace", "name"), "position": ("position",)}
TRUE = ("true", "1", "yes")


def selector_matches(text: str, labels: dict[str, str]) -> bool:
    from kubenet_site.semantics.labels import parse_selector_string, string_selects

    return string_selects(tuple(parse_selector_string(text)), labels)


def read_manifest(request) -> dict[str, Any]:
    """The one object a create or replace sends (JSON or YAML), read by the engine's reader."""
    text = request.data if isinstance(request.data, str) else json.dumps(request.data)
    try:
        docs = load_documents(text)
    except ManifestError as exc:
        raise ApiError(400, f"{exc.where}: {exc.message}" if exc.where else exc.message, exc.where) from exc
    if len(docs) != 1:
        raise ApiError(400, f"send one object (this body holds {len(docs)})", None)
    require_storable(docs[0])
    return docs[0]


def label_of(manifest: dict[str, Any]) -> str:
    _, kind, ns, name = identity(manifest)
    return f"{kind}/{ns}/{name}" if ns else f"{kind}/{name}"


class ObjectsMixin:
    """What the kind views and the kept-object views share."""

    def check_identity(self, manifest: dict[str, Any], *, kind: str | None, api_version: str | None,
                       namespace: str | None = None, name: str | None = None) -> None:
        if kind is not None and manifest.get("kind") != kind:
            raise ApiError(400, f"kind: must be {kind} at this address (got {manifest.get('kind')!r})", "kind")
        if api_version is not None and manifest.get("apiVersion") != api_version:
            raise ApiError(400, f"apiVersion: must be {api_version} (got {manifest.get('apiVersion')!r})",
                           "apiVersion")
        meta = manifest.get("metadata")
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not meta["name"]:
            raise ApiError(400, "metadata.name: Required value: name is required", "metadata.name")
        if name is not None and meta["name"] != name:
            raise ApiError(400, f"metadata.name: must be {name!r}, as the address says (got {meta['name']!r})",
                           "metadata.name")
        if namespace is not None and (meta.get("namespace") or namespace) != namespace:
            raise ApiError(400, f"metadata.namespace: must be {namespace!r}, as the address says", "metadata.namespace")

    def write(self, topology: Topology, model: type[KubeObject], manifest: dict[str, Any],
              row: KubeObject | None) -> KubeObject:
        try:
            return save_object(topology, model, manifest, row, user=self.request.user, if_match=self.if_match())
        except ObjectRefused as exc:
            raise refused(exc.errors) from exc

    def answer(self, topology: Topology, row: KubeObject, status: int = 200, location: str | None = None):
        revision = object_revisions(topology).get(row.object_name, 0)
        response = Response(KubeObjectSerializer.of_row(row, revision), status=status)
        if location:
            response["Location"] = location
        return with_etag(response, revision)

    def page(self, items: list[dict[str, Any]], topology: Topology):
        pager = LimitOffsetPagination()
        page = pager.paginate_queryset(items, self.request, view=self)
        return with_etag(pager.get_paginated_response(page), topology.revision)


class KindListView(ObjectsMixin, ApiView):
    api_kind: ApiKind
    parser_classes = DOCUMENT_PARSERS

    def get(self, request, pk):
        topology = self.topology(pk)
        qs = self.api_kind.rows(topology)
        params = request.query_params
        filterset = self.api_kind.filterset(params, queryset=qs, request=request)
        if not filterset.is_valid():
            field, errors = next(iter(filterset.errors.items()))
            raise ApiError(400, f"{field}: {'; '.join(errors)}", field)
        ordering = params.get("ordering") or "position"
        columns = ORDERINGS.get(ordering.lstrip("-"))
        if columns is None:
            raise ApiError(400, f"ordering: one of {', '.join(ORDERINGS)} (- descends)", "ordering")
        rows = filterset.qs.order_by(*(f"-{c}" if ordering.startswith("-") else c for c in columns), "pk")
        revisions = object_revisions(topology)
        items = [KubeObjectSerializer.of_row(r, revisions.get(r.object_name)) for r in rows]
        if self.api_kind.kind == "Pod" and params.get("includeGenerated", "").lower() in TRUE:
            items += self.generated(topology, params)
        return self.page(items, topology)

    def generated(self, topology: Topology, params) -> list[dict[str, Any]]:
        stored = set(self.api_kind.rows(topology).values_list("namespace", "name"))
        out = []
        for pod in build(topology).snapshot.pods:
            if (pod.namespace, pod.name) in stored:
                continue
            if params.get("namespace") and pod.namespace != params["namespace"]:
                continue
            if params.get("search") and params["search"].lower() not in f"{pod.namespace}/{pod.name}".lower():
                continue
            if params.get("labelSelector") and not selector_matches(params["labelSelector"], dict(pod.labels)):
                continue
            out.append(KubeObjectSerializer.of_generated(f"Pod/{pod.key}", dict(pod.raw), topology.revision))
        return out

    def post(self, request, pk):
        topology = self.topology(pk, "write")
        manifest = read_manifest(request)
        kind = self.api_kind
        self.check_identity(manifest, kind=kind.kind, api_version=kind.api_version)
        meta = manifest["metadata"]
        ns = (meta.get("namespace") or "default") if kind.namespaced else ""
        if kind.rows(topology).filter(namespace=ns, name=meta["name"]).exists():
            raise ApiError(409, f"{label_of(manifest)} already exists: PUT replaces it", "metadata.name")
        row = self.write(topology, kind.model, manifest, None)
        return self.answer(topology, row, 201, object_path(topology, kind.resource, row))


class KindDetailView(ObjectsMixin, ApiView):
    api_kind: ApiKind
    parser_classes = PATCH_PARSERS + DOCUMENT_PARSERS[1:]

    def find(self, topology: Topology, namespace: str, name: str) -> tuple[KubeObject | None, Any]:
        """(the stored row, None), or (None, the generated pod): a pod the engine derived from a
        workload is read-only; anything else absent is 404."""
        kind = self.api_kind
        row = kind.rows(topology).filter(namespace=namespace if kind.namespaced else "", name=name).first()
        if row is not None:
            return row, None
        if kind.kind == "Pod":
            pod = next((p for p in build(topology).snapshot.pods if (p.namespace, p.name) == (namespace, name)), None)
            if pod is not None:
                return None, pod
        where = f"{namespace}/{name}" if kind.namespaced else name
        raise ApiError(404, f"{kind.kind} {where} not found in topology {topology.pk}", None)

    def row(self, topology: Topology, namespace: str, name: str) -> KubeObject:
        """The stored row to write; 409 naming the workload for a generated pod."""
        row, pod = self.find(topology, namespace, name)
        if row is None:
            raise ApiError(409, f"Pod/{namespace}/{name} is generated from {workload_of(topology, pod)}: "
                                "change that workload", None)
        return row

    def get(self, request, pk, name, namespace=""):
        topology = self.topology(pk)
        row, pod = self.find(topology, namespace, name)
        if row is None:
            body = KubeObjectSerializer.of_generated(f"Pod/{pod.key}", dict(pod.raw), topology.revision)
            return with_etag(Response(body), topology.revision)
        return self.answer(topology, row)

    def put(self, request, pk, name, namespace=""):
        topology = self.topology(pk, "write")
        row = self.row(topology, namespace, name)
        manifest = read_manifest(request)
        kind = self.api_kind
        self.check_identity(manifest, kind=kind.kind, api_version=kind.api_version, name=name,
                            namespace=namespace if kind.namespaced else None)
        return self.answer(topology, self.write(topology, type(row), manifest, row))

    def patch(self, request, pk, name, namespace=""):
        topology = self.topology(pk, "write")
        self.row(topology, namespace, name)  # 404 before the body is read
        patch = json_body(request.data if isinstance(request.data, str) else json.dumps(request.data))
        if not isinstance(patch, dict):
            raise ApiError(400, "a JSON merge patch of the manifest must be a JSON object", None)
        require_storable(patch)
        with held(topology):  # the merge applies to the stored object: no write lands in between
            row = self.row(topology, namespace, name)
            manifest = merge_patch(row.manifest, patch)
            kind = self.api_kind
            self.check_identity(manifest, kind=kind.kind, api_version=kind.api_version, name=name,
                                namespace=namespace if kind.namespaced else None)
            return self.answer(topology, self.write(topology, type(row), manifest, row))

    def delete(self, request, pk, name, namespace=""):
        topology = self.topology(pk, "write")
        row = self.row(topology, namespace, name)
        delete_object(row, user=request.user, if_match=self.if_match())
        return Response(status=204)


def workload_of(topology: Topology, pod: Any) -> str:
    """The workload a generated pod comes from: its controller, or the Deployment that owns
    that controller (a Deployment's pods are owned by its ReplicaSet `<name>-<hash>`)."""
    owner = next((o for o in pod.owner_references if o.controller), None)
    if owner is None:
        return "a workload"
    if owner.kind == "ReplicaSet":
        deployment = owner.name.rpartition("-")[0]
        kept = OtherObject.objects.filter(topology=topology, kind_name="Deployment", namespace=pod.namespace,
                                          name=deployment)
        if deployment and kept.exists():
            return f"Deployment/{pod.namespace}/{deployment}"
    return f"{owner.kind}/{pod.namespace}/{owner.name}"


def object_path(topology: Topology, resource: str, row: KubeObject) -> str:
    parts = [row.namespace, row.name] if row.namespace else [row.name]
    return f"/api/v1/topologies/{topology.pk}/{resource}/" + "/".join(parts) + "/"


# Kept objects ---------------------------------------------------------------------------------

def kept_rows(topology: Topology, resource: str | None = None) -> list[OtherObject]:
    rows = OtherObject.objects.filter(topology=topology).order_by("position", "pk")
    return [r for r in rows if resource is None or resource_of(r) == resource]


class OtherListView(ObjectsMixin, ApiView):
    parser_classes = DOCUMENT_PARSERS

    def get(self, request, pk, resource=None):
        topology = self.topology(pk)
        params = request.query_params
        rows = kept_rows(topology, resource)
        if params.get("namespace"):
            rows = [r for r in rows if r.namespace == params["namespace"]]
        if params.get("search"):
            rows = [r for r in rows if params["search"].lower() in f"{r.kind_name}/{r.namespace}/{r.name}".lower()]
        if params.get("labelSelector"):
            rows = [r for r in rows if self.selects(params["labelSelector"], r.labels or {})]
        revisions = object_revisions(topology)
        return self.page([KubeObjectSerializer.of_row(r, revisions.get(r.object_name)) for r in rows], topology)

    @staticmethod
    def selects(text: str, labels: dict[str, str]) -> bool:
        from kubenet_site.semantics.labels import SelectorSyntaxError

        try:
            return selector_matches(text, labels)
        except SelectorSyntaxError as exc:
            raise ApiError(400, f"labelSelector: unable to parse requirement: {exc}", "labelSelector") from exc

    def post(self, request, pk, resource=None):
        topology = self.topology(pk, "write")
        manifest = read_manifest(request)
        self.check_identity(manifest, kind=None, api_version=None)
        if model_for(manifest) is not OtherObject:
            raise ApiError(400, f"kind: {manifest.get('kind')} is modelled: use its own address", "kind")
        got = manifest_resource(manifest)
        if resource is not None and got != resource:
            raise ApiError(400, f"kind: a {manifest.get('kind')} ({got}) does not belong under {resource}", "kind")
        label = label_of(manifest)
        if any(r.object_name == label for r in kept_rows(topology, got)):
            raise ApiError(409, f"{label} already exists: PUT replaces it", "metadata.name")
        row = self.write(topology, OtherObject, manifest, None)
        return self.answer(topology, row, 201, object_path(topology, f"others/{got}", row))


class OtherDetailView(ObjectsMixin, ApiView):
    parser_classes = PATCH_PARSERS + DOCUMENT_PARSERS[1:]

    def row(self, topology: Topology, resource: str, namespace: str, name: str) -> OtherObject:
        for r in kept_rows(topology, resource):
            if (r.namespace, r.name) == (namespace, name):
                return r
        raise ApiError(404, f"{resource} {namespace + '/' if namespace else ''}{name} not found", None)

    def get(self, request, pk, resource, name, namespace=""):
        topology = self.topology(pk)
        return self.answer(topology, self.row(topology, resource, namespace, name))

    def replace(self, topology: Topology, row: OtherObject, manifest: dict[str, Any]):
        self.check_identity(manifest, kind=row.kind_name, api_version=row.api_version, name=row.name)
        ns = str((manifest.get("metadata") or {}).get("namespace") or "")
        if ns != row.namespace and row.kind_name not in CLUSTER_SCOPED:
            raise ApiError(400, f"metadata.namespace: must be {row.namespace!r}, as the address says",
                           "metadata.namespace")
        return self.answer(topology, self.write(topology, type(row), manifest, row))

    def put(self, request, pk, resource, name, namespace=""):
        topology = self.topology(pk, "write")
        row = self.row(topology, resource, namespace, name)
        return self.replace(topology, row, read_manifest(request))

    def patch(self, request, pk, resource, name, namespace=""):
        topology = self.topology(pk, "write")
        self.row(topology, resource, namespace, name)  # 404 before the body is read
        patch = json_body(request.data if isinstance(request.data, str) else json.dumps(request.data))
        if not isinstance(patch, dict):
            raise ApiError(400, "a JSON merge patch of the manifest must be a JSON object", None)
        require_storable(patch)
        with held(topology):  # the merge applies to the stored object: no write lands in between
            row = self.row(topology, resource, namespace, name)
            return self.replace(topology, row, merge_patch(row.manifest, patch))

    def delete(self, request, pk, resource, name, namespace=""):
        topology = self.topology(pk, "write")
        row = self.row(topology, resource, namespace, name)
        delete_object(row, user=request.user, if_match=self.if_match())
        return Response(status=204)


def documented_views(resource: str, kind: str, namespaced: bool, prefix: str | None = None) -> tuple[dict, dict]:
    """drf-spectacular documentation of one kind's list and detail operations (`prefix`: explicit
    operation ids, for views served at two addresses)."""

    def doc(name: str, summary: str, **kw: Any) -> Any:
        return documented(summary, **({"operation_id": f"{prefix}_{name}"} if prefix else {}), **kw)

    example = {**OBJECT_EXAMPLE, "id": f"{kind}/default/x" if namespaced else f"{kind}/x"}
    listing = {
        "get": doc("list", f"List {resource}", parameters=LIST_PARAMS, responses={200: paginated(KubeObjectSerializer)},
                          examples=[OpenApiExample("one", value=example, response_only=True)]),
        "post": doc("create", f"Create one of {resource} (the manifest, JSON or YAML)", request=MANIFEST_REQUEST,
                           responses={201: KubeObjectSerializer}, extra_errors=(409,), examples=[
                               OpenApiExample("a manifest", value=SERVICE, request_only=True),
                               OpenApiExample("created", value=example, response_only=True, status_codes=["201"])]),
    }
    detail = {
        "get": doc("retrieve", f"Read one of {resource}", responses={200: KubeObjectSerializer},
                          examples=[OpenApiExample("one", value=example, response_only=True)]),
        "put": doc("update", f"Replace one of {resource}", request=MANIFEST_REQUEST, parameters=[IF_MATCH],
                          responses={200: KubeObjectSerializer}, extra_errors=(409,),
                          examples=[OpenApiExample("a manifest", value=SERVICE, request_only=True),
                                    OpenApiExample("replaced", value=example, response_only=True)]),
        "patch": doc("partial_update", f"Merge-patch one of {resource} (RFC 7386)", parameters=[IF_MATCH],
                            request={"application/merge-patch+json": OpenApiTypes.OBJECT,
                                     "application/json": OpenApiTypes.OBJECT},
                            responses={200: KubeObjectSerializer}, extra_errors=(409,),
                            examples=[OpenApiExample("a label", value={"metadata": {"labels": {"tier": "web"}}},
                                                     request_only=True),
                                      OpenApiExample("patched", value=example, response_only=True)]),
        "delete": doc("destroy", f"Delete one of {resource}", parameters=[IF_MATCH], extra_errors=(409,),
                             responses={204: OpenApiResponse(description="Deleted.")}),
    }
    return listing, detail

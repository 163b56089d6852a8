"""Which model row holds which Kubernetes kind (the only place that knows both apps)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ingress.models import Ingress, IngressClass
from kubenet_site.semantics import kube_kinds
from kubenet_site.semantics.kube_kinds import CLUSTER_SCOPED, resource_name
from services.kinds import KindPage, pages
from services.models import (
    EndpointSlice,
    KubeObject,
    Namespace,
    NetworkPolicy,
    Node,
    OtherObject,
    Pod,
    Service,
)

# (apiVersion group, kind) -> model. Group "" is core/v1.
MODELLED: dict[tuple[str, str], type[KubeObject]] = {
    ("", "Namespace"): Namespace,
    ("", "Node"): Node,
    ("", "Pod"): Pod,
    ("", "Service"): Service,
    ("", "Endpoints"): EndpointSlice,
    ("discovery.k8s.io", "EndpointSlice"): EndpointSlice,
    ("networking.k8s.io", "NetworkPolicy"): NetworkPolicy,
    ("networking.k8s.io", "IngressClass"): IngressClass,
    ("networking.k8s.io", "Ingress"): Ingress,
}


def group_of(api_version: str) -> str:
    return api_version.rpartition("/")[0] if "/" in api_version else ""


def model_for(manifest: dict) -> type[KubeObject]:
    key = (group_of(str(manifest.get("apiVersion", ""))), str(manifest.get("kind", "")))
    return MODELLED.get(key, OtherObject)


def identity(manifest: dict) -> tuple[str, str, str, str]:
    """(group, kind, namespace, name): what makes two manifests the same object."""
    meta = manifest.get("metadata") or {}
    kind = str(manifest.get("kind", ""))
    if kind in CLUSTER_SCOPED:  # the engine's list: the API server drops their namespace
        ns = ""
    elif model_for(manifest) is OtherObject:  # an unknown kind may be cluster-scoped
        ns = str(meta.get("namespace") or "")
    else:
        ns = str(meta.get("namespace") or "default")
    return (group_of(str(manifest.get("apiVersion", ""))), kind, ns, str(meta.get("name", "")))


@dataclass(frozen=True)
class ApiKind:
    """One kind's address in the REST API (`/api/v1/topologies/{id}/<resource>/`): a kind of
    services.kinds (the one registry the pages and the API share: slug, model, rows,
    FilterSet), with the apiVersion the engine models it at (kube_kinds.MODELLED)."""

    page: KindPage

    @property
    def resource(self) -> str:
        return self.page.slug

    @property
    def model(self) -> type[KubeObject]:
        return self.page.model

    @property
    def kind(self) -> str:
        return self.page.kind_name

    @property
    def api_version(self) -> str:
        return kube_kinds.MODELLED[self.kind][0]

    @property
    def namespaced(self) -> bool:
        return self.page.namespaced

    @property
    def filterset(self) -> Any:
        return self.page.filterset

    def rows(self, topology) -> QuerySet:
        return self.page.rows(topology)


def api_kinds() -> dict[str, ApiKind]:
    """Every modelled kind by its address segment, in the pages' order."""
    return {page.slug: ApiKind(page) for page in pages()}


def resource_of(row: OtherObject) -> str:
    """A kept object's resource as kubectl qualifies it (`configmaps`, `deployments.apps`,
    `certificates.cert-manager.io`): semantics.kube_kinds.resource_name."""
    return resource_name(row.kind_name, row.api_version)


def manifest_resource(manifest: dict) -> str:
    """resource_of for a manifest not yet stored."""
    return resource_name(str(manifest.get("kind", "")), str(manifest.get("apiVersion", "")))

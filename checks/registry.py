"""Which model row holds which Kubernetes kind (the only place that knows both apps)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from ingress.models import Ingress, IngressClass
from kubenet_site.semantics.kube_kinds import CLUSTER_SCOPED, resource_name
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
    """One kind's address in the REST API (`/api/v1/topologies/{id}/<resource>/`)."""

    resource: str
    model: type[KubeObject]
    kind: str
    api_version: str

    @property
    def namespaced(self) -> bool:
        return self.model.NAMESPACED

    def rows(self, topology) -> QuerySet:
        qs = self.model.objects.filter(topology=topology)
        if self.model is EndpointSlice:
            qs = qs.filter(kind_name=self.kind)
        return qs


API_KINDS: dict[str, ApiKind] = {k.resource: k for k in (
    ApiKind("namespaces", Namespace, "Namespace", "v1"),
    ApiKind("nodes", Node, "Node", "v1"),
    ApiKind("pods", Pod, "Pod", "v1"),
    ApiKind("services", Service, "Service", "v1"),
    ApiKind("endpoints", EndpointSlice, "Endpoints", "v1"),
    ApiKind("endpointslices", EndpointSlice, "EndpointSlice", "discovery.k8s.io/v1"),
    ApiKind("ingressclasses", IngressClass, "IngressClass", "networking.k8s.io/v1"),
    ApiKind("ingresses", Ingress, "Ingress", "networking.k8s.io/v1"),
    ApiKind("networkpolicies", NetworkPolicy, "NetworkPolicy", "networking.k8s.io/v1"),
)}


def resource_of(row: OtherObject) -> str:
    """A kept object's resource as kubectl qualifies it (`configmaps`, `deployments.apps`,
    `certificates.cert-manager.io`): semantics.kube_kinds.resource_name."""
    return resource_name(row.kind_name, row.api_version)


def manifest_resource(manifest: dict) -> str:
    """resource_of for a manifest not yet stored."""
    return resource_name(str(manifest.get("kind", "")), str(manifest.get("apiVersion", "")))

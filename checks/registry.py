"""Which model row holds which Kubernetes kind (the only place that knows both apps)."""

from __future__ import annotations

from ingress.models import Ingress, IngressClass
from kubenet_site.semantics.manifests import CLUSTER_SCOPED
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

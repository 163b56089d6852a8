"""The kinds kubenet models and how the API server names objects: one table each.

MODELLED: kind -> (the apiVersion kubenet models, the API resource name used in errors);
CLUSTER_SCOPED: kinds without a namespace (kubectl api-resources --namespaced=false);
`object_label`: the `Kind/ns/name` (or `Kind/name`) every finding names an object by.
"""

from __future__ import annotations

# kind -> (the apiVersion kubenet models, the API resource name used in errors)
MODELLED: dict[str, tuple[str, str]] = {
    "Namespace": ("v1", "namespaces"),
    "Node": ("v1", "nodes"),
    "Pod": ("v1", "pods"),
    "Service": ("v1", "services"),
    "Endpoints": ("v1", "endpoints"),
    "EndpointSlice": ("discovery.k8s.io/v1", "endpointslices.discovery.k8s.io"),
    "IngressClass": ("networking.k8s.io/v1", "ingressclasses.networking.k8s.io"),
    "Ingress": ("networking.k8s.io/v1", "ingresses.networking.k8s.io"),
    "NetworkPolicy": ("networking.k8s.io/v1", "networkpolicies.networking.k8s.io"),
}
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "IngressClass", "PersistentVolume", "StorageClass", "ClusterRole",
    "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "RuntimeClass", "CSIDriver",
    "CSINode", "VolumeAttachment", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "ServiceCIDR",
    "IPAddress", "ComponentStatus", "CertificateSigningRequest", "FlowSchema",
    "PriorityLevelConfiguration", "ClusterIssuer", "GatewayClass", "DeviceClass", "StorageVersion",
})


def resource_name(kind: str, api_version: str) -> str:
    """The API resource name errors use ("services", "ingresses.networking.k8s.io"); for a kind
    kubenet does not model, guessed as the API's lower-case plural."""
    if kind in MODELLED:
        return MODELLED[kind][1]
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    plural = kind.lower()
    plural = plural[:-1] + "ies" if plural.endswith("y") else plural + ("es" if plural.endswith("s") else "s")
    return f"{plural}.{group}" if group else plural


def object_label(kind: str, namespace: str | None, name: str) -> str:
    """`Kind/ns/name`, or `Kind/name` for an object without a namespace."""
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"

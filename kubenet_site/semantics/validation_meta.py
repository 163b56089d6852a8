"""Validation shared by every kind: the API server's constants, object metadata, labels and
selectors (apimachinery pkg/apis/meta/v1/validation ValidateLabels, ValidateLabelSelector;
pkg/apis/core/validation ValidateObjectMeta), and the metadata-only kinds Namespace and Node."""

from __future__ import annotations

from typing import Any

from .fielderrors import (
    FieldError,
    forbidden,
    invalid,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_cidr,
    is_valid_label_value,
    name_errors,
    required,
    too_long,
)

PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List(supportedPortProtocols), sorted
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
IP_FAMILIES = ("IPv4", "IPv6")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
# validateDNSPolicy lists these in its own order, not sorted.
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
LB_SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges"
PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
MAX_CLIENT_IP_TIMEOUT = 86400  # core.MaxClientIPServiceAffinitySeconds
MAX_DNS_NAMESERVERS = 3
MAX_DNS_SEARCH_PATHS = 32
MAX_DNS_SEARCH_CHARS = 2048

# Name checks per kind (ValidateObjectMeta's nameFn).
NAME_CHECKS = {
    "Service": is_dns1035_label,  # ValidateServiceName = NameIsDNS1035Label
    "Namespace": is_dns1123_label,  # ValidateNamespaceName = NameIsDNSLabel
}


def obj_dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def obj_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


# --- metadata and labels --------------------------------------------------------------------------

def validate_labels(labels: dict[str, str] | None, path: str) -> list[FieldError]:
    """meta/v1/validation ValidateLabels: the path is the map's, not the key's."""
    errs: list[FieldError] = []
    for k, v in (labels or {}).items():
        errs += [invalid(path, k, m) for m in is_qualified_name(k)]
        errs += [invalid(path, v, m) for m in is_valid_label_value(v)]
    return errs


def validate_annotations(annotations: dict[str, str] | None, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    total = 0
    for k, v in (annotations or {}).items():
        errs += [invalid(path, k, m) for m in is_qualified_name(k.lower())]
        total += len(k) + len(v)
    if total > 256 * 1024:  # TotalAnnotationSizeLimitB
        errs.append(too_long(path, 256 * 1024))
    return errs


def validate_object_meta(meta: dict[str, Any], kind: str, namespaced: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    name = meta.get("name") or ""
    check = NAME_CHECKS.get(kind, is_dns1123_subdomain)
    if not name:
        errs.append(required("metadata.name", "name or generateName is required"))
    else:
        errs += name_errors("metadata.name", name, check)
    ns = meta.get("namespace") or ""
    if namespaced:
        if not ns:
            errs.append(required("metadata.namespace"))
        else:
            errs += name_errors("metadata.namespace", ns, is_dns1123_label)
    elif ns:
        errs.append(forbidden("metadata.namespace", "not allowed on this type"))
    errs += validate_labels(meta.get("labels"), "metadata.labels")
    errs += validate_annotations(meta.get("annotations"), "metadata.annotations")
    return errs


def validate_label_selector(sel: dict[str, Any] | None, path: str) -> list[FieldError]:
    """meta/v1/validation ValidateLabelSelector."""
    if sel is None:
        return []
    errs = validate_labels(sel.get("matchLabels"), f"{path}.matchLabels")
    for i, req in enumerate(obj_list(sel.get("matchExpressions"))):
        rp = f"{path}.matchExpressions[{i}]"
        req = obj_dict(req)
        op, values = req.get("operator") or "", obj_list(req.get("values"))
        if op in ("In", "NotIn"):
            if not values:
                errs.append(required(f"{rp}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(f"{rp}.values",
                                      "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{rp}.operator", op, "not a valid selector operator"))
        errs += [invalid(f"{rp}.key", req.get("key") or "", m) for m in is_qualified_name(req.get("key") or "")]
    return errs


# --- Namespace, Node, endpoints ---------------------------------------------------------------------

def validate_namespace(obj: dict[str, Any]) -> list[FieldError]:
    return validate_object_meta(obj_dict(obj.get("metadata")), "Namespace", False)


def validate_node(obj: dict[str, Any]) -> list[FieldError]:
    errs = validate_object_meta(obj_dict(obj.get("metadata")), "Node", False)
    spec = obj_dict(obj.get("spec"))
    for i, c in enumerate(obj_list(spec.get("podCIDRs"))):
        errs += is_valid_cidr(f"spec.podCIDRs[{i}]", c)
    return errs

"""The API server's validation of the kinds kubenet models, over defaulted manifests: the
registry of one validator per kind (validation_meta, _service, _pod, _endpoints, _networking).

Each function returns FieldErrors in the order upstream appends them. Sources:
pkg/apis/core/validation/validation.go (ValidateObjectMeta, ValidateService,
ValidateServiceClusterIPsRelatedFields, validateServicePort, validateServiceExternalTrafficPolicy,
validateContainerPorts, validatePodDNSConfig, ValidateNamespace, ValidateNode,
ValidateEndpoints), pkg/apis/networking/validation/validation.go (ValidateNetworkPolicy,
ValidateIngress, ValidateIngressClass), pkg/apis/discovery/validation (ValidateEndpointSlice),
apimachinery pkg/apis/meta/v1/validation (ValidateLabels, ValidateLabelSelector).
Inputs have passed decoding.type_errors, so present fields have the right JSON types.
"""

from __future__ import annotations

from .validation_endpoints import validate_endpoint_slice, validate_endpoints
from .validation_meta import validate_namespace, validate_node
from .validation_networking import validate_ingress, validate_ingress_class, validate_network_policy
from .validation_pod import validate_pod
from .validation_service import needs_health_check, validate_cluster_ips_related, validate_service

# kind -> its validator; each returns FieldErrors in the order upstream appends them.
VALIDATORS = {
    "Namespace": validate_namespace,
    "Node": validate_node,
    "Pod": validate_pod,
    "Service": validate_service,
    "EndpointSlice": validate_endpoint_slice,
    "Endpoints": validate_endpoints,
    "NetworkPolicy": validate_network_policy,
    "IngressClass": validate_ingress_class,
    "Ingress": validate_ingress,
}


__all__ = ["VALIDATORS", "needs_health_check", "validate_cluster_ips_related"]

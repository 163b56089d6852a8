"""Type-checks the fields kubenet reads before anything else looks at them.

The API server decodes JSON into Go structs first; a string where a list belongs never reaches
validation ("cannot unmarshal string into Go struct field ... of type []v1.ServicePort"). This
module walks an object against a light schema of the fields kubenet models and reports each
wrong type with its field path, so later stages may trust the types. `null` counts as absent
(Go's nil), unknown fields are ignored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .fielderrors import FieldError, invalid

WRONG_TYPE = "wrong-type"  # the refusal code of a field the API server cannot decode

# Schema leaves: "str", "int", "bool", "intstr" (int or string), "strmap" (map[string]string),
# "time" (RFC 3339 string), "any". A dict is an object, a one-element list a list of that.
META: dict[str, Any] = {
    "name": "str", "generateName": "str", "namespace": "str", "labels": "strmap",
    "annotations": "strmap", "creationTimestamp": "time", "deletionTimestamp": "time",
    "ownerReferences": [{"apiVersion": "str", "kind": "str", "name": "str", "controller": "bool"}],
}
SELECTOR: dict[str, Any] = {
    "matchLabels": "strmap",
    "matchExpressions": [{"key": "str", "operator": "str", "values": ["str"]}],
}
LB_STATUS: dict[str, Any] = {"ingress": [{"ip": "str", "hostname": "str", "ipMode": "str"}]}
CONTAINER: dict[str, Any] = {
    "name": "str", "image": "str", "restartPolicy": "str",
    "ports": [{"name": "str", "containerPort": "int", "hostPort": "int", "protocol": "str", "hostIP": "str"}],
    "env": [{"name": "str", "value": "str", "valueFrom": "any"}],
}
POD_DNS_CONFIG: dict[str, Any] = {
    "nameservers": ["str"], "searches": ["str"], "options": [{"name": "str", "value": "str"}],
}
BACKEND: dict[str, Any] = {
    "service": {"name": "str", "port": {"name": "str", "number": "int"}},
    "resource": {"apiGroup": "str", "kind": "str", "name": "str"},
}
PEER: dict[str, Any] = {
    "podSelector": SELECTOR, "namespaceSelector": SELECTOR,
    "ipBlock": {"cidr": "str", "except": ["str"]},
}
NP_PORT: dict[str, Any] = {"protocol": "str", "port": "intstr", "endPort": "int"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Namespace": {"metadata": META},
    "Node": {
        "metadata": META,
        "spec": {"podCIDR": "str", "podCIDRs": ["str"]},
        "status": {"addresses": [{"type": "str", "address": "str"}]},
    },
    "Pod": {
        "metadata": META,
        "spec": {
            "containers": [CONTAINER], "initContainers": [CONTAINER], "nodeName": "str",
            "hostname": "str", "subdomain": "str", "hostNetwork": "bool", "dnsPolicy": "str",
            "dnsConfig": POD_DNS_CONFIG, "enableServiceLinks": "bool",
        },
        "status": {
            "phase": "str", "podIP": "str", "podIPs": [{"ip": "str"}], "hostIP": "str",
            "conditions": [{"type": "str", "status": "str"}],
        },
    },
    "Service": {
        "metadata": META,
        "spec": {
            "type": "str", "clusterIP": "str", "clusterIPs": ["str"], "ipFamilies": ["str"],
            "ipFamilyPolicy": "str", "selector": "strmap", "externalName": "str", "externalIPs": ["str"],
            "externalTrafficPolicy": "str", "internalTrafficPolicy": "str", "healthCheckNodePort": "int",
            "sessionAffinity": "str", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": "int"}},
            "loadBalancerSourceRanges": ["str"], "loadBalancerClass": "str", "loadBalancerIP": "str",
            "publishNotReadyAddresses": "bool", "allocateLoadBalancerNodePorts": "bool",
            "trafficDistribution": "str",
            "ports": [{"name": "str", "port": "int", "targetPort": "intstr", "nodePort": "int",
                       "protocol": "str", "appProtocol": "str"}],
        },
        "status": {"loadBalancer": LB_STATUS},
    },
    "EndpointSlice": {
        "metadata": META, "addressType": "str",
        "endpoints": [{
            "addresses": ["str"], "hostname": "str", "nodeName": "str", "zone": "str", "targetRef": "any",
            "conditions": {"ready": "bool", "serving": "bool", "terminating": "bool"},
        }],
        "ports": [{"name": "str", "port": "int", "protocol": "str", "appProtocol": "str"}],
    },
    "Endpoints": {
        "metadata": META,
        "subsets": [{
            "addresses": [{"ip": "str", "hostname": "str", "nodeName": "str", "targetRef": "any"}],
            "notReadyAddresses": [{"ip": "str", "hostname": "str", "nodeName": "str", "targetRef": "any"}],
            "ports": [{"name": "str", "port": "int", "protocol": "str", "appProtocol": "str"}],
        }],
    },
    "IngressClass": {"metadata": META, "spec": {"controller": "str", "parameters": {
        "apiGroup": "str", "kind": "str", "name": "str", "scope": "str", "namespace": "str"}}},
    "Ingress": {
        "metadata": META,
        "spec": {
            "ingressClassName": "str", "defaultBackend": BACKEND,
            "tls": [{"hosts": ["str"], "secretName": "str"}],
            "rules": [{"host": "str", "http": {"paths": [{"path": "str", "pathType": "str",
                                                          "backend": BACKEND}]}}],
        },
        "status": {"loadBalancer": LB_STATUS},
    },
    "NetworkPolicy": {
        "metadata": META,
        "spec": {
            "podSelector": SELECTOR, "policyTypes": ["str"],
            "ingress": [{"from": [PEER], "ports": [NP_PORT]}],
            "egress": [{"to": [PEER], "ports": [NP_PORT]}],
        },
    },
}

_GO_KIND = {"str": "string", "int": "integer", "bool": "boolean", "time": "string"}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else _type_name(value)


def _check(value: Any, schema: Any, path: str, errs: list[FieldError]) -> None:
    if value is None or schema == "any":
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            errs.append(invalid(path, _short(value), f"expected object, got {_type_name(value)}", WRONG_TYPE))
            return
        for key, sub in schema.items():
            if key in value:
                _check(value[key], sub, f"{path}.{key}" if path else key, errs)
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            errs.append(invalid(path, _short(value), f"expected array, got {_type_name(value)}", WRONG_TYPE))
            return
        for i, item in enumerate(value):
            _check(item, schema[0], f"{path}[{i}]", errs)
        return
    if schema == "strmap":
        if not isinstance(value, dict):
            errs.append(invalid(path, _short(value), f"expected object, got {_type_name(value)}", WRONG_TYPE))
            return
        for k, v in value.items():
            if not isinstance(v, str):
                errs.append(invalid(f"{path}.{k}", _short(v),
                                    f"expected string, got {_type_name(v)} (quote it in YAML)", WRONG_TYPE))
        return
    ok = {
        "str": isinstance(value, str),
        "time": isinstance(value, str | datetime),  # YAML parses unquoted timestamps
        "int": isinstance(value, int) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "intstr": isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)),
    }[schema]
    if not ok:
        want = "integer or string" if schema == "intstr" else _GO_KIND[schema]
        errs.append(invalid(path, _short(value), f"expected {want}, got {_type_name(value)}", WRONG_TYPE))


def type_errors(obj: dict[str, Any], kind: str) -> list[FieldError]:
    """Every field of a modelled kind whose JSON type the API server could not decode."""
    errs: list[FieldError] = []
    schema = SCHEMAS.get(kind, {"metadata": META})
    _check(obj, schema, "", errs)
    return errs

"""The API server's defaults, applied to a deep copy of a manifest before validation.

Sources: pkg/apis/core/v1/defaults.go (SetDefaults_Service, SetDefaults_Pod, SetDefaults_PodSpec,
SetDefaults_ContainerPort, SetDefaults_Endpoints), pkg/apis/networking/v1/defaults.go
(SetDefaults_NetworkPolicy), pkg/apis/discovery/v1/defaults.go (EndpointPort protocol) and the
Service strategy's normalizeClusterIPs (pkg/registry/core/service/strategy.go).
Only fields the type check accepted are touched, so every access here is type-safe.
"""

from __future__ import annotations

import copy
from typing import Any

DEFAULT_CLIENT_IP_TIMEOUT = 10800  # v1.DefaultClientIPServiceAffinitySeconds


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = {}
        obj["spec"] = spec
    return spec


def externally_accessible(spec: dict[str, Any]) -> bool:
    """pkg/api/service/util.go ExternallyAccessible."""
    t = spec.get("type")
    return t in ("LoadBalancer", "NodePort") or (t == "ClusterIP" and bool(spec.get("externalIPs")))


def default_service(obj: dict[str, Any]) -> None:
    spec = _spec(obj)
    # defaults.go SetDefaults_Service
    if not spec.get("sessionAffinity"):
        spec["sessionAffinity"] = "None"
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    if spec["sessionAffinity"] == "ClientIP":
        cfg = spec.get("sessionAffinityConfig") or {}
        client = cfg.get("clientIP") or {}
        if client.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_TIMEOUT}}
    if not spec.get("type"):
        spec["type"] = "ClusterIP"
    for p in spec.get("ports") or ():
        if not isinstance(p, dict):
            continue
        if not p.get("protocol"):
            p["protocol"] = "TCP"
        if p.get("targetPort") in (None, 0, ""):
            p["targetPort"] = p.get("port", 0)
    if externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and spec["type"] in ("NodePort", "LoadBalancer", "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    # strategy.go normalizeClusterIPs (create): clusterIP and clusterIPs[0] kept in step.
    cip, cips = spec.get("clusterIP") or "", spec.get("clusterIPs") or []
    if cip and not cips:
        spec["clusterIPs"] = [cip]
    elif not cip and cips:
        spec["clusterIP"] = cips[0]


def _default_containers(containers: Any, host_network: bool) -> None:
    for c in containers or ():
        if not isinstance(c, dict):
            continue
        for port in c.get("ports") or ():
            if not isinstance(port, dict):
                continue
            if not port.get("protocol"):
                port["protocol"] = "TCP"  # SetDefaults_ContainerPort
            if host_network and not port.get("hostPort"):
                port["hostPort"] = port.get("containerPort", 0)  # defaultHostNetworkPorts


def default_pod(obj: dict[str, Any]) -> None:
    spec = _spec(obj)
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"  # SetDefaults_PodSpec
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True  # SetDefaults_Pod: v1.DefaultEnableServiceLinks
    host_network = bool(spec.get("hostNetwork"))
    _default_containers(spec.get("containers"), host_network)
    _default_containers(spec.get("initContainers"), host_network)


def default_network_policy(obj: dict[str, Any]) -> None:
    spec = _spec(obj)
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or ():
            for port in (rule or {}).get("ports") or ():
                if isinstance(port, dict) and not port.get("protocol"):
                    port["protocol"] = "TCP"
    if spec.get("podSelector") is None:
        spec["podSelector"] = {}  # the zero LabelSelector: selects every pod of the namespace
    if not spec.get("policyTypes"):
        # SetDefaults_NetworkPolicy: Ingress always, Egress when there are egress rules.
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def default_endpoint_ports(ports: Any) -> None:
    for p in ports or ():
        if isinstance(p, dict) and not p.get("protocol"):
            p["protocol"] = "TCP"


def default_endpoint_slice(obj: dict[str, Any]) -> None:
    default_endpoint_ports(obj.get("ports"))


def default_endpoints(obj: dict[str, Any]) -> None:
    for subset in obj.get("subsets") or ():
        if isinstance(subset, dict):
            default_endpoint_ports(subset.get("ports"))


DEFAULTERS = {
    "Service": default_service,
    "Pod": default_pod,
    "NetworkPolicy": default_network_policy,
    "EndpointSlice": default_endpoint_slice,
    "Endpoints": default_endpoints,
}


def with_defaults(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """A deep copy of `obj` with the API server's defaults for `kind` applied."""
    out = copy.deepcopy(obj)
    fn = DEFAULTERS.get(kind)
    if fn:
        fn(out)
    return out

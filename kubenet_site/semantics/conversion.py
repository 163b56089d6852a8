"""Defaulted, validated manifests -> the engine's frozen dataclasses (types.py).

Every function takes the defaulted copy (`obj`), the original manifest (`raw`, kept verbatim for
export) and the creation time the build decided on. Readiness follows the Ready condition
(interfaces.md: none means not ready); an init container with restartPolicy Always is a
sidecar (KEP-753, pod lifecycle docs); a legacy Endpoints object becomes an EndpointSlice the
way the EndpointSliceMirroring controller mirrors it (pkg/controller/endpointslicemirroring).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from .labels import parse_selector
from .types import (
    Container,
    ContainerPort,
    EndpointSlice,
    EnvVar,
    Ingress,
    IngressBackend,
    IngressClass,
    IngressPath,
    IngressRule,
    IngressTLS,
    IPBlock,
    LoadBalancerIngress,
    Namespace,
    NetworkPolicy,
    Node,
    NodeAddress,
    OtherObject,
    OwnerReference,
    Pod,
    PodDNSConfig,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Service,
    ServicePort,
    SliceEndpoint,
    SlicePort,
)


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 (metav1.Time); YAML may already have made it a datetime. Naive means UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return _d(obj.get("metadata"))


def _labels(obj: dict[str, Any]) -> dict[str, str]:
    return dict(_d(_meta(obj).get("labels")))


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    return dict(_d(_meta(obj).get("annotations")))


def _lb_ingress(obj: dict[str, Any]) -> tuple[LoadBalancerIngress, ...]:
    items = _l(_d(_d(obj.get("status")).get("loadBalancer")).get("ingress"))
    return tuple(LoadBalancerIngress(ip=_d(i).get("ip"), hostname=_d(i).get("hostname"),
                                     ip_mode=_d(i).get("ipMode")) for i in items)


def namespace(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> Namespace:
    return Namespace(name=_meta(obj)["name"], labels=_labels(obj), creation_timestamp=created, raw=raw)


def node(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> Node:
    spec = _d(obj.get("spec"))
    cidrs = tuple(_l(spec.get("podCIDRs"))) or ((spec["podCIDR"],) if spec.get("podCIDR") else ())
    addrs = tuple(NodeAddress(type=_d(a).get("type") or "", address=_d(a).get("address") or "")
                  for a in _l(_d(obj.get("status")).get("addresses")))
    return Node(name=_meta(obj)["name"], labels=_labels(obj), addresses=addrs, pod_cidrs=cidrs,
                creation_timestamp=created, raw=raw)


def _container(c: dict[str, Any], role: str) -> Container:
    ports = tuple(
        ContainerPort(container_port=_d(p).get("containerPort") or 0, name=_d(p).get("name") or None,
                      protocol=_d(p).get("protocol") or "TCP", host_port=_d(p).get("hostPort") or None)
        for p in _l(c.get("ports"))
    )
    env = tuple(EnvVar(name=_d(e).get("name") or "", value=_d(e).get("value"), value_from=_d(e).get("valueFrom"))
                for e in _l(c.get("env")))
    return Container(name=c.get("name") or "", ports=ports, env=env, role=role)


def pod(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> Pod:
    meta, spec, status = _meta(obj), _d(obj.get("spec")), _d(obj.get("status"))
    ips = tuple(_d(p).get("ip") for p in _l(status.get("podIPs")) if _d(p).get("ip"))
    if not ips and status.get("podIP"):
        ips = (status["podIP"],)
    ready = any(_d(c).get("type") == "Ready" and _d(c).get("status") == "True"
                for c in _l(status.get("conditions")))
    cfg = spec.get("dnsConfig")
    dns_config = None
    if isinstance(cfg, dict):
        dns_config = PodDNSConfig(
            nameservers=tuple(_l(cfg.get("nameservers"))),
            searches=tuple(_l(cfg.get("searches"))),
            options=tuple((_d(o).get("name") or "", _d(o).get("value")) for o in _l(cfg.get("options"))),
        )
    owners = tuple(OwnerReference(kind=_d(o).get("kind") or "", name=_d(o).get("name") or "",
                                  controller=bool(_d(o).get("controller")), api_version=_d(o).get("apiVersion") or "")
                   for o in _l(meta.get("ownerReferences")))
    return Pod(
        namespace=meta["namespace"], name=meta["name"], labels=_labels(obj), annotations=_annotations(obj),
        owner_references=owners, node_name=spec.get("nodeName") or None, pod_ips=ips,
        host_ip=status.get("hostIP") or None, phase=status.get("phase") or "Pending", ready=ready,
        deletion_timestamp=parse_time(meta.get("deletionTimestamp")),
        hostname=spec.get("hostname") or None, subdomain=spec.get("subdomain") or None,
        host_network=bool(spec.get("hostNetwork")), dns_policy=spec.get("dnsPolicy") or "ClusterFirst",
        dns_config=dns_config, enable_service_links=spec.get("enableServiceLinks") is not False,
        creation_timestamp=created,
        containers=tuple(_container(_d(c), "app") for c in _l(spec.get("containers"))),
        init_containers=tuple(_container(_d(c), "sidecar" if _d(c).get("restartPolicy") == "Always" else "init")
                              for c in _l(spec.get("initContainers"))),
        raw=raw,
    )


def service(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> Service:
    meta, spec = _meta(obj), _d(obj.get("spec"))
    stype = spec.get("type") or "ClusterIP"
    ports = tuple(
        ServicePort(port=_d(p).get("port") or 0, name=_d(p).get("name") or "",
                    protocol=_d(p).get("protocol") or "TCP",
                    target_port=_d(p).get("targetPort") if _d(p).get("targetPort") not in (None, "", 0)
                    else (_d(p).get("port") or 0),
                    node_port=_d(p).get("nodePort") or None, app_protocol=_d(p).get("appProtocol"))
        for p in _l(spec.get("ports"))
    )
    external = stype == "ExternalName"
    timeout = None
    if spec.get("sessionAffinity") == "ClientIP":
        timeout = _d(_d(spec.get("sessionAffinityConfig")).get("clientIP")).get("timeoutSeconds")
    return Service(
        namespace=meta["namespace"], name=meta["name"], type=stype,
        cluster_ip=None if external else (spec.get("clusterIP") or None),
        cluster_ips=() if external else tuple(_l(spec.get("clusterIPs"))),
        ip_families=tuple(_l(spec.get("ipFamilies"))), ports=ports,
        selector=dict(spec["selector"]) if isinstance(spec.get("selector"), dict) else None,
        external_name=spec.get("externalName") if external else None,
        external_ips=tuple(_l(spec.get("externalIPs"))),
        external_traffic_policy=spec.get("externalTrafficPolicy") or None,
        internal_traffic_policy=spec.get("internalTrafficPolicy") or "Cluster",
        health_check_node_port=spec.get("healthCheckNodePort") or None,
        session_affinity=spec.get("sessionAffinity") or "None", session_affinity_timeout=timeout,
        load_balancer_source_ranges=tuple(r.strip() for r in _l(spec.get("loadBalancerSourceRanges"))),
        load_balancer_class=spec.get("loadBalancerClass"), load_balancer_ip=spec.get("loadBalancerIP") or None,
        publish_not_ready_addresses=bool(spec.get("publishNotReadyAddresses")),
        allocate_load_balancer_node_ports=spec.get("allocateLoadBalancerNodePorts"),
        load_balancer_ingress=_lb_ingress(obj), labels=_labels(obj), annotations=_annotations(obj),
        creation_timestamp=created, raw=raw,
    )


def _slice_ports(ports: list[Any]) -> tuple[SlicePort, ...]:
    return tuple(SlicePort(port=_d(p).get("port"), name=_d(p).get("name") or "",
                           protocol=_d(p).get("protocol") or "TCP", app_protocol=_d(p).get("appProtocol"))
                 for p in ports)


def endpoint_slice(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> EndpointSlice:
    meta = _meta(obj)
    eps = []
    for e in _l(obj.get("endpoints")):
        e = _d(e)
        cond = _d(e.get("conditions"))
        eps.append(SliceEndpoint(
            addresses=tuple(_l(e.get("addresses"))), ready=cond.get("ready"), serving=cond.get("serving"),
            terminating=cond.get("terminating"), hostname=e.get("hostname"), node_name=e.get("nodeName"),
            zone=e.get("zone"), target_ref=e.get("targetRef"),
        ))
    return EndpointSlice(
        namespace=meta["namespace"], name=meta["name"],
        service_name=_labels(obj).get("kubernetes.io/service-name", ""),
        address_type=obj.get("addressType") or "IPv4", endpoints=tuple(eps),
        ports=_slice_ports(_l(obj.get("ports"))), raw=raw,
    )


def endpoints(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> list[EndpointSlice]:
    """One EndpointSlice per subset and address family (the mirroring controller's grouping)."""
    meta = _meta(obj)
    out: list[EndpointSlice] = []
    for i, ss in enumerate(_l(obj.get("subsets"))):
        ss = _d(ss)
        by_family: dict[str, list[SliceEndpoint]] = {}
        for field, ready in (("addresses", True), ("notReadyAddresses", False)):
            for a in _l(ss.get(field)):
                a = _d(a)
                ip = a.get("ip") or ""
                family = "IPv6" if ":" in ip else "IPv4"
                by_family.setdefault(family, []).append(SliceEndpoint(
                    addresses=(ip,), ready=ready, hostname=a.get("hostname"), node_name=a.get("nodeName"),
                    target_ref=a.get("targetRef")))
        for family, eps in by_family.items():
            suffix = "" if not out else f"-{len(out)}"
            out.append(EndpointSlice(
                namespace=meta["namespace"], name=f"{meta['name']}{suffix}", service_name=meta["name"],
                address_type=family, endpoints=tuple(eps), ports=_slice_ports(_l(ss.get("ports"))),
                source_kind="Endpoints", raw=raw))
        del i
    return out


def ingress_class(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> IngressClass:
    return IngressClass(
        name=_meta(obj)["name"], controller=_d(obj.get("spec")).get("controller") or "",
        is_default=_annotations(obj).get("ingressclass.kubernetes.io/is-default-class") == "true",
        creation_timestamp=created, raw=raw,
    )


def _backend(b: Any) -> IngressBackend | None:
    if not isinstance(b, dict):
        return None
    svc = b.get("service")
    if isinstance(svc, dict):
        port = _d(svc.get("port"))
        return IngressBackend(service_name=svc.get("name"), port_number=port.get("number") or None,
                              port_name=port.get("name") or None)
    return IngressBackend(resource=b.get("resource"))


def ingress(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None,
            class_name: str | None) -> Ingress:
    meta, spec = _meta(obj), _d(obj.get("spec"))
    rules = []
    for r in _l(spec.get("rules")):
        r = _d(r)
        paths = tuple(IngressPath(path=_d(p).get("path"), path_type=_d(p).get("pathType") or "",
                                  backend=_backend(_d(p).get("backend")) or IngressBackend())
                      for p in _l(_d(r.get("http")).get("paths")))
        rules.append(IngressRule(host=r.get("host") or None, paths=paths))
    tls = tuple(IngressTLS(hosts=tuple(_l(_d(t).get("hosts"))), secret_name=_d(t).get("secretName"))
                for t in _l(spec.get("tls")))
    return Ingress(
        namespace=meta["namespace"], name=meta["name"], ingress_class_name=class_name,
        class_annotation=_annotations(obj).get("kubernetes.io/ingress.class"),
        default_backend=_backend(spec.get("defaultBackend")), rules=tuple(rules), tls=tls,
        labels=_labels(obj), annotations=_annotations(obj), load_balancer_ingress=_lb_ingress(obj),
        creation_timestamp=created, raw=raw,
    )


def _peer(p: dict[str, Any]) -> PolicyPeer:
    block = p.get("ipBlock")
    ip_block = None
    if isinstance(block, dict):
        ip_block = IPBlock(cidr=block.get("cidr") or "", except_=tuple(_l(block.get("except"))))
    return PolicyPeer(pod_selector=parse_selector(p.get("podSelector")),
                      namespace_selector=parse_selector(p.get("namespaceSelector")), ip_block=ip_block)


def _rules(rules: list[Any], peers_key: str) -> tuple[PolicyRule, ...]:
    out = []
    for r in rules:
        r = _d(r)
        ports = tuple(PolicyPort(protocol=_d(p).get("protocol") or "TCP", port=_d(p).get("port"),
                                 end_port=_d(p).get("endPort")) for p in _l(r.get("ports")))
        out.append(PolicyRule(peers=tuple(_peer(_d(p)) for p in _l(r.get(peers_key))), ports=ports))
    return tuple(out)


def network_policy(obj: dict[str, Any], raw: dict[str, Any], created: datetime | None) -> NetworkPolicy:
    meta, spec = _meta(obj), _d(obj.get("spec"))
    return NetworkPolicy(
        namespace=meta["namespace"], name=meta["name"],
        pod_selector=parse_selector(_d(spec.get("podSelector"))),  # type: ignore[arg-type]
        policy_types=tuple(_l(spec.get("policyTypes"))),
        ingress=_rules(_l(spec.get("ingress")), "from"), egress=_rules(_l(spec.get("egress")), "to"),
        creation_timestamp=created, raw=raw,
    )


def other(obj: dict[str, Any], raw: dict[str, Any], namespaced: bool) -> OtherObject:
    meta = _meta(obj)
    return OtherObject(api_version=str(obj.get("apiVersion") or ""), kind=str(obj.get("kind") or ""),
                       name=meta["name"], namespace=meta.get("namespace") if namespaced else None, raw=raw)

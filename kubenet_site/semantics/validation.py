"""The API server's validation of the kinds kubenet models, over defaulted manifests.

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

import ipaddress
from typing import Any

from .fielderrors import (
    CIDR_MSG,
    FieldError,
    GoLiteral,
    duplicate,
    forbidden,
    go_repr,
    invalid,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_dns1123_subdomain_with_underscore,
    is_domain_prefixed_path,
    is_fully_qualified_domain_name,
    is_path_segment_name,
    is_qualified_name,
    is_valid_cidr,
    is_valid_ip,
    is_valid_ipv4_address,
    is_valid_ipv6_address,
    is_valid_label_value,
    is_valid_port_name,
    is_valid_port_num,
    is_wildcard_dns1123_subdomain,
    name_errors,
    not_supported,
    parse_cidr,
    parse_ip,
    required,
    too_long,
    too_many,
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


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
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
    for i, req in enumerate(_l(sel.get("matchExpressions"))):
        rp = f"{path}.matchExpressions[{i}]"
        req = _d(req)
        op, values = req.get("operator") or "", _l(req.get("values"))
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


# --- Service ----------------------------------------------------------------------------------------

def validate_non_special_ip(ip: str, path: str) -> list[FieldError]:
    """validation.go ValidateNonSpecialIP / ValidateEndpointIP (the unspecified message quotes
    the value as given: "may not be unspecified (::)")."""
    addr = parse_ip(ip)
    if addr is None:
        return [invalid(path, ip, "must be a valid IP address")]
    errs: list[FieldError] = []
    if addr.is_unspecified:
        errs.append(invalid(path, ip, f"may not be unspecified ({ip})"))
    if addr.is_loopback:
        errs.append(invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
    if addr.version == 4:
        link_local = addr in _V4_LINK_LOCAL
        ll_multicast = addr in _V4_LL_MULTICAST
    else:
        link_local = addr in _V6_LINK_LOCAL
        packed = addr.packed  # Go IsLinkLocalMulticast: ff02::/16, any flags nibble (ffX2::)
        ll_multicast = packed[0] == 0xFF and packed[1] & 0x0F == 0x02
    if link_local:
        errs.append(invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
    if ll_multicast:
        errs.append(invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
    return errs


_V4_LINK_LOCAL = ipaddress.ip_network("169.254.0.0/16")
_V4_LL_MULTICAST = ipaddress.ip_network("224.0.0.0/24")
_V6_LINK_LOCAL = ipaddress.ip_network("fe80::/10")


def is_headless(spec: dict[str, Any]) -> bool:
    """validation.go isHeadlessService: clusterIPs is exactly ["None"]."""
    cips = spec.get("clusterIPs")
    if isinstance(cips, list) and cips:
        return cips == ["None"]
    return spec.get("clusterIP") == "None"


def validate_cluster_ips_related(spec: dict[str, Any]) -> list[FieldError]:
    """validation.go ValidateServiceClusterIPsRelatedFields (also run by the allocator first)."""
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    cip, cips = spec.get("clusterIP") or "", _l(spec.get("clusterIPs"))
    if cip:
        if not cips:
            errs.append(required("spec.clusterIPs"))
        elif cips[0] != cip:
            errs.append(invalid("spec.clusterIPs", cips, "first value must match `clusterIP`"))
    elif cips:
        errs.append(invalid("spec.clusterIPs", cips, "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, fam in enumerate(_l(spec.get("ipFamilies"))):
        if fam not in IP_FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", fam, IP_FAMILIES))
        if fam in seen:
            errs.append(duplicate(f"spec.ipFamilies[{i}]", fam))
        seen.add(fam)
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in IP_FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES))
    bad = False
    for i, ip in enumerate(cips):
        if i == 0 and ip == "None":
            if len(cips) > 1:
                bad = True
                errs.append(invalid("spec.clusterIPs", cips, "'None' must be the first and only value"))
            continue
        e = is_valid_ip(f"spec.clusterIPs[{i}]", ip)
        bad = bad or bool(e)
        errs += e
    if len(cips) > 2:
        errs.append(invalid("spec.clusterIPs", cips, "may only hold up to 2 values"))
    if bad:
        return errs
    if len(cips) > 1:
        # netutils.IsDualStackIPStrings: at least one of each family (three IPs of two families
        # pass here; "may only hold up to 2 values" has already been reported for them)
        versions = {parse_ip(ip).version for ip in cips}  # type: ignore[union-attr]
        if versions != {4, 6}:
            errs.append(invalid("spec.clusterIPs", cips, "may specify no more than one IP for each IP family"))
    fams = _l(spec.get("ipFamilies"))
    if not is_headless(spec):
        for i, ip in enumerate(cips[: len(fams)]):
            v6 = parse_ip(ip).version == 6  # type: ignore[union-attr]
            if fams[i] == "IPv4" and v6:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip,
                                    f"expected an IPv4 value as indicated by `ipFamilies[{i}]`"))
            if fams[i] == "IPv6" and not v6:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip,
                                    f"expected an IPv6 value as indicated by `ipFamilies[{i}]`"))
    return errs


def _validate_service_port(sp: dict[str, Any], require_name: bool, names: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = sp.get("name") or ""
    if require_name and not name:
        errs.append(required(f"{path}.name"))
    elif name:
        # Service port names are DNS-1123 labels (validateServicePort), unlike container ports.
        errs += name_errors(f"{path}.name", name, is_dns1123_label)
        if name in names:
            errs.append(duplicate(f"{path}.name", name))
        names.add(name)
    port = sp.get("port") or 0
    errs += [invalid(f"{path}.port", port, m) for m in is_valid_port_num(port)]
    proto = sp.get("protocol") or ""
    if not proto:
        errs.append(required(f"{path}.protocol"))
    elif proto not in PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", proto, PROTOCOLS))
    errs += validate_port_num_or_name(sp.get("targetPort"), f"{path}.targetPort")
    if sp.get("appProtocol") is not None:
        errs += [invalid(f"{path}.appProtocol", sp["appProtocol"], m) for m in is_qualified_name(sp["appProtocol"])]
    return errs


def validate_port_num_or_name(port: int | str | None, path: str) -> list[FieldError]:
    """validation.go ValidatePortNumOrName."""
    if isinstance(port, int):
        return [invalid(path, port, m) for m in is_valid_port_num(port)]
    if isinstance(port, str):
        return [invalid(path, port, m) for m in is_valid_port_name(port)]
    return []


def validate_service(obj: dict[str, Any]) -> list[FieldError]:
    """validation.go ValidateService, in upstream order (metadata first)."""
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    errs = validate_object_meta(meta, "Service", True)
    stype = spec.get("type") or ""
    ports = [_d(p) for p in _l(spec.get("ports"))]
    if not ports and not is_headless(spec) and stype != "ExternalName":
        errs.append(required("spec.ports"))
    cips = _l(spec.get("clusterIPs"))
    if stype == "LoadBalancer" and is_headless(spec):
        errs.append(invalid("spec.clusterIPs[0]", cips[0] if cips else "None",
                            "may not be set to 'None' for LoadBalancer services"))
    elif stype == "NodePort" and is_headless(spec):
        errs.append(invalid("spec.clusterIPs[0]", cips[0] if cips else "None",
                            "may not be set to 'None' for NodePort services"))
    elif stype == "ExternalName":
        if cips:
            errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
        if spec.get("ipFamilies"):
            errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
        if spec.get("ipFamilyPolicy") is not None:
            errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
        # The value (a CNAME) may have a trailing dot to denote it as fully qualified.
        cname = (spec.get("externalName") or "").removesuffix(".")
        if cname:
            errs += name_errors("spec.externalName", cname, is_dns1123_subdomain)
        else:
            errs.append(required("spec.externalName"))
    names: set[str] = set()
    for i, p in enumerate(ports):
        errs += _validate_service_port(p, len(ports) > 1, names, f"spec.ports[{i}]")
    if spec.get("selector") is not None:
        errs += validate_labels(spec["selector"], "spec.selector")
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        errs.append(required("spec.sessionAffinity"))
    elif affinity not in ("ClientIP", "None"):
        errs.append(not_supported("spec.sessionAffinity", affinity, ("ClientIP", "None")))
    if affinity == "ClientIP":
        timeout = _d(_d(spec.get("sessionAffinityConfig")).get("clientIP")).get("timeoutSeconds")
        if timeout is not None and not 0 < timeout <= MAX_CLIENT_IP_TIMEOUT:
            errs.append(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                                f"must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT}"))
    errs += validate_cluster_ips_related(spec)
    for i, ip in enumerate(_l(spec.get("externalIPs"))):
        e = is_valid_ip(f"spec.externalIPs[{i}]", ip)
        errs += e or validate_non_special_ip(ip, f"spec.externalIPs[{i}]")
    if not stype:
        errs.append(required("spec.type"))
    elif stype not in SERVICE_TYPES:
        errs.append(not_supported("spec.type", stype, SERVICE_TYPES))
    if stype == "ClusterIP":
        for i, p in enumerate(ports):
            if p.get("nodePort"):
                errs.append(forbidden(f"spec.ports[{i}].nodePort", "may not be used when `type` is 'ClusterIP'"))
    seen_np: set[tuple[str, int]] = set()
    for i, p in enumerate(ports):
        if not p.get("nodePort"):
            continue
        key = (p.get("protocol") or "", p["nodePort"])
        if key in seen_np:
            errs.append(duplicate(f"spec.ports[{i}].nodePort", p["nodePort"]))
        seen_np.add(key)
    seen_p: set[tuple[str, int]] = set()
    for i, p in enumerate(ports):
        key = (p.get("protocol") or "", p.get("port") or 0)
        if key in seen_p:
            # field.Duplicate(portPath, key) prints the core.ServicePort key with %#v.
            errs.append(duplicate(f"spec.ports[{i}]", GoLiteral(
                f'core.ServicePort{{Name:"", Protocol:"{key[0]}", AppProtocol:(*string)(nil), Port:{key[1]}, '
                'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')))
        seen_p.add(key)
    ranges = _l(spec.get("loadBalancerSourceRanges"))
    if ranges:
        # Upstream prints this path with a capital L.
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
        for i, r in enumerate(ranges):
            errs += is_valid_cidr(f"spec.LoadBalancerSourceRanges[{i}]", r.strip())
    elif LB_SOURCE_RANGES_ANNOTATION in _d(meta.get("annotations")):
        # the annotation form, checked only when the field is empty (a set but empty annotation
        # still counts as set)
        path = f"metadata.annotations[{LB_SOURCE_RANGES_ANNOTATION}]"
        if stype != "LoadBalancer":
            errs.append(forbidden(path, "may only be used when `type` is 'LoadBalancer'"))
        value = str(meta["annotations"][LB_SOURCE_RANGES_ANNOTATION]).strip()
        if value:
            for r in value.split(","):
                errs += is_valid_cidr(path, r.strip())
    if spec.get("allocateLoadBalancerNodePorts") is not None and stype != "LoadBalancer":
        errs.append(forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"))
    if spec.get("loadBalancerClass") is not None:
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"))
        else:
            errs += [invalid("spec.loadBalancerClass", spec["loadBalancerClass"], m)
                     for m in is_qualified_name(spec["loadBalancerClass"])]
    errs += _validate_external_traffic_policy(spec)
    itp = spec.get("internalTrafficPolicy")
    if itp is None and stype in ("NodePort", "LoadBalancer", "ClusterIP"):
        errs.append(required("spec.internalTrafficPolicy"))
    elif itp is not None and itp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.internalTrafficPolicy", itp, ("Cluster", "Local")))
    td = spec.get("trafficDistribution")
    if td is not None and td not in ("PreferClose", "PreferSameZone", "PreferSameNode"):
        errs.append(not_supported("spec.trafficDistribution", td, ("PreferClose", "PreferSameNode", "PreferSameZone")))
    return errs


def needs_health_check(spec: dict[str, Any]) -> bool:
    """pkg/api/service/util.go NeedsHealthCheck."""
    return spec.get("type") == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local"


def _validate_external_traffic_policy(spec: dict[str, Any]) -> list[FieldError]:
    from .defaults import externally_accessible

    errs: list[FieldError] = []
    etp = spec.get("externalTrafficPolicy") or ""
    if not externally_accessible(spec):
        if etp:
            errs.append(invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"))
    elif not etp:
        errs.append(required("spec.externalTrafficPolicy"))
    elif etp not in ("Cluster", "Local"):
        errs.append(not_supported("spec.externalTrafficPolicy", etp, ("Cluster", "Local")))
    hc = spec.get("healthCheckNodePort") or 0
    if not needs_health_check(spec):
        if hc:
            errs.append(invalid("spec.healthCheckNodePort", hc,
                                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"))
    elif not hc:
        errs.append(required("spec.healthCheckNodePort"))
    else:
        errs += [invalid("spec.healthCheckNodePort", hc, m) for m in is_valid_port_num(hc)]
    return errs


# --- Pod --------------------------------------------------------------------------------------------

def _validate_container_ports(ports: list[Any], path: str) -> list[FieldError]:
    """validation.go validateContainerPorts: names unique within one container."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, p in enumerate(ports):
        p, ip = _d(p), f"{path}[{i}]"
        name = p.get("name") or ""
        if name:
            msgs = is_valid_port_name(name)
            if msgs:
                errs += [invalid(f"{ip}.name", name, m) for m in msgs]
            elif name in names:
                errs.append(duplicate(f"{ip}.name", name))
            else:
                names.add(name)
        cp = p.get("containerPort") or 0
        if not cp:
            errs.append(required(f"{ip}.containerPort"))
        else:
            errs += [invalid(f"{ip}.containerPort", cp, m) for m in is_valid_port_num(cp)]
        if p.get("hostPort"):
            errs += [invalid(f"{ip}.hostPort", p["hostPort"], m) for m in is_valid_port_num(p["hostPort"])]
        proto = p.get("protocol") or ""
        if not proto:
            errs.append(required(f"{ip}.protocol"))
        elif proto not in PROTOCOLS:
            errs.append(not_supported(f"{ip}.protocol", proto, PROTOCOLS))
    return errs


def _validate_containers(containers: list[Any], path: str, all_names: set[str]) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, c in enumerate(containers):
        c, cp = _d(c), f"{path}[{i}]"
        name = c.get("name") or ""
        if not name:
            errs.append(required(f"{cp}.name"))
        else:
            errs += name_errors(f"{cp}.name", name, is_dns1123_label)
            if name in all_names:
                errs.append(duplicate(f"{cp}.name", name))
            all_names.add(name)
        if not c.get("image"):
            errs.append(required(f"{cp}.image"))
        errs += _validate_container_ports(_l(c.get("ports")), f"{cp}.ports")
        seen_env: set[str] = set()
        for j, e in enumerate(_l(c.get("env"))):
            if not _d(e).get("name"):
                errs.append(required(f"{cp}.env[{j}].name"))
            seen_env.add(_d(e).get("name") or "")
    return errs


def _check_host_port_conflicts(containers: list[Any], path: str) -> list[FieldError]:
    """validation.go checkHostPortConflicts / AccumulateUniqueHostPorts: one hostIP/protocol/hostPort
    once across the regular containers (Duplicate value: "/TCP/8080")."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, c in enumerate(containers):
        for j, p in enumerate(_l(_d(c).get("ports"))):
            p = _d(p)
            hp = p.get("hostPort") or 0
            if not hp:
                continue
            key = f"{p.get('hostIP') or ''}/{p.get('protocol') or ''}/{hp}"
            if key in seen:
                errs.append(duplicate(f"{path}[{i}].ports[{j}].hostPort", key))
            seen.add(key)
    return errs


def _validate_dns(spec: dict[str, Any]) -> list[FieldError]:
    """validateDNSPolicy and validatePodDNSConfig."""
    errs: list[FieldError] = []
    policy = spec.get("dnsPolicy") or ""
    if not policy:
        errs.append(required("spec.dnsPolicy"))
    elif policy not in DNS_POLICIES:
        errs.append(not_supported("spec.dnsPolicy", policy, DNS_POLICIES))
    cfg = spec.get("dnsConfig")
    if policy == "None":
        if cfg is None:
            return errs + [required("spec.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None")]
        if not _l(cfg.get("nameservers")):
            return errs + [required("spec.dnsConfig.nameservers",
                                    "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if cfg is not None:
        servers = _l(cfg.get("nameservers"))
        if len(servers) > MAX_DNS_NAMESERVERS:
            errs.append(invalid("spec.dnsConfig.nameservers", servers,
                                f"must not have more than {MAX_DNS_NAMESERVERS} nameservers"))
        for i, ns in enumerate(servers):
            errs += is_valid_ip(f"spec.dnsConfig.nameservers[{i}]", ns)
        searches = _l(cfg.get("searches"))
        if len(searches) > MAX_DNS_SEARCH_PATHS:
            errs.append(invalid("spec.dnsConfig.searches", searches,
                                f"must not have more than {MAX_DNS_SEARCH_PATHS} search paths"))
        if len(" ".join(searches)) > MAX_DNS_SEARCH_CHARS:
            errs.append(invalid("spec.dnsConfig.searches", searches,
                                f"must not have more than {MAX_DNS_SEARCH_CHARS} characters (including spaces) "
                                "in the search list"))
        for i, s in enumerate(searches):
            # RelaxedDNSSearchValidation (default since 1.33): a lone "." is allowed, and labels
            # may carry underscores ("_sip._tcp.example.com"); a trailing dot is fine.
            if s != ".":
                errs += name_errors(f"spec.dnsConfig.searches[{i}]", s.removesuffix("."),
                                    is_dns1123_subdomain_with_underscore)
        for i, o in enumerate(_l(cfg.get("options"))):
            if not _d(o).get("name"):
                errs.append(required(f"spec.dnsConfig.options[{i}]", "must not be empty"))
    return errs


def validate_pod(obj: dict[str, Any]) -> list[FieldError]:
    """The networking-relevant parts of ValidatePodCreate / ValidatePodSpec, in its order:
    containers (host port conflicts last), init containers, validatePodHostNetworkDeps,
    dnsPolicy, dnsConfig, hostname, subdomain."""
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    errs = validate_object_meta(meta, "Pod", True)
    containers = _l(spec.get("containers"))
    names: set[str] = set()
    if not containers:
        errs.append(required("spec.containers"))
    errs += _validate_containers(containers, "spec.containers", names)
    errs += _check_host_port_conflicts(containers, "spec.containers")
    errs += _validate_containers(_l(spec.get("initContainers")), "spec.initContainers", names)
    for i, c in enumerate(_l(spec.get("initContainers"))):
        rp = _d(c).get("restartPolicy")
        if rp is not None and rp != "Always":
            errs.append(not_supported(f"spec.initContainers[{i}].restartPolicy", rp, ("Always",)))
    if spec.get("hostNetwork"):
        # validatePodHostNetworkDeps: regular containers only; the value printed is the hostPort.
        for i, c in enumerate(containers):
            for j, p in enumerate(_l(_d(c).get("ports"))):
                p = _d(p)
                hp = p.get("hostPort") or 0
                if hp != (p.get("containerPort") or 0):
                    errs.append(invalid(f"spec.containers[{i}].ports[{j}].hostPort", hp,
                                        "must match `containerPort` when `hostNetwork` is true"))
    errs += _validate_dns(spec)
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += name_errors(f"spec.{key}", spec[key], is_dns1123_label)
    status = _d(obj.get("status"))
    for i, entry in enumerate(_l(status.get("podIPs"))):
        errs += is_valid_ip(f"status.podIPs[{i}].ip", _d(entry).get("ip") or "")
    if status.get("podIP"):
        errs += is_valid_ip("status.podIP", status["podIP"])
    if status.get("hostIP"):
        errs += is_valid_ip("status.hostIP", status["hostIP"])
    return errs


# --- Namespace, Node, endpoints ---------------------------------------------------------------------

def validate_namespace(obj: dict[str, Any]) -> list[FieldError]:
    return validate_object_meta(_d(obj.get("metadata")), "Namespace", False)


def validate_node(obj: dict[str, Any]) -> list[FieldError]:
    errs = validate_object_meta(_d(obj.get("metadata")), "Node", False)
    spec = _d(obj.get("spec"))
    for i, c in enumerate(_l(spec.get("podCIDRs"))):
        errs += is_valid_cidr(f"spec.podCIDRs[{i}]", c)
    return errs


ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
MAX_SLICE_ENDPOINTS, MAX_SLICE_ADDRESSES, MAX_SLICE_PORTS = 1000, 100, 20000


def validate_endpoint_slice(obj: dict[str, Any]) -> list[FieldError]:
    """discovery/validation ValidateEndpointSlice: addressType, endpoints, ports (port numbers are
    not checked upstream)."""
    errs = validate_object_meta(_d(obj.get("metadata")), "EndpointSlice", True)
    at = obj.get("addressType") or ""
    if not at:
        errs.append(required("addressType"))
    elif at not in ADDRESS_TYPES:
        errs.append(not_supported("addressType", at, ADDRESS_TYPES))
    endpoints = _l(obj.get("endpoints"))
    if len(endpoints) > MAX_SLICE_ENDPOINTS:
        errs.append(too_many("endpoints", len(endpoints), MAX_SLICE_ENDPOINTS))
        endpoints = []
    for i, ep in enumerate(endpoints):
        ep, ip_ = _d(ep), f"endpoints[{i}]"
        addrs = _l(ep.get("addresses"))
        if not addrs:
            errs.append(required(f"{ip_}.addresses", "must contain at least 1 address"))
        elif len(addrs) > MAX_SLICE_ADDRESSES:
            errs.append(too_many(f"{ip_}.addresses", len(addrs), MAX_SLICE_ADDRESSES))
        for j, a in enumerate(addrs):
            ap = f"{ip_}.addresses[{j}]"
            if at in ("IPv4", "IPv6"):
                # an address of the wrong family is reported once; ValidateEndpointIP only
                # looks at well-formed addresses of the slice's family
                e = (is_valid_ipv4_address if at == "IPv4" else is_valid_ipv6_address)(ap, a)
                errs += e or validate_non_special_ip(a, ap)
            elif at == "FQDN":
                errs += is_fully_qualified_domain_name(ap, a)
        if ep.get("nodeName") is not None:
            errs += name_errors(f"{ip_}.nodeName", ep["nodeName"], is_dns1123_subdomain)
        if ep.get("hostname") is not None:
            errs += name_errors(f"{ip_}.hostname", ep["hostname"], is_dns1123_label)
    ports = _l(obj.get("ports"))
    if len(ports) > MAX_SLICE_PORTS:
        return errs + [too_many("ports", len(ports), MAX_SLICE_PORTS)]
    names: set[str] = set()
    for i, p in enumerate(ports):
        p = _d(p)
        name = p.get("name") or ""
        if name:
            errs += name_errors(f"ports[{i}].name", name, is_dns1123_label)
        if name in names:
            errs.append(duplicate(f"ports[{i}].name", name))
        names.add(name)
        proto = p.get("protocol") or ""
        if not proto:
            errs.append(required(f"ports[{i}].protocol"))
        elif proto not in PROTOCOLS:
            errs.append(not_supported(f"ports[{i}].protocol", proto, PROTOCOLS))
        if p.get("appProtocol") is not None:
            errs += [invalid(f"ports[{i}].appProtocol", p["appProtocol"], m) for m in is_qualified_name(p["appProtocol"])]
    return errs


def validate_endpoints(obj: dict[str, Any]) -> list[FieldError]:
    """validation.go ValidateEndpoints / validateEndpointSubsets."""
    errs = validate_object_meta(_d(obj.get("metadata")), "Endpoints", True)
    for i, ss in enumerate(_l(obj.get("subsets"))):
        ss, sp = _d(ss), f"subsets[{i}]"
        if not _l(ss.get("addresses")) and not _l(ss.get("notReadyAddresses")):
            errs.append(required(sp, "must specify `addresses` or `notReadyAddresses`"))
        for field in ("addresses", "notReadyAddresses"):
            for j, a in enumerate(_l(ss.get(field))):
                a = _d(a)
                errs += is_valid_ip(f"{sp}.{field}[{j}].ip", a.get("ip") or "")
                if a.get("hostname"):
                    errs += name_errors(f"{sp}.{field}[{j}].hostname", a["hostname"], is_dns1123_label)
        names: set[str] = set()
        ports = _l(ss.get("ports"))
        for j, p in enumerate(ports):
            p, pp = _d(p), f"{sp}.ports[{j}]"
            name = p.get("name") or ""
            if len(ports) > 1 and not name:
                errs.append(required(f"{pp}.name"))
            elif name:
                errs += name_errors(f"{pp}.name", name, is_dns1123_label)
                if name in names:
                    errs.append(duplicate(f"{pp}.name", name))
                names.add(name)
            errs += [invalid(f"{pp}.port", p.get("port") or 0, m) for m in is_valid_port_num(p.get("port") or 0)]
            proto = p.get("protocol") or ""
            if proto not in PROTOCOLS:
                errs.append(not_supported(f"{pp}.protocol", proto, PROTOCOLS))
    return errs


# --- networking.k8s.io ------------------------------------------------------------------------------

def validate_network_policy(obj: dict[str, Any]) -> list[FieldError]:
    """networking/validation ValidateNetworkPolicy / ValidateNetworkPolicySpec."""
    errs = validate_object_meta(_d(obj.get("metadata")), "NetworkPolicy", True)
    spec = _d(obj.get("spec"))
    errs += validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_l(spec.get(direction))):
            rp = f"spec.{direction}[{i}]"
            rule = _d(rule)
            for j, port in enumerate(_l(rule.get("ports"))):
                errs += _validate_np_port(_d(port), f"{rp}.ports[{j}]")
            for j, peer in enumerate(_l(rule.get(peers_key))):
                errs += _validate_peer(_d(peer), f"{rp}.{peers_key}[{j}]")
    types = _l(spec.get("policyTypes"))
    if len(types) > 2:
        value = GoLiteral("[]networking.PolicyType{" + ", ".join(go_repr(t) for t in types) + "}")
        errs.append(invalid("spec.policyTypes", value, "may not specify more than two policyTypes"))
        return errs
    for i, t in enumerate(types):
        if t not in ("Ingress", "Egress"):
            errs.append(not_supported(f"spec.policyTypes[{i}]", t, ("Ingress", "Egress")))
    return errs


def _validate_np_port(port: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation ValidateNetworkPolicyPort."""
    errs: list[FieldError] = []
    proto = port.get("protocol")
    if proto is not None and proto not in ("TCP", "UDP", "SCTP"):
        errs.append(not_supported(f"{path}.protocol", proto, ("TCP", "UDP", "SCTP")))
    p, end = port.get("port"), port.get("endPort")
    if p is not None:
        if isinstance(p, int):
            errs += [invalid(f"{path}.port", p, m) for m in is_valid_port_num(p)]
            if end is not None:
                if end < p:
                    errs.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
                errs += [invalid(f"{path}.endPort", end, m) for m in is_valid_port_num(end)]
        else:
            if end is not None:
                errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric"))
            errs += [invalid(f"{path}.port", p, m) for m in is_valid_port_name(p)]
    elif end is not None:
        errs.append(invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified"))
    return errs


def _validate_peer(peer: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation ValidateNetworkPolicyPeer and ValidateIPBlock."""
    errs: list[FieldError] = []
    n = 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            n += 1
            errs += validate_label_selector(peer[key], f"{path}.{key}")
    block = peer.get("ipBlock")
    if block is not None:
        n += 1
        bp = f"{path}.ipBlock"
        cidr = block.get("cidr") or ""
        if not cidr:
            errs.append(required(f"{bp}.cidr"))
        else:
            net = parse_cidr(cidr)
            if net is None:
                errs.append(invalid(f"{bp}.cidr", cidr, CIDR_MSG))
            else:
                for i, ex in enumerate(_l(block.get("except"))):
                    ep = f"{bp}.except[{i}]"
                    exn = parse_cidr(ex)
                    if exn is None:
                        errs.append(invalid(ep, ex, CIDR_MSG))
                        continue
                    if (exn.version != net.version or exn.network_address not in net
                            or net.prefixlen >= exn.prefixlen):
                        errs.append(invalid(ep, ex, "must be a strict subset of `cidr`"))
    if n == 0:
        errs.append(required(path, "must specify a peer"))
    elif n > 1 and block is not None:
        errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
    return errs


def validate_ingress_class(obj: dict[str, Any]) -> list[FieldError]:
    """networking/validation ValidateIngressClass / validateIngressClassSpec."""
    errs = validate_object_meta(_d(obj.get("metadata")), "IngressClass", False)
    spec = _d(obj.get("spec"))
    ctl = spec.get("controller") or ""
    if not ctl:
        errs.append(required("spec.controller"))
    else:
        if len(ctl) > 250:  # maxLenIngressClassController
            errs.append(too_long("spec.controller", 250))
        errs += is_domain_prefixed_path("spec.controller", ctl)
    if spec.get("parameters") is not None:
        errs += _validate_ingress_class_parameters(_d(spec["parameters"]), "spec.parameters")
    return errs


PARAMETER_SCOPES = ("Cluster", "Namespace")


def _validate_ingress_class_parameters(params: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation validateIngressClassParametersReference."""
    errs: list[FieldError] = []
    if params.get("apiGroup") is not None:
        errs += name_errors(f"{path}.apiGroup", params["apiGroup"], is_dns1123_subdomain)
    for key in ("kind", "name"):
        value = params.get(key) or ""
        if not value:
            errs.append(required(f"{path}.{key}"))
        else:
            errs += [invalid(f"{path}.{key}", value, m) for m in is_path_segment_name(value)]
    scope = params.get("scope")
    if scope is None:
        return errs + [required(f"{path}.scope")]
    if scope not in PARAMETER_SCOPES:
        return errs + [not_supported(f"{path}.scope", scope, PARAMETER_SCOPES)]
    ns = params.get("namespace")
    if scope == "Namespace":
        if ns is None:
            errs.append(required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'"))
        else:
            errs += name_errors(f"{path}.namespace", ns, is_dns1123_label)
    if scope == "Cluster" and ns is not None:
        errs.append(forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'"))
    return errs


INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"


def validate_ingress(obj: dict[str, Any]) -> list[FieldError]:
    """networking/validation ValidateIngressCreate / ValidateIngressSpec."""
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    errs = validate_object_meta(meta, "Ingress", True)
    annotation = _d(meta.get("annotations")).get(INGRESS_CLASS_ANNOTATION)
    cls = spec.get("ingressClassName")
    rules = _l(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        value = GoLiteral("[]networking.IngressRule{}" if spec.get("rules") == [] else "[]networking.IngressRule(nil)")
        errs.append(invalid("spec", value, "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs += _validate_backend(_d(spec["defaultBackend"]), "spec.defaultBackend")
    for i, rule in enumerate(rules):
        rule, rp = _d(rule), f"spec.rules[{i}]"
        host = rule.get("host") or ""
        if host:
            if parse_ip(host) is not None:
                errs.append(invalid(f"{rp}.host", host, "must be a DNS name, not an IP address"))
            check = is_wildcard_dns1123_subdomain if "*" in host else is_dns1123_subdomain
            errs += name_errors(f"{rp}.host", host, check)
        http = rule.get("http")
        if http is not None:
            paths = _l(http.get("paths"))
            if not paths:
                errs.append(required(f"{rp}.http.paths"))
            for j, p in enumerate(paths):
                errs += _validate_http_path(_d(p), f"{rp}.http.paths[{j}]")
    for i, tls in enumerate(_l(spec.get("tls"))):
        for j, h in enumerate(_l(_d(tls).get("hosts"))):
            check = is_wildcard_dns1123_subdomain if "*" in h else is_dns1123_subdomain
            errs += name_errors(f"spec.tls[{i}].hosts[{j}]", h, check)
        secret = _d(tls).get("secretName") or ""
        if secret:
            errs += name_errors(f"spec.tls[{i}].secretName", secret, is_dns1123_subdomain)
    if cls is not None:
        errs += name_errors("spec.ingressClassName", cls, is_dns1123_subdomain)
    # ValidateIngressCreate checks the class annotation after the whole object.
    if cls is not None and annotation is not None and cls != annotation:
        errs.append(invalid(f"annotations.{INGRESS_CLASS_ANNOTATION}", annotation,
                            "must match `ingressClassName` when both are specified"))
    return errs


INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")


def _validate_http_path(p: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation validateHTTPIngressPath."""
    errs: list[FieldError] = []
    pt = p.get("pathType")
    value = p.get("path") or ""
    if pt is None:
        return [required(f"{path}.pathType", "pathType must be specified")]
    if pt in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
        if value:
            for seq in INVALID_PATH_SEQUENCES:
                if seq in value:
                    errs.append(invalid(f"{path}.path", value, f"must not contain '{seq}'"))
            for suf in INVALID_PATH_SUFFIXES:
                if value.endswith(suf):
                    errs.append(invalid(f"{path}.path", value, f"cannot end with '{suf}'"))
    elif pt == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.append(invalid(f"{path}.path", value, "must be an absolute path"))
    else:
        errs.append(not_supported(f"{path}.pathType", pt, PATH_TYPES))
    errs += _validate_backend(_d(p.get("backend")), f"{path}.backend")
    return errs


def _validate_backend(b: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation validateIngressBackend."""
    has_res, has_svc = b.get("resource") is not None, b.get("service") is not None
    if has_res and has_svc:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if has_res:
        res = _d(b["resource"])
        errs = []
        if res.get("apiGroup") is not None:
            errs += name_errors(f"{path}.resource.apiGroup", res["apiGroup"], is_dns1123_subdomain)
        # validateIngressTypedLocalObjectReference
        for key in ("kind", "name"):
            value = res.get(key) or ""
            if not value:
                errs.append(required(f"{path}.resource.{key}"))
            else:
                errs += [invalid(f"{path}.resource.{key}", value, m) for m in is_path_segment_name(value)]
        return errs
    if not has_svc:
        return [invalid(path, "", "resource or service backend is required")]
    svc = _d(b["service"])
    errs: list[FieldError] = []
    name = svc.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs += name_errors(f"{path}.service.name", name, is_dns1035_label)
    port = _d(svc.get("port"))
    pname, pnum = port.get("name") or "", port.get("number") or 0
    if pname and pnum:
        errs.append(invalid(path, "", "cannot set both port name & port number"))
    elif pname:
        errs += [invalid(f"{path}.service.port.name", pname, m) for m in is_valid_port_name(pname)]
    elif pnum:
        errs += [invalid(f"{path}.service.port.number", pnum, m) for m in is_valid_port_num(pnum)]
    else:
        errs.append(required(path, "port name or number is required"))
    return errs


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

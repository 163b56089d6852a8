"""Service validation: pkg/apis/core/validation/validation.go ValidateService,
ValidateServiceClusterIPsRelatedFields, validateServicePort, validateServiceExternalTrafficPolicy."""

from __future__ import annotations

import ipaddress
from typing import Any

from .fielderrors import (
    FieldError,
    GoLiteral,
    duplicate,
    forbidden,
    invalid,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_cidr,
    is_valid_ip,
    is_valid_port_name,
    is_valid_port_num,
    name_errors,
    not_supported,
    required,
)
from .ipaddr import parse_ip_strict
from .validation_meta import (
    IP_FAMILIES,
    IP_FAMILY_POLICIES,
    LB_SOURCE_RANGES_ANNOTATION,
    MAX_CLIENT_IP_TIMEOUT,
    PROTOCOLS,
    SERVICE_TYPES,
    obj_dict,
    obj_list,
    validate_labels,
    validate_object_meta,
)

# --- Service ----------------------------------------------------------------------------------------

def validate_non_special_ip(ip: str, path: str) -> list[FieldError]:
    """validation.go ValidateNonSpecialIP / ValidateEndpointIP (the unspecified message quotes
    the value as given: "may not be unspecified (::)")."""
    addr = parse_ip_strict(ip)
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
    cip, cips = spec.get("clusterIP") or "", obj_list(spec.get("clusterIPs"))
    if cip:
        if not cips:
            errs.append(required("spec.clusterIPs"))
        elif cips[0] != cip:
            errs.append(invalid("spec.clusterIPs", cips, "first value must match `clusterIP`"))
    elif cips:
        errs.append(invalid("spec.clusterIPs", cips, "must be empty when `clusterIP` is not specified"))
    seen: set[str] = set()
    for i, fam in enumerate(obj_list(spec.get("ipFamilies"))):
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
        versions = {parse_ip_strict(ip).version for ip in cips}  # type: ignore[union-attr]
        if versions != {4, 6}:
            errs.append(invalid("spec.clusterIPs", cips, "may specify no more than one IP for each IP family"))
    fams = obj_list(spec.get("ipFamilies"))
    if not is_headless(spec):
        for i, ip in enumerate(cips[: len(fams)]):
            v6 = parse_ip_strict(ip).version == 6  # type: ignore[union-attr]
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
    meta, spec = obj_dict(obj.get("metadata")), obj_dict(obj.get("spec"))
    errs = validate_object_meta(meta, "Service", True)
    stype = spec.get("type") or ""
    ports = [obj_dict(p) for p in obj_list(spec.get("ports"))]
    if not ports and not is_headless(spec) and stype != "ExternalName":
        errs.append(required("spec.ports"))
    cips = obj_list(spec.get("clusterIPs"))
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
        timeout = obj_dict(obj_dict(spec.get("sessionAffinityConfig")).get("clientIP")).get("timeoutSeconds")
        if timeout is not None and not 0 < timeout <= MAX_CLIENT_IP_TIMEOUT:
            errs.append(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                                f"must be greater than 0 and less than {MAX_CLIENT_IP_TIMEOUT}"))
    errs += validate_cluster_ips_related(spec)
    for i, ip in enumerate(obj_list(spec.get("externalIPs"))):
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
    ranges = obj_list(spec.get("loadBalancerSourceRanges"))
    if ranges:
        # Upstream prints this path with a capital L.
        if stype != "LoadBalancer":
            errs.append(forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"))
        for i, r in enumerate(ranges):
            errs += is_valid_cidr(f"spec.LoadBalancerSourceRanges[{i}]", r.strip())
    elif LB_SOURCE_RANGES_ANNOTATION in obj_dict(meta.get("annotations")):
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

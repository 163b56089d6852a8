"""EndpointSlice and Endpoints validation: pkg/apis/discovery/validation ValidateEndpointSlice,
pkg/apis/core/validation ValidateEndpoints."""

from __future__ import annotations

from typing import Any

from .fielderrors import (
    FieldError,
    duplicate,
    invalid,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_fully_qualified_domain_name,
    is_qualified_name,
    is_valid_ip,
    is_valid_ipv4_address,
    is_valid_ipv6_address,
    is_valid_port_num,
    name_errors,
    not_supported,
    required,
    too_many,
)
from .validation_meta import (
    PROTOCOLS,
    obj_dict,
    obj_list,
    validate_object_meta,
)
from .validation_service import validate_non_special_ip

ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
MAX_SLICE_ENDPOINTS, MAX_SLICE_ADDRESSES, MAX_SLICE_PORTS = 1000, 100, 20000


def validate_endpoint_slice(obj: dict[str, Any]) -> list[FieldError]:
    """discovery/validation ValidateEndpointSlice: addressType, endpoints, ports (port numbers are
    not checked upstream)."""
    errs = validate_object_meta(obj_dict(obj.get("metadata")), "EndpointSlice", True)
    at = obj.get("addressType") or ""
    if not at:
        errs.append(required("addressType"))
    elif at not in ADDRESS_TYPES:
        errs.append(not_supported("addressType", at, ADDRESS_TYPES))
    endpoints = obj_list(obj.get("endpoints"))
    if len(endpoints) > MAX_SLICE_ENDPOINTS:
        errs.append(too_many("endpoints", len(endpoints), MAX_SLICE_ENDPOINTS))
        endpoints = []
    for i, ep in enumerate(endpoints):
        ep, ip_ = obj_dict(ep), f"endpoints[{i}]"
        addrs = obj_list(ep.get("addresses"))
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
    ports = obj_list(obj.get("ports"))
    if len(ports) > MAX_SLICE_PORTS:
        return errs + [too_many("ports", len(ports), MAX_SLICE_PORTS)]
    names: set[str] = set()
    for i, p in enumerate(ports):
        p = obj_dict(p)
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
    errs = validate_object_meta(obj_dict(obj.get("metadata")), "Endpoints", True)
    for i, ss in enumerate(obj_list(obj.get("subsets"))):
        ss, sp = obj_dict(ss), f"subsets[{i}]"
        if not obj_list(ss.get("addresses")) and not obj_list(ss.get("notReadyAddresses")):
            errs.append(required(sp, "must specify `addresses` or `notReadyAddresses`"))
        for field in ("addresses", "notReadyAddresses"):
            for j, a in enumerate(obj_list(ss.get(field))):
                a = obj_dict(a)
                errs += is_valid_ip(f"{sp}.{field}[{j}].ip", a.get("ip") or "")
                if a.get("hostname"):
                    errs += name_errors(f"{sp}.{field}[{j}].hostname", a["hostname"], is_dns1123_label)
        names: set[str] = set()
        ports = obj_list(ss.get("ports"))
        for j, p in enumerate(ports):
            p, pp = obj_dict(p), f"{sp}.ports[{j}]"
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

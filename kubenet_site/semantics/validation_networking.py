"""networking.k8s.io validation: pkg/apis/networking/validation/validation.go ValidateNetworkPolicy,
ValidateIngress, ValidateIngressClass."""

from __future__ import annotations

from typing import Any

from .fielderrors import (
    CIDR_MSG,
    FieldError,
    GoLiteral,
    forbidden,
    go_repr,
    invalid,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_domain_prefixed_path,
    is_path_segment_name,
    is_valid_port_name,
    is_valid_port_num,
    is_wildcard_dns1123_subdomain,
    name_errors,
    not_supported,
    parse_cidr,
    required,
    too_long,
)
from .ipaddr import parse_ip_strict
from .validation_meta import (
    PATH_TYPES,
    obj_dict,
    obj_list,
    validate_label_selector,
    validate_object_meta,
)

# --- networking.k8s.io ------------------------------------------------------------------------------

def validate_network_policy(obj: dict[str, Any]) -> list[FieldError]:
    """networking/validation ValidateNetworkPolicy / ValidateNetworkPolicySpec."""
    errs = validate_object_meta(obj_dict(obj.get("metadata")), "NetworkPolicy", True)
    spec = obj_dict(obj.get("spec"))
    errs += validate_label_selector(spec.get("podSelector"), "spec.podSelector")
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(obj_list(spec.get(direction))):
            rp = f"spec.{direction}[{i}]"
            rule = obj_dict(rule)
            for j, port in enumerate(obj_list(rule.get("ports"))):
                errs += _validate_np_port(obj_dict(port), f"{rp}.ports[{j}]")
            for j, peer in enumerate(obj_list(rule.get(peers_key))):
                errs += _validate_peer(obj_dict(peer), f"{rp}.{peers_key}[{j}]")
    types = obj_list(spec.get("policyTypes"))
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
                for i, ex in enumerate(obj_list(block.get("except"))):
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
    errs = validate_object_meta(obj_dict(obj.get("metadata")), "IngressClass", False)
    spec = obj_dict(obj.get("spec"))
    ctl = spec.get("controller") or ""
    if not ctl:
        errs.append(required("spec.controller"))
    else:
        if len(ctl) > 250:  # maxLenIngressClassController
            errs.append(too_long("spec.controller", 250))
        errs += is_domain_prefixed_path("spec.controller", ctl)
    if spec.get("parameters") is not None:
        errs += _validate_ingress_class_parameters(obj_dict(spec["parameters"]), "spec.parameters")
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
    meta, spec = obj_dict(obj.get("metadata")), obj_dict(obj.get("spec"))
    errs = validate_object_meta(meta, "Ingress", True)
    annotation = obj_dict(meta.get("annotations")).get(INGRESS_CLASS_ANNOTATION)
    cls = spec.get("ingressClassName")
    rules = obj_list(spec.get("rules"))
    if not rules and spec.get("defaultBackend") is None:
        value = GoLiteral("[]networking.IngressRule{}" if spec.get("rules") == [] else "[]networking.IngressRule(nil)")
        errs.append(invalid("spec", value, "either `defaultBackend` or `rules` must be specified"))
    if spec.get("defaultBackend") is not None:
        errs += _validate_backend(obj_dict(spec["defaultBackend"]), "spec.defaultBackend")
    for i, rule in enumerate(rules):
        rule, rp = obj_dict(rule), f"spec.rules[{i}]"
        host = rule.get("host") or ""
        if host:
            if parse_ip_strict(host) is not None:
                errs.append(invalid(f"{rp}.host", host, "must be a DNS name, not an IP address"))
            check = is_wildcard_dns1123_subdomain if "*" in host else is_dns1123_subdomain
            errs += name_errors(f"{rp}.host", host, check)
        http = rule.get("http")
        if http is not None:
            paths = obj_list(http.get("paths"))
            if not paths:
                errs.append(required(f"{rp}.http.paths"))
            for j, p in enumerate(paths):
                errs += _validate_http_path(obj_dict(p), f"{rp}.http.paths[{j}]")
    for i, tls in enumerate(obj_list(spec.get("tls"))):
        for j, h in enumerate(obj_list(obj_dict(tls).get("hosts"))):
            check = is_wildcard_dns1123_subdomain if "*" in h else is_dns1123_subdomain
            errs += name_errors(f"spec.tls[{i}].hosts[{j}]", h, check)
        secret = obj_dict(tls).get("secretName") or ""
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
    errs += _validate_backend(obj_dict(p.get("backend")), f"{path}.backend")
    return errs


def _validate_backend(b: dict[str, Any], path: str) -> list[FieldError]:
    """networking/validation validateIngressBackend."""
    has_res, has_svc = b.get("resource") is not None, b.get("service") is not None
    if has_res and has_svc:
        return [invalid(path, "", "cannot set both resource and service backends")]
    if has_res:
        res = obj_dict(b["resource"])
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
    svc = obj_dict(b["service"])
    errs: list[FieldError] = []
    name = svc.get("name") or ""
    if not name:
        errs.append(required(f"{path}.service.name"))
    else:
        errs += name_errors(f"{path}.service.name", name, is_dns1035_label)
    port = obj_dict(svc.get("port"))
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

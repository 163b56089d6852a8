"""Pod validation, the networking fields: pkg/apis/core/validation/validation.go validateContainerPorts,
validatePodDNSConfig, hostNetwork and host port checks."""

from __future__ import annotations

from typing import Any

from .fielderrors import (
    FieldError,
    duplicate,
    invalid,
    is_dns1123_label,
    is_dns1123_subdomain_with_underscore,
    is_valid_ip,
    is_valid_port_name,
    is_valid_port_num,
    name_errors,
    not_supported,
    required,
)
from .validation_meta import (
    DNS_POLICIES,
    MAX_DNS_NAMESERVERS,
    MAX_DNS_SEARCH_CHARS,
    MAX_DNS_SEARCH_PATHS,
    PROTOCOLS,
    obj_dict,
    obj_list,
    validate_object_meta,
)

# --- Pod --------------------------------------------------------------------------------------------

def _validate_container_ports(ports: list[Any], path: str) -> list[FieldError]:
    """validation.go validateContainerPorts: names unique within one container."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, p in enumerate(ports):
        p, ip = obj_dict(p), f"{path}[{i}]"
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
        c, cp = obj_dict(c), f"{path}[{i}]"
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
        errs += _validate_container_ports(obj_list(c.get("ports")), f"{cp}.ports")
        seen_env: set[str] = set()
        for j, e in enumerate(obj_list(c.get("env"))):
            if not obj_dict(e).get("name"):
                errs.append(required(f"{cp}.env[{j}].name"))
            seen_env.add(obj_dict(e).get("name") or "")
    return errs


def _check_host_port_conflicts(containers: list[Any], path: str) -> list[FieldError]:
    """validation.go checkHostPortConflicts / AccumulateUniqueHostPorts: one hostIP/protocol/hostPort
    once across the regular containers (Duplicate value: "/TCP/8080")."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, c in enumerate(containers):
        for j, p in enumerate(obj_list(obj_dict(c).get("ports"))):
            p = obj_dict(p)
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
        if not obj_list(cfg.get("nameservers")):
            return errs + [required("spec.dnsConfig.nameservers",
                                    "must provide at least one DNS nameserver when `dnsPolicy` is None")]
    if cfg is not None:
        servers = obj_list(cfg.get("nameservers"))
        if len(servers) > MAX_DNS_NAMESERVERS:
            errs.append(invalid("spec.dnsConfig.nameservers", servers,
                                f"must not have more than {MAX_DNS_NAMESERVERS} nameservers"))
        for i, ns in enumerate(servers):
            errs += is_valid_ip(f"spec.dnsConfig.nameservers[{i}]", ns)
        searches = obj_list(cfg.get("searches"))
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
        for i, o in enumerate(obj_list(cfg.get("options"))):
            if not obj_dict(o).get("name"):
                errs.append(required(f"spec.dnsConfig.options[{i}]", "must not be empty"))
    return errs


def validate_pod(obj: dict[str, Any]) -> list[FieldError]:
    """The networking-relevant parts of ValidatePodCreate / ValidatePodSpec, in its order:
    containers (host port conflicts last), init containers, validatePodHostNetworkDeps,
    dnsPolicy, dnsConfig, hostname, subdomain."""
    meta, spec = obj_dict(obj.get("metadata")), obj_dict(obj.get("spec"))
    errs = validate_object_meta(meta, "Pod", True)
    containers = obj_list(spec.get("containers"))
    names: set[str] = set()
    if not containers:
        errs.append(required("spec.containers"))
    errs += _validate_containers(containers, "spec.containers", names)
    errs += _check_host_port_conflicts(containers, "spec.containers")
    errs += _validate_containers(obj_list(spec.get("initContainers")), "spec.initContainers", names)
    for i, c in enumerate(obj_list(spec.get("initContainers"))):
        rp = obj_dict(c).get("restartPolicy")
        if rp is not None and rp != "Always":
            errs.append(not_supported(f"spec.initContainers[{i}].restartPolicy", rp, ("Always",)))
    if spec.get("hostNetwork"):
        # validatePodHostNetworkDeps: regular containers only; the value printed is the hostPort.
        for i, c in enumerate(containers):
            for j, p in enumerate(obj_list(obj_dict(c).get("ports"))):
                p = obj_dict(p)
                hp = p.get("hostPort") or 0
                if hp != (p.get("containerPort") or 0):
                    errs.append(invalid(f"spec.containers[{i}].ports[{j}].hostPort", hp,
                                        "must match `containerPort` when `hostNetwork` is true"))
    errs += _validate_dns(spec)
    for key in ("hostname", "subdomain"):
        if spec.get(key):
            errs += name_errors(f"spec.{key}", spec[key], is_dns1123_label)
    status = obj_dict(obj.get("status"))
    for i, entry in enumerate(obj_list(status.get("podIPs"))):
        errs += is_valid_ip(f"status.podIPs[{i}].ip", obj_dict(entry).get("ip") or "")
    if status.get("podIP"):
        errs += is_valid_ip("status.podIP", status["podIP"])
    if status.get("hostIP"):
        errs += is_valid_ip("status.hostIP", status["hostIP"])
    return errs

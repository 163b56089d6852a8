"""Environment variables the kubelet gives a container.

Sources (kubernetes/kubernetes):
- pkg/kubelet/envvars/envvars.go `FromServices`, `makeLinkVariables`, `makeEnvVariableName`;
- pkg/kubelet/kubelet_pods.go `getServiceEnvVarMap` (which Services; the master Service
  `kubernetes` of `default` always), `makeEnvironmentVariables` (envFrom, then env in order,
  `$(VAR)` expansion against earlier entries and the service variables, valueFrom sources),
  `podFieldSelectorRuntimeValue` and `sortPodIPs`;
- pkg/fieldpath/fieldpath.go `ExtractFieldPathAsString`, `FormatMap`;
- third_party/forked/golang/expansion/expand.go `Expand`, `MappingFuncFor`.

kubenet takes a pod's creationTimestamp as the time its containers started, so a Service
created later is invisible to its environment (semantics.md).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .endpoints import ip_family, per_snapshot, split_key
from .types import EXTERNAL_NAME, Container, OtherObject, Pod, QueryError, Service, Snapshot

MASTER_SERVICE_NAMESPACE = "default"  # the kubelet's masterServiceNamespace default
MASTER_SERVICES = frozenset({"kubernetes"})


# --- which Services --------------------------------------------------------------------------

def _created_by(svc: Service, pod: Pod) -> bool:
    """Did the Service exist when the pod's containers started? Unknown times count as yes."""
    if svc.creation_timestamp is None or pod.creation_timestamp is None:
        return True
    return svc.creation_timestamp <= pod.creation_timestamp


def _ip_set(svc: Service) -> bool:
    # v1helper.IsServiceIPSet: ClusterIP neither "None" nor empty (ExternalName has none).
    return svc.has_cluster_ip


def _services_by_namespace(snap: Snapshot) -> dict[str, list[Service]]:
    out: dict[str, list[Service]] = {}
    for svc in snap.services:
        if _ip_set(svc):
            out.setdefault(svc.namespace, []).append(svc)
    return out


def visible_services(snap: Snapshot, pod: Pod) -> tuple[Service, ...]:
    """The Services whose variables the kubelet injects into the pod, sorted by name.

    kubelet_pods.go getServiceEnvVarMap: the master Service (`kubernetes` in `default`)
    always, even with enableServiceLinks false; with links on, every Service of the pod's
    namespace, and a Service named `kubernetes` there replaces the master one."""
    chosen: dict[str, Service] = {}
    by_ns = per_snapshot(snap, "envvars.services_by_namespace", lambda: _services_by_namespace(snap))
    # The master Services and the pod's namespace's (each in document order: a Service of the
    # pod's namespace named like a master one replaces it whichever comes first).
    for svc in (*by_ns.get(MASTER_SERVICE_NAMESPACE, ()),
                *(by_ns.get(pod.namespace, ()) if pod.namespace != MASTER_SERVICE_NAMESPACE else ())):
        if svc.namespace == MASTER_SERVICE_NAMESPACE and svc.name in MASTER_SERVICES:
            chosen.setdefault(svc.name, svc)
        elif svc.namespace == pod.namespace and pod.enable_service_links and _created_by(svc, pod):
            chosen[svc.name] = svc
    return tuple(sorted(chosen.values(), key=lambda s: s.name))


# The reasons a Service gives a pod no variables, in the order they are tried (interfaces.md
# `env` answer's `absent`). kubelet_pods.go getServiceEnvVarMap: `!v1helper.IsServiceIPSet`
# skips ExternalName (no cluster IP) and headless Services first; then only the master Service
# of `default` (always) and, with enableServiceLinks, the pod's own namespace count; kubenet
# takes the pod's creation time as its containers' start (semantics.md).
ABSENT_REASONS = ("external-name", "headless", "other-namespace", "service-links-disabled", "created-after-pod")


def absence_reason(svc: Service, pod: Pod) -> str | None:
    """The first reason in ABSENT_REASONS that keeps this Service's variables from the pod, or
    None when getServiceEnvVarMap would take it. A master Service shadowed by a same-named
    Service of the pod's namespace is reported by `absent_services` as `other-namespace`."""
    if svc.type == EXTERNAL_NAME:
        return "external-name"
    if not _ip_set(svc):
        return "headless"
    if svc.namespace == MASTER_SERVICE_NAMESPACE and svc.name in MASTER_SERVICES:
        return None  # always injected, links or not, whenever it was created
    if svc.namespace != pod.namespace:
        return "other-namespace"
    if not pod.enable_service_links:
        return "service-links-disabled"
    if not _created_by(svc, pod):
        return "created-after-pod"
    return None


def absent_services(snap: Snapshot, pod: Pod) -> list[dict[str, str]]:
    """Every Service of the cluster whose variables the pod does not get, with its reason,
    sorted by `ns/name`."""
    chosen = {svc.key for svc in visible_services(snap, pod)}
    out = []
    for svc in snap.services:
        if svc.key in chosen:
            continue
        # A master Service that visible_services did not choose was replaced by the pod's own
        # namespace's Service of the same name: only that namespace's one counts.
        reason = absence_reason(svc, pod) or "other-namespace"
        out.append({"service": svc.key, "reason": reason})
    return sorted(out, key=lambda a: a["service"])


# --- FromServices ----------------------------------------------------------------------------

def env_var_name(name: str) -> str:
    """envvars.go makeEnvVariableName: upper case, `-` to `_`."""
    return name.replace("-", "_").upper()


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # net.JoinHostPort


def service_env(services: Iterable[Service]) -> dict[str, str]:
    """envvars.go FromServices: exactly the kubelet's names and values, in its order."""
    out: dict[str, str] = {}
    for svc in services:
        if not _ip_set(svc) or not svc.ports:
            continue
        prefix = env_var_name(svc.name)
        ip = svc.cluster_ip or ""
        out[f"{prefix}_SERVICE_HOST"] = ip
        # The first port gets the backwards-compatible name.
        out[f"{prefix}_SERVICE_PORT"] = str(svc.ports[0].port)
        for sp in svc.ports:
            if sp.name:
                out[f"{prefix}_SERVICE_PORT_{env_var_name(sp.name)}"] = str(sp.port)
        # Docker-compatible link variables (makeLinkVariables).
        for i, sp in enumerate(svc.ports):
            proto = sp.protocol or "TCP"
            url = f"{proto.lower()}://{_host_port(ip, sp.port)}"
            if i == 0:
                out[f"{prefix}_PORT"] = url
            pp = f"{prefix}_PORT_{sp.port}_{proto.upper()}"
            out[pp] = url
            out[f"{pp}_PROTO"] = proto.lower()
            out[f"{pp}_PORT"] = str(sp.port)
            out[f"{pp}_ADDR"] = ip
    return out


# --- $(VAR) expansion ------------------------------------------------------------------------

def mapping_func_for(*contexts: Mapping[str, str]) -> Callable[[str], str]:
    """expand.go MappingFuncFor: the first context holding the name; else `$(name)` as is."""
    def mapping(name: str) -> str:
        for ctx in contexts:
            if name in ctx:
                return ctx[name]
        return f"$({name})"
    return mapping


def expand(text: str, mapping: Callable[[str], str]) -> str:
    """expand.go Expand: `$(VAR)` replaced, `$$` is a literal `$`, anything else verbatim."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    n = len(text)
    while cursor < n:
        if text[cursor] == "$" and cursor + 1 < n:
            out.append(text[checkpoint:cursor])
            nxt = text[cursor + 1]
            if nxt == "$":  # escaped operator
                out.append("$")
                advance = 1
            elif nxt == "(":
                close = text.find(")", cursor + 2)
                if close >= 0:
                    out.append(mapping(text[cursor + 2:close]))
                    advance = close - cursor
                else:  # incomplete reference: "$(" kept
                    out.append("$(")
                    advance = 1
            else:  # a lone operator and the next character
                out.append("$" + nxt)
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


# --- valueFrom sources -----------------------------------------------------------------------

_SUBSCRIPT = re.compile(r"^(metadata\.(?:labels|annotations))\['(.*)'\]$")


def format_map(m: Mapping[str, str]) -> str:
    """fieldpath.go FormatMap: `key="value"` lines, keys sorted (Go %q quoting)."""
    return "\n".join(f"{k}={json.dumps(m[k], ensure_ascii=False)}" for k in sorted(m))


def sort_pod_ips(snap: Snapshot, pod: Pod) -> list[str]:
    """kubelet_pods.go sortPodIPs: the first IP of the node's primary family, then the first
    of the other family; invalid entries are dropped."""
    node = snap.node_by_name.get(pod.node_name or "")
    node_ip = (node.internal_ip if node else None) or pod.host_ip
    primary = "IPv6" if ip_family(node_ip) == "IPv6" else "IPv4"
    secondary = "IPv4" if primary == "IPv6" else "IPv6"
    out = []
    for fam in (primary, secondary):
        for ip in pod.pod_ips:
            if ip_family(ip) == fam:
                out.append(ip)
                break
    return out


def _host_ips(snap: Snapshot, pod: Pod) -> list[str]:
    node = snap.node_by_name.get(pod.node_name or "")
    ips = list(node.addresses_of("InternalIP")) if node else []
    if not ips and pod.host_ip:
        ips = [pod.host_ip]
    return ips


def field_ref_value(snap: Snapshot, pod: Pod, path: str) -> str:
    """The value of a downward-API fieldRef; ValueError for an unsupported path
    (pkg/api/v1/pod ConvertDownwardAPIFieldLabel lists the supported ones)."""
    meta = pod.raw.get("metadata") if isinstance(pod.raw, Mapping) else None
    spec = pod.raw.get("spec") if isinstance(pod.raw, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    spec = spec if isinstance(spec, Mapping) else {}
    sub = _SUBSCRIPT.match(path)
    if sub:
        source = pod.labels if sub.group(1) == "metadata.labels" else pod.annotations
        return source.get(sub.group(2), "")
    ips = sort_pod_ips(snap, pod)
    if path == "metadata.name":
        return pod.name
    if path == "metadata.namespace":
        return pod.namespace
    if path == "metadata.uid":
        return str(meta.get("uid") or "")
    if path == "metadata.labels":
        return format_map(pod.labels)
    if path == "metadata.annotations":
        return format_map(pod.annotations)
    if path == "spec.nodeName":
        return pod.node_name or ""
    if path == "spec.serviceAccountName":
        # The ServiceAccount admission plugin sets "default" when none is given.
        return str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")
    if path == "spec.restartPolicy":
        return str(spec.get("restartPolicy") or "Always")  # API default
    if path == "spec.schedulerName":
        return str(spec.get("schedulerName") or "default-scheduler")  # API default
    if path == "status.phase":
        return pod.phase
    if path == "status.hostIP":
        hosts = _host_ips(snap, pod)
        return hosts[0] if hosts else ""
    if path == "status.hostIPs":
        return ",".join(_host_ips(snap, pod))
    if path == "status.podIP":
        return ips[0] if ips else ""
    if path == "status.podIPs":
        return ",".join(ips)
    raise ValueError(f"unsupported fieldPath {path!r}")


def _find_other(snap: Snapshot, kind: str, ns: str, name: str) -> OtherObject | None:
    for o in snap.others:
        if o.kind == kind and o.name == name and (o.namespace or "default") == ns:
            return o
    return None


def object_data(obj: OtherObject) -> dict[str, str]:
    """A ConfigMap's data, or a Secret's data base64-decoded with stringData merged over it
    (the API server writes stringData into data)."""
    raw = obj.raw if isinstance(obj.raw, Mapping) else {}
    data = raw.get("data") or {}
    if obj.kind != "Secret":
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    out = {}
    for k, v in data.items():
        try:
            out[str(k)] = base64.b64decode(str(v or ""), validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            out[str(k)] = str(v)
    for k, v in (raw.get("stringData") or {}).items():
        out[str(k)] = "" if v is None else str(v)
    return out


# IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]*
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


@dataclass
class EnvResult:
    vars: dict[str, str]  # service variables the kubelet injects
    pod_env: dict[str, str]  # the container's own env entries, expanded
    trace: list[str] = field(default_factory=list)
    failed: bool = False  # the kubelet would refuse to start the container


def _raw_container(pod: Pod, name: str) -> Mapping[str, Any]:
    spec = pod.raw.get("spec") if isinstance(pod.raw, Mapping) else None
    if not isinstance(spec, Mapping):
        return {}
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or ():
            if isinstance(c, Mapping) and c.get("name") == name:
                return c
    return {}


def resolve_env(snap: Snapshot, pod: Pod, container: Container) -> EnvResult:
    """makeEnvironmentVariables for one container, with a trace of what happened."""
    trace: list[str] = []
    services = visible_services(snap, pod)
    if not pod.enable_service_links:
        trace.append("enableServiceLinks is false: only the master Service kubernetes (default)")
    for svc in snap.services_by_namespace.get(pod.namespace, ()):
        if _ip_set(svc) and pod.enable_service_links and not _created_by(svc, pod):
            trace.append(f"Service {svc.key} was created after the pod started: no variables")
        elif not _ip_set(svc) and pod.enable_service_links:
            trace.append(f"Service {svc.key} has no cluster IP (headless or ExternalName): no variables")
    for svc in services:
        trace.append(f"Service {svc.key} ({svc.cluster_ip}) -> {env_var_name(svc.name)}_* variables")
    service_vars = service_env(services)
    failed = False
    tmp: dict[str, str] = {}
    cache: dict[tuple[str, str], dict[str, str] | None] = {}

    def lookup(kind: str, name: str) -> dict[str, str] | None:
        if (kind, name) not in cache:
            obj = _find_other(snap, kind, pod.namespace, name)
            cache[(kind, name)] = object_data(obj) if obj is not None else None
        return cache[(kind, name)]

    # envFrom first, env entries override it.
    for src in _raw_container(pod, container.name).get("envFrom") or ():
        if not isinstance(src, Mapping):
            continue
        prefix = str(src.get("prefix") or "")
        for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = src.get(key)
            if not isinstance(ref, Mapping):
                continue
            name = str(ref.get("name") or "")
            data = lookup(kind, name)
            if data is None:
                if ref.get("optional"):
                    trace.append(f"envFrom {kind} {pod.namespace}/{name} missing (optional): skipped")
                else:
                    failed = True
                    trace.append(f"envFrom {kind} {pod.namespace}/{name} not found: the kubelet "
                                 "would not start the container (CreateContainerConfigError)")
                continue
            invalid = []
            for k, v in data.items():
                k = prefix + k
                if not _ENV_NAME.match(k):
                    invalid.append(k)
                    continue
                tmp[k] = v
            if invalid:
                trace.append(f"envFrom {kind} {pod.namespace}/{name}: keys {sorted(invalid)} skipped, "
                             "not valid environment variable names")

    mapping = mapping_func_for(tmp, service_vars)
    pod_env: dict[str, str] = {}
    for ev in container.env:
        value = ev.value or ""
        if value:
            value = expand(value, mapping)
        elif ev.value_from:
            got, fatal = _value_from(snap, pod, ev.name, ev.value_from, lookup, trace)
            failed = failed or fatal
            if got is None:
                continue
            value = got
        tmp[ev.name] = value
        pod_env[ev.name] = value
    injected = {k: v for k, v in service_vars.items() if k not in tmp}
    for k in service_vars:
        if k in tmp:
            trace.append(f"{k} is set by the container itself: its own value wins")
    return EnvResult(vars=injected, pod_env=pod_env, trace=trace, failed=failed)


def _value_from(snap: Snapshot, pod: Pod, var: str, source: Mapping[str, Any],
                lookup: Callable[[str, str], dict[str, str] | None],
                trace: list[str]) -> tuple[str | None, bool]:
    """A valueFrom source's value, and whether its absence stops the container."""
    fail = "the kubelet would not start the container (CreateContainerConfigError)"
    field_ref = source.get("fieldRef")
    if isinstance(field_ref, Mapping):
        try:
            return field_ref_value(snap, pod, str(field_ref.get("fieldPath") or "")), False
        except ValueError as exc:
            trace.append(f"{var}: {exc}: {fail}")
            return None, True
    for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
        ref = source.get(key)
        if not isinstance(ref, Mapping):
            continue
        name, k = str(ref.get("name") or ""), str(ref.get("key") or "")
        optional = bool(ref.get("optional"))
        data = lookup(kind, name)
        if data is None or k not in data:
            what = (f"{kind} {pod.namespace}/{name} not found" if data is None
                    else f"key {k} not found in {kind} {pod.namespace}/{name}")
            trace.append(f"{var}: {what} (optional): not set" if optional else f"{var}: {what}: {fail}")
            return None, not optional
        return data[k], False
    if isinstance(source.get("resourceFieldRef"), Mapping):
        trace.append(f"{var}: resourceFieldRef is not modelled by kubenet: not shown")
        return None, False
    trace.append(f"{var}: unsupported valueFrom: not shown")
    return None, False


def container_env(snap: Snapshot, pod: Pod, container: Container) -> dict[str, str]:
    """The container's own env entries after `$(VAR)` expansion and valueFrom resolution."""
    return resolve_env(snap, pod, container).pod_env


# --- the env query ---------------------------------------------------------------------------

def answer_env(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    ns, name = split_key(q.get("pod"), "pod")
    pod = snap.pod(f"{ns}/{name}")
    if pod is None:
        raise QueryError(f"Pod {ns}/{name} not found")
    wanted = q.get("container")
    if wanted is None:
        if not pod.containers:
            raise QueryError(f"Pod {pod.key} has no containers")
        container = pod.containers[0]
    else:
        found = [c for c in tuple(pod.containers) + tuple(pod.init_containers) if c.name == wanted]
        if not found:
            raise QueryError(f"container {wanted!r} not found in Pod {pod.key}")
        container = found[0]
    result = resolve_env(snap, pod, container)
    trace = [f"container {container.name} of Pod {pod.key}"] + result.trace
    return {"vars": result.vars, "podEnv": result.pod_env, "absent": absent_services(snap, pod), "trace": trace}

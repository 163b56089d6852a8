"""Service endpoints, as the EndpointSlice controllers publish them.

Sources (kubernetes/kubernetes):
- pkg/controller/endpointslice/endpointslice_controller.go `syncService` (ExternalName and
  selector-less Services get nothing from the controller);
- staging/src/k8s.io/endpointslice/reconciler.go `reconcileByAddressType` (which pods, the
  missing-Node rule), utils.go `podToEndpoint`, `getEndpointPorts`, `getEndpointAddresses`,
  `getAddressTypesForService`, `FindPort`;
- staging/src/k8s.io/endpointslice/util/controller_utils.go `ShouldPodBeInEndpoints`,
  `ShouldSetHostname`;
- pkg/controller/endpointslicemirroring (legacy Endpoints objects of selector-less Services);
- discovery/v1 EndpointConditions docs (nil ready = true, nil serving = ready, nil
  terminating = false); kube-proxy pkg/proxy/endpointslicecache.go (slice ports matched to
  Service ports by name and protocol, only the first address of an endpoint is used).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, TypeVar

from . import labels as lbl
from .ipaddr import parse_ip_sloppy
from .types import (
    EXTERNAL_NAME,
    Endpoint,
    EndpointSlice,
    Pod,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
)

IPV4, IPV6 = "IPv4", "IPv6"
ZONE_LABEL = "topology.kubernetes.io/zone"  # v1.LabelTopologyZone (the beta label is not read)
SKIP_MIRROR_LABEL = "endpointslice.kubernetes.io/skip-mirror"
LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader"

T = TypeVar("T")


def per_snapshot(snap: Snapshot, name: str, build: Callable[[], T]) -> T:
    """A value computed once per Snapshot and kept in its declared memo (Snapshot.memo) under
    `name`, like its cached_property look-ups."""
    memo = snap.memo
    try:
        return memo[name]
    except KeyError:
        value = memo[name] = build()
        return value


# --- addresses -------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 16)
def _address(text: str | None) -> tuple[str, str] | None:
    """(canonical form, IPv4/IPv6) of an address parse_ip_sloppy accepts."""
    ip = parse_ip_sloppy(text)
    return None if ip is None else (str(ip), IPV6 if ip.version == 6 else IPV4)


def ip_family(text: str | None) -> str | None:
    ip = parse_ip_sloppy(text)
    if ip is None:
        return None
    return IPV6 if ip.version == 6 else IPV4


def address_types(svc: Service) -> frozenset[str]:
    """utils.go getAddressTypesForService: spec.ipFamilies; without them the family of the
    cluster IP; a headless Service without families gets both."""
    fams = frozenset(f for f in svc.ip_families if f in (IPV4, IPV6))
    if fams:
        return fams
    if svc.cluster_ip and svc.cluster_ip != "None":
        return frozenset({ip_family(svc.cluster_ip) or IPV4})
    return frozenset({IPV4, IPV6})


def join_host_port(ip: str, port: int | None) -> str:
    """net.JoinHostPort: IPv6 in brackets; a portless endpoint is the bare IP."""
    if port is None:
        return ip
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


# --- which pods ------------------------------------------------------------------------------

def selected_pods(snap: Snapshot, svc: Service) -> tuple[Pod, ...]:
    """The pods of the Service's namespace its selector picks, whatever their phase or
    readiness. None for ExternalName Services and absent or empty selectors
    (endpointslice_controller.go syncService; an empty map is stored as no selector)."""
    if svc.type == EXTERNAL_NAME or not svc.selector:
        return ()
    memo: dict[int, tuple[Service, tuple[Pod, ...]]] = per_snapshot(snap, "_selected_pods", dict)
    hit = memo.get(id(svc))  # as in service_endpoints: the entry keeps `svc` alive
    if hit is not None and hit[0] is svc:
        return hit[1]
    pods = tuple(p for p in snap.pods_by_namespace.get(svc.namespace, ())
                 if lbl.map_selects(svc.selector, p.labels))
    memo[id(svc)] = (svc, pods)
    return pods


def should_pod_be_in_endpoints(pod: Pod) -> bool:
    """controller_utils.go ShouldPodBeInEndpoints(pod, includeTerminating=true): not
    Succeeded/Failed and with an IP. Terminating pods stay (with their conditions)."""
    return not pod.finished and bool(pod.pod_ips)


def resolve_target_port(pod: Pod, sp: ServicePort) -> int | None:
    """utils.go FindPort: a number as is; a name is looked up by name AND protocol in the app
    containers, then in the sidecars (init containers with restartPolicy Always)."""
    target = sp.target_port
    if isinstance(target, int) and not isinstance(target, bool):
        return target
    name = str(target)
    for container in tuple(pod.containers) + pod.sidecars:
        for cp in container.ports:
            if cp.name == name and cp.protocol == sp.protocol:
                return cp.container_port
    return None


def describe_map(selector: Mapping[str, str] | None) -> str:
    """A Service selector as kubectl prints it: `app=web,tier=db`."""
    return ",".join(f"{k}={v}" for k, v in sorted((selector or {}).items())) or "<none>"


def port_key(sp: ServicePort | None) -> str:
    """The endpoints answer's key: the port name, "<port>/<PROTO>" unnamed, "" portless."""
    if sp is None:
        return ""
    return sp.name or f"{sp.port}/{sp.protocol}"


# --- endpoints -------------------------------------------------------------------------------

def service_endpoints(snap: Snapshot, svc: Service) -> tuple[Endpoint, ...]:
    """Every (address, Service port) endpoint of a Service, ordered by Service port, then
    address, then target port. A headless Service without ports has portless endpoints."""
    # Computed once per Service object and snapshot (the entry keeps `svc` alive, so its id
    # is not reused while cached).
    memo: dict[int, tuple[Service, tuple[Endpoint, ...]]] = per_snapshot(snap, "_service_endpoints", dict)
    hit = memo.get(id(svc))
    if hit is not None and hit[0] is svc:
        return hit[1]
    eps = endpoints_with_trace(snap, svc)[0]
    memo[id(svc)] = (svc, eps)
    return eps


def endpoints_with_trace(snap: Snapshot, svc: Service) -> tuple[tuple[Endpoint, ...], list[str]]:
    trace: list[str] = []
    if svc.type == EXTERNAL_NAME:
        # endpointslice_controller.go: ExternalName Services receive no endpoints.
        trace.append(f"Service {svc.key} is ExternalName: no endpoints (a DNS CNAME only)")
        return (), trace
    found: list[Endpoint] = []
    if svc.selector:
        found.extend(_pod_endpoints(snap, svc, trace))
    else:
        trace.append(f"Service {svc.key} has no selector: only EndpointSlices/Endpoints given "
                     "by hand apply")
    found.extend(_manual_endpoints(snap, svc, trace))
    return _dedupe_and_sort(svc, found), trace


def _pod_endpoints(snap: Snapshot, svc: Service, trace: list[str]) -> list[Endpoint]:
    out: list[Endpoint] = []
    families = address_types(svc)
    portless = not svc.ports and svc.headless
    pods = selected_pods(snap, svc)
    if not pods:
        trace.append(f"selector {describe_map(svc.selector)} matches no pod in namespace "
                     f"{svc.namespace}")
    for pod in pods:
        if pod.finished:
            trace.append(f"pod {pod.key}: phase {pod.phase}, not an endpoint")
            continue
        if not should_pod_be_in_endpoints(pod):
            trace.append(f"pod {pod.key}: no IP yet, not an endpoint")
            continue
        node = snap.node_by_name.get(pod.node_name or "")
        if snap.nodes and node is None and not svc.publish_not_ready_addresses:
            # reconciler.go: a pod whose Node does not exist is skipped, unless
            # publishNotReadyAddresses asks for every address.
            trace.append(f"pod {pod.key}: its node {pod.node_name or '(none)'} does not exist, "
                         "skipped")
            continue
        serving = pod.ready
        terminating = pod.terminating
        # utils.go podToEndpoint: ready is never true for a terminating pod, unless
        # publishNotReadyAddresses is set.
        ready = svc.publish_not_ready_addresses or (serving and not terminating)
        hostname = pod.hostname if pod.hostname and pod.subdomain == svc.name else None
        zone = node.labels.get(ZONE_LABEL) if node is not None else None
        addresses = []
        for raw_ip in pod.pod_ips:
            addr = _address(raw_ip)
            if addr is not None and addr[1] in families:
                addresses.append(addr[0])
        if not addresses:
            trace.append(f"pod {pod.key}: no address of the Service's IP families "
                         f"{sorted(families)}")
            continue
        common: dict[str, Any] = dict(ready=ready, serving=serving, terminating=terminating,
                                      pod_key=pod.key, node_name=pod.node_name, zone=zone,
                                      hostname=hostname)
        state = "ready" if ready else "not ready"
        if serving and not ready:
            state += ", serving"
        if terminating:
            state += ", terminating"
        if portless:
            for ip in addresses:
                out.append(Endpoint(ip=ip, port=None, service_port=None, **common))
            trace.append(f"pod {pod.key}: {', '.join(addresses)} ({state})")
            continue
        for sp in svc.ports:
            port = resolve_target_port(pod, sp)
            if port is None:
                trace.append(f"pod {pod.key}: no container port named {sp.target_port!r} with "
                             f"protocol {sp.protocol}, no endpoint for port {port_key(sp)}")
                continue
            for ip in addresses:
                out.append(Endpoint(ip=ip, port=port, service_port=sp, **common))
            trace.append(f"pod {pod.key}: port {port_key(sp)} -> "
                         f"{', '.join(join_host_port(ip, port) for ip in addresses)} ({state})")
    return out


def mirrored(svc: Service, sl: EndpointSlice) -> bool:
    """endpointslicemirroring_controller.go: an Endpoints object is mirrored when its Service
    has no selector, it lacks the skip-mirror label and the leader-election annotation."""
    meta = sl.raw.get("metadata") if isinstance(sl.raw, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    if str(labels.get(SKIP_MIRROR_LABEL, "")).lower() == "true":
        return False
    if LEADER_ANNOTATION in annotations:
        return False
    return not svc.selector


def manual_slices(snap: Snapshot, svc: Service) -> tuple[EndpointSlice, ...]:
    """The EndpointSlices labelled for the Service (kube-proxy and CoreDNS read every slice
    with kubernetes.io/service-name, whoever manages it), plus its mirrored Endpoints."""
    out = []
    for sl in snap.endpoint_slices:
        if sl.namespace != svc.namespace or sl.service_name != svc.name:
            continue
        if sl.source_kind == "Endpoints" and not mirrored(svc, sl):
            continue
        out.append(sl)
    return tuple(out)


def _manual_endpoints(snap: Snapshot, svc: Service, trace: list[str]) -> list[Endpoint]:
    out: list[Endpoint] = []
    families = address_types(svc)
    portless = not svc.ports and svc.headless
    for sl in manual_slices(snap, svc):
        kind = "Endpoints" if sl.source_kind == "Endpoints" else "EndpointSlice"
        if sl.address_type not in families:
            trace.append(f"{kind} {sl.key}: addressType {sl.address_type} is not a family of "
                         "the Service, ignored")
            continue
        for ep in sl.endpoints:
            if not ep.addresses:
                continue
            ip_obj = parse_ip_sloppy(ep.addresses[0])  # "clients may choose to only use the first"
            if ip_obj is None or (IPV6 if ip_obj.version == 6 else IPV4) != sl.address_type:
                trace.append(f"{kind} {sl.key}: address {ep.addresses[0]!r} is not a valid "
                             f"{sl.address_type} address, ignored")
                continue
            ip = str(ip_obj)
            ready = ep.ready is None or bool(ep.ready)
            serving = ready if ep.serving is None else bool(ep.serving)
            terminating = bool(ep.terminating)
            ref = ep.target_ref or {}
            pod_key = None
            if ref.get("kind", "Pod") == "Pod" and ref.get("name"):
                pod_key = f"{ref.get('namespace') or sl.namespace}/{ref['name']}"
            common: dict[str, Any] = dict(ready=ready, serving=serving, terminating=terminating,
                                          pod_key=pod_key, node_name=ep.node_name,
                                          zone=ep.zone, hostname=ep.hostname)
            if portless:
                out.append(Endpoint(ip=ip, port=None, service_port=None, **common))
                continue
            for sp in svc.ports:
                for p in sl.ports:
                    if p.port is not None and (p.name or "") == sp.name and p.protocol == sp.protocol:
                        out.append(Endpoint(ip=ip, port=p.port, service_port=sp, **common))
                        break
        port_list = ", ".join(f"{p.name or '(unnamed)'}={p.port}/{p.protocol}" for p in sl.ports)
        trace.append(f"{kind} {sl.key}: {len(sl.endpoints)} endpoint(s), ports {port_list or 'none'}")
    return out


def _ip_sort_key(ip: str) -> tuple[int, int]:
    obj = parse_ip_sloppy(ip)
    return (obj.version, int(obj)) if obj is not None else (9, 0)


def _dedupe_and_sort(svc: Service, found: Iterable[Endpoint]) -> tuple[Endpoint, ...]:
    index = {id(sp): i for i, sp in enumerate(svc.ports)}
    best: dict[tuple[int, str, int | None], Endpoint] = {}
    for ep in found:
        key = (index.get(id(ep.service_port), -1) if ep.service_port is not None else -1,
               ep.ip, ep.port)
        prev = best.get(key)
        # The same address twice: a ready copy wins over a not ready one.
        if prev is None or (ep.ready and not prev.ready):
            best[key] = ep
    return tuple(best[k] for k in sorted(best, key=lambda k: (k[0], _ip_sort_key(k[1]), k[2] or 0)))


# --- queries ---------------------------------------------------------------------------------

def split_key(value: Any, what: str) -> tuple[str, str]:
    """"ns/name" -> (ns, name); anything else is a malformed query."""
    if not isinstance(value, str) or value.count("/") != 1:
        raise QueryError(f"{what} must be given as namespace/name, got {value!r}")
    ns, name = value.split("/")
    if not ns or not name:
        raise QueryError(f"{what} must be given as namespace/name, got {value!r}")
    return ns, name


def find_service(snap: Snapshot, value: Any) -> Service:
    ns, name = split_key(value, "service")
    svc = snap.service(f"{ns}/{name}")
    if svc is None:
        raise QueryError(f"Service {ns}/{name} not found")
    return svc


def query_selector(raw: Any):
    """A LabelSelector from a query; {} matches everything, null (or absent) nothing.
    Invalid requirements are refused as LabelSelectorAsSelector refuses them
    (apimachinery pkg/apis/meta/v1/helpers.go, pkg/labels/selector.go NewRequirement)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise QueryError("labelSelector must be a mapping (matchLabels, matchExpressions) or null")
    ml = raw.get("matchLabels") or {}
    me = raw.get("matchExpressions") or []
    if not isinstance(ml, Mapping) or not isinstance(me, list):
        raise QueryError("labelSelector: matchLabels must be a mapping, matchExpressions a list")
    for e in me:
        if not isinstance(e, Mapping):
            raise QueryError("labelSelector: each matchExpressions entry must be a mapping")
        op, values = e.get("operator"), e.get("values") or []
        if op not in lbl.OPERATORS:
            raise QueryError(f"labelSelector: {op!r} is not a valid label selector operator")
        if not isinstance(values, list):
            raise QueryError("labelSelector: values must be a list")
        if op in (lbl.IN, lbl.NOT_IN) and not values:
            raise QueryError(f"labelSelector: for '{op}' operator, values set can't be empty")
        if op in (lbl.EXISTS, lbl.DOES_NOT_EXIST) and values:
            raise QueryError("labelSelector: values set must be empty for exists and does not exist")
    return lbl.parse_selector(raw)


def answer_select(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """`select`: the pods a Service's selector picks, or a namespace's pods a labelSelector
    picks."""
    if q.get("service") is not None:
        svc = find_service(snap, q["service"])
        pods = selected_pods(snap, svc)
        if svc.type == EXTERNAL_NAME:
            trace = [f"Service {svc.key} is ExternalName: it selects no pods"]
        elif not svc.selector:
            trace = [f"Service {svc.key} has no selector: it selects no pods"]
        else:
            trace = [f"selector {describe_map(svc.selector)} in namespace {svc.namespace}: "
                     f"{len(pods)} pod(s)"]
        return {"pods": sorted(p.key for p in pods), "trace": trace}
    ns = q.get("namespace")
    if not isinstance(ns, str) or not ns:
        raise QueryError("select needs `service: ns/name`, or `namespace` with `labelSelector`")
    if ns not in snap.namespace_by_name:
        raise QueryError(f"Namespace {ns} not found")
    sel = query_selector(q.get("labelSelector"))
    pods = [p for p in snap.pods_by_namespace.get(ns, ()) if lbl.selects(sel, p.labels)]
    trace = ["labelSelector null: matches no pod" if sel is None else
             f"labelSelector {lbl.describe(sel)} in namespace {ns}: {len(pods)} pod(s)"]
    return {"pods": sorted(p.key for p in pods), "trace": trace}


def answer_endpoints(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """`endpoints`: per Service port, the ready/notReady/serving/terminating addresses."""
    svc = find_service(snap, q.get("service"))
    eps, trace = endpoints_with_trace(snap, svc)
    ports: dict[str, dict[str, list[str]]] = {}
    hostnames: dict[str, str] = {}
    for ep in eps:
        entry = ports.setdefault(port_key(ep.service_port),
                                 {"ready": [], "notReady": [], "serving": [], "terminating": []})
        addr = join_host_port(ep.ip, ep.port)
        entry["ready" if ep.ready else "notReady"].append(addr)
        if ep.serving:
            entry["serving"].append(addr)
        if ep.terminating:
            entry["terminating"].append(addr)
        if ep.hostname:
            hostnames[ep.ip] = ep.hostname
    out_ports = {k: {kind: sorted(set(v)) for kind, v in entry.items() if v}
                 for k, entry in ports.items()}
    return {"ports": {k: v for k, v in out_ports.items() if v}, "hostnames": hostnames,
            "trace": trace}

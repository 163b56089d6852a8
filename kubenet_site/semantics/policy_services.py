"""NetworkPolicy for traffic to a Service: judged at each backend pod after kube-proxy's DNAT,
with the source the backend really sees; and the `connect` query.

Sources: kubernetes/website network-policies.md (policies apply to pods: traffic to a Service is
judged at its endpoints), concepts/services-networking/service "Traffic policies" and
tutorials/services/source-ip (externalTrafficPolicy Cluster SNATs to the receiving node's IP;
Local keeps the client's), kube-proxy pkg/proxy/topology.go (ready endpoints, else
serving-and-terminating ones). The rules themselves are in policy.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .ipaddr import parse_ip_sloppy
from .policy import (
    ALLOWED,
    BLOCKED,
    EXTERNAL,
    PARTIAL,
    Party,
    connect,
    normalize_protocol,
    party_of_ip,
    party_of_node,
    party_of_pod,
    resolve_party,
)
from .types import (
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Pod,
    QueryError,
    Service,
    ServicePort,
    Snapshot,
    Verdict,
)

# --------------------------------------------------------------------------- Services


def _endpoints_module() -> Any:
    from . import endpoints  # another module of the engine; imported late to keep this one light

    return endpoints


def _service_port(svc: Service, port: int | str | None, protocol: str | None) -> ServicePort:
    if port is None:
        if len(svc.ports) == 1:
            return svc.ports[0]
        raise QueryError(f"Service {svc.key} has several ports: name one")
    text = str(port)
    cands = [sp for sp in svc.ports if (text.isdigit() and sp.port == int(text)) or sp.name == text]
    if protocol:
        cands = [sp for sp in cands if sp.protocol.upper() == protocol]
    if not cands:
        suffix = f"/{protocol}" if protocol else ""
        raise QueryError(f"Service {svc.key} has no port {text}{suffix}")
    cands.sort(key=lambda sp: sp.protocol.upper() != "TCP")  # unspecified protocol: TCP first
    return cands[0]


def service_backends(snap: Snapshot, svc: Service, sp: ServicePort) -> tuple[Any, ...]:
    """The endpoints kube-proxy sends to: ready ones, else serving-and-terminating ones
    (kube-proxy pkg/proxy/topology.go)."""
    eps = [e for e in _endpoints_module().service_endpoints(snap, svc)
           if e.port is not None and e.service_port is not None
           and e.service_port.port == sp.port and e.service_port.protocol.upper() == sp.protocol.upper()]
    ready = [e for e in eps if e.ready]
    if ready:
        return tuple(ready)
    return tuple(e for e in eps if e.serving and e.terminating)


ANY_NODE = "*"  # the traffic enters through a node the client chooses (a load balancer, any node port)


def _seen_sources(snap: Snapshot, src: Party, svc: Service, backend: Party,
                  entry: str | None) -> tuple[list[Party], str | None]:
    """The source address NetworkPolicy sees at the backend, after kube-proxy. `entry` is the
    node the traffic enters through (a node port), ANY_NODE (a load balancer or external IP),
    or None (the cluster IP)."""
    if entry is None and src.kind == EXTERNAL and svc.type in (NODE_PORT, LOAD_BALANCER):
        entry = ANY_NODE  # an outside client can only come in through a node port or the balancer
    if entry is None:
        if src.kind == EXTERNAL:
            return [src], ("a cluster IP is not routable from outside the cluster; judged as if the "
                           "client's packets reached the backend unchanged")
        return [src], None
    if (svc.external_traffic_policy or "Cluster") == "Local":
        return [src], "externalTrafficPolicy Local: the client's source IP is preserved"
    # externalTrafficPolicy Cluster: the receiving node masquerades (SNAT) the connection, so
    # the backend sees that node's IP, never the client's (concepts/services-networking/service
    # "Traffic policies"; tutorials/services/source-ip "Source IP for Services with Type=NodePort").
    note = (f"externalTrafficPolicy Cluster: kube-proxy SNATs {src.label} to the receiving node's IP, "
            "so the backend's policy sees a node IP, not the client's")
    if entry != ANY_NODE:
        node = snap.node_by_name.get(entry)
        return ([party_of_node(node)] if node else [src]), note
    nodes = [party_of_node(n) for n in snap.nodes]
    remote = [n for n in nodes if n.node_name != (backend.pod.node_name if backend.pod else None)]
    if remote:
        return remote, note + " (judged from every other node: via its own node it is always allowed)"
    if nodes:
        return nodes, note
    return [src], note + " (no node in the topology: judged with the client's own IP)"


def connect_service(snap: Snapshot, source: Pod | Party | str, svc: Service, port: int | str | None,
                    protocol: str | None = None, entry: str | None = None) -> Verdict:
    """Traffic to a Service is judged at each backend pod after DNAT ([docs]; semantics.md).
    `entry`: see _seen_sources."""
    if svc.type == EXTERNAL_NAME:
        raise QueryError(f"Service {svc.key} is ExternalName: a DNS alias, not proxied")
    src = resolve_party(snap, source)
    proto = normalize_protocol(protocol) if protocol else None
    if svc.headless and not svc.ports:
        return _connect_portless(snap, src, svc, port, proto or "TCP")
    sp = _service_port(svc, port, proto)
    proto = sp.protocol.upper()
    trace = [f"{src.label} -> Service {svc.key} port {sp.port}/{proto}"
             + (" (headless: clients connect to the endpoints directly)" if svc.headless else
                " (kube-proxy DNATs to a backend at its target port)")]
    backends = service_backends(snap, svc, sp)
    if entry not in (None, ANY_NODE) and src.kind == EXTERNAL and svc.external_traffic_policy == "Local":
        # externalTrafficPolicy Local: a node only forwards outside clients to its own endpoints.
        backends = tuple(e for e in backends if e.node_name == entry)
        trace.append(f"externalTrafficPolicy Local: node {entry} sends outside clients only to its own endpoints")
    if not backends:
        trace.append("no ready or serving endpoint: the connection is rejected")
        return Verdict(BLOCKED, tuple(trace), {"backends": {}})
    results: dict[str, str] = {}
    notes: set[str] = set()
    for ep in backends:
        pod = snap.pod(ep.pod_key) if ep.pod_key else None
        backend = party_of_pod(snap, pod) if pod is not None else party_of_ip(snap, ep.ip)
        seen, note = _seen_sources(snap, src, svc, backend, entry)
        if note and note not in notes:
            notes.add(note)
            trace.append(note)
        verdicts = [connect(snap, s, backend, int(ep.port), proto) for s in seen]
        outcome = ALLOWED if all(v.outcome == ALLOWED for v in verdicts) else BLOCKED
        results[ep.address] = outcome
        worst = next((v for v in verdicts if v.outcome != ALLOWED), verdicts[0])
        trace.append(f"backend {ep.address}: {outcome}")
        trace.extend("  " + line for line in worst.trace[1:])
    outcomes = set(results.values())
    verdict = outcomes.pop() if len(outcomes) == 1 else PARTIAL
    return Verdict(verdict, tuple(trace), {"backends": dict(sorted(results.items()))})


def service_at_address(snap: Snapshot, ip: str, port: int | str | None,
                       protocol: str | None) -> tuple[Service, int, str | None] | None:
    """The Service kube-proxy serves at ip:port, if any: (Service, Service port, entry node).
    A cluster IP or external IP on the Service port, a load-balancer IP on the Service port,
    or a node IP on a node port (concepts/services-networking/service)."""
    if port is None or not str(port).isdigit():
        return None
    number = int(port)

    def proto_ok(sp: ServicePort) -> bool:
        return protocol is None or sp.protocol.upper() == protocol

    for s in snap.services:
        if s.type == EXTERNAL_NAME:
            continue
        direct = s.has_cluster_ip and (ip == s.cluster_ip or ip in s.cluster_ips)
        outside = ip in s.external_ips or any(i.ip == ip for i in s.load_balancer_ingress)
        if direct or outside:
            for sp in s.ports:
                if sp.port == number and proto_ok(sp):
                    return s, sp.port, (None if direct else ANY_NODE)
    for n in snap.nodes:
        if ip in n.ips:
            for s in snap.services:
                for sp in s.ports:
                    if s.type in (NODE_PORT, LOAD_BALANCER) and sp.node_port == number and proto_ok(sp):
                        return s, sp.port, n.name
    return None


def _connect_portless(snap: Snapshot, src: Party, svc: Service, port: int | str | None, proto: str) -> Verdict:
    """A headless Service without ports: clients reach its endpoints' IPs on any port."""
    if port is None:
        raise QueryError(f"Service {svc.key} is headless without ports: give a port")
    trace = [f"{src.label} -> headless Service {svc.key} (no ports): each endpoint on {port}/{proto}"]
    eps = [e for e in _endpoints_module().service_endpoints(snap, svc) if e.ready]
    if not eps:
        trace.append("no ready endpoint")
        return Verdict(BLOCKED, tuple(trace), {"backends": {}})
    results: dict[str, str] = {}
    for ep in eps:
        pod = snap.pod(ep.pod_key) if ep.pod_key else None
        backend = party_of_pod(snap, pod) if pod is not None else party_of_ip(snap, ep.ip)
        v = connect(snap, src, backend, port, proto)
        results[ep.address] = v.outcome
        trace.append(f"backend {ep.address}: {v.outcome}")
        trace.extend("  " + line for line in v.trace[1:])
    outcomes = set(results.values())
    verdict = outcomes.pop() if len(outcomes) == 1 else PARTIAL
    return Verdict(verdict, tuple(trace), {"backends": dict(sorted(results.items()))})


# --------------------------------------------------------------------------- query


def parse_port(value: Any) -> int | str:
    if isinstance(value, bool) or value is None:
        raise QueryError("port must be a number or a port name")
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        number = int(value)
        if not 1 <= number <= 65535:
            raise QueryError(f"port {number} is outside 1-65535")
        return number
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise QueryError("port must be a number or a port name")


def _parse_svc_target(text: str) -> tuple[str, str | None, str | None]:
    """`svc:<ns>/<name>[:<port>[/<PROTO>]]` -> (key, port, protocol)."""
    rest = text[4:]
    key, _, port = rest.partition(":")
    proto = None
    if "/" in port:
        port, _, proto = port.partition("/")
    return key, (port or None), (proto.upper() if proto else None)


def _maybe_ip(text: str) -> str | None:
    ip = parse_ip_sloppy(text.strip())
    return None if ip is None else str(ip)


def answer_connect(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """interfaces.md `connect`."""
    src_text, dst_text = q.get("from"), q.get("to")
    if not isinstance(src_text, str) or not src_text:
        raise QueryError("connect needs `from`: ns/pod or an IP")
    if not isinstance(dst_text, str) or not dst_text:
        raise QueryError("connect needs `to`: ns/pod, an IP, or svc:<ns>/<name>:<port>")
    protocol = q.get("protocol")
    try:
        proto = normalize_protocol(protocol) if protocol else None
        src = resolve_party(snap, src_text)
        if dst_text.startswith("svc:"):
            key, port_text, str_proto = _parse_svc_target(dst_text)
            svc = snap.service(key)
            if svc is None:
                raise QueryError(f"no Service {key}")
            port_value = port_text if port_text is not None else q.get("port")
            v = connect_service(snap, src, svc, None if port_value is None else parse_port(port_value),
                                proto or str_proto)
            return {"verdict": v.outcome, "backends": dict(v.details.get("backends", {})), "trace": list(v.trace)}
        port = parse_port(q.get("port"))
        dst_ip = _maybe_ip(dst_text)
        found = service_at_address(snap, dst_ip, port, proto) if dst_ip else None
        if found is not None:
            svc, svc_port, entry = found
            v = connect_service(snap, src, svc, svc_port, proto, entry)
            return {"verdict": v.outcome, "backends": dict(v.details.get("backends", {})), "trace": list(v.trace)}
        dst = resolve_party(snap, dst_text)
        v = connect(snap, src, dst, port, proto or "TCP")
    except ValueError as exc:
        raise QueryError(str(exc)) from exc
    return {"verdict": v.outcome, "trace": list(v.trace)}

"""Cluster DNS as CoreDNS serves it (server_lookup): records, responses, the kubernetes
plugin's lookups.

The server is CoreDNS with the kubeadm default Corefile: `kubernetes <zone> in-addr.arpa
ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa }` then `forward .
/etc/resolv.conf`; names outside the cluster zone do not exist upstream (interfaces.md).

Sources (coredns/coredns, current master): plugin/kubernetes handler.go (ServeDNS: which
function answers which type, NXDOMAIN vs NODATA), kubernetes.go (Services, Records,
findServices, findPods, endpointHostname), parse.go (parseRequest), reverse.go
(serviceRecordForIP), plugin/backend_lookup.go (A/AAAA CNAME chasing, SRV weights, PTR,
TXT), object/endpoint.go (only ready endpoints are kept); kubernetes/dns
docs/specification.md. The pod's stub resolver lives in resolver.py,
the `dns` query in dns.py.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass, field, replace
from typing import Any

from .dnsnames import (
    InvalidName,
    ParsedName,
    endpoint_fqdn,
    endpoint_hostname,
    fqdn,
    in_zone,
    ip_from_dashed,
    ip_from_reverse,
    parse_name,
    relative_labels,
    service_fqdn,
    zone_of,
)
from .endpoints import address_types, per_snapshot, service_endpoints
from .types import EXTERNAL_NAME, Endpoint, QueryError, Service, Snapshot

A, AAAA, SRV, PTR, TXT, CNAME = "A", "AAAA", "SRV", "PTR", "TXT", "CNAME"
QTYPES = (A, AAAA, SRV, PTR, TXT, CNAME)
NOERROR, NXDOMAIN, TIMEOUT = "NOERROR", "NXDOMAIN", "TIMEOUT"
DNS_SCHEMA_VERSION = "1.1.0"  # kubernetes.go DNSSchemaVersion
REVERSE_ZONES = ("in-addr.arpa", "ip6.arpa")


# --- results -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    """One resource record of an answer section."""

    type: str
    name: str
    data: str = ""  # A/AAAA address, CNAME/PTR target, TXT text
    priority: int = 0  # SRV only
    weight: int = 0
    port: int = 0
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        if self.type == SRV:
            return {"type": SRV, "name": self.name, "priority": self.priority,
                    "weight": self.weight, "port": self.port, "target": self.target}
        return {"type": self.type, "name": self.name, "data": self.data}

    def __str__(self) -> str:
        if self.type == SRV:
            return f"{self.name} SRV {self.priority} {self.weight} {self.port} {self.target}"
        return f"{self.name} {self.type} {self.data}"


@dataclass(frozen=True)
class DNSResponse:
    """What the cluster DNS server answers to one question."""

    rcode: str
    answers: tuple[Record, ...] = ()
    trace: tuple[str, ...] = ()


@dataclass(frozen=True)
class DNSResult:
    """What a pod's stub resolver ends with (resolver.py)."""

    rcode: str
    answers: tuple[Record, ...] = ()
    fqdn: str = ""
    tried: tuple[str, ...] = ()
    trace: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"rcode": self.rcode, "answers": [r.as_dict() for r in self.answers],
                "fqdn": self.fqdn, "tried": list(self.tried), "trace": list(self.trace)}


# --- the kubernetes plugin's lookups -----------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    """plugin/etcd/msg.Service: what the backend found; `host` is an address or a name."""

    host: str
    key: str  # the owner name, used as an SRV target
    port: int = -1  # -1: no port (portless headless Service)


@dataclass
class _Lookup:
    entries: list[_Entry] = field(default_factory=list)
    nxdomain: bool = False


def _host_type(host: str) -> tuple[str, str]:
    """msg.Service.HostType: (A|AAAA, normalised address) or (CNAME, name)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return CNAME, host
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return A, str(ip.ipv4_mapped)
    return (A if ip.version == 4 else AAAA), str(ip)


def _match(query: str, value: str) -> bool:
    """kubernetes.go matchPortAndProtocol: an empty query part matches anything."""
    return query == "" or query.lower() == value.lower()


def _cluster_ips(svc: Service) -> tuple[str, ...]:
    return svc.cluster_ips or ((svc.cluster_ip,) if svc.cluster_ip else ())


def dns_endpoints(snap: Snapshot, svc: Service) -> list[Endpoint]:
    """The endpoints CoreDNS publishes: the ready ones (object/endpoint.go). A pod that
    resolves none of the Service's target ports still sits in an EndpointSlice with no ports
    (endpointslice utils.go getEndpointPorts skips only the port), so it keeps its address
    records, without SRV (the sentinel port -1 of object/endpoint.go)."""
    found = service_endpoints(snap, svc)
    out = [e for e in found if e.ready]
    if svc.ports:
        with_ports = {e.ip for e in found}
        bare = replace(svc, ports=(), cluster_ip="None", cluster_ips=(),
                       ip_families=tuple(sorted(address_types(svc))))
        out += [e for e in service_endpoints(snap, bare) if e.ready and e.ip not in with_ports]
    return out


def _find_pods(r: ParsedName, zone: str, trace: list[str]) -> _Lookup:
    # kubernetes.go findPods, `pods insecure`: any well-formed dashed address answers.
    if not r.service:
        trace.append(f"namespace {r.namespace} exists, no pod label: NODATA")
        return _Lookup()
    ip = ip_from_dashed(r.service)
    if ip is None:
        trace.append(f"{r.service!r} is not a dashed IP address: NXDOMAIN")
        return _Lookup(nxdomain=True)
    trace.append(f"pods insecure: {r.service} -> {ip} (no check that a pod has it)")
    return _Lookup([_Entry(ip, f"{r.service}.{r.namespace}.pod.{zone}.", 0)])


def _find_services(snap: Snapshot, r: ParsedName, zone: str, trace: list[str]) -> _Lookup:
    """kubernetes.go findServices."""
    if not r.service:
        trace.append(f"namespace {r.namespace} exists, no service label: NODATA")
        return _Lookup()
    out = _Lookup(nxdomain=True)
    services = [s for s in snap.services_by_namespace.get(r.namespace, ()) if s.name.lower() == r.service]
    if not services:
        trace.append(f"no Service {r.namespace}/{r.service}: NXDOMAIN")
    for svc in services:
        name = service_fqdn(svc.name, svc.namespace, zone)
        if svc.type == EXTERNAL_NAME:
            # External services have no endpoints, nor port/protocol subdomains.
            if r.endpoint or r.port or r.protocol:
                trace.append(f"Service {svc.key} is ExternalName: no sub-names")
                continue
            if not svc.external_name or _host_type(svc.external_name)[0] != CNAME:
                trace.append(f"Service {svc.key}: externalName {svc.external_name!r} is an IP, "
                             "CoreDNS serves no record for it")
                continue
            out.entries.append(_Entry(svc.external_name or "", name))
            out.nxdomain = False
            trace.append(f"Service {svc.key} is ExternalName -> CNAME {fqdn(svc.external_name or '')}")
            continue
        if svc.headless or r.endpoint:
            # Endpoint query or headless Service: ready endpoints only (object/endpoint.go).
            eps = dns_endpoints(snap, svc)
            kind = "headless Service" if svc.headless else "Service"
            trace.append(f"{kind} {svc.key}: {len({e.ip for e in eps})} ready endpoint address(es)")
            for ep in eps:
                host = endpoint_hostname(ep.ip, ep.hostname)
                if r.endpoint and r.endpoint != host.lower():
                    continue
                sp = ep.service_port
                if not (_match(r.port, sp.name if sp else "") and _match(r.protocol, sp.protocol if sp else "")):
                    continue
                out.entries.append(_Entry(ep.ip, endpoint_fqdn(host, svc.name, svc.namespace, zone),
                                          -1 if ep.port is None else ep.port))
                out.nxdomain = False
            continue
        for sp in svc.ports:
            if not (_match(r.port, sp.name) and _match(r.protocol, sp.protocol)):
                continue
            out.nxdomain = False
            out.entries.extend(_Entry(ip, name, sp.port) for ip in _cluster_ips(svc))
        trace.append(f"Service {svc.key}: cluster IP {', '.join(_cluster_ips(svc)) or 'none'}")
    if services and out.nxdomain:
        trace.append(f"nothing matches {r}: NXDOMAIN")
    return out


def _records(snap: Snapshot, zone: str, name: str, trace: list[str]) -> _Lookup:
    """kubernetes.go Records."""
    try:
        r = parse_name(name, zone)
    except InvalidName:
        trace.append(f"{name}: not a name of the Kubernetes DNS schema: NXDOMAIN")
        return _Lookup(nxdomain=True)
    if not r.pod_or_svc:
        trace.append(f"{name}: an empty non-terminal of the zone: NODATA")
        return _Lookup()
    if zone in REVERSE_ZONES:
        return _Lookup(nxdomain=True)
    if r.namespace not in snap.namespace_by_name:
        trace.append(f"namespace {r.namespace} does not exist: NXDOMAIN")
        return _Lookup(nxdomain=True)
    if r.pod_or_svc == "pod":
        return _find_pods(r, zone, trace)
    return _find_services(snap, r, zone, trace)


def _services(snap: Snapshot, zone: str, name: str, qtype: str, trace: list[str]) -> _Lookup:
    """kubernetes.go Services (A, AAAA, SRV, CNAME); backend_lookup.go checkForApex."""
    if name.lower() == f"ns.dns.{zone}.":
        # isDefaultNS: the DNS server's own address(es).
        ips = [ip for ip in snap.cluster.cluster_dns if _host_type(ip)[0] == qtype]
        return _Lookup([_Entry(ip, name, 0) for ip in ips])
    found = _records(snap, zone, name, trace)
    if qtype == SRV:  # SRV for external services is not implemented: drop CNAMEs.
        found.entries = [e for e in found.entries if _host_type(e.host)[0] != CNAME]
    return found


def _address(snap: Snapshot, zone: str, qname: str, qtype: str, previous: tuple[Record, ...],
             trace: list[str]) -> tuple[list[Record], bool]:
    """backend_lookup.go A/AAAA: addresses of one family, CNAMEs chased in the zone or
    upstream. Returns (records, nxdomain)."""
    found = _services(snap, zone, qname, qtype, trace)
    if found.nxdomain:
        return [], True
    records: list[Record] = []
    seen: set[str] = set()
    for e in found.entries:
        kind, value = _host_type(e.host)
        if kind == CNAME:
            target = fqdn(value)
            lq, lt = fqdn(qname.lower()), target.lower()
            if lt == lq or lt.endswith("." + lq):
                trace.append(f"CNAME {target} points into {qname} itself: a loop, dropped")
                continue
            cname = Record(CNAME, qname, target)
            if len(previous) > 7 or any(p.type == CNAME and p.data == target for p in previous):
                trace.append(f"CNAME chain too long or looping at {target}, dropped")
                continue
            if in_zone(target, zone):
                nxt, nx = _address(snap, zone, target, qtype, (*previous, cname), trace)
                if not nx and nxt:
                    records += [cname, *nxt]
                else:
                    trace.append(f"in-zone CNAME target {target} has no {qtype}: CoreDNS leaves the "
                                 "CNAME out (NODATA)")
                continue
            trace.append(f"CNAME target {target} is outside {zone}: forwarded upstream, which has no "
                         f"such name (NXDOMAIN, no records); CoreDNS answers the CNAME alone")
            records.append(cname)
        elif kind == qtype and value not in seen:
            seen.add(value)
            records.append(Record(qtype, qname, value))
    return records, False


def _srv(snap: Snapshot, zone: str, qname: str, trace: list[str]) -> tuple[list[Record], bool]:
    """backend_lookup.go SRV: priority 0; weight 100/total*100 over every entry, then
    duplicates (same target and port) dropped; entries without a port skipped."""
    found = _services(snap, zone, qname, SRV, trace)
    if found.nxdomain:
        return [], True
    total = 100 * len(found.entries)
    records: list[Record] = []
    seen: set[tuple[str, int]] = set()
    for e in found.entries:
        if e.port == -1:
            continue
        weight = math.floor(100.0 / total * 100) or 1
        if (e.key, e.port) in seen:
            continue
        seen.add((e.key, e.port))
        records.append(Record(SRV, qname, priority=0, weight=weight, port=e.port, target=e.key))
    return records, False


def service_record_for_ip(snap: Snapshot, ip: str) -> list[str]:
    """reverse.go serviceRecordForIP: the Service owning the cluster IP, else one name per
    (Service, ready endpoint) with that address."""
    zone = zone_of(snap)
    want = ipaddress.ip_address(ip)

    def same(text: str) -> bool:
        try:
            return ipaddress.ip_address(text) == want
        except ValueError:
            return False

    for svc in snap.services:
        if svc.type != EXTERNAL_NAME and not svc.headless and any(same(c) for c in _cluster_ips(svc)):
            return [service_fqdn(svc.name, svc.namespace, zone)]
    names: list[str] = []
    for svc in sorted(snap.services, key=lambda s: s.key):
        if svc.type == EXTERNAL_NAME:
            continue
        for ep in dns_endpoints(snap, svc):
            if same(ep.ip):
                name = endpoint_fqdn(endpoint_hostname(ep.ip, ep.hostname), svc.name, svc.namespace, zone)
                if name not in names:
                    names.append(name)
    return names


def _zone_for(snap: Snapshot, name: str) -> str | None:
    """plugin.Zones.Matches: the longest zone the name is in."""
    zones = sorted((zone_of(snap), *REVERSE_ZONES), key=len, reverse=True)
    return next((z for z in zones if in_zone(name, z)), None)


def server_lookup(snap: Snapshot, qname: str, qtype: str) -> DNSResponse:
    """What the cluster DNS server (CoreDNS) answers to `qname IN qtype` (handler.go ServeDNS).
    The server's answer depends on the name alone, not on who asks: one look-up per name and
    type and Snapshot (a DNS check asks the same names from every namespace)."""
    qname, qtype = fqdn(qname), qtype.upper()
    memo: dict[tuple[str, str], DNSResponse] = per_snapshot(snap, "dns_server.server_lookup", dict)
    key = (qname, qtype)
    resp = memo.get(key)
    if resp is None:
        resp = memo[key] = _server_lookup(snap, qname, qtype)
    return resp


def _server_lookup(snap: Snapshot, qname: str, qtype: str) -> DNSResponse:
    trace: list[str] = [f"CoreDNS: {qname} {qtype}"]
    zone = _zone_for(snap, qname)
    if zone is None:
        trace.append(f"{qname} is outside {zone_of(snap)}: forward . /etc/resolv.conf; the upstream "
                     "has no such name")
        return DNSResponse(NXDOMAIN, (), tuple(trace))
    records: list[Record] = []
    nx = False
    if qtype in (A, AAAA):
        records, nx = _address(snap, zone, qname, qtype, (), trace)
    elif qtype == SRV:
        records, nx = _srv(snap, zone, qname, trace)
    elif qtype == CNAME:
        found = _services(snap, zone, qname, CNAME, trace)
        nx = found.nxdomain
        if found.entries and _host_type(found.entries[0].host)[0] == CNAME:
            records = [Record(CNAME, qname, fqdn(found.entries[0].host))]
    elif qtype == TXT:
        if relative_labels(qname, zone) == ["dns-version"]:
            records = [Record(TXT, qname, DNS_SCHEMA_VERSION)]
        else:  # kubernetes.go Services: NODATA when the name has other records, else NXDOMAIN
            nx = not _records(snap, zone, qname, trace).entries
    elif qtype == PTR:
        ip = ip_from_reverse(qname)
        if ip is None:  # reverse.go: not an address, answer as a name lookup (NODATA/NXDOMAIN)
            nx = _records(snap, zone, qname, trace).nxdomain
        else:
            names = service_record_for_ip(snap, ip)
            nx = not names
            records = [Record(PTR, qname, n) for n in names]
            trace.append(f"PTR {ip}: {', '.join(names) or 'no Service cluster IP or ready endpoint'}")
    else:
        raise QueryError(f"unsupported DNS type {qtype!r}; one of {', '.join(QTYPES)}")
    if nx:
        if zone in REVERSE_ZONES:
            trace.append("fallthrough in-addr.arpa ip6.arpa: forwarded upstream, which has no such name")
        trace.append("NXDOMAIN")
        return DNSResponse(NXDOMAIN, (), tuple(trace))
    trace.append("NOERROR" if records else "NOERROR, no records (NODATA)")
    return DNSResponse(NOERROR, tuple(records), tuple(trace))

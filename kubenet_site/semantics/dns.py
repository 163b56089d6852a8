"""The `dns` query (interfaces.md): a pod's question through its stub resolver (resolver.py)
to the cluster DNS (dns_server.py), or a timeout where NetworkPolicy keeps it from its
nameservers. Re-exports the server's names for callers of `dns.server_lookup` & co.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import resolver
from .dns_server import (
    AAAA,
    CNAME,
    DNS_SCHEMA_VERSION,
    NOERROR,
    NXDOMAIN,
    PTR,
    QTYPES,
    REVERSE_ZONES,
    SRV,
    TIMEOUT,
    TXT,
    A,
    DNSResponse,
    DNSResult,
    Record,
    dns_endpoints,
    server_lookup,
    service_record_for_ip,
)
from .dnsnames import check_name, reverse_name
from .endpoints import per_snapshot, split_key
from .types import Pod, QueryError, ResolvConf, Snapshot

__all__ = [
    "AAAA", "CNAME", "DNS_SCHEMA_VERSION", "NOERROR", "NXDOMAIN", "PTR", "QTYPES", "REVERSE_ZONES", "SRV", "TIMEOUT",
    "TXT", "A", "DNSResponse", "DNSResult", "Record", "answer_dns", "dns_endpoints", "resolve", "resolver_config",
    "server_lookup", "service_record_for_ip", "sorted_answers", "brief_answers",
]


# --- the pod side (resolver.py) and the query ----------------------------------------------------

def resolver_config(snap: Snapshot, pod: Pod) -> ResolvConf:
    """The resolv.conf the kubelet writes for the pod (resolver.py)."""
    return resolver.resolver_config(snap, pod)


def resolve(snap: Snapshot, pod: Pod, name: str, qtype: str = A, blocked: str | None = None) -> DNSResult:
    """`name` resolved from inside the pod, by its stub resolver (resolver.py); `blocked`
    (why no nameserver is reachable) makes every query time out."""
    return resolver.resolve(snap, pod, name, qtype, blocked)


def sorted_answers(records: tuple[Record, ...]) -> list[dict[str, Any]]:
    # A CNAME chain keeps its order; the rest means nothing in order: sorted as strings.
    chain = [r for r in records if r.type == CNAME]
    rest = sorted((r for r in records if r.type != CNAME), key=str)
    return [r.as_dict() for r in (*chain, *rest)]


def _policy_timeout(snap: Snapshot, pod: Pod, qname: str, qtype: str) -> dict[str, Any] | None:
    """NetworkPolicy that keeps the pod from its nameservers (policy_dns.dns_access) makes every
    query time out. glibc res_search ends the search list at the first timeout (TRY_AGAIN
    without SERVFAIL: `done`), then still tries the name as typed unless it already did."""
    from . import policy_dns  # late: policy imports this module's neighbours

    access = policy_dns.dns_access(snap, pod)
    if access.outcome != policy_dns.BLOCKED:
        return None
    result = resolve(snap, pod, qname, qtype, blocked="its egress or the DNS pods' ingress (NetworkPolicy)")
    out = result.as_dict()
    out["trace"] = [*out["trace"], *access.trace]
    return out


def answer_dns(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """The `dns` query (interfaces.md)."""
    ns, name = split_key(q.get("from"), "from")
    pod = snap.pod(f"{ns}/{name}")
    if pod is None:
        raise QueryError(f"Pod {ns}/{name} not found")
    qtype = str(q.get("type") or A).upper()
    if qtype == "RESOLV.CONF":
        conf = resolver_config(snap, pod)
        return {"nameservers": list(conf.nameservers),
                "searches": [s.rstrip(".") for s in conf.searches], "options": list(conf.options)}
    if qtype not in QTYPES:
        raise QueryError(f"unsupported DNS type {q.get('type')!r}; one of {', '.join(QTYPES)}, resolv.conf")
    qname = q.get("name")
    if not isinstance(qname, str) or not qname.strip():
        raise QueryError("a dns query needs a name")
    qname = qname.strip()
    if qtype == PTR:
        try:
            qname = reverse_name(qname)
        except ValueError:
            pass  # already a name
    check_name(qname)
    blocked = _policy_timeout(snap, pod, qname, qtype)
    if blocked is not None:
        return blocked
    result = resolve(snap, pod, qname, qtype)
    out = result.as_dict()
    out["answers"] = sorted_answers(result.answers)
    return out


def brief_answers(snap: Snapshot, pod: Pod, names: list[str]) -> list[dict[str, Any]]:
    """For each name, the fields of answer_dns(snap, {"from": pod, "name": name}) a check run
    keeps, {rcode, fqdn, answers: [record data]} (or {error} for a name the query refuses),
    plain JSON values, computed without traces: the same resolver and server, one resolv.conf for all names.
    A pod whose DNS NetworkPolicy blocks goes through answer_dns itself."""
    from . import policy_dns  # late, as in _policy_timeout

    out: list[dict[str, Any]] = []
    if policy_dns.dns_access(snap, pod).outcome == policy_dns.BLOCKED:
        for name in names:
            try:
                ans = answer_dns(snap, {"from": pod.key, "name": name})
            except QueryError as exc:
                out.append({"error": str(exc)})
                continue
            out.append({"rcode": ans.get("rcode"), "fqdn": ans.get("fqdn"),
                        "answers": [a.get("data") for a in ans.get("answers", [])]})
        return out
    conf = resolver_config(snap, pod)
    valid: set[str] = per_snapshot(snap, "dns.valid_names", set)  # check_name passed (any pod)
    absolute: dict[tuple[str, tuple[str, ...]], DNSResult] = per_snapshot(snap, "dns.brief_absolute", dict)
    for name in names:
        qname = name.strip() if isinstance(name, str) else name
        if not isinstance(qname, str) or not qname:
            out.append({"error": "a dns query needs a name"})
            continue
        if qname not in valid:
            try:
                check_name(qname)
            except QueryError as exc:
                out.append({"error": str(exc)})
                continue
            valid.add(qname)
        if qname.endswith("."):
            # An absolute name is asked as it is, whatever the search list (resolver.resolve):
            # its answer depends on the nameservers alone, so once for every class that shares them.
            key = (qname, conf.nameservers)
            result = absolute.get(key)
            if result is None:
                result = absolute[key] = resolver.resolve(snap, pod, qname, A, conf=conf, traced=False)
        else:
            result = resolver.resolve(snap, pod, qname, A, conf=conf, traced=False)
        out.append({"rcode": result.rcode, "fqdn": result.fqdn,
                    "answers": [a.get("data") for a in sorted_answers(result.answers)]})
    return out

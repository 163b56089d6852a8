"""DNS names of the Kubernetes DNS schema: rendering them and reading them back.

Sources: kubernetes/dns docs/specification.md (the schema); coredns/coredns
plugin/kubernetes parse.go (parseRequest), kubernetes.go (endpointHostname, findPods' dashed
addresses), plugin/pkg/dnsutil reverse.go (ExtractAddressFromReverse).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from .types import QueryError, Snapshot


def fqdn(name: str) -> str:
    return name if name.endswith(".") else name + "."


def zone_of(snap: Snapshot) -> str:
    return snap.cluster.domain.strip(".").lower()


def endpoint_hostname(ip: str, hostname: str | None = None) -> str:
    """kubernetes.go endpointHostname: the endpoint's hostname, else its IP with dashes
    (IPv6: ':' -> '-', and a trailing '-' gets a '0' so the label stays valid)."""
    if hostname:
        return hostname
    if "." in ip:
        return ip.replace(".", "-")
    if ":" in ip:
        dashed = ip.replace(":", "-")
        return dashed + "0" if dashed.endswith("-") else dashed
    return ""


def ip_from_dashed(label: str) -> str | None:
    """kubernetes.go findPods: `a-b-c-d` is IPv4 when it has exactly three dashes and no
    `--`, anything else is read as IPv6; None unless it parses (net.ParseIP)."""
    if label.count("-") == 3 and "--" not in label:
        text = label.replace("-", ".")
    else:
        text = label.replace("-", ":")
    if "%" in text:  # net.ParseIP takes no IPv6 zone
        return None
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)  # msg.Service.HostType: ip.To4() != nil is an A record
    return str(ip)


def service_fqdn(service: str, namespace: str, zone: str) -> str:
    return f"{service}.{namespace}.svc.{zone}."


def endpoint_fqdn(hostname: str, service: str, namespace: str, zone: str) -> str:
    return f"{hostname}.{service}.{namespace}.svc.{zone}."


def srv_fqdn(port: str, protocol: str, service: str, namespace: str, zone: str) -> str:
    return f"_{port}._{protocol.lower()}.{service}.{namespace}.svc.{zone}."


def pod_fqdn(ip: str, namespace: str, zone: str) -> str:
    return f"{endpoint_hostname(ip)}.{namespace}.pod.{zone}."


def reverse_name(ip: str) -> str:
    """The in-addr.arpa / ip6.arpa name of an address."""
    return ipaddress.ip_address(ip).reverse_pointer + "."


def ip_from_reverse(name: str) -> str | None:
    """dnsutil.ExtractAddressFromReverse: a complete reverse name -> its address, else None."""
    name = fqdn(name.lower())
    try:
        if name.endswith(".in-addr.arpa."):
            parts = name[: -len(".in-addr.arpa.")].split(".")
            return str(ipaddress.IPv4Address(".".join(reversed(parts))))
        if name.endswith(".ip6.arpa."):
            nibbles = list(reversed(name[: -len(".ip6.arpa.")].split(".")))
            if len(nibbles) != 32 or any(len(n) != 1 for n in nibbles):
                return None
            groups = ["".join(nibbles[i:i + 4]) for i in range(0, 32, 4)]
            return str(ipaddress.IPv6Address(":".join(groups)))
    except ValueError:
        return None
    return None


class InvalidName(Exception):
    """parse.go errInvalidRequest: answered NXDOMAIN."""


@dataclass(frozen=True)
class ParsedName:
    """parse.go recordRequest: the labels of a name below the zone, read right to left."""

    pod_or_svc: str = ""
    namespace: str = ""
    service: str = ""
    endpoint: str = ""
    port: str = ""
    protocol: str = ""


def _strip_underscore(label: str) -> str:
    return label[1:] if label.startswith("_") else label


def relative_labels(name: str, zone: str) -> list[str]:
    """The labels of `name` in front of `zone` (both compared lower case)."""
    name, zone = fqdn(name.lower()), fqdn(zone.lower())
    base = "" if name == zone else name[: -len(zone) - 1] if name.endswith("." + zone) else name
    return [label for label in base.rstrip(".").split(".") if label]


def parse_name(name: str, zone: str) -> ParsedName:
    """parse.go parseRequest (no multicluster): `[_port._proto.|endpoint.]service.ns.svc|pod`;
    more labels than that is an invalid request."""
    segs = list(reversed(relative_labels(name, zone)))
    if not segs or segs == ["svc"] or segs == ["pod"]:
        return ParsedName()  # apex, svc.<zone>, pod.<zone>: NODATA
    if len(segs) > 6:
        raise InvalidName(name)
    if segs[0] not in ("svc", "pod"):
        raise InvalidName(name)
    out: dict[str, str] = {"pod_or_svc": segs[0]}
    if len(segs) > 1:
        out["namespace"] = segs[1]
    if len(segs) > 2:
        out["service"] = segs[2]
    if len(segs) == 4:
        out["endpoint"] = segs[3]
    elif len(segs) == 5:
        out["protocol"], out["port"] = _strip_underscore(segs[3]), _strip_underscore(segs[4])
    elif len(segs) > 5:
        raise InvalidName(name)  # too long to answer
    return ParsedName(**out)


def in_zone(name: str, zone: str) -> bool:
    name = fqdn(name.lower())
    return name == zone + "." or name.endswith("." + zone + ".")


def check_name(name: str) -> None:
    """A name the resolver can put in a query (RFC 1035: labels of 1-63, 253 in all)."""
    body = name[:-1] if name.endswith(".") else name
    labels = body.split(".")
    if not body or len(body) > 253 or any(not 0 < len(label) <= 63 for label in labels):
        raise QueryError(f"{name!r} is not a valid DNS name")
    if any(c.isspace() for c in body):
        raise QueryError(f"{name!r} is not a valid DNS name")


def service_name_forms(snap: Snapshot, namespace: str) -> list[str]:
    """Every name a pod in `namespace` may use for each Service, Service by Service: the short
    name in its own namespace (the first search domain, `<ns>.svc.<zone>`), then `svc.ns`,
    `svc.ns.svc` (the second and third search domains complete them) and the absolute name.
    kubernetes/dns docs/specification.md 2.3.1 (A records of a Service); the search list
    `<ns>.svc.<zone> svc.<zone> <zone>` is the kubelet's (pkg/kubelet/network/dns/dns.go)."""
    return name_forms([(svc.namespace, svc.name) for svc in snap.services], namespace, snap.cluster.domain)


def name_forms(services: list[tuple[str, str]], namespace: str, domain: str) -> list[str]:
    """service_name_forms over (namespace, name) pairs and a cluster domain (what a stored DNS
    result keeps to name its answers)."""
    domain = domain.rstrip(".")
    names: list[str] = []
    for ns, name in services:
        if ns == namespace:
            names.append(name)
        names += [f"{name}.{ns}", f"{name}.{ns}.svc", f"{name}.{ns}.svc.{domain}."]
    return names

"""Parsing the `route` query's source and destination strings (interfaces.md `route`).

Sources: `ns/pod` (its pod IP on its node; a hostNetwork pod is its node), `external`
(198.51.100.7), `external:<ip>`, `node:<node>` (a host-network process on that node).
Destinations (parsed here: `<ip>:<port>/<PROTO>` with `[v6]:port`, the protocol defaulting to
TCP; the `svc:`/`lb:`/`node:`/`healthcheck:` forms are resolved in proxy.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .ipaddr import parse_ip_sloppy
from .proxy_paths import family
from .types import Node, QueryError, Service, Snapshot

EXTERNAL_CLIENT = "198.51.100.7"  # interfaces.md: the `external` client (TEST-NET-2)
PROTOCOLS = ("TCP", "UDP", "SCTP")


@dataclass(frozen=True)
class Source:
    kind: str  # "pod", "node" (host network) or "external"
    label: str
    ips: tuple[str, ...]
    node_name: str | None = None

    def ip_for(self, fam: int) -> str | None:
        return next((ip for ip in self.ips if family(ip) == fam), None)


# --- parsing ---------------------------------------------------------------------------------

def parse_address(text: str, what: str) -> str:
    ip = parse_ip_sloppy(text.strip().strip("[]"))
    if ip is None:
        raise QueryError(f"{what}: {text!r} is not an IP address")
    return str(ip)


def parse_port_proto(text: str, what: str) -> tuple[int, str]:
    num, _, proto = text.partition("/")
    proto = (proto or "TCP").upper()
    if proto not in PROTOCOLS:
        raise QueryError(f"{what}: protocol {proto!r} is not one of {', '.join(PROTOCOLS)}")
    if not num.isdigit() or not 1 <= int(num) <= 65535:
        raise QueryError(f"{what}: port {num!r} is not a number in 1-65535")
    return int(num), proto


def parse_ip_port(text: str, what: str) -> tuple[str, int, str]:
    """`10.0.0.1:80/TCP`, `[fd00::1]:80/UDP` (the protocol defaults to TCP)."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]:")
    else:
        host, sep, rest = text.rpartition(":")
    if not sep or not host:
        raise QueryError(f"{what}: {text!r} is not <ip>:<port>/<PROTO>")
    port, proto = parse_port_proto(rest, what)
    return parse_address(host, what), port, proto


def find_service(snap: Snapshot, key: str, what: str) -> Service:
    if key.count("/") != 1 or not all(key.split("/")):
        raise QueryError(f"{what}: {key!r} is not <namespace>/<name>")
    svc = snap.service(key)
    if svc is None:
        raise QueryError(f"{what}: Service {key} does not exist")
    return svc


def find_node(snap: Snapshot, name: str, what: str) -> Node:
    node = snap.node_by_name.get(name)
    if node is None:
        raise QueryError(f"{what}: node {name!r} does not exist")
    return node


def parse_source(snap: Snapshot, text: str) -> Source:
    text = text.strip()
    if text == "external":
        return Source("external", f"external client {EXTERNAL_CLIENT}", (EXTERNAL_CLIENT,))
    if text.startswith("external:"):
        ip = parse_address(text[len("external:"):], "from")
        return Source("external", f"external client {ip}", (ip,))
    if text.startswith("node:"):
        node = find_node(snap, text[len("node:"):], "from")
        return Source("node", f"a host-network process on node {node.name}", node.ips, node.name)
    if text.count("/") == 1 and all(text.split("/")):
        pod = snap.pod(text)
        if pod is None:
            raise QueryError(f"from: pod {text} does not exist")
        if pod.host_network:
            node = snap.node_by_name.get(pod.node_name or "")
            ips = node.ips if node else pod.pod_ips
            return Source("node", f"pod {pod.key} (hostNetwork: it is node {pod.node_name})", ips, pod.node_name)
        return Source("pod", f"pod {pod.key} ({', '.join(pod.pod_ips) or 'no IP'}) on node {pod.node_name}",
                      () if pod.finished else pod.pod_ips, pod.node_name)
    raise QueryError(f"from: {text!r} is not ns/pod, external, external:<ip> or node:<node>")

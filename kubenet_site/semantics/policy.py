"""NetworkPolicy (networking.k8s.io/v1): may this connection happen?

Sources, cited per rule below:
- [docs] kubernetes/website content/en/docs/concepts/services-networking/network-policies.md
- [api] kubernetes/kubernetes pkg/apis/networking/types.go (field comments of NetworkPolicySpec,
  NetworkPolicyPeer, NetworkPolicyPort, IPBlock)
- [e2e] kubernetes/kubernetes test/e2e/network/netpol/network_policy.go (truth tables)
- [pa] kubernetes-sigs/network-policy-api cmd/policy-assistant/pkg/matcher (the reference
  matcher: ippeermatcher.go, portmatcher.go)

Decisions where the specification leaves room (each one what upstream tests expect):
- ipBlock matches any address, pod IPs included ([e2e] "should allow egress access to server
  in CIDR block" allows x/a -> y/b through `ipBlock: <y/b's IP>/32`; [pa] IPPeerMatcher tests
  the peer's IP whether it is a pod or not). The docs' caveat that ipBlock "should be
  cluster-external IPs" is advice, not a rule.
- hostNetwork pods are outside NetworkPolicy ([docs] "NetworkPolicy and hostNetwork pods": the
  common behaviour is to treat their traffic like the node's): as a source their packets carry
  the node's IP, so only an ipBlock can match them; as a destination they are never isolated.
- Traffic between a pod and its own node is always allowed ([docs] "What you can't do":
  traffic to and from the node where a Pod is running is always allowed; [api] ingress comment:
  "or if the traffic source is the pod's local node").
- A pod never blocks traffic to itself ([e2e] ignoreLoopback; interfaces.md: diagonal `.`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .endpoints import per_snapshot
from .ipaddr import parse_ip_sloppy
from .labels import selects
from .types import (
    Container,
    ContainerPort,
    IPBlock,
    NetworkPolicy,
    Node,
    Pod,
    PolicyPeer,
    PolicyPort,
    PolicyRule,
    Snapshot,
    Verdict,
)

INGRESS, EGRESS = "Ingress", "Egress"
ALLOWED, BLOCKED, PARTIAL = "allowed", "blocked", "partial"
PROTOCOLS = ("TCP", "UDP", "SCTP")
# interfaces.md: `external` in route/connect queries is this documentation address.
DEFAULT_EXTERNAL_IP = "198.51.100.7"

POD, NODE, EXTERNAL = "pod", "node", "external"


@dataclass(frozen=True)
class Party:
    """One end of a connection as NetworkPolicy sees it: a pod, a node (a host process or a
    hostNetwork pod, which carries the node's IP) or a client outside the cluster."""

    kind: str  # POD, NODE, EXTERNAL
    ip: str | None = None
    pod: Pod | None = None  # the pod (for NODE: the hostNetwork pod, if that is what it is)
    node_name: str | None = None

    @property
    def label(self) -> str:
        if self.kind == POD and self.pod is not None:
            return self.pod.key
        if self.kind == NODE:
            who = f"hostNetwork pod {self.pod.key} on " if self.pod is not None else ""
            where = f"node {self.node_name}" if self.node_name else "a node"
            return f"{who}{where}" + (f" ({self.ip})" if self.ip else "")
        return f"external {self.ip}"


# --------------------------------------------------------------------------- who is who


def _node_ips(node: Node) -> tuple[str, ...]:
    return node.ips


def _parse_ip(text: str) -> str:
    ip = parse_ip_sloppy(text.strip())
    if ip is None:
        raise ValueError(f"{text!r} is not an IP address")
    return str(ip)


def party_of_pod(snap: Snapshot, pod: Pod) -> Party:
    if pod.host_network:
        node = snap.node_by_name.get(pod.node_name or "")
        ip = pod.ip or (node.internal_ip if node else None)
        return Party(NODE, ip=ip, pod=pod, node_name=pod.node_name)
    return Party(POD, ip=pod.ip, pod=pod, node_name=pod.node_name)


def party_of_node(node: Node) -> Party:
    return Party(NODE, ip=node.internal_ip or (node.ips[0] if node.ips else None), node_name=node.name)


def party_of_ip(snap: Snapshot, ip: str) -> Party:
    """An IP that belongs to a (running) pod is that pod; a node's IP is that node (a
    hostNetwork pod's IP is its node's); anything else is a client outside the cluster."""
    ip = _parse_ip(ip)
    host_pod: Pod | None = None
    for p in snap.pods:
        if p.finished or ip not in p.pod_ips:  # finished pods have released their IPs
            continue
        if not p.host_network:
            return Party(POD, ip=ip, pod=p, node_name=p.node_name)
        host_pod = host_pod or p
    for n in snap.nodes:
        if ip in _node_ips(n):
            return Party(NODE, ip=ip, node_name=n.name)
    if host_pod is not None:
        return Party(NODE, ip=ip, pod=host_pod, node_name=host_pod.node_name)
    return Party(EXTERNAL, ip=ip)


def resolve_party(snap: Snapshot, who: Pod | Party | str) -> Party:
    """A Pod, a Party, or a string: `ns/pod`, an IP, `external`, `external:<ip>`, `node:<name>`."""
    if isinstance(who, Party):
        return who
    if isinstance(who, Pod):
        return party_of_pod(snap, who)
    text = who.strip()
    if text == "external":
        return Party(EXTERNAL, ip=DEFAULT_EXTERNAL_IP)
    if text.startswith("external:"):
        return Party(EXTERNAL, ip=_parse_ip(text.split(":", 1)[1]))
    if text.startswith("node:"):
        node = snap.node_by_name.get(text[5:])
        if node is None:
            raise ValueError(f"no node {text[5:]!r}")
        return party_of_node(node)
    if "/" in text:
        pod = snap.pod(text)
        if pod is None:
            raise ValueError(f"no pod {text!r}")
        return party_of_pod(snap, pod)
    return party_of_ip(snap, text)


def pod_ports(pod: Pod) -> tuple[ContainerPort, ...]:
    """Every declared port of the pod's serving containers (app containers and sidecars)."""
    containers: Iterable[Container] = pod.containers + pod.sidecars
    return tuple(cp for c in containers for cp in c.ports)


def resolve_named_port(pod: Pod, name: str, protocol: str) -> int | None:
    # Like the kubelet/endpoints' FindPort (pkg/api/v1/pod/util.go): name AND protocol match.
    for cp in pod_ports(pod):
        if cp.name == name and cp.protocol.upper() == protocol:
            return cp.container_port
    return None


# --------------------------------------------------------------------------- rule matching


def _ip_of_family(party: Party, version: int) -> str | None:
    ips: Sequence[str] = party.pod.pod_ips if (party.kind == POD and party.pod) else ()
    if not ips and party.ip:
        ips = (party.ip,)
    for ip in ips:
        try:
            if ipaddress.ip_address(ip).version == version:
                return ip
        except ValueError:
            continue
    return None


def ip_block_matches(block: IPBlock, party: Party) -> bool:
    # [api] IPBlock: cidr, minus every `except` range; [pa] IPPeerMatcher checks any peer IP.
    try:
        net = ipaddress.ip_network(block.cidr, strict=False)
    except ValueError:
        return False
    ip = _ip_of_family(party, net.version)
    if ip is None:
        return False
    addr = ipaddress.ip_address(ip)
    if addr not in net:
        return False
    for ex in block.except_:
        try:
            if addr in ipaddress.ip_network(ex, strict=False):
                return False
        except ValueError:
            continue
    return True


def peer_matches(snap: Snapshot, policy: NetworkPolicy, peer: PolicyPeer, other: Party) -> bool:
    """[docs] "Behavior of to and from selectors"."""
    if peer.ip_block is not None:
        return ip_block_matches(peer.ip_block, other)
    if peer.pod_selector is None and peer.namespace_selector is None:
        return False  # an empty peer is refused by validation; it selects nothing
    # Selectors pick pods only: nodes, hostNetwork pods and outside clients are no pods here.
    if other.kind != POD or other.pod is None:
        return False
    pod = other.pod
    if peer.namespace_selector is None:
        # podSelector alone: pods in the policy's own namespace.
        if pod.namespace != policy.namespace:
            return False
    elif not selects(peer.namespace_selector, snap.namespace_labels(pod.namespace)):
        return False
    # namespaceSelector alone: every pod of the matching namespaces; both: AND.
    return peer.pod_selector is None or selects(peer.pod_selector, pod.labels)


def port_matches(pp: PolicyPort, port: int, protocol: str, dest: Party) -> bool:
    """[api] NetworkPolicyPort: protocol (default TCP), port number or name, endPort."""
    if (pp.protocol or "TCP").upper() != protocol:
        return False
    if pp.port is None:
        return True  # every port of that protocol
    value: int | str = pp.port
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        if pp.end_port is not None:
            return value <= port <= pp.end_port
        return port == value
    # A named port is resolved on the destination pod ([api]: "named port on a pod"); for
    # egress to anything but a pod (an IP, a node, a hostNetwork pod) it matches nothing.
    if dest.kind != POD or dest.pod is None:
        return False
    return any(cp.name == value and cp.container_port == port and cp.protocol.upper() == protocol
               for cp in pod_ports(dest.pod))


def rule_matches(snap: Snapshot, policy: NetworkPolicy, rule: PolicyRule, other: Party, port: int,
                 protocol: str, dest: Party) -> bool:
    # [api] a rule matches traffic matching both its peers and its ports; an empty (or missing)
    # `from`/`to` matches every peer, an empty (or missing) `ports` every port.
    if rule.peers and not any(peer_matches(snap, policy, p, other) for p in rule.peers):
        return False
    return not rule.ports or any(port_matches(pp, port, protocol, dest) for pp in rule.ports)


def _memo(snap: Snapshot) -> dict[tuple[str, str], tuple[NetworkPolicy, ...]]:
    """Per-snapshot memo of selecting_policies (a Snapshot is immutable; matrices ask again
    and again)."""
    return per_snapshot(snap, "policy.selecting_policies", dict)


def selecting_policies(snap: Snapshot, pod: Pod, direction: str) -> tuple[NetworkPolicy, ...]:
    """The policies of the pod's own namespace that select it for `direction`
    ([docs]: a pod is isolated for ingress/egress when any policy selecting it has that
    policyType; policies only ever select pods of their own namespace)."""
    memo = _memo(snap)
    cache_key = (pod.key, direction)
    if cache_key in memo and snap.pod(pod.key) is pod:
        return memo[cache_key]
    found = tuple(
        p for p in snap.network_policies
        if p.namespace == pod.namespace and direction in p.policy_types and selects(p.pod_selector, pod.labels)
    )
    if snap.pod(pod.key) is pod:  # only pods of the snapshot (not synthetic ones) are memoised
        memo[cache_key] = found
    return found


@dataclass(frozen=True)
class DirectionResult:
    allowed: bool
    isolated_by: tuple[str, ...] = ()
    allowed_by: tuple[str, ...] = ()
    line: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"allowed": self.allowed, "isolated": bool(self.isolated_by),
                "isolatedBy": list(self.isolated_by), "allowedBy": list(self.allowed_by)}


def judge_direction(snap: Snapshot, subject: Pod, direction: str, other: Party, port: int,
                    protocol: str, dest: Party) -> DirectionResult:
    """Whether `subject`'s policies allow this traffic in `direction` (the union of every rule
    of every policy selecting it, [docs] "policies are additive")."""
    word = "ingress to" if direction == INGRESS else "egress from"
    policies = selecting_policies(snap, subject, direction)
    if not policies:
        return DirectionResult(True, line=f"{word} {subject.key}: not isolated (no NetworkPolicy in "
                                          f"{subject.namespace} selects it for {direction})")
    allowed_by: list[str] = []
    for pol in policies:
        rules = pol.ingress if direction == INGRESS else pol.egress
        for i, rule in enumerate(rules):
            if rule_matches(snap, pol, rule, other, port, protocol, dest):
                allowed_by.append(f"{pol.key} {direction.lower()}[{i}]")
    keys = tuple(p.key for p in policies)
    names = ", ".join(keys)
    if allowed_by:
        return DirectionResult(True, keys, tuple(allowed_by),
                               f"{word} {subject.key}: isolated by {names}; allowed by {', '.join(allowed_by)}")
    what = "from" if direction == INGRESS else "to"
    return DirectionResult(False, keys, (), f"{word} {subject.key}: isolated by {names}; no {direction.lower()} "
                                            f"rule allows {what} {other.label} on {port}/{protocol}")


# --------------------------------------------------------------------------- connect


def _own_node(a: Party, b: Party) -> bool:
    """A node (or a hostNetwork pod on it) and a pod scheduled on that node."""
    if a.kind == NODE and b.kind == POD and b.pod is not None:
        return bool(a.node_name) and a.node_name == b.pod.node_name
    if b.kind == NODE and a.kind == POD and a.pod is not None:
        return bool(b.node_name) and b.node_name == a.pod.node_name
    return False


def normalize_protocol(protocol: str | None) -> str:
    proto = (protocol or "TCP").upper()
    if proto not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {', '.join(PROTOCOLS)}, not {protocol!r}")
    return proto


def connect(snap: Snapshot, source: Pod | Party | str, dest: Pod | Party | str, port: int | str,
            protocol: str = "TCP") -> Verdict:
    """May `source` open a connection to `dest` on `port`/`protocol`? Needs the source's egress
    AND the destination's ingress ([docs]: "both the egress policy on the source pod and the
    ingress policy on the destination pod need to allow the traffic")."""
    src, dst = resolve_party(snap, source), resolve_party(snap, dest)
    proto = normalize_protocol(protocol)
    head = f"{src.label} -> {dst.label} port {port}/{proto}"

    if src.kind == POD and dst.kind == POD and src.pod is not None and dst.pod is not None \
            and src.pod.key == dst.pod.key:
        return Verdict(ALLOWED, (head, "a pod never blocks traffic to itself"), {"rule": "self"})
    if _own_node(src, dst):
        return Verdict(ALLOWED, (head, "traffic between a pod and its own node is always allowed"),
                       {"rule": "own-node"})

    number: int
    if isinstance(port, str) and not port.isdigit():
        target = dst.pod if dst.pod is not None else None
        resolved = resolve_named_port(target, port, proto) if target is not None else None
        if resolved is None:
            why = (f"{target.key} declares no {proto} port named {port!r}" if target is not None
                   else f"a port name ({port!r}) needs a destination pod")
            return Verdict(BLOCKED, (head, why + ": nothing to connect to"), {"rule": "no-such-port"})
        number = resolved
        head = f"{src.label} -> {dst.label} port {port} ({number}/{proto})"
    else:
        number = int(port)

    trace = [head]
    details: dict[str, Any] = {"port": number, "protocol": proto}
    ok = True
    if src.kind == POD and src.pod is not None:
        eg = judge_direction(snap, src.pod, EGRESS, dst, number, proto, dst)
        trace.append(eg.line)
        details["egress"] = eg.as_dict()
        ok = ok and eg.allowed
    else:
        trace.append(f"egress: the source is {src.label}: NetworkPolicy does not apply to it")
    if dst.kind == POD and dst.pod is not None:
        ing = judge_direction(snap, dst.pod, INGRESS, src, number, proto, dst)
        trace.append(ing.line)
        details["ingress"] = ing.as_dict()
        ok = ok and ing.allowed
    else:
        trace.append(f"ingress: the destination is {dst.label}: NetworkPolicy does not isolate it")
    return Verdict(ALLOWED if ok else BLOCKED, tuple(trace), details)


__all__ = [
    "ALLOWED", "BLOCKED", "PARTIAL", "INGRESS", "EGRESS", "Party", "DirectionResult",
    "connect", "judge_direction", "normalize_protocol", "party_of_ip", "party_of_node", "party_of_pod",
    "peer_matches", "port_matches", "resolve_party", "rule_matches", "selecting_policies",
]

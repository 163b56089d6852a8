"""The pieces a matrix cell is made of, computed once per class instead of once per pod.

NetworkPolicy: `policy.connect(src, dst)` is the source's egress AND the destination's
ingress (policy.py, from the NetworkPolicy concept page). This module asks policy.py's own
`judge_direction` for each half, on class representatives, and reuses the answer for every
class that cannot be told apart by that half:

- egress of a client class toward a backend depends only on the client's *egress profile*
  (which Egress policies select it) and on how the backend looks to those policies' peers
  and ports (its bit for each peer, its named ports, pod or not);
- ingress at a backend depends only on the backend's class and on which of its ingress
  peers the client matches (a "part" of the client classes).

Both are bitsets over classes, so a column splits the client classes into a few parts with
big-integer operations and each part is judged once. The own-node rule, the self rule and
hostNetwork parties are handled exactly as `policy.connect` does (same Party objects).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from . import policy as pol
from .labels import selects
from .pod_classes import ClassIndex, IPBlockMatcher, iter_bits
from .types import NetworkPolicy, Node, Pod, Snapshot

ALLOWED, BLOCKED = pol.ALLOWED, pol.BLOCKED


@dataclass(frozen=True)
class Half:
    """One direction's answer, phrased without naming the client (so verdicts deduplicate)."""

    allowed: bool
    text: str


@dataclass(frozen=True)
class PolicyAnswer:
    """policy.connect's answer for one client class (or node) and one backend."""

    outcome: str  # allowed / blocked
    text: str  # "egress ...; ingress ..." or the rule that decided (own node, self)


NOT_ISOLATED = "not isolated"


def _refine(parts: list[int], bits: int) -> list[int]:
    out: list[int] = []
    for p in parts:
        a, b = p & bits, p & ~bits
        if a:
            out.append(a)
        if b:
            out.append(b)
    return out


class PolicyCache:
    """Class-level NetworkPolicy answers for one snapshot and one ClassIndex."""

    def __init__(self, snap: Snapshot, index: ClassIndex) -> None:
        self.snap, self.index = snap, index
        self.policies: list[NetworkPolicy] = list(snap.network_policies)
        by_ns: dict[str, list[int]] = {}
        for i, p in enumerate(self.policies):
            by_ns.setdefault(p.namespace, []).append(i)
        self.by_ns = by_ns
        self.parties = [pol.party_of_pod(snap, c.rep) for c in index.classes]
        # Which policies select each class, per direction ([docs] isolation).
        self.egress_profile: list[tuple[int, ...]] = []
        self.ingress_set: list[tuple[int, ...]] = []
        for c in index.classes:
            rep = c.rep
            eg: list[int] = []
            ing: list[int] = []
            for i in by_ns.get(rep.namespace, ()):
                p = self.policies[i]
                if selects(p.pod_selector, rep.labels):
                    if pol.EGRESS in p.policy_types:
                        eg.append(i)
                    if pol.INGRESS in p.policy_types:
                        ing.append(i)
            self.egress_profile.append(tuple(eg))
            self.ingress_set.append(tuple(ing))
        self.profile_bits: dict[tuple[int, ...], int] = {}
        self.profile_rep: dict[tuple[int, ...], int] = {}
        for cid, prof in enumerate(self.egress_profile):
            if not prof or self.parties[cid].kind != pol.POD:
                prof = ()  # hostNetwork pods: NetworkPolicy does not apply to them
            self.profile_bits[prof] = self.profile_bits.get(prof, 0) | (1 << cid)
            self.profile_rep.setdefault(prof, cid)
        self._peer_bits: dict[tuple[int, str, int, int], int] = {}
        self._egress: dict[tuple[Any, ...], list[tuple[int, Half]]] = {}
        self._ingress: dict[tuple[Any, ...], list[tuple[int, Half]]] = {}
        self._buckets: dict[str | None, tuple[bool, ...]] = {}
        self._node_parties: dict[str, tuple[Node, pol.Party]] = {}  # node_party
        self._ingress_from: dict[tuple[Any, ...], Half] = {}
        self._egress_to: dict[tuple[Any, ...], Half] = {}

    # --- peers as bitsets over classes ----------------------------------------------------
    def peer_bits(self, pi: int, direction: str, ri: int, qi: int) -> int:
        key = (pi, direction, ri, qi)
        bits = self._peer_bits.get(key)
        if bits is not None:
            return bits
        p = self.policies[pi]
        peer = (p.ingress if direction == pol.INGRESS else p.egress)[ri].peers[qi]
        if peer.ip_block is not None:
            bits = self._ip_block_bits(peer.ip_block)
            self._peer_bits[key] = bits
            return bits
        if peer.namespace_selector is None:
            cands: Sequence[int] = self.index.by_namespace.get(p.namespace, [])
        else:
            names = [n for n in self.index.by_namespace
                     if selects(peer.namespace_selector, self.snap.namespace_labels(n))]
            cands = self.index.in_namespaces(names)
        bits = 0
        for cid in cands:
            if pol.peer_matches(self.snap, p, peer, self.parties[cid]):
                bits |= 1 << cid
        self._peer_bits[key] = bits
        return bits

    # --- which classes each policy selects, which rules match a destination ----------------
    def selected_bits(self, pi: int) -> int:
        """The pod classes policy `pi` selects (its namespace, its podSelector; hostNetwork
        pods are outside NetworkPolicy)."""
        key = ("sel", pi)
        bits = self._peer_bits.get(key)  # type: ignore[call-overload]
        if bits is None:
            p = self.policies[pi]
            bits = 0
            for cid in self.index.by_namespace.get(p.namespace, ()):
                if self.parties[cid].kind == pol.POD and selects(p.pod_selector, self.index.classes[cid].rep.labels):
                    bits |= 1 << cid
            self._peer_bits[key] = bits  # type: ignore[index]
        return bits

    def rule_sources(self, pi: int, direction: str, ri: int) -> int:
        """The classes a rule's peers match (every class when it has no peers)."""
        key = ("rule", pi, direction, ri)
        bits = self._peer_bits.get(key)  # type: ignore[call-overload]
        if bits is None:
            rule = (self.policies[pi].ingress if direction == pol.INGRESS else self.policies[pi].egress)[ri]
            if not rule.peers:
                bits = self.index.all_bits
            else:
                bits = 0
                for qi in range(len(rule.peers)):
                    bits |= self.peer_bits(pi, direction, ri, qi)
            self._peer_bits[key] = bits  # type: ignore[index]
        return bits

    def _ip_block_bits(self, block: Any) -> int:
        """The classes whose address falls in the block: the class key holds that bit
        (pod_classes, the same test as policy.ip_block_matches)."""
        key = ("ipblock", block.cidr, tuple(block.except_))
        bits = self._peer_bits.get(key)  # type: ignore[call-overload]
        if bits is None:
            bi = next(i for i, b in enumerate(self.index.ip_blocks)
                      if b.cidr == block.cidr and tuple(b.except_) == tuple(block.except_))
            bits = 0
            for c in self.index.classes:
                if c.key[3][bi]:
                    bits |= 1 << c.id
            self._peer_bits[key] = bits  # type: ignore[index]
        return bits

    def _ports_match(self, pi: int, direction: str, ri: int, dst_cid: int, port: int, proto: str) -> bool:
        rule = (self.policies[pi].ingress if direction == pol.INGRESS else self.policies[pi].egress)[ri]
        if not rule.ports:
            return True
        dparty = self.parties[dst_cid]
        return any(pol.port_matches(pp, port, proto, dparty) for pp in rule.ports)

    @cached_property
    def _egress_rules(self) -> list[tuple[int, int]]:
        return [(pi, ri) for pi, p in enumerate(self.policies) if pol.EGRESS in p.policy_types
                for ri in range(len(p.egress))]

    @cached_property
    def _egress_table(self) -> list[tuple[int, int, int, int]]:
        """(policy, rule, classes it selects, classes its peers match) for every egress rule
        of a policy that selects some class."""
        got = []
        for pi, ri in self._egress_rules:
            sel = self.selected_bits(pi)
            if sel:
                got.append((pi, ri, sel, self.rule_sources(pi, pol.EGRESS, ri)))
        return got

    # --- egress of client classes toward a pod class ---------------------------------------
    def egress_groups(self, dst_cid: int, port: int, proto: str, within: int | None = None) -> list[tuple[int, Half]]:
        """The client classes grouped by their egress answer toward `dst_cid` at port/proto
        (policy.judge_direction EGRESS, vectorised: a client is isolated when an Egress
        policy selects it; then allowed when a rule of one of those policies matches the
        destination with its peers and its ports)."""
        key = (dst_cid, port, proto)
        groups = self._egress.get(key)
        if groups is None:
            isolated = 0
            for prof, bits in self.profile_bits.items():
                if prof:
                    isolated |= bits
            allowed = 0
            for pi, ri, sel, sources in self._egress_table:
                if not (sources >> dst_cid) & 1 or not sel & isolated & ~allowed:
                    continue
                if not self._ports_match(pi, pol.EGRESS, ri, dst_cid, port, proto):
                    continue
                allowed |= sel
            # The allowing rule depends on the client's own policies (listed in the row's
            # notes); naming it here would give each client row its own verdict.
            groups = []
            free = self.index.all_bits & ~isolated
            for bits, half in ((free, Half(True, "client egress: " + NOT_ISOLATED)),
                               (isolated & allowed, Half(True, "client egress: isolated, allowed by one of its "
                                                               "egress rules (see the row's notes)")),
                               (isolated & ~allowed, Half(False, "client egress: isolated (see the row's notes), "
                                                                 "no egress rule allows it"))):
                if bits:
                    groups.append((bits, half))
            self._egress[key] = groups
        if within is None:
            return groups
        return [(b & within, h) for b, h in groups if b & within]

    def egress(self, src_cid: int, dst_cid: int, port: int, proto: str) -> Half:
        for bits, half in self.egress_groups(dst_cid, port, proto):
            if (bits >> src_cid) & 1:
                return half
        raise AssertionError("egress groups cover every class")

    # --- ingress at a pod class from client classes ----------------------------------------
    def ingress_groups(self, dst_cid: int, port: int, proto: str) -> list[tuple[int, Half]]:
        """Every client class grouped by the answer of `dst_cid`'s ingress (judge_direction
        INGRESS, vectorised over the rules of the policies selecting it)."""
        key = (dst_cid, port, proto)
        groups = self._ingress.get(key)
        if groups is None:
            dparty = self.parties[dst_cid]
            if dparty.kind != pol.POD:
                groups = [(self.index.all_bits, Half(True, "ingress: a host-network pod: NetworkPolicy "
                                                           "does not isolate it"))]
            elif not self.ingress_set[dst_cid]:
                groups = [(self.index.all_bits, Half(True, "ingress: " + NOT_ISOLATED))]
            else:
                allowing = []
                for pi in self.ingress_set[dst_cid]:
                    for ri in range(len(self.policies[pi].ingress)):
                        if self._ports_match(pi, pol.INGRESS, ri, dst_cid, port, proto):
                            allowing.append((f"{self.policies[pi].key} ingress[{ri}]",
                                             self.rule_sources(pi, pol.INGRESS, ri)))
                names = ", ".join(self.policies[pi].key for pi in self.ingress_set[dst_cid])
                groups = _by_rules(self.index.all_bits, allowing, "ingress allowed by ",
                                   f"ingress: isolated by {names}; no ingress rule allows the client")
            self._ingress[key] = groups
        return groups

    def ingress(self, dst_cid: int, src_cid: int, port: int, proto: str) -> Half:
        for bits, half in self.ingress_groups(dst_cid, port, proto):
            if (bits >> src_cid) & 1:
                return half
        raise AssertionError("ingress groups cover every class")

    def egress_to_party(self, src_cid: int, party: pol.Party, port: int, proto: str) -> Half:
        """Egress toward something that is no pod class (an IP, a node)."""
        prof = self.egress_profile[src_cid] if self.parties[src_cid].kind == pol.POD else ()
        if not prof:
            return Half(True, "client egress: " + NOT_ISOLATED)
        key = (prof, party.kind, party.ip, port, proto)
        half = self._egress_to.get(key)
        if half is None:
            rep = self.index.classes[self.profile_rep[prof]].rep
            half = _egress_half(pol.judge_direction(self.snap, rep, pol.EGRESS, party, port, proto, party))
            self._egress_to[key] = half
        return half

    def ingress_from_party(self, dst_cid: int, party: pol.Party, port: int, proto: str) -> Half:
        """Ingress at a pod class from a node or an outside address."""
        dparty = self.parties[dst_cid]
        rep = self.index.classes[dst_cid].rep
        if dparty.kind != pol.POD:
            return Half(True, "ingress: a host-network pod: NetworkPolicy does not isolate it")
        if not self.ingress_set[dst_cid]:
            return Half(True, "ingress: " + NOT_ISOLATED)
        bucket = self.index_bucket(party)
        key = (dst_cid, party.kind, bucket, port, proto)
        half = self._ingress_from.get(key)
        if half is None:
            r = pol.judge_direction(self.snap, rep, pol.INGRESS, party, port, proto, dparty)
            half = _ingress_half(r)
            self._ingress_from[key] = half
        return half

    def node_party(self, node: Node) -> pol.Party:
        """policy.party_of_node, once per node (node rows ask for every node in each column)."""
        got = self._node_parties.get(node.name)
        if got is None or got[0] is not node:
            got = self._node_parties[node.name] = (node, node_party(node))
        return got[1]

    @cached_property
    def _ip_block_matcher(self) -> IPBlockMatcher:
        return IPBlockMatcher(self.index.ip_blocks)

    def index_bucket(self, party: pol.Party) -> tuple[bool, ...]:
        """Which ipBlocks of the topology the party's address falls in."""
        got = self._buckets.get(party.ip)
        if got is None:
            got = self._ip_block_matcher.bits((party.ip,) if party.ip else ())
            self._buckets[party.ip] = got
        return got

    # --- a whole connection ---------------------------------------------------------------
    def pod_to_pod(self, src_cid: int, dst_cid: int, port: int, proto: str) -> PolicyAnswer:
        """policy.connect between two *different* pods of these classes, after the self and
        own-node rules were ruled out by the caller."""
        sparty = self.parties[src_cid]
        e = self.egress(src_cid, dst_cid, port, proto) if sparty.kind == pol.POD else \
            Half(True, "client is host-network: NetworkPolicy does not apply to its egress")
        i = self.ingress(dst_cid, src_cid, port, proto)
        ok = e.allowed and i.allowed
        return PolicyAnswer(ALLOWED if ok else BLOCKED, f"{e.text}; {i.text}")

    def from_party(self, party: pol.Party, dst_cid: int, dst_pod: Pod, port: int, proto: str,
                   what: str) -> PolicyAnswer:
        """A node (or an outside client, or an SNAT address) to one backend pod."""
        dparty = self.parties[dst_cid]
        if party.kind == pol.NODE and party.node_name and dparty.kind == pol.POD \
                and party.node_name == dst_pod.node_name:
            return PolicyAnswer(ALLOWED, "traffic between a pod and its own node is always allowed")
        i = self.ingress_from_party(dst_cid, party, port, proto)
        return PolicyAnswer(ALLOWED if i.allowed else BLOCKED, f"{what}: NetworkPolicy does not apply to "
                            f"its egress; {i.text}")


def _egress_half(r: pol.DirectionResult) -> Half:
    if not r.isolated_by:
        return Half(True, "client egress: " + NOT_ISOLATED)
    if r.allowed:
        return Half(True, f"client egress allowed by {', '.join(r.allowed_by)}")
    return Half(False, "client egress: isolated (see the row's notes), no egress rule allows it")


def _ingress_half(r: pol.DirectionResult) -> Half:
    """The backend's ingress, without naming the backend (the caller's line does; the answer
    holds for every pod of the backend's class)."""
    if not r.isolated_by:
        return Half(True, "ingress: " + NOT_ISOLATED)
    if r.allowed:
        return Half(True, f"ingress allowed by {', '.join(r.allowed_by)}")
    return Half(False, f"ingress: isolated by {', '.join(r.isolated_by)}; no ingress rule allows the client")


def _by_rules(within: int, allowing: list[tuple[str, int]], yes: str, no: str) -> list[tuple[int, Half]]:
    """Split `within` by which allowing rules (name, classes) cover each class."""
    parts: list[tuple[int, tuple[str, ...]]] = [(within, ())] if within else []
    for name, bits in allowing:
        nxt = []
        for b, names in parts:
            a, rest = b & bits, b & ~bits
            if a:
                nxt.append((a, names + (name,)))
            if rest:
                nxt.append((rest, names))
        parts = nxt
    return [(b, Half(True, yes + ", ".join(names)) if names else Half(False, no)) for b, names in parts]


def refine(parts: list[int], bits: int) -> list[int]:
    return _refine(parts, bits)


def lowest(bits: int) -> int:
    """The index of the lowest set bit (bits must not be 0)."""
    if not bits:
        raise ValueError("lowest() of an empty set")
    return (bits & -bits).bit_length() - 1


def spread(parts: Sequence[int], evaluate: Callable[[int], int], n: int, all_bits: int,
           block_bits: int) -> list[int]:
    """One column of verdict indexes over n classes: `evaluate(cid)` once per part (its lowest
    class speaks for it), -1 outside the block. The biggest part is filled wholesale, the
    others bit by bit."""
    if not parts:
        return [-1] * n
    big = max(parts, key=int.bit_count)
    idxs = [evaluate(lowest(part)) for part in parts]
    out = [idxs[parts.index(big)]] * n
    for c in iter_bits(all_bits & ~block_bits):
        out[c] = -1
    for part, idx in zip(parts, idxs, strict=True):
        if part is not big:
            for c in iter_bits(part):
                out[c] = idx
    return out


def node_party(node: Node) -> pol.Party:
    return pol.party_of_node(node)


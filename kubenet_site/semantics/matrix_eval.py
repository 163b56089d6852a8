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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import policy as pol
from .labels import selects
from .pod_classes import ClassIndex, iter_bits
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
        self._egress: dict[tuple[Any, ...], Half] = {}
        self._ingress_parts: dict[int, list[int]] = {}
        self._ingress: dict[tuple[Any, ...], Half] = {}
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
            cands: Sequence[int] = range(len(self.index.classes))
        elif peer.namespace_selector is None:
            cands = self.index.by_namespace.get(p.namespace, [])
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

    def _peers(self, pis: Sequence[int], direction: str) -> list[tuple[int, str, int, int]]:
        out = []
        for pi in pis:
            p = self.policies[pi]
            for ri, rule in enumerate(p.ingress if direction == pol.INGRESS else p.egress):
                for qi in range(len(rule.peers)):
                    out.append((pi, direction, ri, qi))
        return out

    # --- egress of a client class (profile) toward a pod class ---------------------------
    def egress(self, prof: tuple[int, ...], dst_cid: int, port: int, proto: str) -> Half:
        if not prof:
            return Half(True, "client egress: " + NOT_ISOLATED)
        dparty = self.parties[dst_cid]
        bits = tuple((self.peer_bits(*q) >> dst_cid) & 1 for q in self._peers(prof, pol.EGRESS))
        key = (prof, bits, self.index.classes[dst_cid].key[2], dparty.kind, port, proto)
        half = self._egress.get(key)
        if half is None:
            rep = self.index.classes[self.profile_rep[prof]].rep
            r = pol.judge_direction(self.snap, rep, pol.EGRESS, dparty, port, proto, dparty)
            half = _egress_half(r)
            self._egress[key] = half
        return half

    def egress_to_party(self, prof: tuple[int, ...], party: pol.Party, port: int, proto: str) -> Half:
        """Egress toward something that is no pod class (an IP, a node)."""
        if not prof:
            return Half(True, "client egress: " + NOT_ISOLATED)
        key = (prof, party.kind, party.ip, port, proto)
        half = self._egress_to.get(key)
        if half is None:
            rep = self.index.classes[self.profile_rep[prof]].rep
            half = _egress_half(pol.judge_direction(self.snap, rep, pol.EGRESS, party, port, proto, party))
            self._egress_to[key] = half
        return half

    def egress_groups(self, dst_cid: int, port: int, proto: str, within: int) -> list[tuple[int, Half]]:
        """The client classes of `within`, grouped by their egress answer toward `dst_cid`."""
        groups: dict[Half, int] = {}
        for prof, bits in self.profile_bits.items():
            b = bits & within
            if b:
                h = self.egress(prof, dst_cid, port, proto)
                groups[h] = groups.get(h, 0) | b
        return [(b, h) for h, b in groups.items()]

    # --- ingress at a pod class from client classes ----------------------------------------
    def ingress_parts(self, dst_cid: int) -> list[int]:
        parts = self._ingress_parts.get(dst_cid)
        if parts is None:
            parts = [self.index.all_bits]
            if self.parties[dst_cid].kind == pol.POD and self.ingress_set[dst_cid]:
                for q in self._peers(self.ingress_set[dst_cid], pol.INGRESS):
                    parts = _refine(parts, self.peer_bits(*q))
            self._ingress_parts[dst_cid] = parts
        return parts

    def ingress(self, dst_cid: int, part: int, src_cid: int, port: int, proto: str) -> Half:
        dparty = self.parties[dst_cid]
        if dparty.kind != pol.POD or not self.ingress_set[dst_cid]:
            return Half(True, "ingress: " + NOT_ISOLATED if dparty.kind == pol.POD
                        else "ingress: a host-network pod: NetworkPolicy does not isolate it")
        key = (dst_cid, part, port, proto)
        half = self._ingress.get(key)
        if half is None:
            r = pol.judge_direction(self.snap, self.index.classes[dst_cid].rep, pol.INGRESS,
                                    self.parties[src_cid], port, proto, dparty)
            half = _ingress_half(r)
            self._ingress[key] = half
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

    def index_bucket(self, party: pol.Party) -> tuple[bool, ...]:
        from .pod_classes import _IPBlockMatcher  # noqa: PLC0415 - shared cache below

        m = self.__dict__.get("_matcher")
        if m is None:
            m = _IPBlockMatcher(self.index.ip_blocks)
            self.__dict__["_matcher"] = m
        return m.bits((party.ip,) if party.ip else ())

    # --- a whole connection ---------------------------------------------------------------
    def pod_to_pod(self, src_cid: int, part: int, dst_cid: int, port: int, proto: str) -> PolicyAnswer:
        """policy.connect between two *different* pods of these classes, after the self and
        own-node rules were ruled out by the caller."""
        sparty = self.parties[src_cid]
        prof = self.egress_profile[src_cid] if sparty.kind == pol.POD else ()
        e = self.egress(prof, dst_cid, port, proto) if sparty.kind == pol.POD else \
            Half(True, "client is host-network: NetworkPolicy does not apply to its egress")
        i = self.ingress(dst_cid, part, src_cid, port, proto)
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


def refine(parts: list[int], bits: int) -> list[int]:
    return _refine(parts, bits)


def lowest(bits: int) -> int:
    return next(iter_bits(bits))


def node_party(node: Node) -> pol.Party:
    return pol.party_of_node(node)

"""pod_matrix: pod classes x pod classes for one port, NetworkPolicy only.

The `reachability` query's semantics (policy.connect; reachability.py) over workload groups:
a port name is resolved on each destination (no such port: blocked, nothing listens), a pod
never blocks itself, a pod and its own node always talk (hostNetwork pods carry the node's
IP). A cell of a group with itself describes two different pods of the group.
"""

from __future__ import annotations

from . import matrix_eval as mev
from . import policy as pol
from .matrix import BLOCKED, PARTIAL, REACHABLE, CompressedMatrix, _block, _Engine, _pod_row_groups, canonical
from .pod_classes import iter_bits, pod_rows
from .types import Pod, Verdict


def compute_pod_matrix(snap, port: int | str, protocol: str, row_block: tuple[int, int] | None) -> CompressedMatrix:
    proto = pol.normalize_protocol(protocol)
    named = isinstance(port, str) and not port.isdigit()
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    eng = _Engine(snap, "pods", [port] if named else [])
    specs = pod_rows(eng.index)
    block = _block(len(specs), row_block)
    row_specs = [specs[i] for i in block]
    block_bits = 0
    class_nodes: dict[int, dict[str | None, object]] = {}
    for r in row_specs:
        block_bits |= 1 << r.class_id
        for p in r.members:
            class_nodes.setdefault(r.class_id, {}).setdefault(p.node_name, p)
    col_classes = [s.class_id for s in specs]
    per_dst: dict[int, dict[int, int]] = {}
    sensitive: dict[int, dict[tuple[int, str | None], int]] = {}
    for d in dict.fromkeys(col_classes):
        dparty = eng.pc.parties[d]
        if dparty.kind != pol.POD and block_bits & eng.kind_bits["pod"]:
            # A hostNetwork destination: pods on its node are on their own node.
            per = {}
            for cid, by_node in class_nodes.items():
                for node in by_node:
                    per[(cid, node)] = eng.out.add(_cell(eng, cid, d, port, proto, node))
            sensitive[d] = per
            per_dst[d] = {}
            continue
        per_dst[d] = _column(eng, d, port, proto, block_bits)

    rows = _pod_row_groups(eng, row_specs)
    cells: list[list[int]] = []
    member_cells: dict[int, dict[str, dict[int, int]]] = {}
    shared: dict[int, list[int]] = {}
    for r, spec in enumerate(row_specs):
        cid = spec.class_id
        row = shared.get(cid)
        if row is None or sensitive:
            row = [per_dst[d].get(cid, -1) for d in col_classes]
        if eng.pc.parties[cid].kind == pol.NODE:  # hostNetwork client: own node per column's pods
            row = list(row)
            for j, d in enumerate(col_classes):
                if eng.pc.parties[d].kind == pol.POD:
                    row[j] = eng.out.add(_cell(eng, cid, d, port, proto, None, specs[j].members))
        for j, d in enumerate(col_classes):
            per = sensitive.get(d)
            if per is None:
                continue
            idxs = {p.key: per[(cid, p.node_name)] for p in spec.members}
            distinct = set(idxs.values())
            if len(distinct) == 1:
                row[j] = distinct.pop()
                continue
            row[j] = eng.out.add(Verdict(PARTIAL, ("the row's pods differ: those on the destination's node "
                                                   "are always allowed (own node)",), {}))
            for m, i in idxs.items():
                member_cells.setdefault(r, {}).setdefault(m, {})[j] = i
        shared[cid] = row
        cells.append(row)
    columns = [g for g in _pod_row_groups(eng, specs)]
    m = CompressedMatrix("pods", rows, columns, cells, eng.out.verdicts, member_cells, block.start, len(specs))
    return canonical(m)


def _resolve(eng: _Engine, d: int, port: int | str, proto: str) -> int | None:
    if isinstance(port, int):
        return port
    return pol.resolve_named_port(eng.index.classes[d].rep, port, proto)


def _column(eng: _Engine, d: int, port: int | str, proto: str, block_bits: int) -> dict[int, int]:
    number = _resolve(eng, d, port, proto)
    parts = [block_bits & ~eng.kind_bits["host"]] if block_bits & ~eng.kind_bits["host"] else []
    parts += [1 << c for c in iter_bits(block_bits & eng.kind_bits["host"])]
    if (block_bits >> d) & 1:
        parts = mev.refine(parts, 1 << d)
    if number is not None:
        for bits, _h in eng.pc.egress_groups(d, number, proto, block_bits):
            parts = mev.refine(parts, bits)
        for bits, _h in eng.pc.ingress_groups(d, number, proto):
            parts = mev.refine(parts, bits)
    out: dict[int, int] = {}
    for part in parts:
        cid = mev.lowest(part)
        idx = eng.out.add(_cell(eng, cid, d, port, proto, None))
        for c in iter_bits(part):
            out[c] = idx
    return out


def _cell(eng: _Engine, s: int, d: int, port: int | str, proto: str, client_node: str | None,
          dst_members: tuple[Pod, ...] | None = None) -> Verdict:
    """One cell; `dst_members`: the destination column's pods (for the own-node count of a
    hostNetwork client, which depends on where those pods run)."""
    pc = eng.pc
    dst = eng.index.classes[d]
    size = len(dst.members)
    if s == d and size == 1:
        return Verdict(REACHABLE, ("a pod never blocks traffic to itself",), {"rule": "self"})
    note = ("two different pods of this group (each pod always reaches itself): ",) if s == d else ()
    sparty, dparty = pc.parties[s], pc.parties[d]
    own = ("traffic between a pod and its own node is always allowed",)
    # policy.connect: the self and own-node rules come before the port is resolved.
    on = 0
    if sparty.kind == pol.NODE and dparty.kind == pol.POD:
        members = dst_members if dst_members is not None else tuple(dst.members)
        on = sum(1 for p in members if p.node_name == sparty.node_name)
        size = len(members)
        if on == size:
            return Verdict(REACHABLE, own, {"rule": "own-node"})
    if dparty.kind == pol.NODE and sparty.kind == pol.POD and client_node is not None \
            and client_node == dparty.node_name:
        return Verdict(REACHABLE, own, {"rule": "own-node"})
    number = _resolve(eng, d, port, proto)
    if number is None:
        outcome, lines = pol.BLOCKED, (f"{dst.rep.key} declares no {proto} port named {port!r}: nothing "
                                       "to connect to",)
    else:
        ans = pc.pod_to_pod(s, d, number, proto)
        outcome, lines = ans.outcome, (f"port {number}/{proto}: {ans.text}",)
    if on and outcome == pol.BLOCKED:
        return Verdict(PARTIAL, (f"{on} of {size} destination pods are on the client's node (always allowed); "
                                 "the others: blocked",) + lines, {"ownNode": on})
    return Verdict(REACHABLE if outcome == pol.ALLOWED else BLOCKED, note + lines, {})

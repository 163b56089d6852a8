"""pod_matrix: pod classes x pod classes for one port, NetworkPolicy only.

The `reachability` query's semantics (policy.connect; reachability.py) over workload groups:
a port name is resolved on each destination (no such port: blocked, nothing listens), a pod
never blocks itself, a pod and its own node always talk (hostNetwork pods carry the node's
IP). A cell of a group with itself describes two different pods of the group.
"""

from __future__ import annotations

from . import matrix_eval as mev
from . import policy as pol
from .matrix_cells import CellEvaluator, pod_row_groups
from .matrix_result import BLOCKED, PARTIAL, REACHABLE, CompressedMatrix, canonical, row_range
from .pod_classes import iter_bits, pod_rows
from .types import Pod, Snapshot, Verdict


def pod_matrix(snap: Snapshot, port: int | str, protocol: str = "TCP",
               row_block: tuple[int, int] | None = None) -> CompressedMatrix:
    """Pod classes x pod classes for one port (a number, or a name resolved on each
    destination) and protocol: NetworkPolicy alone decides (the `reachability` query's
    semantics). Rows and columns are the workload groups; a cell of a group with itself
    describes two different pods of the group (each pod always reaches itself)."""
    proto = pol.normalize_protocol(protocol)
    named = isinstance(port, str) and not port.isdigit()
    if isinstance(port, str) and port.isdigit():
        port = int(port)
    eng = CellEvaluator(snap, "pods", [port] if named else [])
    specs = pod_rows(eng.index)
    block = row_range(len(specs), row_block)
    row_specs = [specs[i] for i in block]
    block_bits = 0
    class_nodes: dict[int, dict[str | None, object]] = {}
    for r in row_specs:
        block_bits |= 1 << r.class_id
        for p in r.members:
            class_nodes.setdefault(r.class_id, {}).setdefault(p.node_name, p)
    col_classes = [s.class_id for s in specs]
    n = len(eng.index.classes)
    # One verdict vector per destination class (policy only; the own-node rule below).
    per_dst: dict[int, list[int]] = {d: _column(eng, d, port, proto, block_bits) for d in dict.fromkeys(col_classes)}
    own_idx = eng.out.add(Verdict(REACHABLE, ("traffic between a pod and its own node is always allowed",),
                                  {"rule": "own-node"}))
    # hostNetwork destinations: a client pod on the destination's node is on its own node.
    host_dst = {d: eng.pc.parties[d].node_name for d in per_dst if eng.pc.parties[d].kind != pol.POD}
    class_rows = [list(t) for t in zip(*(per_dst[d] for d in col_classes), strict=True)] if col_classes \
        else [[] for _ in range(n)]
    del per_dst
    host_cols = [(j, host_dst[d]) for j, d in enumerate(col_classes) if d in host_dst]
    node_pods: dict[str | None, set[int]] = {}  # node -> column indices with a pod there
    for j, sp in enumerate(specs):
        for p in sp.members:
            node_pods.setdefault(p.node_name, set()).add(j)

    self_idx = eng.out.add(Verdict(REACHABLE, ("a pod never blocks traffic to itself",), {"rule": "self"}))
    rows = pod_row_groups(eng, row_specs)
    cells: list[list[int]] = []
    member_cells: dict[int, dict[str, dict[int, int]]] = {}
    for r, spec in enumerate(row_specs):
        cid = spec.class_id
        row = class_rows[cid]
        copied = False
        j_self = block.start + r
        if len(spec.members) == 1 and len(eng.index.classes[cid].members) > 1:
            # A one-pod group against itself is that pod to itself (its class has other pods).
            row, copied = list(row), True
            row[j_self] = self_idx
        if eng.pc.parties[cid].kind == pol.NODE:  # hostNetwork client: own node per column's pods
            row, copied = list(row), True
            for j in node_pods.get(eng.pc.parties[cid].node_name, ()):
                if eng.pc.parties[col_classes[j]].kind == pol.POD:
                    row[j] = eng.out.add(_cell(eng, cid, col_classes[j], port, proto, None, specs[j].members))
        elif host_cols and eng.pc.parties[cid].kind == pol.POD:
            for j, hnode in host_cols:
                on = [p.key for p in spec.members if p.node_name == hnode]
                if not on:
                    continue
                if not copied:
                    row, copied = list(row), True
                if len(on) == len(spec.members):
                    row[j] = own_idx
                    continue
                other = row[j]
                row[j] = eng.out.add(Verdict(PARTIAL, ("the row's pods differ: those on the destination's node "
                                                       "are always allowed (own node)",), {}))
                for p in spec.members:
                    member_cells.setdefault(r, {}).setdefault(p.key, {})[j] = own_idx if p.key in on else other
        cells.append(row)
    columns = [g for g in pod_row_groups(eng, specs)]
    m = CompressedMatrix("pods", rows, columns, cells, eng.out.verdicts, member_cells, block.start, len(specs))
    return canonical(m)


def _resolve(eng: CellEvaluator, d: int, port: int | str, proto: str) -> int | None:
    if isinstance(port, int):
        return port
    return pol.resolve_named_port(eng.index.classes[d].rep, port, proto)


def _column(eng: CellEvaluator, d: int, port: int | str, proto: str, block_bits: int) -> list[int]:
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
    # Policy alone here: a hostNetwork party's own node is applied by the caller.
    return mev.spread(parts, lambda cid: eng.out.add(_cell(eng, cid, d, port, proto, None, ())),
                      len(eng.index.classes), eng.index.all_bits, block_bits)


def _cell(eng: CellEvaluator, s: int, d: int, port: int | str, proto: str, client_node: str | None,
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
        if members and on == size:
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

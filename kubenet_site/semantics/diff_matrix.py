"""What differs between two compressed matrices of one kind, without expanding them.

Both sides stay compressed (matrix.py): rows and columns are groups with members, cells
index distinct verdicts. Groups are matched between the sides by their members (a pod row by
its pods, a node row by its node, a Service column by its id): every member falls in one
*part*, the pair (its group in the old matrix, its group in the new one), so a group that
was split or merged between the sides is compared piece by piece, and a member present on
one side only is compared with `absent`. A member whose row carries its own cells
(`member_cells`) is a part of its own. Then each (row part, column part) pair is compared by
outcome, once per distinct pair of row cell lists (rows of one behaviour class share their
list), so the work is parts x columns, never pods x pods.

Outcomes are compared, not the wording of traces: a change is a cell whose outcome differs
(`reachable`, `blocked`, `partial`, `not-applicable`, `not-proxied`, or `absent`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .matrix import CompressedMatrix, Group
from .types import Verdict

ABSENT = "absent"


@dataclass
class Part:
    """Members that sit in group `old` of the old side and group `new` of the new side (None:
    the side lacks them). `own`: one member whose row has its own cells."""

    old: int | None
    new: int | None
    members: list[str]
    own: bool = False


@dataclass
class TypedMatrix:
    """A matrix and the type of each of its columns (service matrices of several types are
    compared as one, so a Service that changes type is one column that changed)."""

    matrix: CompressedMatrix
    column_types: list[str]
    port: int | str | None = None  # pod matrices: their port and protocol
    protocol: str | None = None


@dataclass(frozen=True)
class CellChange:
    type: str
    port: int | str | None
    protocol: str | None
    row: str
    row_label: str
    column: str
    column_label: str
    members: tuple[str, ...]
    column_members: tuple[str, ...]
    before: str
    after: str
    before_trace: tuple[str, ...]
    after_trace: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, "port": self.port, "protocol": self.protocol, "row": self.row,
                "column": self.column, "member": self.members[0] if self.members else self.row,
                "before": self.before, "after": self.after, "beforeTrace": list(self.before_trace),
                "afterTrace": list(self.after_trace), "rowLabel": self.row_label,
                "columnLabel": self.column_label, "members": list(self.members),
                "columnMembers": list(self.column_members)}


def member_keys(g: Group) -> tuple[str, ...]:
    """What identifies a row's members across sides: pods by key, a node by name, the
    external client by its id (kinds apart, so a node named like the row id cannot mix)."""
    return tuple(f"{g.kind}:{m}" for m in (g.members or (g.id,)))


def match_groups(old: Sequence[Group], new: Sequence[Group], by_members: bool,
                 own_old: dict[int, set[str]] | None = None,
                 own_new: dict[int, set[str]] | None = None) -> list[Part]:
    """The parts of two group lists: by members (rows, pod columns) or by id (Service and
    Ingress columns). New order first, then what only the old side has."""
    own_old, own_new = own_old or {}, own_new or {}
    if not by_members:
        old_ids = {g.id: i for i, g in enumerate(old)}
        parts = [Part(old_ids.pop(g.id, None), j, [g.id]) for j, g in enumerate(new)]
        return parts + [Part(i, None, [old[i].id]) for i in old_ids.values()]
    where_old: dict[str, int] = {}
    for i, g in enumerate(old):
        for m in member_keys(g):
            where_old[m] = i
    parts_by: dict[tuple[int | None, int | None], Part] = {}
    singles: list[Part] = []

    def place(m: str, show: str, a: int | None, b: int | None) -> None:
        if (a is not None and show in own_old.get(a, ())) or (b is not None and show in own_new.get(b, ())):
            singles.append(Part(a, b, [show], own=True))
            return
        part = parts_by.get((a, b))
        if part is None:
            part = parts_by[(a, b)] = Part(a, b, [])
        part.members.append(show)

    for j, g in enumerate(new):
        for m, show in zip(member_keys(g), g.members or (g.id,), strict=True):
            place(m, show, where_old.pop(m, None), j)
    for m, i in where_old.items():
        place(m, m.partition(":")[2], i, None)
    return list(parts_by.values()) + singles


def _own_members(m: CompressedMatrix) -> dict[int, set[str]]:
    return {r: set(per) for r, per in m.member_cells.items() if per}


def _row_cells(m: CompressedMatrix, r: int | None, part: Part) -> list[int] | None:
    if r is None:
        return None
    row = m.cells[r]
    if part.own:
        over = m.member_cells.get(r, {}).get(part.members[0])
        if over:
            row = list(row)
            for c, i in over.items():
                row[c] = i
    return row


def _port_of(column_id: str) -> tuple[int | None, str | None]:
    """`svc:ns/name:80/TCP` -> (80, "TCP"); other columns have none."""
    if not column_id.startswith("svc:"):
        return None, None
    _, _, tail = column_id.rpartition(":")
    number, _, proto = tail.partition("/")
    return (int(number), proto) if number.isdigit() and proto else (None, None)


def diff_matrices(a: TypedMatrix, b: TypedMatrix) -> list[CellChange]:
    """Every (row part, column part) whose outcome differs from matrix `a` (old) to `b` (new),
    two matrices of one kind."""
    ma, mb = a.matrix, b.matrix
    pods = mb.kind == "pods"
    rows = match_groups(ma.rows, mb.rows, True, _own_members(ma), _own_members(mb))
    cols = match_groups(ma.columns, mb.columns, by_members=pods)
    out_a = [v.outcome for v in ma.verdicts]
    out_b = [v.outcome for v in mb.verdicts]
    ca = [p.old for p in cols]
    cb = [p.new for p in cols]
    absent = [ABSENT] * len(cols)
    seen: dict[tuple[int, int], list[int]] = {}
    changes: list[CellChange] = []
    for rp in rows:
        va, vb = _row_cells(ma, rp.old, rp), _row_cells(mb, rp.new, rp)
        key = (id(va), id(vb))
        differ = None if rp.own else seen.get(key)
        if differ is None:
            oa = absent if va is None else [ABSENT if j is None else out_a[va[j]] for j in ca]
            ob = absent if vb is None else [ABSENT if j is None else out_b[vb[j]] for j in cb]
            differ = [] if oa == ob else [k for k, (x, y) in enumerate(zip(oa, ob, strict=True)) if x != y]
            if not rp.own:
                seen[key] = differ
        for k in differ:
            cp = cols[k]
            if pods and len(rp.members) == 1 and cp.members == rp.members:
                continue  # a pod and itself: never blocked (policy.py: upstream e2e ignoreLoopback)
            changes.append(_change(a, b, rp, cp, va, vb))
    return changes


def _verdict(m: CompressedMatrix, cells: list[int] | None, c: int | None) -> Verdict | None:
    if cells is None or c is None:
        return None
    return m.verdicts[cells[c]]


def _change(a: TypedMatrix, b: TypedMatrix, rp: Part, cp: Part, va: list[int] | None,
            vb: list[int] | None) -> CellChange:
    before, after = _verdict(a.matrix, va, cp.old), _verdict(b.matrix, vb, cp.new)
    # Name rows and columns as the new side does when it has them.
    side_c, c = (b, cp.new) if cp.new is not None else (a, cp.old)
    side_r, r = (b, rp.new) if rp.new is not None else (a, rp.old)
    assert c is not None and r is not None
    col, ctype, row = side_c.matrix.columns[c], side_c.column_types[c], side_r.matrix.rows[r]
    if side_c.matrix.kind == "pods":
        port, proto = side_c.port, side_c.protocol
    else:
        port, proto = _port_of(col.id)
    return CellChange(
        ctype, port, proto, row.id, row.label, col.id, col.label, tuple(rp.members),
        tuple(cp.members) if side_c.matrix.kind == "pods" else (),
        before.outcome if before else ABSENT, after.outcome if after else ABSENT,
        tuple(before.trace) if before else (), tuple(after.trace) if after else ())


def combine(matrices: Sequence[tuple[str, CompressedMatrix]]) -> TypedMatrix:
    """Matrices of one cluster with the same rows (the Service types) as one matrix whose
    columns are theirs side by side, each column keeping its type."""
    if not matrices:
        raise ValueError("combine needs at least one matrix")
    first = matrices[0][1]
    ids = [g.id for g in first.rows]
    verdicts: list[Verdict] = []
    offsets: list[tuple[int, int]] = []  # (verdict offset, column offset) per matrix
    columns: list[Group] = []
    types: list[str] = []
    for kind, m in matrices:
        if [g.id for g in m.rows] != ids:
            raise ValueError(f"the {kind} matrix has other rows than the {matrices[0][0]} matrix")
        offsets.append((len(verdicts), len(columns)))
        verdicts += m.verdicts
        columns += m.columns
        types += [kind] * len(m.columns)
    shared: dict[tuple[int, ...], list[int]] = {}
    cells: list[list[int]] = []
    for r in range(len(ids)):
        parts = [m.cells[r] for _, m in matrices]
        key = tuple(id(p) for p in parts)
        row = shared.get(key)
        if row is None:
            row = [i + vo for p, (vo, _) in zip(parts, offsets, strict=True) for i in p]
            shared[key] = row
        cells.append(row)
    member_cells: dict[int, dict[str, dict[int, int]]] = {}
    for (_, m), (vo, co) in zip(matrices, offsets, strict=True):
        for r, per in m.member_cells.items():
            for member, mo in per.items():
                member_cells.setdefault(r, {}).setdefault(member, {}).update({c + co: i + vo for c, i in mo.items()})
    return TypedMatrix(CompressedMatrix("services", list(first.rows), columns, cells, verdicts, member_cells),
                       types)


def typed(kind: str, m: CompressedMatrix, port: int | str | None = None, protocol: str | None = None) -> TypedMatrix:
    """One matrix whose columns all have its own type."""
    return TypedMatrix(m, [kind] * len(m.columns), port, protocol)

"""The compressed matrix as a value: its groups, cells and verdicts, their canonical form,
the merge of row blocks, and its JSON form (what check runs store and merge).

Computed by matrix_service.py (clients x Services) and matrix_pods.py (pods x pods); matrix.py
is the front that re-exports both.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .types import Verdict

REACHABLE, BLOCKED, PARTIAL = "reachable", "blocked", "partial"
NOT_APPLICABLE, NOT_PROXIED = "not-applicable", "not-proxied"


@dataclass(frozen=True)
class Group:
    """A row or column: its id, a label, its members (pod keys, node or Service names)."""

    id: str
    label: str
    members: tuple[str, ...] = ()
    kind: str = "pods"  # pods, node, external, service, ingress
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "label": self.label, "kind": self.kind,
                               "members": list(self.members)}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


def verdict_key(v: Verdict) -> tuple[Any, ...]:
    # details are built deterministically (sorted keys) by this module, so repr is canonical.
    return (v.outcome, v.trace, repr(v.details))


class Interner:
    """Numbers distinct Verdicts in order of first use."""

    def __init__(self) -> None:
        self.verdicts: list[Verdict] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def add(self, v: Verdict) -> int:
        k = verdict_key(v)
        i = self._index.get(k)
        if i is None:
            i = len(self.verdicts)
            self.verdicts.append(v)
            self._index[k] = i
        return i


@dataclass
class CompressedMatrix:
    """Rows and columns of groups; `cells[r][c]` indexes `verdicts` (distinct Verdicts).

    `member_cells[r][member][c]` overrides a cell for one member of row r where the row's
    members differ (see the module docstring). Rows that share a behaviour class may share
    one cells list: treat `cells` as read-only."""

    kind: str
    rows: list[Group]
    columns: list[Group]
    cells: list[list[int]]
    verdicts: list[Verdict]
    member_cells: dict[int, dict[str, dict[int, int]]] = field(default_factory=dict)
    row_offset: int = 0  # the first row's index in the full matrix (a row_block)
    total_rows: int | None = None

    def _row(self, row: int | str) -> int:
        if isinstance(row, int):
            return row
        for i, g in enumerate(self.rows):
            if g.id == row:
                return i
        raise KeyError(f"no row {row!r}")

    def _col(self, col: int | str) -> int:
        if isinstance(col, int):
            return col
        for i, g in enumerate(self.columns):
            if g.id == col:
                return i
        raise KeyError(f"no column {col!r}")

    def cell(self, row: int | str, col: int | str) -> Verdict:
        return self.verdicts[self.cells[self._row(row)][self._col(col)]]

    def expand_row(self, row: int | str) -> dict[str, list[Verdict]]:
        """Each member of the row with its own verdict per column."""
        r = self._row(row)
        base = self.cells[r]
        over = self.member_cells.get(r, {})
        members = self.rows[r].members or (self.rows[r].id,)
        out: dict[str, list[Verdict]] = {}
        for m in members:
            mo = over.get(m, {})
            out[m] = [self.verdicts[mo.get(c, base[c])] for c in range(len(self.columns))]
        return out

    def member_verdict(self, member: str, col: int | str) -> Verdict:
        """The verdict of one pod (or node, or `external`) for one column."""
        c = self._col(col)
        for r, g in enumerate(self.rows):
            if member in g.members or g.id == member:
                idx = self.member_cells.get(r, {}).get(member, {}).get(c, self.cells[r][c])
                return self.verdicts[idx]
        raise KeyError(f"no row holds {member!r}")

    def to_dict(self, page: int = 1, page_size: int = 100) -> dict[str, Any]:
        """One page of rows (1-based), every column, and the verdicts the page uses."""
        page = max(1, page)
        page_size = max(1, page_size)
        lo, hi = (page - 1) * page_size, page * page_size
        rows = self.rows[lo:hi]
        cells = [list(c) for c in self.cells[lo:hi]]
        used = sorted({i for row in cells for i in row}
                      | {i for r in range(lo, min(hi, len(self.rows)))
                         for mo in self.member_cells.get(r, {}).values() for i in mo.values()})
        total = len(self.rows)
        return {
            "kind": self.kind,
            "page": page, "pageSize": page_size, "totalRows": total,
            "pages": (total + page_size - 1) // page_size,
            "columns": [g.as_dict() for g in self.columns],
            "rows": [g.as_dict() for g in rows],
            "cells": cells,
            "memberCells": {str(r - lo): {m: {str(c): i for c, i in mo.items()} for m, mo in v.items()}
                            for r, v in self.member_cells.items() if lo <= r < hi},
            "verdicts": {str(i): {"outcome": self.verdicts[i].outcome, "trace": list(self.verdicts[i].trace),
                                  "details": self.verdicts[i].details} for i in used},
        }

    def outcome_table(self) -> list[list[str]]:
        """Every cell's outcome (for tests and small matrices)."""
        return [[self.verdicts[i].outcome for i in row] for row in self.cells]


def row_range(total: int, row_block: tuple[int, int] | None) -> range:
    """The rows [start, stop) of a row block, clipped to the matrix (every row without one)."""
    if row_block is None:
        return range(total)
    lo, hi = row_block
    return range(max(0, lo), min(total, hi))


def canonical(m: CompressedMatrix) -> CompressedMatrix:
    """The same matrix with verdicts numbered in order of first use (row-major cells, then
    the member overrides by row, member and column), so equal matrices compare equal
    whatever order they were computed in."""
    first = dict.fromkeys(itertools.chain.from_iterable(m.cells))
    for r in sorted(m.member_cells):
        for mem in sorted(m.member_cells[r]):
            mo = m.member_cells[r][mem]
            for c in sorted(mo):
                first.setdefault(mo[c])
    order = {old: new for new, old in enumerate(first)}
    verdicts = [m.verdicts[old] for old in order]
    shared: dict[int, list[int]] = {}
    cells = []
    for row in m.cells:
        new_row = shared.get(id(row))
        if new_row is None:
            new_row = [order[i] for i in row]
            shared[id(row)] = new_row
        cells.append(new_row)
    members = {r: {mem: {c: order[i] for c, i in mo.items()} for mem, mo in v.items()}
               for r, v in m.member_cells.items()}
    return CompressedMatrix(m.kind, list(m.rows), list(m.columns), cells, verdicts, members,
                            m.row_offset, m.total_rows)


def merge_blocks(blocks: Sequence[CompressedMatrix]) -> CompressedMatrix:
    """Join row blocks of one matrix (any order) into the matrix one call would give."""
    if not blocks:
        raise ValueError("merge_blocks needs at least one block")
    ordered = sorted(blocks, key=lambda b: b.row_offset)
    first = ordered[0]
    out = Interner()
    rows: list[Group] = []
    cells: list[list[int]] = []
    members: dict[int, dict[str, dict[int, int]]] = {}
    for b in ordered:
        if [g.id for g in b.columns] != [g.id for g in first.columns]:
            raise ValueError("blocks of different matrices")
        remap = [out.add(v) for v in b.verdicts]
        shared: dict[int, list[int]] = {}
        for r, row in enumerate(b.cells):
            new = shared.get(id(row))
            if new is None:
                new = [remap[i] for i in row]
                shared[id(row)] = new
            members_r = b.member_cells.get(r)
            if members_r:
                members[len(rows)] = {m: {c: remap[i] for c, i in mo.items()} for m, mo in members_r.items()}
            rows.append(b.rows[r])
            cells.append(new)
    merged = CompressedMatrix(first.kind, rows, list(first.columns), cells, out.verdicts, members, 0,
                              first.total_rows)
    return canonical(merged)


CELL_ENCODING = "rle"


def encode_row(row: Sequence[int], counts: dict[int, int] | None = None) -> str:
    """Cells of one row as runs: `3*5,0,2*7` is [5, 5, 5, 0, 7, 7] (a row is mostly one or two
    verdicts over thousands of columns). `counts`, when given, gets the cells of each verdict."""
    out: list[str] = []
    for value, run in itertools.groupby(row):
        n = len(tuple(run))
        out.append(f"{n}*{value}" if n > 1 else str(value))
        if counts is not None:
            counts[value] = counts.get(value, 0) + n
    return ",".join(out)


def decode_row(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(",") if text else ():
        n, star, value = part.partition("*")
        out.extend([int(value)] * int(n) if star else [int(n)])
    return out


def row_runs(text: str) -> Iterator[tuple[int, int]]:
    """(verdict, how many cells) of an encoded row, without expanding it."""
    for part in text.split(",") if text else ():
        n, star, value = part.partition("*")
        yield (int(value), int(n)) if star else (int(n), 1)


def matrix_json(m: CompressedMatrix) -> dict[str, Any]:
    """A CompressedMatrix as JSON, every row on one page, with its place among the rows. The
    cells are compact (encoding `rle`): `rowCells` holds each distinct row once, run-length
    encoded (encode_row), and `cells[r]` is the index of row r's entry there; the verdicts
    are the ones the cells use; `outcomeCounts` counts the rows' cells by outcome. matrix_from_json reads this and the plain form alike."""
    distinct: dict[Any, int] = {}
    row_cells: list[str] = []
    refs: list[int] = []
    by_id: dict[int, int] = {}
    used: set[int] = set()
    row_counts: list[dict[int, int]] = []  # cells of each verdict in each distinct row
    for row in m.cells:  # rows shared by class are one list: encoded once
        ref = by_id.get(id(row))
        if ref is None:
            counts: dict[int, int] = {}
            text = encode_row(row, counts)
            ref = distinct.get(text)
            if ref is None:
                ref = distinct[text] = len(row_cells)
                row_cells.append(text)
                row_counts.append(counts)
                used.update(counts)
            by_id[id(row)] = ref
        refs.append(ref)
    used |= {i for v in m.member_cells.values() for mo in v.values() for i in mo.values()}
    outcomes: dict[str, int] = {}
    for ref, times in Counter(refs).items():
        for i, n in row_counts[ref].items():
            outcome = m.verdicts[i].outcome
            outcomes[outcome] = outcomes.get(outcome, 0) + n * times
    return {
        "kind": m.kind, "page": 1, "pageSize": max(1, len(m.rows)),
        "totalRows": m.total_rows if m.total_rows is not None else len(m.rows), "pages": 1 if m.rows else 0,
        "columns": [g.as_dict() for g in m.columns],
        "rows": [g.as_dict() for g in m.rows],
        "encoding": CELL_ENCODING, "rowCells": row_cells, "cells": refs,
        "memberCells": {str(r): {mem: {str(c): i for c, i in mo.items()} for mem, mo in v.items()}
                        for r, v in m.member_cells.items()},
        "verdicts": {str(i): {"outcome": m.verdicts[i].outcome, "trace": list(m.verdicts[i].trace),
                              "details": m.verdicts[i].details} for i in sorted(used)},
        "rowOffset": m.row_offset,
        "outcomeCounts": dict(sorted(outcomes.items())),  # cells by outcome (the rows' cells)
    }


def json_cells(d: dict[str, Any]) -> list[list[int]]:
    """The cells of a matrix_json (either encoding) as rows of verdict numbers (as stored);
    rows with the same entry are one list."""
    if d.get("encoding") != CELL_ENCODING:
        return d["cells"]
    rows = [decode_row(text) for text in d["rowCells"]]
    return [rows[ref] for ref in d["cells"]]


def matrix_from_json(d: dict[str, Any]) -> CompressedMatrix:
    """matrix_json's inverse (what merge_blocks takes); verdict numbers are made dense."""
    used = sorted(d["verdicts"], key=int)
    number = {int(k): i for i, k in enumerate(used)}
    verdicts = [Verdict(v["outcome"], tuple(v.get("trace") or ()), v.get("details") or {})
                for v in (d["verdicts"][k] for k in used)]

    def group(g: dict[str, Any]) -> Group:
        return Group(g["id"], g["label"], tuple(g.get("members") or ()), g.get("kind", "pods"),
                     tuple(g.get("notes") or ()))

    renumbered: dict[int, list[int]] = {}
    cells = []
    for row in json_cells(d):
        new = renumbered.get(id(row))
        if new is None:
            new = renumbered[id(row)] = [number[i] for i in row]
        cells.append(new)
    return CompressedMatrix(
        kind=d["kind"], rows=[group(g) for g in d["rows"]], columns=[group(g) for g in d["columns"]],
        cells=cells, verdicts=verdicts,
        member_cells={int(r): {m: {int(c): number[i] for c, i in mo.items()} for m, mo in v.items()}
                      for r, v in (d.get("memberCells") or {}).items()},
        row_offset=int(d.get("rowOffset") or 0), total_rows=d.get("totalRows"))

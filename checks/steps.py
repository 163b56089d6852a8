"""Steps and units: the pieces a check run is made of, and how a step's blocks are joined.

A plan (checks.kinds) is a list of steps; a step is the unit of resumption (a re-delivered
task skips the steps already stored) and its units are the unit of progress. A step may also
be split into blocks that run on several workers and are merged: a matrix's row blocks
(`matrix.merge_blocks`), or shares of the step's units.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubenet_site.semantics import matrix
from kubenet_site.semantics.jsonable import jsonable
from kubenet_site.semantics.matrix_result import matrix_from_json, matrix_json
from kubenet_site.semantics.types import QueryError, Snapshot

from . import dns_results


@dataclass
class Unit:
    key: str
    compute: Callable[[], Any]


@dataclass
class Step:
    """One resumable piece of a run, stored at `path` in the run's result once complete."""

    path: tuple[str, ...]
    title: str
    units: list[Unit] = field(default_factory=list)
    # A step that may be split into blocks run on several workers: block(index, count) -> JSON
    # block, joined by `merge_blocks(merge, blocks)`, which needs no Snapshot. merge "rows": a
    # matrix's row blocks (matrix.merge_blocks); "units": a share of the units each.
    block: Callable[[int, int], Any] | None = None
    merge: str = "rows"
    # The whole step's value from its units' values (default: one map sorted by unit key).
    finish: Callable[[dict[str, Any]], Any] | None = None

    @property
    def key(self) -> str:
        return "/".join(self.path)

    @classmethod
    def of_units(cls, path: tuple[str, ...], title: str, units: list[Unit]) -> Step:
        """A step whose units can be shared out between blocks."""
        step = cls(path, title, units, merge="units")

        def block(index: int, count: int) -> Any:
            start, stop = block_rows(len(units), index, count)
            return {u.key: u.compute() for u in units[start:stop]}

        step.block = block
        return step

    @classmethod
    def of_dns(cls, path: tuple[str, ...], title: str, units: list[Unit], head: dict[str, Any]) -> Step:
        """The DNS step: units are classes (dns_results.class_entry), the value is their joined
        stored form; blocks carry `head` (the Services and domain that name the answers)."""
        step = cls(path, title, units, merge="dns", finish=lambda values: dns_results.join(head, values))

        def block(index: int, count: int) -> Any:
            start, stop = block_rows(len(units), index, count)
            return {"meta": head, "classes": {u.key: u.compute() for u in units[start:stop]}}

        step.block = block
        return step

    def assemble(self, values: dict[str, Any]) -> Any:
        if self.finish is not None:
            return self.finish(values)
        if len(self.units) == 1 and self.units[0].key == "":
            return values[""]
        return dict(sorted(values.items()))


def step_error(value: Any) -> str | None:
    """The error of a step that could not be computed (its stored value is {"error": ...})."""
    if isinstance(value, dict) and set(value) == {"error"}:
        return str(value["error"])
    return None


def compute_step(step: Step, after_unit: Callable[[], None] | None = None,
                 passthrough: tuple[type[BaseException], ...] = ()) -> tuple[Any, str]:
    """(value, traceback text): the step's result, or {"error": ...} when the engine raised
    (the other steps still run; the run then ends failed, naming the step)."""
    values: dict[str, Any] = {}
    try:
        for unit in step.units:
            values[unit.key] = unit.compute()
            if after_unit is not None:
                after_unit()
        return step.assemble(values), ""
    except passthrough:
        raise
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}, traceback.format_exc()


def answer(fn: Callable[[Snapshot, dict], Any], snap: Snapshot, query: dict) -> Any:
    """One query of the engine as JSON; a QueryError becomes {"error": ...}."""
    try:
        return jsonable(fn(snap, query))
    except QueryError as exc:
        return {"error": str(exc)}


def merge_blocks(merge: str, blocks: list[dict[str, Any]]) -> Any:
    """Blocks (in order) -> the step's whole result: a matrix's row blocks (matrix_json)
    joined by matrix.merge_blocks, shares of a step's units joined as one sorted map, or the
    DNS step's classes joined into its stored form (dns_results)."""
    if merge == "dns":
        return dns_results.merge(blocks)
    if merge == "units":
        joined: dict[str, Any] = {}
        for b in blocks:
            joined.update(b)
        return dict(sorted(joined.items()))
    return matrix_json(matrix.merge_blocks([matrix_from_json(b) for b in blocks]))


def block_rows(total: int, index: int, count: int) -> tuple[int, int]:
    """Rows [start, stop) of block `index` of `count` over `total` rows (sizes differ by <= 1)."""
    return total * index // count, total * (index + 1) // count


def matrix_step(path: tuple[str, ...], title: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Step:
    """A step computing one matrix (`fn(*args, **kwargs)`), whole or by row blocks."""

    def whole() -> Any:
        return matrix_json(matrix.canonical(fn(*args, **kwargs)))

    def block(index: int, count: int) -> Any:
        probe = fn(*args, **kwargs, row_block=(0, 0))
        total = probe.total_rows if probe.total_rows is not None else len(fn(*args, **kwargs).rows)
        return matrix_json(fn(*args, **kwargs, row_block=block_rows(total, index, count)))

    return Step(path, title, [Unit("", whole)], block=block)

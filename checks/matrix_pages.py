"""What a matrix page shows, shaped from the compressed matrix (no Django request here): rows
and columns grouped by namespace (nodes, the outside client, Ingress hosts), collapsed
sections summarised by one cell, the filters, the HTML of cell rows, and the namespace x
namespace heatmap of a pods matrix.

Cells are written as plain strings: a 2,000-pod matrix has tens of thousands of them and a
template loop per cell is what would make the page slow. Nothing here expands pods x Services:
a collapsed section is summarised from its groups' cells, and a group's members are expanded
one group at a time (CompressedMatrix.expand_row).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.utils.html import escape

from kubenet_site.semantics.labels import parse_selector_string, requirement_selects
from kubenet_site.semantics.matrix_result import (
    BLOCKED,
    NOT_APPLICABLE,
    PARTIAL,
    REACHABLE,
    CompressedMatrix,
    Group,
)

from .matrix_command import MEANINGS, SYMBOLS

PROBLEMS = frozenset({BLOCKED, PARTIAL})
NODES, OUTSIDE = "nodes", "outside the cluster"
OPEN_ROWS_UP_TO = 60  # rows (groups) shown expanded by default
OPEN_COLUMNS_UP_TO = 40
TITLES = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer",
          "externalname": "ExternalName", "ingress": "Ingress", "pods": "Pods x pods"}
LEGEND = [(SYMBOLS[o], o, MEANINGS[o]) for o in SYMBOLS]


def row_section(g: Group) -> str:
    """A row's section: its namespace; nodes and the outside client have their own."""
    if g.kind == "node":
        return NODES
    if g.kind == "external":
        return OUTSIDE
    return (g.members[0] if g.members else g.label).split("/", 1)[0]


def column_section(g: Group) -> str:
    """A column's section: the Service's (or pod group's) namespace, an Ingress's host."""
    if g.kind == "ingress":
        return g.members[0] if g.members else g.label.split("/", 1)[0]
    return (g.members[0] if g.members else g.label).split("/", 1)[0]


def aggregate(outcomes: Iterable[str]) -> str:
    """One outcome for many cells: theirs when they agree (not-applicable cells aside), else
    partial."""
    seen = set(outcomes)
    if len(seen) > 1:
        seen.discard(NOT_APPLICABLE)
    if not seen:
        return NOT_APPLICABLE
    return seen.pop() if len(seen) == 1 else PARTIAL


@dataclass
class Filters:
    """The page's filters: client (row) namespace, target (column) namespace, a label selector
    in kubectl's -l syntax over the pods of rows (and of columns, in a pods matrix), and only
    blocked or partial cells."""

    source: str = ""
    target: str = ""
    selector: str = ""
    problems: bool = False
    error: str = ""
    requirements: tuple = ()

    @classmethod
    def of(cls, params: Any) -> Filters:
        f = cls(source=(params.get("from") or "").strip(), target=(params.get("to") or "").strip(),
                selector=(params.get("selector") or "").strip(), problems=params.get("only") == "problems")
        if f.selector:
            try:
                f.requirements = parse_selector_string(f.selector)
            except ValueError as exc:
                f.error = f"label selector: {exc}"
        return f

    def selects(self, labels: dict[str, str]) -> bool:
        return all(requirement_selects(r, labels) for r in self.requirements)


@dataclass
class Section:
    name: str
    indices: list[int]
    open: bool
    outcome: str = REACHABLE  # a collapsed row section's summary (per column section: `cells`)
    cells: list[str] = field(default_factory=list)


@dataclass
class Layout:
    """Which rows and columns show, in sections, and which sections are open."""

    kind: str
    matrix: CompressedMatrix
    rows: list[Section]
    columns: list[Section]
    filters: Filters
    row_sections: list[str] = field(default_factory=list)  # every section name before filtering
    column_sections: list[str] = field(default_factory=list)
    _memo: dict[frozenset, str] = field(default_factory=dict)

    def of(self, indices: Iterable[int]) -> str:
        """The aggregate outcome of cells given as verdict indices (memoised per distinct set)."""
        key = indices if isinstance(indices, frozenset) else frozenset(indices)
        found = self._memo.get(key)
        if found is None:
            verdicts = self.matrix.verdicts
            found = self._memo[key] = aggregate(verdicts[i].outcome for i in key)
        return found

    @property
    def shown_columns(self) -> int:
        return sum(len(s.indices) if s.open else 1 for s in self.columns)


def sections(groups: list[Group], indices: Iterable[int], name_of: Any) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i in indices:
        out[name_of(groups[i])].append(i)
    special = {NODES: 1, OUTSIDE: 2}
    return dict(sorted(out.items(), key=lambda kv: (special.get(kv[0], 0), kv[0])))


def opened(param: str | None, names: list[str], small: bool) -> set[str]:
    """`*` opens every section, a comma list those named; absent, every one when small."""
    if param is None:
        return set(names) if small else set()
    return set(names) if param.strip() == "*" else {n for n in param.split(",") if n}


def shape(m: CompressedMatrix, kind: str, filters: Filters, open_rows: str | None, open_cols: str | None,
          pod_labels: dict[str, dict[str, str]] | None = None, summaries: bool = True) -> Layout:
    """Filter, then group into sections; `pod_labels` (pod key -> labels) when a selector is set.
    `summaries`: each row section's summary cells (a partial that shows one section summarises
    only that one, with `summarise`)."""
    outcome = [v.outcome for v in m.verdicts]
    rows = range(len(m.rows))
    cols = range(len(m.columns))
    if filters.source:
        rows = [r for r in rows if row_section(m.rows[r]) == filters.source]
    if filters.target:
        cols = [c for c in cols if column_section(m.columns[c]) == filters.target]
    if filters.requirements and pod_labels is not None:
        def chosen(g: Group) -> bool:
            return g.kind == "pods" and any(filters.selects(pod_labels.get(p, {})) for p in g.members)
        rows = [r for r in rows if chosen(m.rows[r])]
        if kind == "pods":
            cols = [c for c in cols if chosen(m.columns[c])]
    rows, cols = list(rows), list(cols)
    if filters.problems:
        bad = {i for i, o in enumerate(outcome) if o in PROBLEMS}
        rows = [r for r in rows if any(m.cells[r][c] in bad for c in cols) or problem_members(m, r, bad)]
        cols = [c for c in cols if any(m.cells[r][c] in bad for r in rows)]
    row_map = sections(m.rows, rows, row_section)
    col_map = sections(m.columns, cols, column_section)
    open_r = opened(open_rows, list(row_map), len(rows) <= OPEN_ROWS_UP_TO)
    open_c = opened(open_cols, list(col_map), len(cols) <= OPEN_COLUMNS_UP_TO)
    layout = Layout(kind, m, [Section(n, ix, n in open_r) for n, ix in row_map.items()],
                    [Section(n, ix, n in open_c) for n, ix in col_map.items()], filters,
                    list(sections(m.rows, range(len(m.rows)), row_section)),
                    list(sections(m.columns, range(len(m.columns)), column_section)))
    if summaries:
        for s in layout.rows:
            summarise(layout, s)
    return layout


def problem_members(m: CompressedMatrix, r: int, bad: set[int]) -> bool:
    return any(i in bad for mo in m.member_cells.get(r, {}).values() for i in mo.values())


def summarise(layout: Layout, s: Section) -> None:
    """A row section's summary cell per shown column (or column section)."""
    m = layout.matrix
    distinct = list({id(m.cells[r]): m.cells[r] for r in s.indices}.values())  # rows share cell lists
    by_column = list(zip(*distinct, strict=True)) if distinct else [() for _ in m.columns]
    cells = []
    for cs in layout.columns:
        if cs.open:
            cells += [layout.of(by_column[c]) for c in cs.indices]
        else:
            cells.append(layout.of(frozenset().union(*[by_column[c] for c in cs.indices])))
    s.cells = cells
    s.outcome = aggregate(cells)


def cell_html(outcome: str, col: str, problems_only: bool) -> str:
    if problems_only and outcome not in PROBLEMS:
        return f'<td><span class="cell o-{outcome} dim" data-verdict="{outcome}" title="{outcome}"></span></td>'
    return (f'<td><button type="button" class="cell o-{outcome}" data-verdict="{outcome}" data-c="{col}" '
            f'title="{outcome}">{SYMBOLS[outcome]}</button></td>')


def summary_html(outcome: str, what: str) -> str:
    return (f'<td><span class="cell agg o-{outcome}" data-verdict="{outcome}" title="{escape(what)}: {outcome}">'
            f'{SYMBOLS[outcome]}</span></td>')


def row_cells(layout: Layout, verdicts: list[int]) -> str:
    """The cells of one row (a group's, or one member's) across the shown columns."""
    m = layout.matrix
    outcome = [v.outcome for v in m.verdicts]
    out = []
    for cs in layout.columns:
        if cs.open:
            out += [cell_html(outcome[verdicts[c]], escape(m.columns[c].id), layout.filters.problems)
                    for c in cs.indices]
        else:
            out.append(summary_html(layout.of(verdicts[c] for c in cs.indices), cs.name))
    return "".join(out)


def group_rows_html(layout: Layout, r: int, members_url: str, members_open: bool = False) -> str:
    """A group's row, then (members_open) one row per member with the member's own cells."""
    m = layout.matrix
    g = m.rows[r]
    rid = escape(g.id)
    many = g.kind == "pods" and len(g.members) > 1
    toggle = ""
    if many:
        word = "hide" if members_open else "show"
        toggle = (f' <button type="button" class="btn btn-link btn-sm p-0 members-toggle" aria-expanded='
                  f'"{str(members_open).lower()}" hx-get="{escape(members_url)}&amp;r={escape(quote(g.id))}&amp;members='
                  f'{0 if members_open else 1}" hx-target="closest tr" hx-swap="outerHTML">{word} '
                  f'{len(g.members)} pods</button>')
    differ = ' <span class="badge text-bg-light" title="members differ">*</span>' if r in m.member_cells else ""
    head = f'<th scope="row" class="rowhead">{escape(g.label)}{differ}{toggle}</th>'
    out = [f'<tr data-r="{rid}" class="group">{head}{row_cells(layout, m.cells[r])}</tr>']
    if members_open and many:
        over = m.member_cells.get(r, {})
        for member in g.members:
            mine = m.cells[r]
            if member in over:
                mine = list(mine)
                for c, i in over[member].items():
                    mine[c] = i
            out.append(f'<tr data-r="{rid}" data-m="{escape(member)}" class="member"><th scope="row" '
                       f'class="rowhead member-name">{escape(member)}</th>{row_cells(layout, mine)}</tr>')
    return "".join(out)


def section_body_html(layout: Layout, s: Section, rows_url: str, members_url: str) -> str:
    """A row section's <tbody>: its header row (open/close), then its groups when open."""
    word, state = ("Collapse", "false") if s.open else ("Expand", "true")
    sid = escape(s.name)
    size = f"{len(s.indices)} group{'s' if len(s.indices) != 1 else ''}"
    button = (f'<button type="button" class="btn btn-sm btn-outline-primary section-toggle" aria-expanded='
              f'"{str(s.open).lower()}" hx-get="{escape(rows_url)}&amp;section={escape(quote(s.name))}&amp;open={state}" '
              f'hx-target="closest tbody" hx-swap="outerHTML">{word}</button>')
    head = f'<th scope="rowgroup" class="rowhead section-head">{button} {sid} <small>({size})</small></th>'
    if s.open:
        body = "".join(group_rows_html(layout, r, members_url) for r in s.indices)
        cells = "".join('<td class="section-gap"></td>' for _ in range(layout.shown_columns))
        return f'<tbody data-section="{sid}"><tr class="section">{head}{cells}</tr>{body}</tbody>'
    cells = "".join(summary_html(o, s.name) for o in s.cells)
    return f'<tbody data-section="{sid}" class="collapsed"><tr class="section">{head}{cells}</tr></tbody>'


def short_label(g: Group, section: str) -> str:
    """A column's label without its section (the header above says it)."""
    prefix = section + ("" if g.kind == "ingress" else "/")
    return g.label[len(prefix):] if g.label.startswith(prefix) else g.label


def column_heads_html(layout: Layout) -> str:
    out = []
    for cs in layout.columns:
        if cs.open:
            out += [f'<th scope="col" class="col-head" title="{escape(g.label)}"><span>'
                    f'{escape(short_label(g, cs.name))}</span></th>'
                    for g in (layout.matrix.columns[c] for c in cs.indices)]
        else:
            out.append(f'<th scope="col" class="col-head agg" title="every column of {escape(cs.name)}">'
                       f'<span>all {len(cs.indices)}</span></th>')
    return "".join(out)


def heatmap(m: CompressedMatrix) -> tuple[list[str], list[list[float | None]]]:
    """Namespace x namespace: the share of (client pod, target pod) pairs that connect, from a
    pods matrix; a partial cell's members count by their own verdicts, and a partial verdict
    of one member counts half. None where no pair exists."""
    score = {REACHABLE: 1.0, PARTIAL: 0.5}
    col_ns = [column_section(g) for g in m.columns]
    names = sorted({row_section(g) for g in m.rows if g.kind == "pods"} | set(col_ns))
    at = {n: i for i, n in enumerate(names)}
    good = [[0.0] * len(names) for _ in names]
    total = [[0] * len(names) for _ in names]
    outcome = [v.outcome for v in m.verdicts]
    for r, g in enumerate(m.rows):
        if g.kind != "pods":
            continue
        a = at[row_section(g)]
        over = m.member_cells.get(r, {})
        plain = len(g.members) - len([x for x in g.members if x in over])
        for c, cg in enumerate(m.columns):
            b, n = at[col_ns[c]], len(cg.members)
            total[a][b] += len(g.members) * n
            good[a][b] += plain * n * score.get(outcome[m.cells[r][c]], 0.0)
            for mo in over.values():
                good[a][b] += n * score.get(outcome[mo.get(c, m.cells[r][c])], 0.0)
    return names, [[good[a][b] / total[a][b] if total[a][b] else None for b in range(len(names))]
                   for a in range(len(names))]

"""`kubenet diff OLD NEW [--format text|json] [--fail-on-change] [--cluster FILE]`: what a
change does to reachability, endpoints, DNS and routes (semantics/diff.py), before it is
applied.

Each side is a PATH (file or directory, read as `kubenet check` reads it, with `--cluster`'s
block), `topology:[TEAM/]NAME` (its current objects) or `run:<id>` (the objects a check run
pinned, with the matrices it stored). Text lists the most important first: newly opened
paths, newly closed ones, other cell changes, then endpoints, DNS, routes, findings and
assertions. Exit 1 on a difference with --fail-on-change, else 0; 2 on bad arguments.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

import yaml

from kubenet_site.semantics import diff as engine

from .check_command import CheckUsageError, load_paths, topology_source
from .run_diff import side_from_loaded, side_from_run

TOPOLOGY, RUN = "topology:", "run:"
FORMATS = ("text", "json")


def read_cluster(path: str | None) -> dict[str, Any] | None:
    """`--cluster FILE`: the query document's `cluster` block (or a document holding it)."""
    if not path:
        return None
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CheckUsageError(f"--cluster {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise CheckUsageError(f"--cluster {path}: not YAML: {exc}") from exc
    if isinstance(data, Mapping) and isinstance(data.get("cluster"), Mapping):
        data = data["cluster"]
    if data is not None and not isinstance(data, Mapping):
        raise CheckUsageError(f"--cluster {path}: must hold a mapping (the query document's `cluster` block)")
    return dict(data) if data else None


def _topology_side(spec: str) -> engine.Side:
    team, _, name = spec.rpartition("/")
    if not name:
        raise CheckUsageError(f"{TOPOLOGY}{spec}: give topology:NAME or topology:TEAM/NAME")
    loaded, cluster = topology_source(name, team or None)  # TopologyNotFound: exit 2 (checks.commands)
    return side_from_loaded(loaded, cluster)


def _run_side(spec: str) -> engine.Side:
    from .models import CheckRun

    if not spec.isdigit():
        raise CheckUsageError(f"{RUN}{spec}: a run is named by its number (run:12)")
    run = CheckRun.objects.filter(pk=int(spec)).first()
    if run is None:
        raise CheckUsageError(f"run #{spec} not found")
    return side_from_run(run)


def load_side(spec: str, cluster: Mapping[str, Any] | None) -> engine.Side:
    if spec.startswith(TOPOLOGY):
        return _topology_side(spec[len(TOPOLOGY):])
    if spec.startswith(RUN):
        return _run_side(spec[len(RUN):])
    return side_from_loaded(load_paths([spec]), cluster)


# --- text ------------------------------------------------------------------------------------------

def _who(c: engine.CellChange) -> str:
    n = len(c.members)
    if c.row.startswith(("node:", "external")) or n == 0:
        return c.row_label
    shown = ", ".join(c.members[:3]) + (", ..." if n > 3 else "")
    return f"{c.row_label} [{n} pod{'s' if n != 1 else ''}: {shown}]"


def _where(c: engine.CellChange) -> str:
    scope = f"{c.type} {c.port}/{c.protocol}" if c.type == "pods" else c.type
    target = c.column_label
    if c.column_members:
        n = len(c.column_members)
        target += f" [{n} pod{'s' if n != 1 else ''}: {', '.join(c.column_members[:3])}{', ...' if n > 3 else ''}]"
    return f"[{scope}] {target}"


def _trace(c: engine.CellChange) -> tuple[str, ...]:
    """The side that explains the change: the new one, unless the path is gone."""
    trace = c.after_trace if c.after != engine.ABSENT else c.before_trace
    return tuple(t for t in trace if str(t).strip())


def cell_groups(cells: list[engine.CellChange]) -> list[list[engine.CellChange]]:
    """Cells of one column with the same change and the same explanation, together (rows in
    their order), columns in the order they first changed."""
    groups: dict[tuple[Any, ...], list[engine.CellChange]] = {}
    for c in cells:
        groups.setdefault((c.type, c.port, c.protocol, c.column, c.before, c.after, _trace(c)), []).append(c)
    order = {key[:4]: i for i, key in reversed(list(enumerate(groups)))}
    return [g for key, g in sorted(groups.items(), key=lambda kv: order[kv[0][:4]])]


def _group_lines(cells: list[engine.CellChange]) -> list[str]:
    first = cells[0]
    lines = [f"  {_where(first)}: {first.before} -> {first.after}"]
    lines += [f"    from {_who(c)}" for c in cells]
    lines += [f"      {t}" for t in _trace(first)]
    return lines


def _addresses(value: Mapping[str, Any] | None) -> str:
    if value is None:
        return "no such port"
    ready = value.get("ready") or []
    not_ready = value.get("notReady") or []
    text = f"{len(ready)} ready" + (f" ({', '.join(ready)})" if ready else "")
    return text + (f", {len(not_ready)} not ready" if not_ready else "")


def _dns(value: Mapping[str, Any]) -> str:
    answers = value.get("answers") or []
    return f"{value.get('rcode')}" + (f" {', '.join(answers)}" if answers else "")


def _finding(f: Mapping[str, Any]) -> str:
    return f"{f.get('severity')}: " + ": ".join(x for x in (f.get("object"), f.get("field"), f.get("message")) if x) \
        + f" [{f.get('code')}]"


def _cell_sections(by_direction: dict[str, list[engine.CellChange]], titles: dict[str, str]) -> list[str]:
    lines = []
    for key, title in titles.items():
        cells = by_direction[key]
        if cells:
            lines += ["", f"{title} ({len(cells)} cell{'s' if len(cells) != 1 else ''}):"]
            for group in cell_groups(cells):
                lines += _group_lines(group)
    return lines


def render_text(d: engine.Diff, old: str, new: str) -> str:
    lines = [f"diff {old} -> {new}"]
    if d.empty:
        lines.append("no difference: both sides give the same answers")
        return "\n".join(lines) + "\n"
    by_direction: dict[str, list[engine.CellChange]] = {"opened": [], "closed": [], "changed": []}
    for c in d.cells:
        by_direction[engine.direction(c.before, c.after)].append(c)
    titles = {"opened": "newly opened paths", "closed": "newly closed paths", "changed": "other cell changes"}
    lines += _cell_sections(by_direction, titles)
    sections: list[tuple[str, list[Any], Callable[[Any], list[str]]]] = [
        ("endpoints changed", d.endpoints,
         lambda e: [f"  {e['service']} port {e['port'] or '(portless)'}: "
                    f"{_addresses(e['before'])} -> {_addresses(e['after'])}"]),
        ("DNS answers changed", d.dns,
         lambda e: [f"  {e['name']} ({e['type']}) from {e['pod']} and the pods resolving alike: "
                    f"{_dns(e['before'])} -> {_dns(e['after'])}"]),
        ("routes changed", d.routes, lambda e: [f"  {e['from']} -> {e['to']}: {e['before']} -> {e['after']}"
                                        + (f" (backends {', '.join(e['afterEndpoints'])})"
                                           if e["afterEndpoints"] else "")]),
        ("findings added", d.findings["added"], lambda f: [f"  {_finding(f)}"]),
        ("findings removed", d.findings["removed"], lambda f: [f"  {_finding(f)}"]),
        ("assertions broken", d.assertions["broken"],
         lambda a: [f"  {a['name']}: {a['before']} -> {a['after']}" + (f": {a['message']}" if a["message"] else "")]),
        ("assertions fixed", d.assertions["fixed"], lambda a: [f"  {a['name']}: {a['before']} -> {a['after']}"]),
    ]
    summary = [f"{len(by_direction[k])} {titles[k]}" for k in titles if by_direction[k]]
    for title, items, fmt in sections:
        if not items:
            continue
        lines.append("")
        lines.append(f"{title} ({len(items)}):")
        for item in items:
            lines += fmt(item)
        summary.append(f"{len(items)} {title}")
    lines.append("")
    lines.append("summary: " + "; ".join(summary))
    return "\n".join(lines) + "\n"


def cmd_diff(stdout: IO, stderr: IO, *, old: str, new: str, format: str = "text", fail_on_change: bool = False,
             cluster: str | None = None, **_: Any) -> int:
    if format not in FORMATS:
        raise CheckUsageError(f"--format must be one of {', '.join(FORMATS)}")
    block = read_cluster(cluster)
    d = engine.diff(load_side(old, block), load_side(new, block))
    if format == "json":
        stdout.write(json.dumps(d.as_dict(), indent=2) + "\n")
    else:
        stdout.write(render_text(d, old, new))
    return 1 if fail_on_change and not d.empty else 0

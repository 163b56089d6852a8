"""`kubenet matrix --topology NAME|PATH... --type T [--port P --protocol PROTO] [--format text|json]`:
one compressed matrix (semantics.matrix), printed as a readable table or as its own dict form.

The table never expands pods x Services: rows are the matrix's client groups, columns its
Services/ports, Ingress host+paths or pod groups, each cell one symbol plus the number of the
distinct verdict that explains it; the verdicts follow with their traces.
"""

from __future__ import annotations

import json
from typing import IO, Any

from kubenet_site.semantics import matrix
from kubenet_site.semantics.manifests import build_snapshot, parse_cluster

from .check_command import CheckUsageError, load_paths, read_cluster_file

TYPES = ("clusterip", "nodeport", "loadbalancer", "externalname", "ingress", "pods")
SYMBOLS = {"reachable": ".", "blocked": "X", "partial": "~", "not-applicable": "-", "not-proxied": "o"}
MEANINGS = {
    "reachable": "reachable",
    "blocked": "blocked",
    "partial": "partial: backends, nodes or the row's members disagree",
    "not-applicable": "not applicable (a cluster IP from outside the cluster)",
    "not-proxied": "not proxied (ExternalName, or headless without cluster DNS)",
}
COLUMN_WORDS = {"pods": "pod group", "ingress": "Ingress host+path", "externalname": "ExternalName Service"}


class MatrixUsageError(CheckUsageError):
    pass


def snapshot_from(paths: list[str], topology: str | None, team: str | None, stderr: IO,
                  cluster: str | None = None) -> Any:
    """The Snapshot of a stored topology, or of manifest files (assertion documents set apart)
    in the cluster of the `--cluster` file (default: the query document's defaults)."""
    if topology:
        from services.queries import get_topology

        from .snapshot import build

        result = build(get_topology(topology, team=team))
    else:
        loaded = load_paths(paths)
        for f in loaded.findings:
            if f.severity == "error":
                stderr.write(f"warning: {f.source}: {f.message} (left out)\n")
        result = build_snapshot(loaded.objects, parse_cluster(read_cluster_file(cluster) if cluster else None))
    if result.errors:
        stderr.write(f"warning: {len(result.errors)} object(s) the API server would refuse are left out "
                     "(see `kubenet check`)\n")
    return result.snapshot


def _port(value: str | None, kind: str) -> int | str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    if kind != "pods":
        raise MatrixUsageError(f"--port {text!r}: give the Service port number")
    return text


def compute(snap: Any, kind: str, port: int | str | None, protocol: str | None) -> Any:
    if kind == "pods":
        if port is None:
            from .kinds import policy_ports

            declared = ", ".join(f"{p}/{proto}" for p, proto in policy_ports(snap)) or "none"
            raise MatrixUsageError(f"--type pods needs --port (a number or a port name; the pods declare: "
                                   f"{declared})")
        return matrix.canonical(matrix.pod_matrix(snap, port, (protocol or "TCP").upper()))
    return matrix.canonical(matrix.service_matrix(snap, kind, port, protocol.upper() if protocol else None))


def to_json(m: Any) -> dict[str, Any]:
    """The CompressedMatrix's own dict form, every row on one page."""
    return m.to_dict(page=1, page_size=max(1, len(m.rows)))


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def symbol(outcome: str) -> str:
    return SYMBOLS.get(outcome, "?")


def render_text(m: Any, kind: str, port: Any = None, protocol: str | None = None) -> str:
    lines: list[str] = []
    what = COLUMN_WORDS.get(kind, "Service port")
    scope = "".join([f" port {port}" if port is not None else "", f" {protocol.upper()}" if protocol else ""])
    lines.append(f"{kind} matrix{scope}: {len(m.rows)} client row(s) x {len(m.columns)} {what} column(s), "
                 f"{len(m.verdicts)} distinct verdict(s)")
    if not m.columns or not m.rows:
        lines.append("(no " + ("columns" if not m.columns else "rows") + ")")
        return "\n".join(lines) + "\n"
    ids = [_letters(i) for i in range(len(m.columns))]
    cells = [[f"{symbol(m.verdicts[i].outcome)}{i + 1}" for i in row] for row in m.cells]
    for r in m.member_cells:
        for c in {c for mo in m.member_cells[r].values() for c in mo}:
            cells[r][c] += "*"
    label_w = max(len(g.label) for g in m.rows)
    widths = [max(len(ids[c]), *(len(row[c]) for row in cells)) for c in range(len(m.columns))]
    lines.append("")
    lines.append(" " * label_w + "  " + "  ".join(h.ljust(w) for h, w in zip(ids, widths, strict=True)).rstrip())
    for g, row in zip(m.rows, cells, strict=True):
        lines.append(g.label.ljust(label_w) + "  " +
                     "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
    lines.append("")
    lines.append("columns:")
    for h, g in zip(ids, m.columns, strict=True):
        lines.append(f"  {h.ljust(max(len(i) for i in ids))}  {g.label}")
    outcomes = sorted({v.outcome for v in m.verdicts}, key=lambda o: (o not in SYMBOLS, list(SYMBOLS).index(o)
                                                                     if o in SYMBOLS else 0, o))
    lines.append("legend: " + "   ".join(f"{symbol(o)} {MEANINGS.get(o, o)}" for o in outcomes))
    lines.append("        the number after the symbol is the verdict below that explains the cell"
                 + ("; * the row's members differ (listed below)" if m.member_cells else ""))
    noted = [g for g in m.rows if g.notes or (g.kind == "pods" and len(g.members) > 1)]
    if noted:
        lines.append("")
        lines.append("rows:")
        for g in noted:
            members = ""
            if g.members and g.kind == "pods":
                more = ", ..." if len(g.members) > 5 else ""
                members = f" ({len(g.members)} pod{'s' if len(g.members) != 1 else ''}: {', '.join(g.members[:5])}{more})"
            lines.append(f"  {g.label}{members}")
            lines += [f"      {n}" for n in g.notes]
    if m.member_cells:
        lines.append("")
        lines.append("members that differ:")
        for r, per in sorted(m.member_cells.items()):
            for member, mo in sorted(per.items()):
                parts = ", ".join(f"{ids[c]} {symbol(m.verdicts[i].outcome)}{i + 1}" for c, i in sorted(mo.items()))
                lines.append(f"  {m.rows[r].label}: {member}: {parts}")
    lines.append("")
    lines.append("verdicts:")
    for i, v in enumerate(m.verdicts):
        lines.append(f"  {i + 1}. {symbol(v.outcome)} {v.outcome}")
        lines += [f"       {t}" for t in v.trace if str(t).strip()]
        if v.details:
            lines.append(f"       details: {json.dumps(v.details, sort_keys=True, default=str)}")
    return "\n".join(lines) + "\n"


def cmd_matrix(stdout: IO, stderr: IO, *, paths: list[str] | None = None, topology: str | None = None,
               team: str | None = None, type: str = "clusterip", port: str | None = None,
               protocol: str | None = None, format: str = "text", cluster: str | None = None, **_: Any) -> int:
    paths = list(paths or [])
    if paths and topology:
        raise MatrixUsageError("give --topology NAME or PATH..., not both")
    if not paths and not topology:
        raise MatrixUsageError("give --topology NAME or PATH... (files or directories)")
    if topology and cluster:
        raise MatrixUsageError("--cluster goes with PATH...; a stored topology has its own cluster block")
    kind = (type or "").lower()
    if kind not in TYPES:
        raise MatrixUsageError(f"--type must be one of {', '.join(TYPES)}")
    if format not in ("text", "json"):
        raise MatrixUsageError("--format must be text or json")
    p = _port(port, kind)
    snap = snapshot_from(paths, topology, team, stderr, cluster)
    from kubenet_site.semantics.types import QueryError

    try:
        m = compute(snap, kind, p, protocol)
    except QueryError as exc:
        raise MatrixUsageError(str(exc)) from exc
    if format == "json":
        stdout.write(json.dumps(to_json(m), indent=2) + "\n")
    else:
        stdout.write(render_text(m, kind, p, protocol))
    return 0

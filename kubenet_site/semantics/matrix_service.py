"""service_matrix: clients x Services of one type (or x Ingress host+paths), compressed.

Pod rows are computed per behaviour class, and within a column per *part*: the classes that
the DNS check, kube-proxy and every backend's NetworkPolicy halves cannot tell apart
(matrix_eval.py); one representative per part is evaluated and its Verdict shared. Node
rows are cached per (column, what the node changes: local endpoints, own-node backends, its
address's ipBlock bits). See matrix.py for the semantics of each cell.
"""

from __future__ import annotations

from typing import Any

from .matrix_cells import CellEvaluator, pod_row_groups, service_columns
from .matrix_ingress import IngressParts
from .matrix_result import CompressedMatrix, Group, canonical, row_range
from .matrix_service_cells import (
    EXTERNAL_ROW,
    external_cell,
    members_differ,
    node_column,
    pod_column,
    sensitive_column,
)
from .pod_classes import pod_rows
from .types import Snapshot


def service_matrix(snap: Snapshot, service_type: str, port: int | None = None, protocol: str | None = "TCP",
                   row_block: tuple[int, int] | None = None) -> CompressedMatrix:
    """Clients x Services of one type (clusterip, nodeport, loadbalancer, externalname) or x
    served Ingress host+paths (ingress). `protocol=None` keeps every protocol's ports;
    `row_block=(start, stop)` computes only those rows (merge_blocks joins blocks)."""
    kind = service_type.lower()
    cols = service_columns(snap, kind, port, protocol)
    eng = CellEvaluator(snap, kind)
    specs = pod_rows(eng.index)
    nodes = list(snap.nodes)
    total = len(specs) + len(nodes) + 1
    block = row_range(total, row_block)
    pod_specs = [specs[i] for i in block if i < len(specs)]
    node_rows = [nodes[i - len(specs)] for i in block if len(specs) <= i < len(specs) + len(nodes)]
    with_external = (total - 1) in block

    block_bits = 0
    for r in pod_specs:
        block_bits |= 1 << r.class_id
    # Nodes of each class's members in this block (for node-dependent columns).
    class_nodes: dict[int, dict[str | None, Any]] = {}
    for r in pod_specs:
        for p in r.members:
            class_nodes.setdefault(r.class_id, {}).setdefault(p.node_name, p)

    ing = IngressParts(eng) if kind == "ingress" else None
    n_classes = len(eng.index.classes)
    columns: list[list[int]] = []
    sensitive: dict[int, dict[tuple[int, str | None], int]] = {}
    for j, col in enumerate(cols):
        if ing is not None:
            vec = ing.pod_column(col, block_bits)
        elif eng.node_sensitive(col):
            sensitive[j] = sensitive_column(eng, col, class_nodes)
            vec = [-1] * n_classes
        else:
            vec = pod_column(eng, col, block_bits)
        columns.append(vec)
    # One list per class (rows of a class share it), by transposing the column vectors.
    class_cells: list[list[int]] = [list(t) for t in zip(*columns, strict=True)] if columns else \
        [[] for _ in range(n_classes)]
    del columns

    # Classes whose members all get one verdict in a node-dependent column.
    uniform: dict[int, dict[int, int]] = {}
    for j, per in sensitive.items():
        seen: dict[int, set[int]] = {}
        for (cid, _node), i in per.items():
            seen.setdefault(cid, set()).add(i)
        uniform[j] = {cid: next(iter(v)) for cid, v in seen.items() if len(v) == 1}
    groups = pod_row_groups(eng, pod_specs)
    rows: list[Group] = list(groups)
    cells: list[list[int]] = []
    member_cells: dict[int, dict[str, dict[int, int]]] = {}
    for r, spec in enumerate(pod_specs):
        base = class_cells[spec.class_id]
        if not sensitive:
            cells.append(base)
            continue
        row = list(base)
        for j, per in sensitive.items():
            same = uniform[j].get(spec.class_id)
            if same is not None:
                row[j] = same
                continue
            idxs = {p.key: per[(spec.class_id, p.node_name)] for p in spec.members}
            distinct = set(idxs.values())
            if len(distinct) == 1:
                row[j] = distinct.pop()
                continue
            row[j] = eng.out.add(members_differ(eng, idxs))
            for m, i in idxs.items():
                member_cells.setdefault(r, {}).setdefault(m, {})[j] = i
        cells.append(row)

    node_columns = [node_column(eng, col, node_rows, ing) for col in cols]
    for i, n in enumerate(node_rows):
        rows.append(Group(f"node:{n.name}", f"node {n.name}", (n.name,), "node"))
        cells.append([vec[i] for vec in node_columns])
    if with_external:
        rows.append(Group(EXTERNAL_ROW, "external client (198.51.100.7)", (), "external"))
        cells.append([eng.out.add(external_cell(eng, col, ing)) for col in cols])

    m = CompressedMatrix(kind, rows, [c.group for c in cols], cells, eng.out.verdicts, member_cells,
                         block.start, total)
    return canonical(m)


__all__ = ["EXTERNAL_ROW", "service_matrix"]

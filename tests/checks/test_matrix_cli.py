"""`kubenet matrix`: every type over the demo, from files and from a stored topology, as a
readable table and as the CompressedMatrix's own dict form."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from checks import matrix_command
from kubenet_site.semantics import matrix
from kubenet_site.semantics.manifests import build_snapshot, load_documents

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"

# type, extra CLI arguments, the engine call that must give the same matrix
CASES = [
    pytest.param("clusterip", {}, lambda s: matrix.service_matrix(s, "clusterip", protocol=None), id="clusterip"),
    pytest.param("clusterip", {"port": "53", "protocol": "udp"},
                 lambda s: matrix.service_matrix(s, "clusterip", 53, "UDP"), id="clusterip 53/UDP"),
    pytest.param("nodeport", {}, lambda s: matrix.service_matrix(s, "nodeport", protocol=None), id="nodeport"),
    pytest.param("loadbalancer", {}, lambda s: matrix.service_matrix(s, "loadbalancer", protocol=None),
                 id="loadbalancer"),
    pytest.param("externalname", {}, lambda s: matrix.service_matrix(s, "externalname", protocol=None),
                 id="externalname"),
    pytest.param("ingress", {}, lambda s: matrix.service_matrix(s, "ingress", protocol=None), id="ingress"),
    pytest.param("pods", {"port": "8080"}, lambda s: matrix.pod_matrix(s, 8080, "TCP"), id="pods 8080"),
    pytest.param("pods", {"port": "http", "protocol": "TCP"}, lambda s: matrix.pod_matrix(s, "http", "TCP"),
                 id="pods named port"),
]


@pytest.fixture(scope="module")
def snap():
    return build_snapshot(load_documents(DEMO.read_text()), None).snapshot


def run(fmt: str, kind: str, extra: dict, **source) -> str:
    out = io.StringIO()
    kw = {"paths": [str(DEMO)]} if not source else source
    assert matrix_command.cmd_matrix(out, io.StringIO(), type=kind, format=fmt, **kw, **extra) == 0
    return out.getvalue()


def expected_dict(m) -> dict:
    return json.loads(json.dumps(matrix.canonical(m).to_dict(page=1, page_size=max(1, len(m.rows)))))


def check_text(text: str, m) -> None:
    """Rows and columns by label, one symbol+verdict number per cell, legend, numbered verdicts."""
    m = matrix.canonical(m)
    lines = text.splitlines()
    assert lines[0].startswith(f"{m.kind} matrix")
    assert f"{len(m.rows)} client row(s) x {len(m.columns)}" in lines[0]
    for r, g in enumerate(m.rows):
        row = next(line for line in lines if line.startswith(g.label + "  "))
        cells = row[len(g.label):].split()
        assert len(cells) == len(m.columns)
        for c, cell in enumerate(cells):
            number = int(re.fullmatch(r"[.X~\-o?](\d+)\*?", cell).group(1))
            assert m.verdicts[number - 1] == m.verdicts[m.cells[r][c]]
            assert cell[0] == matrix_command.symbol(m.verdicts[number - 1].outcome)
    for g in m.columns:
        assert any(line.endswith("  " + g.label) for line in lines)
    assert any(line.startswith("legend: ") for line in lines)
    numbered = [line for line in lines if re.match(r"  \d+\. ", line)]
    assert len(numbered) == len(m.verdicts)
    assert "verdicts:" in lines


@pytest.mark.parametrize(("kind", "extra", "engine"), CASES)
def test_json_is_the_compressed_matrix_dict(snap, kind, extra, engine):
    got = json.loads(run("json", kind, extra))
    assert got == expected_dict(engine(snap))
    assert len(got["cells"]) == len(got["rows"]) == got["totalRows"]
    assert all(len(row) == len(got["columns"]) for row in got["cells"])
    # compressed: rows are client groups, never one row per pod
    assert len(got["rows"]) < len(snap.pods) + len(snap.nodes) + 1


@pytest.mark.parametrize(("kind", "extra", "engine"), CASES)
def test_text_is_a_readable_table(snap, kind, extra, engine):
    check_text(run("text", kind, extra), engine(snap))


def test_the_demo_clusterip_table_shows_what_policy_blocks(snap):
    text = run("text", "clusterip", {})
    row = next(line for line in text.splitlines() if line.startswith("shop/frontend  "))
    columns = [line.split()[1] for line in text.splitlines()[text.splitlines().index("columns:") + 1:]
               if line.startswith("  ") and not line.startswith("   ")][:7]
    db = columns.index("shop/db:5432/TCP")
    assert row.split()[1 + db].startswith("X")  # shop/db-allow-api admits only the api pods


@pytest.mark.parametrize(("kw", "message"), [
    pytest.param({"type": "pods"}, "--type pods needs --port", id="pods without a port"),
    pytest.param({"type": "clusterip", "port": "http"}, "give the Service port number", id="a named Service port"),
    pytest.param({"type": "wormhole"}, "--type must be one of", id="an unknown type"),
])
def test_usage_errors(kw, message):
    with pytest.raises(matrix_command.MatrixUsageError) as err:
        matrix_command.cmd_matrix(io.StringIO(), io.StringIO(), paths=[str(DEMO)], **kw)
    assert err.value.code == 2 and message in str(err.value)


def test_the_command_line_parses_the_options():
    out = io.StringIO()
    call_command("kubenet", "matrix", str(DEMO), "--type", "nodeport", "--port", "80", "--protocol", "TCP",
                 "--format", "json", stdout=out)
    doc = json.loads(out.getvalue())
    assert [c["id"] for c in doc["columns"]] == ["svc:shop/api:80/TCP"]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "extra", "engine"), CASES)
def test_a_stored_topology_gives_the_same_matrices(snap, kind, extra, engine):
    from checks.operations import create_topology, import_manifests
    from services.models import Team

    topology = create_topology(Team.objects.create(name="default"), "demo", bootstrap=False)
    import_manifests(topology, DEMO.read_text())
    got = json.loads(run("json", kind, extra, topology="demo"))
    assert got == expected_dict(engine(snap))
    check_text(run("text", kind, extra, topology="demo"), engine(snap))


def test_rows_whose_members_differ_are_starred_and_listed():
    from kubenet_site.semantics.types import Verdict

    m = matrix.CompressedMatrix(
        kind="clusterip",
        rows=[matrix.Group("shop/web", "shop/web", ("shop/web-1", "shop/web-2"))],
        columns=[matrix.Group("svc:shop/api:80/TCP", "shop/api:80/TCP", ("shop/api",), "service")],
        cells=[[0]],
        verdicts=[Verdict("partial", ("the row's pods differ",), {}), Verdict("reachable", ("ok",), {}),
                  Verdict("blocked", ("no",), {})],
        member_cells={0: {"shop/web-1": {0: 1}, "shop/web-2": {0: 2}}})
    lines = matrix_command.render_text(m, "clusterip").splitlines()
    assert "shop/web  ~1*" in lines
    assert "  shop/web: shop/web-1: A .2" in lines and "  shop/web: shop/web-2: A X3" in lines
    assert "  3. X blocked" in lines

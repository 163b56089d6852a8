"""The compact cell encoding of stored matrices (matrix_result.matrix_json): each distinct row
once, run-length encoded; matrix_from_json reads it and the plain form alike."""

from __future__ import annotations

import pytest

from kubenet_site.semantics import synthetic
from kubenet_site.semantics.matrix import matrix_from_json, matrix_json, pod_matrix, service_matrix
from kubenet_site.semantics.matrix_result import decode_row, encode_row, json_cells, row_runs


@pytest.mark.parametrize(("row", "text"), [
    pytest.param([], "", id="empty"),
    pytest.param([0], "0", id="one cell"),
    pytest.param([5, 5, 5, 0, 7, 7], "3*5,0,2*7", id="runs and singles"),
    pytest.param([1, 2, 3], "1,2,3", id="no run"),
    pytest.param([12] * 4000, "4000*12", id="a long row of one verdict"),
])
def test_rows_encode_and_decode(row, text):
    assert encode_row(row) == text
    assert decode_row(text) == row
    assert sum(n for _v, n in row_runs(text)) == len(row)


@pytest.fixture(scope="module")
def snap():
    return synthetic.generate(300, seed=3)


@pytest.mark.parametrize("build", [
    pytest.param(lambda s: pod_matrix(s, 8080), id="pods"),
    pytest.param(lambda s: service_matrix(s, "clusterip"), id="clusterip"),
    pytest.param(lambda s: pod_matrix(s, 8080, row_block=(3, 40)), id="a row block"),
])
def test_the_stored_form_reads_back_to_the_same_matrix(snap, build):
    m = build(snap)
    stored = matrix_json(m)
    assert stored["encoding"] == "rle" and len(stored["rowCells"]) <= len(stored["cells"]) == len(m.rows)
    counted: dict[str, int] = {}
    for row in m.outcome_table():
        for outcome in row:
            counted[outcome] = counted.get(outcome, 0) + 1
    assert stored["outcomeCounts"] == dict(sorted(counted.items()))
    back = matrix_from_json(stored)
    assert back.outcome_table() == m.outcome_table()
    assert back.to_dict(page_size=len(m.rows) or 1) == m.to_dict(page_size=len(m.rows) or 1)
    assert (back.row_offset, back.total_rows) == (m.row_offset, m.total_rows)


def test_the_plain_form_of_earlier_runs_still_reads(snap):
    m = pod_matrix(snap, 8080)
    plain = m.to_dict(page=1, page_size=len(m.rows))
    plain.update(rowOffset=m.row_offset, totalRows=len(m.rows))
    assert json_cells(plain) == plain["cells"]
    assert matrix_from_json(plain).outcome_table() == m.outcome_table()

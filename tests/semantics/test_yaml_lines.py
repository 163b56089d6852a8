"""yaml_lines.document_lines: the line where each document's content begins, one per document
yaml.load_all yields."""

from __future__ import annotations

import pytest
import yaml

from kubenet_site.semantics.yaml_lines import document_lines


@pytest.mark.parametrize("text,lines", [
    pytest.param("kind: A\n", [1], id="one document"),
    pytest.param("# a comment\n\nkind: A\n", [3], id="comments and blank lines skipped"),
    pytest.param("---\nkind: A\n---\n# b\nkind: B\n", [2, 5], id="explicit starts"),
    pytest.param("kind: A\n---\n---\nkind: C\n", [1, 3, 4], id="an empty document keeps its place"),
    pytest.param("- a\n- b\n---\n[1, 2]\n", [1, 4], id="sequences"),
    pytest.param("\ufeffkind: A\n", [1], id="byte order mark"),
    pytest.param(b"kind: A\n---\nkind: B\n", [1, 3], id="bytes"),
    pytest.param("a: &x [1]\nb: *x\n---\nc: 1\n", [1, 4], id="aliases are not expanded"),
])
def test_document_lines(text, lines):
    assert document_lines(text) == lines
    raw = text.decode() if isinstance(text, bytes) else text
    assert len(lines) == len(list(yaml.safe_load_all(raw.removeprefix("\ufeff"))))

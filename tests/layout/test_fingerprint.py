"""The engine's answers do not change under refactoring (tests/layout/fingerprint.py).

A mismatch means an answer changed: if that is meant, regenerate the golden file with
`.venv/bin/python -m tests.layout.fingerprint --write` and say why in the commit."""

import json

import pytest

from tests.layout import fingerprint


@pytest.fixture(scope="module")
def computed() -> dict[str, str]:
    return fingerprint.compute()


GOLDEN = json.loads(fingerprint.GOLDEN.read_text())


@pytest.mark.parametrize("area", sorted(GOLDEN))
def test_answers_match_golden(computed: dict[str, str], area: str) -> None:
    assert computed[area] == GOLDEN[area], f"{area}: the engine's answers changed"


def test_every_area_is_pinned(computed: dict[str, str]) -> None:
    assert sorted(computed) == sorted(GOLDEN)

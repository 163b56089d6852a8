"""Module layout rules (HELPERS.md quality bar): no import cycles, no private name imported
from another module of ours, no engine module over 600 lines.

PACKAGES lists the packages held to these rules; each is checked on its own import graph
(imports of other packages of ours still count for private names). To hold another app to
them, add its dotted name, e.g. "checks" (and MAX_LINES for the size rule)."""

import pytest

from tests.layout import imports

PACKAGES = ["kubenet_site.semantics", "checks", "services", "ingress"]
MAX_LINES = {"kubenet_site.semantics": 600}


def _modules(package: str) -> dict:
    return imports.module_files(package)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle(package: str) -> None:
    files = _modules(package)
    assert imports.cycles(imports.edges(files, files)) == []


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_name_across_modules(package: str) -> None:
    files = _modules(package)
    assert imports.private_imports(files, imports.all_modules()) == []


@pytest.mark.parametrize("package", sorted(MAX_LINES))
def test_modules_are_small(package: str) -> None:
    limit = MAX_LINES[package]
    big = {name: n for name, path in _modules(package).items()
           if (n := len(path.read_text().splitlines())) > limit}
    assert big == {}


@pytest.mark.parametrize(("source", "expected"), [
    pytest.param({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]], id="two-cycle"),
    pytest.param({"a": {"b"}, "b": {"c"}, "c": set()}, [], id="chain"),
    pytest.param({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, [["a", "b", "c"]], id="three-cycle"),
])
def test_cycle_finder(source: dict, expected: list) -> None:
    assert imports.cycles(source) == expected


def test_reader_sees_imports_inside_functions(tmp_path) -> None:
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from .other import _hidden\n    import kubenet_site.x\n")
    got = imports.imports_of("kubenet_site.semantics.m", path)
    assert got == [("kubenet_site.semantics.other", "_hidden", 2), ("kubenet_site.x", None, 3)]

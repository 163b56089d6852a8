"""The apps' shape (architecture.md): for `checks`, `services` and `ingress` (migrations
excepted), read statically with ast: no import cycle (imports inside functions count), no
private `_name` taken from another module of ours, no module over 600 lines, imports only
pointing down (checks -> ingress -> services -> semantics), and no setting read from the
environment outside kubenet_site/settings/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("checks", "services", "ingress")
OURS = (*APPS, "kubenet_site")
MAX_LINES = 600
# Each app may import only the apps below it.
BELOW = {"checks": {"ingress", "services"}, "ingress": {"services"}, "services": set()}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_files(app: str) -> list[Path]:
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def all_modules() -> dict[str, Path]:
    files = [p for app in OURS for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]
    return {module_name(p): p for p in files}


MODULES = all_modules()


def resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports(path: Path) -> list[tuple[str, str | None, ast.AST]]:
    """(module, name taken from it or None, node) for every import in the file, at any depth."""
    out: list[tuple[str, str | None, ast.AST]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = resolve(path, node)
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                out.append((sub, None, node) if sub in MODULES else (module, alias.name, node))
    return out


def edges(path: Path) -> set[str]:
    return {m for m, _, _ in imports(path) if m in MODULES and m != module_name(path)}


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@pytest.mark.parametrize("app", APPS)
def test_no_module_is_over_600_lines(app: str):
    long = {str(p.relative_to(ROOT)): n for p in app_files(app)
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def private_uses(path: Path) -> list[str]:
    """`from <ours> import _name` and `<module of ours>._name` in the file."""
    found = []
    aliases: set[str] = set()  # names bound to modules of ours in this file
    for module, name, node in imports(path):
        if name is not None and private(name) and module.split(".")[0] in OURS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: from {module} import {name}")
        if module in MODULES and name is None:
            aliases.update(a.asname or a.name.split(".")[0] for a in node.names)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and private(node.attr) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_private_name_is_taken_from_another_module(app: str):
    found = [use for path in app_files(app) for use in private_uses(path)]
    assert not found, "private names used across modules:\n" + "\n".join(found)


def cycles_through(app: str) -> list[list[str]]:
    """Every strongly connected component (Tarjan) of the import graph that holds a module of
    `app` and more than one module: each is an import cycle."""
    graph = {m: edges(p) for m, p in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 and any(m.split(".")[0] == app for m in component):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle(app: str):
    assert cycles_through(app) == []


@pytest.mark.parametrize("app", APPS)
def test_imports_point_down(app: str):
    wrong = [f"{p.relative_to(ROOT)} imports {m}" for p in app_files(app) for m in edges(p)
             if m.split(".")[0] in APPS and m.split(".")[0] != app and m.split(".")[0] not in BELOW[app]]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("app", APPS)
def test_settings_come_from_django_settings_not_the_environment(app: str):
    found = []
    for path in app_files(app):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "os.environ read outside kubenet_site/settings/: " + ", ".join(found)


def test_the_checker_finds_a_cycle_and_a_private_import(monkeypatch):
    """The checks above can fail: a made-up pair of modules importing each other (one inside a
    function) and taking a private name is caught."""
    a, b = ROOT / "checks" / "zz_a.py", ROOT / "checks" / "zz_b.py"
    fake = {"checks.zz_a": a, "checks.zz_b": b}
    sources = {a: "from .zz_b import _hidden\n", b: "def f():\n    from . import zz_a\n    zz_a._x()\n"}
    monkeypatch.setitem(globals(), "MODULES", {**MODULES, **fake})
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *args, **kw: sources[self] if self in sources
                        else real_read(self, *args, **kw))
    assert cycles_through("checks") == [["checks.zz_a", "checks.zz_b"]]
    assert private_uses(a) == ["checks/zz_a.py:1: from checks.zz_b import _hidden"]
    assert private_uses(b) == ["checks/zz_b.py:3: zz_a._x"]

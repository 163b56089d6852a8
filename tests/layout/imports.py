"""The import graph of our packages, read with `ast` (imports inside functions count too).

`module_imports(package)` maps each module of a package (dotted name) to the names it takes
from other modules of ours: (module, name or None for `import x` / `from . import x`).
tests/layout/test_import_graph.py checks it for cycles and private names; add a package to
its PACKAGES list to hold that package to the same rules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("kubenet_site", "checks", "services", "ingress")  # top-level packages of this repository


def module_files(package: str) -> dict[str, Path]:
    """Every module of `package` (dotted, e.g. kubenet_site.semantics) and its file."""
    base = ROOT.joinpath(*package.split("."))
    out = {}
    for path in sorted(base.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def all_modules() -> dict[str, Path]:
    """Every module of every package of ours (to tell a module from a name in `from x import y`)."""
    out: dict[str, Path] = {}
    for top in OURS:
        if (ROOT / top / "__init__.py").exists():
            out.update(module_files(top))
    return out


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports_of(module: str, path: Path) -> list[tuple[str, str | None, int]]:
    """(imported module, name taken from it or None, line) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            src = _resolve(module, is_package, node.level, node.module)
            out += [(src, alias.name, node.lineno) for alias in node.names]
    return out


def is_ours(module: str) -> bool:
    return module.split(".")[0] in OURS


def edges(modules: Iterable[str], known: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the modules of ours it imports (a `from pkg import mod` names the module)."""
    graph: dict[str, set[str]] = {}
    for mod in modules:
        deps = graph.setdefault(mod, set())
        for src, name, _line in imports_of(mod, known[mod]):
            if not is_ours(src):
                continue
            if name and f"{src}.{name}" in known:
                deps.add(f"{src}.{name}")
            elif src in known:
                deps.add(src)
        deps.discard(mod)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def private_imports(modules: Iterable[str], known: dict[str, Path]) -> list[str]:
    """`from ours import _x` where _x is not a module: a private name crossing modules."""
    out = []
    for mod in modules:
        for src, name, line in imports_of(mod, known[mod]):
            if not is_ours(src) or name is None:
                continue
            if name.startswith("_") and not name.startswith("__") and f"{src}.{name}" not in known:
                out.append(f"{known[mod].relative_to(ROOT)}:{line}: {name} from {src}")
    return out

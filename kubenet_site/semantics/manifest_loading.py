"""Reading Kubernetes YAML/JSON manifests with the hostile-input limits: size, depth,
object count, alias expansion; `List` objects flattened. Input that cannot be read at all
raises ManifestError(message, where)."""

from __future__ import annotations

from typing import Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_OBJECTS = 50_000
MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add, summed over the input
MAX_NODES = 5_000_000


def configure_limits(*, max_bytes: int | None = None, max_objects: int | None = None) -> None:
    """Set the input limits (kubenet_site/settings/limits.py calls this at start-up; the
    engine never reads settings itself). Nodes grow with the objects allowed."""
    global MAX_BYTES, MAX_OBJECTS, MAX_NODES
    if max_bytes is not None:
        MAX_BYTES = max_bytes
    if max_objects is not None:
        MAX_OBJECTS = max_objects
        MAX_NODES = max(MAX_NODES, 100 * max_objects)


class ManifestError(Exception):
    """Input that cannot be read at all: `message` says what, `where` says where."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where




def _scan_events(text: str) -> None:
    """One pass over libyaml's event stream: syntax errors with their line, nesting depth and
    alias expansion (billion laughs) checked before anything is built."""
    doc = 0
    depth = 0
    stack: list[list[Any]] = []  # [anchor, count]
    sizes: dict[str, int] = {}
    alias_nodes = 0
    nodes = 0
    try:
        for ev in yaml.parse(text, Loader=Loader):
            if isinstance(ev, yaml.DocumentStartEvent):
                doc += 1
                sizes.clear()
            elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ManifestError(f"nesting deeper than {MAX_DEPTH} levels",
                                        f"document {doc}, line {ev.start_mark.line + 1}")
                stack.append([ev.anchor, 0])
            elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
                anchor, count = stack.pop()
                size = count + 1
                if anchor:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                nodes += 1
            elif isinstance(ev, yaml.ScalarEvent):
                nodes += 1
                if ev.anchor:
                    sizes[ev.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif isinstance(ev, yaml.AliasEvent):
                size = sizes.get(ev.anchor, 1)
                alias_nodes += size
                if stack:
                    stack[-1][1] += size
                if alias_nodes > MAX_ALIAS_EXPANSION:
                    raise ManifestError(
                        f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (an alias bomb?)",
                        f"document {doc}, line {ev.start_mark.line + 1}")
            if nodes > MAX_NODES:
                raise ManifestError(f"more than {MAX_NODES} YAML nodes", f"document {doc}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(f"YAML syntax error: {problem}", f"document {max(doc, 1)}{line}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"YAML error: {exc}", f"document {max(doc, 1)}") from None


def _decode(source: str | bytes) -> str:
    if len(source) > MAX_BYTES:
        raise ManifestError(f"input is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", "input")
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"input is not UTF-8 text (byte {exc.start})", "input") from None
    return source.removeprefix("\ufeff")


def parse_yaml_documents(source: str | bytes) -> list[Any]:
    """Every YAML document of the text (None for empty ones), with the hostile-input limits."""
    text = _decode(source)
    if "&" in text:  # anchors: aliases may expand, so check the event stream before building
        _scan_events(text)
    try:
        docs = list(yaml.load_all(text, Loader=Loader))
    except yaml.MarkedYAMLError as exc:
        _scan_events(text)  # a syntax error: report it with its document and line
        mark = exc.problem_mark  # else a constructor error (a bad tag)
        raise ManifestError(f"YAML error: {exc.problem}", f"line {mark.line + 1}" if mark else "input") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ManifestError(f"YAML error: {exc}", "input") from None
    try:
        for n, doc in enumerate(docs, 1):
            _check_depth(doc, f"document {n}")
    except ManifestError:
        _scan_events(text)  # the same refusal, with its line
        raise
    return docs


def _check_depth(value: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ManifestError(f"nesting deeper than {MAX_DEPTH} levels", where)
    if isinstance(value, dict):
        for v in value.values():
            _check_depth(v, where, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_depth(v, where, depth + 1)


def _flatten(item: Any, where: str, out: list[dict[str, Any]]) -> None:
    """`kind: List` / `<Kind>List` with `items` (what `kubectl get -o yaml` prints) flattened."""
    if item is None:
        return
    if isinstance(item, list):
        for i, sub in enumerate(item):
            _flatten(sub, f"{where}, item {i + 1}", out)
        return
    if not isinstance(item, dict):
        raise ManifestError(f"not a Kubernetes object (a mapping) but a {type(item).__name__}", where)
    kind = item.get("kind")
    meta = item.get("metadata")
    unnamed = not (isinstance(meta, dict) and meta.get("name"))  # list metadata carries no name
    if isinstance(kind, str) and kind.endswith("List") and isinstance(item.get("items"), list) and unnamed:
        for i, sub in enumerate(item["items"]):
            _flatten(sub, f"{where}, item {i + 1}", out)
    else:
        out.append(item)
    if len(out) > MAX_OBJECTS:
        raise ManifestError(f"more than {MAX_OBJECTS} objects", where)


def load_documents(source: str | bytes | list | dict | None) -> list[dict[str, Any]]:
    """Kubernetes objects from multi-document YAML or JSON text, a list of objects, or one object.

    Lists (`kind: List`, `PodList`, ...) are flattened and empty documents skipped. Raises
    ManifestError(message, where) for input that cannot be read."""
    out: list[dict[str, Any]] = []
    if source is None:
        return out
    if isinstance(source, str | bytes):
        docs = parse_yaml_documents(source)
        for n, doc in enumerate(docs, 1):
            _flatten(doc, f"document {n}", out)
        return out
    if isinstance(source, dict):
        source = [source]
    if not isinstance(source, list):
        raise ManifestError(f"manifests must be YAML text or a list of objects, not {type(source).__name__}",
                            "manifests")
    for n, doc in enumerate(source, 1):
        _check_depth(doc, f"document {n}")
        _flatten(doc, f"document {n}", out)
    return out

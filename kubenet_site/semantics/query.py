"""The stateless query API (shared/design/interfaces.md): one document in, one document out.

`run(document)` builds the cluster the document describes, collects its diagnostics (the API
server's refusals first, then diagnostics.diagnose) and answers each query through the handler
its kind names in HANDLERS (docs/engine-api.md). `answer_queries(build, queries)` answers
queries over a build the caller already has (`kubenet check` builds once). Only a document
that cannot be read at all raises QueryRefused(error, where); everything else is answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .diagnostics import diagnose
from .dns import answer_dns
from .endpoints import answer_endpoints, answer_select
from .envvars import answer_env
from .ingress import answer_ingress_route
from .jsonable import jsonable
from .manifests import (
    BuildResult,
    ManifestError,
    build_snapshot,
    load_documents,
    parse_cluster,
    parse_yaml_documents,
)
from .policy_services import answer_connect
from .proxy import answer_route
from .reachability import answer_reachability
from .types import QueryError, Snapshot

Handler = Callable[[Snapshot, Mapping[str, Any]], Any]

# kind -> its handler (`validate` is answered from the build itself).
HANDLERS: dict[str, Handler] = {
    "select": answer_select,
    "endpoints": answer_endpoints,
    "dns": answer_dns,
    "env": answer_env,
    "route": answer_route,
    "connect": answer_connect,
    "reachability": answer_reachability,
    "ingress-route": answer_ingress_route,
}


class QueryRefused(Exception):
    """A document that cannot be read: the CLI prints {"error", "where"} and exits 2, REST answers 400."""

    def __init__(self, error: str, where: str) -> None:
        super().__init__(f"{where}: {error}")
        self.error = error
        self.where = where

    def as_dict(self) -> dict[str, str]:
        return {"error": self.error, "where": self.where}


def load_document_text(text: str | bytes) -> dict[str, Any]:
    """The query document from JSON or YAML text, with the manifests' hostile-input limits."""
    try:
        docs = [d for d in parse_yaml_documents(text) if d is not None]
    except ManifestError as exc:
        raise QueryRefused(exc.message, exc.where) from None
    if not docs:
        raise QueryRefused("the document is empty", "document 1")
    if len(docs) > 1:
        raise QueryRefused("expected one query document, found several", "document 2")
    if not isinstance(docs[0], dict):
        raise QueryRefused(f"the query document must be a mapping, not a {type(docs[0]).__name__}", "document 1")
    return docs[0]


def _answer(snapshot: Snapshot, build: BuildResult, query: Any) -> dict[str, Any]:
    if not isinstance(query, Mapping):
        return {"kind": None, "error": f"a query must be a mapping, not a {type(query).__name__}"}
    kind = query.get("kind")
    if kind == "validate":
        return {"kind": "validate", "valid": build.valid,
                "errors": [{"object": d.object, "field": d.field, "message": d.message} for d in build.errors]}
    if not isinstance(kind, str) or kind not in HANDLERS:
        known = ", ".join(sorted([*HANDLERS, "validate"]))
        return {"kind": kind, "error": f"unknown query kind {kind!r} (known: {known})"}
    try:
        answer = HANDLERS[kind](snapshot, query)
    except QueryError as exc:
        return {"kind": kind, "error": str(exc)}
    except Exception as exc:  # one broken handler must not sink the document
        return {"kind": kind, "error": f"internal error: {type(exc).__name__}: {exc}"}
    out = {"kind": kind}
    out.update(jsonable(answer) if isinstance(answer, Mapping) else {"answer": jsonable(answer)})
    out["kind"] = kind
    return out


def answer_queries(build: BuildResult, queries: Sequence[Any]) -> list[dict[str, Any]]:
    """Each query answered over a cluster already built (one answer per query, in order)."""
    return [_answer(build.snapshot, build, q) for q in queries]


def run(document: Any) -> dict[str, Any]:
    """interfaces.md: {cluster, manifests, queries} -> {answers, diagnostics}."""
    if not isinstance(document, Mapping):
        raise QueryRefused(f"the query document must be a mapping, not a {type(document).__name__}", "document")
    queries = document.get("queries")
    if "queries" not in document:
        raise QueryRefused("the document has no `queries` list", "queries")
    if not isinstance(queries, list):
        raise QueryRefused(f"`queries` must be a list, not a {type(queries).__name__}", "queries")
    try:
        cluster = parse_cluster(document.get("cluster"))
    except ManifestError as exc:
        raise QueryRefused(exc.message, exc.where) from None
    manifests = document.get("manifests")
    if manifests is not None and not isinstance(manifests, str | bytes | list | dict):
        raise QueryRefused(f"must be YAML text or a list of objects, not a {type(manifests).__name__}",
                           "manifests")
    try:
        objects = load_documents(manifests)
    except ManifestError as exc:
        where = f"manifests: {exc.where}" if exc.where and not exc.where.startswith("manifests") else exc.where
        raise QueryRefused(exc.message, where or "manifests") from None
    build = build_snapshot(objects, cluster)
    diagnostics = [d.as_dict() for d in build.errors] + [d.as_dict() for d in build.warnings]
    try:
        diagnostics += [d.as_dict() for d in diagnose(build.snapshot)]
    except Exception as exc:  # a broken lint must not sink the document either
        diagnostics.append({"severity": "warning", "object": "", "field": "", "code": "diagnostics-failed",
                            "message": f"internal error: {type(exc).__name__}: {exc}"})
    answers = answer_queries(build, queries)
    out = {"answers": answers, "diagnostics": diagnostics}
    json.dumps(out)  # the contract: JSON-serialisable, or fail loudly here rather than at a door
    return out

"""Connectivity assertions over sets of clients (interfaces.md "Connectivity assertions over
sets"): a query whose `from` (and for connect and reachability, `to`) is a selector instead of
one pod stands for one query per member.

`from: {namespaceSelector, podSelector}` names every running pod whose namespace's labels match
namespaceSelector and whose own labels match podSelector; either may be omitted (every
namespace, every pod), as the `kubernetes.io/metadata.name` label every namespace carries lets
one say "outside namespace shop". A pod never judges itself (connect/reachability pairs with the
same pod on both sides are left out, as the reachability diagonal is always allowed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import labels as lbl
from .endpoints import query_selector
from .types import Pod, QueryError, Snapshot

# The query kinds that take a set, and the fields that may hold one.
SET_FIELDS: dict[str, tuple[str, ...]] = {
    "connect": ("from", "to"), "reachability": ("from", "to"), "dns": ("from",), "route": ("from",),
}
SELECTOR_KEYS = ("namespaceSelector", "podSelector")
MAX_MEMBERS = 20000  # member queries of one assertion


@dataclass(frozen=True)
class Member:
    """One client (and target) of a set assertion, and the query answered for it."""

    client: str
    target: str
    query: dict[str, Any]


def is_set_query(query: Mapping[str, Any]) -> bool:
    fields = SET_FIELDS.get(str(query.get("kind")), ())
    return any(isinstance(query.get(f), Mapping) for f in fields)


def _selected(snap: Snapshot, raw: Mapping[str, Any], where: str) -> list[Pod]:
    unknown = sorted(set(raw) - set(SELECTOR_KEYS))
    if unknown:
        raise QueryError(f"{where}: unknown key(s) {', '.join(unknown)} (a set names namespaceSelector and/or "
                         "podSelector)")
    selectors = {}
    for key in SELECTOR_KEYS:
        try:
            # omitted: everything; query_selector reads `{}` as everything too
            selectors[key] = query_selector(raw[key]) if raw.get(key) is not None else None
        except QueryError as exc:
            raise QueryError(f"{where}.{key}: {exc}".replace("labelSelector: ", "")) from None
    ns_sel, pod_sel = selectors["namespaceSelector"], selectors["podSelector"]
    # namespace_labels adds kubernetes.io/metadata.name, as the API server does (v1.21+)
    in_scope = {ns: ns_sel is None or lbl.selects(ns_sel, snap.namespace_labels(ns))
                for ns in {p.namespace for p in snap.pods}}
    pods = [p for p in snap.pods if in_scope[p.namespace] and not p.finished
            and (pod_sel is None or lbl.selects(pod_sel, p.labels))]
    return sorted(pods, key=lambda p: p.key)


def _side(snap: Snapshot, query: Mapping[str, Any], name: str) -> list[str]:
    value = query.get(name)
    if isinstance(value, Mapping):
        return [p.key for p in _selected(snap, value, name)]
    return [value] if value is not None else []


def members(snap: Snapshot, query: Mapping[str, Any]) -> list[Member]:
    """One member query per client (and target) the sets name, clients then targets in name
    order. A bad selector, an empty set or too many members raise QueryError."""
    kind = str(query.get("kind"))
    clients = _side(snap, query, "from")
    if not clients:
        raise QueryError("from: the selectors match no running pod")
    if kind in ("connect", "reachability"):
        targets = _side(snap, query, "to")
        if not targets:
            raise QueryError("to: the selectors match no running pod" if isinstance(query.get("to"), Mapping)
                             else "to: required")
    else:
        target = query.get("to") if kind == "route" else query.get("name")
        targets = [str(target) if target is not None else ""]
    pairs = [(c, t) for c in clients for t in targets if not (c == t and kind in ("connect", "reachability"))]
    if len(pairs) > MAX_MEMBERS:
        raise QueryError(f"the sets make {len(pairs)} member queries, more than {MAX_MEMBERS}: narrow the "
                         "selectors")
    out = []
    for client, target in pairs:
        q = dict(query)
        if kind == "reachability":
            q.pop("from", None)
            q.pop("to", None)
            q["pods"] = [client, target]
        else:
            q["from"] = client
            if kind == "connect":
                q["to"] = target
        out.append(Member(client, target, q))
    return out


def member_answer(query: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """A member's answer as `expect` reads it: a reachability pair becomes `verdict` (allowed
    or blocked, from its matrix cell) beside the matrix itself."""
    if query.get("kind") != "reachability" or "error" in answer:
        return dict(answer)
    row = (answer.get("matrix") or [""])[0]
    symbols = row.split(": ", 1)[1] if ": " in row else ""
    verdict = "allowed" if symbols[1:2] == "." else "blocked"
    return {**answer, "verdict": verdict}


def summary(verdicts: Iterable[str]) -> str:
    """The set's verdict: the members' common one, else each one with its count."""
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v] = counts.get(v, 0) + 1
    if len(counts) == 1:
        return next(iter(counts))
    return "mixed (" + ", ".join(f"{v}: {n}" for v, n in sorted(counts.items())) + ")"


def target_of(query: Mapping[str, Any]) -> str:
    """What a one-query assertion is about, for its `failures` entry."""
    if query.get("kind") == "ingress-route" and isinstance(query.get("request"), Mapping):
        req = query["request"]
        return f"{req.get('scheme') or 'http'}://{req.get('host') or ''}{req.get('path') or '/'}"
    for key in ("to", "name", "service", "pod"):
        if query.get(key) is not None:
            return str(query[key])
    return ""


@dataclass(frozen=True)
class Expansion:
    """Where one assertion's member queries sit in the flat list answered at once: `members`
    None for a one-query assertion, `error` when its sets could not be expanded."""

    start: int
    members: tuple[Member, ...] | None = None
    error: str | None = None

    @property
    def count(self) -> int:
        return 0 if self.error else (1 if self.members is None else len(self.members))


def expand_all(snap: Snapshot, queries: Iterable[Mapping[str, Any]]) -> tuple[list[dict[str, Any]],
                                                                               list[Expansion]]:
    """Every assertion's queries, flattened (one per member of a set), with where each went."""
    flat: list[dict[str, Any]] = []
    plans: list[Expansion] = []
    for q in queries:
        if not is_set_query(q):
            plans.append(Expansion(len(flat)))
            flat.append(dict(q))
            continue
        try:
            found = members(snap, q)
        except QueryError as exc:
            plans.append(Expansion(len(flat), error=str(exc)))
            continue
        plans.append(Expansion(len(flat), tuple(found)))
        flat.extend(m.query for m in found)
    return flat, plans

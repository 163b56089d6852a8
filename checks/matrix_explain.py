"""One matrix cell explained for people: the verdict's trace as hops (DNS, kube-proxy's path,
DNAT, SNAT, the NetworkPolicy answer at each backend), the rules that decided, the members of
the row and column groups, and a link on every object named that has a page here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from kubenet_site.semantics.matrix_result import CompressedMatrix, Group
from services.kinds import pages, url_of
from services.models import Topology

from .matrix_command import SYMBOLS

NAME = re.compile(r"(?<![\w./-])([a-z0-9][a-z0-9.-]*)/([a-z0-9][a-z0-9.-]*)(?![\w/-])")
WORD = re.compile(r"(?<![\w./-])([a-z0-9][a-z0-9.-]*[a-z0-9])(?![\w/-])")
LINKED_KINDS = ("Pod", "Service", "NetworkPolicy", "Ingress", "Node")
# What a trace line is about, by its first words (the engine's wording: semantics/matrix_*.py).
HOP_KINDS = (("DNS", "DNS"), ("->", "kube-proxy"), ("kube-proxy", "kube-proxy"), ("internalTrafficPolicy", "DNAT"),
             ("externalTrafficPolicy", "DNAT"), ("DNAT", "DNAT"), ("SNAT", "SNAT"), ("backend", "policy"),
             ("ingress", "policy"), ("egress", "policy"), ("Ingress", "Ingress"), ("controller", "Ingress"))


# What each outcome means, said to someone who has never seen the matrix.
MEANINGS = {
    "reachable": "a connection from these clients gets through to every backend it can be sent to.",
    "blocked": "no connection from these clients gets through: the hop or rule below stops it.",
    "partial": "some connections get through and some do not: backends, the nodes they land on, or the "
               "row's members disagree (the lines below say which).",
    "not-applicable": "this client cannot even address the target (a cluster IP seen from outside the cluster).",
    "not-proxied": "kube-proxy does not handle this target (an ExternalName Service is a DNS alias; a headless "
                   "Service without cluster DNS has no address to use).",
}


@dataclass
class Hop:
    kind: str
    html: SafeString
    depth: int


@dataclass
class Explanation:
    title: str
    outcome: str
    symbol: str
    meaning: str
    hops: list[Hop]
    details: list[tuple[str, Any]]
    row: Group
    column: Group
    row_notes: list[SafeString]
    column_notes: list[SafeString]
    row_members: list[tuple[str, str]]  # (name, url)
    column_members: list[tuple[str, str]]
    member: str = ""
    differing: list[tuple[str, str, str]] = field(default_factory=list)  # (member, symbol, outcome)


class Linker:
    """Finds the objects a text names (`ns/name`, node names) among the topology's rows and
    links each to its page; `Service ns/name` and `policy ns/name` say which kind is meant."""

    def __init__(self, topology: Topology, texts: list[str]) -> None:
        self.topology = topology
        pairs = {m.groups() for t in texts for m in NAME.finditer(t)}
        words = {w for t in texts for w in WORD.findall(t)}
        self.known: dict[str, dict[str, str]] = {}
        for page in pages():
            if page.kind_name not in LINKED_KINDS:
                continue
            rows = page.rows(topology)
            if page.namespaced:
                names = {n for _, n in pairs}
                found = {f"{ns}/{n}" for ns, n in rows.filter(name__in=names).values_list("namespace", "name")
                         if (ns, n) in pairs}
            else:
                found = set(rows.filter(name__in=words).values_list("name", flat=True))
            self.known[page.kind_name] = {key: url_of(topology, f"{page.kind_name}/{key}") for key in found}

    def url(self, key: str, hint: str = "") -> tuple[str, str]:
        """(kind, url) of `ns/name` or a node name; the word before it may name the kind."""
        order = list(LINKED_KINDS)
        for word, kind in (("service", "Service"), ("polic", "NetworkPolicy"), ("ingress", "Ingress"),
                           ("node", "Node")):
            if word in hint.lower():
                order.remove(kind)
                order.insert(0, kind)
                break
        for kind in order:
            url = self.known.get(kind, {}).get(key)
            if url:
                return kind, url
        return "", ""

    def html(self, text: str) -> SafeString:
        out, at = [], 0
        spans = sorted([(m.start(), m.end(), m.group(0)) for m in NAME.finditer(text)]
                       + [(m.start(), m.end(), m.group(0)) for m in WORD.finditer(text)
                          if m.group(0) in self.known.get("Node", {})])
        for start, end, key in spans:
            if start < at:
                continue
            kind, url = self.url(key, text[max(0, start - 16):start])
            out.append(escape(text[at:start]))
            out.append(f'<a href="{escape(url)}" title="{kind} {escape(key)}">{escape(key)}</a>' if url
                       else escape(key))
            at = end
        out.append(escape(text[at:]))
        return mark_safe("".join(out))


def hop_kind(line: str) -> str:
    text = line.strip()
    if "SNAT" in text or "masquerade" in text:
        return "SNAT"
    if "DNAT" in text:
        return "DNAT"
    for prefix, kind in HOP_KINDS:
        if text.startswith(prefix):
            return kind
    return "note"


def member_links(linker: Linker, g: Group) -> list[tuple[str, str]]:
    if g.kind == "ingress":
        return [(" ".join(g.members), "")]
    return [(name, linker.url(name.removeprefix("node:"), g.kind)[1]) for name in g.members]


def explain(topology: Topology, m: CompressedMatrix, row: str, column: str, member: str = "") -> Explanation:
    """The explanation of cell (row id, column id), or of one member of the row. KeyError when
    the matrix has no such row, column or member."""
    r = next((i for i, g in enumerate(m.rows) if g.id == row), None)
    if r is None:
        raise KeyError(f"no row {row!r}")
    c = next((i for i, g in enumerate(m.columns) if g.id == column), None)
    if c is None:
        raise KeyError(f"no column {column!r}")
    g, cg = m.rows[r], m.columns[c]
    index = m.cells[r][c]
    if member:
        if member not in g.members:
            raise KeyError(f"{member!r} is not a member of {g.label}")
        index = m.member_cells.get(r, {}).get(member, {}).get(c, index)
    v = m.verdicts[index]
    texts = [*v.trace, *g.notes, *cg.notes, *g.members, *cg.members, *(str(k) for k in v.details)]
    linker = Linker(topology, texts)
    hops = [Hop(hop_kind(line), linker.html(line.strip()), (len(line) - len(line.lstrip())) // 2)
            for line in v.trace if line.strip()]
    differing = []
    if not member:
        for name, mo in sorted(m.member_cells.get(r, {}).items()):
            if c in mo:
                o = m.verdicts[mo[c]].outcome
                differing.append((name, SYMBOLS.get(o, "?"), o))
    return Explanation(
        title=f"{member or g.label} \u2192 {cg.label}", outcome=v.outcome, symbol=SYMBOLS.get(v.outcome, "?"),
        meaning=MEANINGS.get(v.outcome, v.outcome), hops=hops, details=sorted(v.details.items()), row=g, column=cg,
        row_notes=[linker.html(n) for n in g.notes], column_notes=[linker.html(n) for n in cg.notes],
        row_members=member_links(linker, g), column_members=member_links(linker, cg), member=member,
        differing=differing)

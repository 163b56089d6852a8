"""The check kinds a run computes: ONE registry, `CHECK_KINDS`, in the order a run computes them.

A kind is one entry (shaped like the engine's VALIDATORS): its name, a description (the CLI's
help and the admin show it), a planner (Snapshot -> steps, see checks.steps) and a summarizer
(a step's stored value -> a few counts for people). Matrix kinds share one summarizer (cells
by outcome) and their steps can be split into row blocks. Adding a kind is adding an entry.
Only translation here: each unit calls one engine entry point and turns its answer into JSON.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kubenet_site.semantics import assertions, diagnostics, endpoints, envvars, matrix
from kubenet_site.semantics.answer_sets import declared_ports as policy_ports
from kubenet_site.semantics.answer_sets import dns_classes
from kubenet_site.semantics.manifests import BuildResult
from kubenet_site.semantics.matrix_result import CELL_ENCODING, row_runs
from kubenet_site.semantics.types import (
    CLUSTER_IP,
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Diagnostic,
    Snapshot,
)

from . import dns_results
from .steps import Step, Unit, answer, matrix_step, step_error

Summary = dict[str, Any]

SERVICE_TYPES = (CLUSTER_IP, NODE_PORT, LOAD_BALANCER, EXTERNAL_NAME)
MAX_AUTO_SHARDS = 16


@dataclass(frozen=True)
class CheckKind:
    name: str
    description: str
    planner: Callable[[Snapshot], list[Step]]
    summarizer: Callable[[str, Any], Summary]
    matrix: bool = False  # its steps are matrices: row blocks, cells by outcome
    # its planner takes the whole BuildResult (refusals and warnings too), not only the Snapshot
    needs_build: bool = False


class UnknownCheck(ValueError):
    pass


# Planners ------------------------------------------------------------------------------------

def plan_endpoints(snap: Snapshot) -> list[Step]:
    units = [Unit(svc.key, lambda s=svc: answer(endpoints.answer_endpoints, snap, {"service": s.key}))
             for svc in snap.services]
    return [Step(("endpoints",), "endpoints", units)]




def plan_dns(snap: Snapshot) -> list[Step]:
    units = [Unit(pods[0].key, lambda p=pods: dns_results.class_entry(snap, p)) for pods in dns_classes(snap)]
    return [Step.of_dns(("dns",), "DNS", units, dns_results.meta(snap))]


def env_of(snap: Snapshot, pod: str) -> dict[str, Any]:
    """A pod's env answer as a run stores it: without `absent` (every other Service of the
    cluster, per pod: pods x Services entries; the env tool shows it on demand)."""
    return {k: v for k, v in answer(envvars.answer_env, snap, {"pod": pod}).items() if k != "absent"}


def plan_env(snap: Snapshot) -> list[Step]:
    units = [Unit(pod.key, lambda p=pod: env_of(snap, p.key)) for pod in snap.pods]
    return [Step.of_units(("env",), "environment variables", units)]


def plan_routing(snap: Snapshot) -> list[Step]:
    return [matrix_step(("routing", t), f"routing {t}", matrix.service_matrix, snap, t.lower(), protocol=None)
            for t in SERVICE_TYPES]


def plan_ingress(snap: Snapshot) -> list[Step]:
    return [matrix_step(("ingress",), "Ingress", matrix.service_matrix, snap, "ingress")]


def plan_policy(snap: Snapshot) -> list[Step]:
    return [matrix_step(("policy", f"{port}/{proto}"), f"NetworkPolicy {port}/{proto}", matrix.pod_matrix,
                        snap, port, proto) for port, proto in policy_ports(snap)]


def stored_assertions(build: BuildResult) -> tuple[list[assertions.Assertion], list[assertions.Problem]]:
    """The connectivity assertions kept among the objects (an unmodelled kind), in order, and
    the malformed ones, as `kubenet check --topology` reads them (assertions.parse)."""
    found: list[assertions.Assertion] = []
    problems: list[assertions.Problem] = []
    for obj in build.snapshot.others:
        if assertions.is_assertion(obj.raw):
            more, bad = assertions.parse(obj.raw, "")
            found += more
            problems += bad
    return found, problems


def plan_diagnostics(build: BuildResult) -> list[Step]:
    """What `kubenet check` reports of the same objects: malformed assertions, refusals, build
    warnings and lints, each with its upstream reference."""
    def compute() -> list[dict[str, Any]]:
        invalid = [Diagnostic("error", f"{assertions.ASSERTION_KIND}/{p.name}", p.field, "assertion-invalid",
                              p.message) for p in stored_assertions(build)[1]]
        return [diagnostics.finding_dict(d) for d in invalid + diagnostics.findings(build)]

    return [Step(("diagnostics",), "diagnostics", [Unit("", compute)])]


def plan_assertions(build: BuildResult) -> list[Step]:
    """Every stored assertion answered over the run's cluster (sets expanded per member)."""
    def compute() -> list[dict[str, Any]]:
        return [{k: v for k, v in r.as_dict().items() if k != "source"}
                for r in assertions.evaluate(build, stored_assertions(build)[0])]

    return [Step(("assertions",), "connectivity assertions", [Unit("", compute)])]


# Summarizers ---------------------------------------------------------------------------------

def summarize_endpoints(key: str, value: Any) -> Summary:
    return {"services": len(value), "services without ready endpoints": sum(
        1 for v in value.values() if not any(p.get("ready") for p in (v.get("ports") or {}).values()))}


def summarize_dns(key: str, value: Any) -> Summary:
    if value.get("encoding") == dns_results.ENCODING:
        total, empty = dns_results.counts(value)
    else:  # the plain form of earlier runs: {class: {"pods", "names": {name: answer}}}
        names = [n for c in value.values() for n in c["names"].values()]
        total = len(names)
        empty = sum(1 for n in names if n.get("rcode") != "NOERROR" or not n.get("answers"))
    return {"DNS lookups (one per class of pods resolving alike)": total, "DNS lookups without an answer": empty}


def summarize_env(key: str, value: Any) -> Summary:
    return {"pods": len(value)}


def summarize_matrix(key: str, value: Any) -> Summary:
    if not (isinstance(value, dict) and "cells" in value):
        return {}
    per_verdict: dict[int, int] = {}
    if "outcomeCounts" in value:  # counted when stored (matrix_result.matrix_json)
        counts = {o: n for o, n in value["outcomeCounts"].items() if n}
        return {f"{key.replace('/', ' ', 1)} cells": ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))}
    if value.get("encoding") == CELL_ENCODING:  # each distinct row once, times its rows
        times = Counter(value["cells"])
        for ref, text in enumerate(value["rowCells"]):
            for i, n in row_runs(text):
                per_verdict[i] = per_verdict.get(i, 0) + n * times[ref]
    else:
        per_verdict = Counter(itertools.chain.from_iterable(value["cells"]))
    counts: dict[str, int] = {}
    for i, n in per_verdict.items():
        if n:
            outcome = value["verdicts"][str(i)]["outcome"]
            counts[outcome] = counts.get(outcome, 0) + n
    return {f"{key.replace('/', ' ', 1)} cells": ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))}


def summarize_assertions(key: str, value: Any) -> Summary:
    return {"assertions": len(value), "assertions failed": sum(1 for a in value if not a.get("passed"))}


def summarize_diagnostics(key: str, value: Any) -> Summary:
    out: Summary = {}
    for d in value:
        name = f"diagnostics ({d.get('severity')})"
        out[name] = out.get(name, 0) + 1
    return out


# The registry --------------------------------------------------------------------------------

CHECK_KINDS: dict[str, CheckKind] = {k.name: k for k in (
    CheckKind("endpoints", "endpoints of every Service", plan_endpoints, summarize_endpoints),
    CheckKind("dns", "every pod resolving every name form of every Service it may use", plan_dns, summarize_dns),
    CheckKind("env", "service environment variables of every pod", plan_env, summarize_env),
    CheckKind("routing", "routing matrix for each Service type", plan_routing, summarize_matrix, matrix=True),
    CheckKind("ingress", "Ingress routing matrix", plan_ingress, summarize_matrix, matrix=True),
    CheckKind("policy", "NetworkPolicy pod matrix", plan_policy, summarize_matrix, matrix=True),
    CheckKind("diagnostics", "refusals, build warnings and lint findings", plan_diagnostics, summarize_diagnostics,
              needs_build=True),
    CheckKind("assertions", "the connectivity assertions stored in the topology", plan_assertions,
              summarize_assertions, needs_build=True),
)}


def matrix_kinds() -> list[str]:
    return [k.name for k in CHECK_KINDS.values() if k.matrix]


def auto_shards(snap: Snapshot) -> int:
    """Row blocks per matrix when the run did not say: one per KUBENET_SHARD_PODS pods, at most 16."""
    from django.conf import settings  # here: `run --local` plans without Django

    return max(1, min(MAX_AUTO_SHARDS, len(snap.pods) // settings.KUBENET_SHARD_PODS))


def parse_kinds(text: str | list[str] | None) -> list[str]:
    """`endpoints,dns` -> ["endpoints", "dns"] in run order; empty means every kind."""
    if not text:
        return list(CHECK_KINDS)
    items = text.split(",") if isinstance(text, str) else list(text)
    odd = [repr(k) for k in items if not isinstance(k, str)]
    if odd:
        raise UnknownCheck(f"check kinds are names, not {', '.join(odd)} (known: {', '.join(CHECK_KINDS)})")
    wanted = {k.strip().lower() for k in items if k.strip()}
    unknown = sorted(wanted - set(CHECK_KINDS))
    if unknown:
        raise UnknownCheck(f"unknown check kind(s) {', '.join(unknown)} (known: {', '.join(CHECK_KINDS)})")
    return [k for k in CHECK_KINDS if k in wanted]


def plan(source: BuildResult | Snapshot, kinds: list[str]) -> list[Step]:
    """The steps of `kinds` over a built cluster (a bare Snapshot: nothing was refused)."""
    build = source if isinstance(source, BuildResult) else BuildResult(source)
    return [step for kind in kinds for step in (
        CHECK_KINDS[kind].planner(build) if CHECK_KINDS[kind].needs_build else CHECK_KINDS[kind].planner(build.snapshot))]


def summarize_step(key: str, value: Any) -> Summary:
    """A few counts for people: what one step found (kept on the run as its `result`)."""
    error = step_error(value)
    if error:
        return {f"{key} failed": error}
    return CHECK_KINDS[key.split("/")[0]].summarizer(key, value)


def summarize(values: Iterable[tuple[str, Any]]) -> tuple[list[list[Any]], list[str]]:
    """(summary, failed) of a run's steps (key, value) in plan order: counts of the same name
    add up, the other values keep the last one; `failed` names each step in error."""
    summary: Summary = {}
    failed = []
    for key, value in values:
        if step_error(value):
            failed.append(f"{key}: {step_error(value)}")
        for k, v in summarize_step(key, value).items():
            summary[k] = summary.get(k, 0) + v if isinstance(v, int) and k in summary else v
    return [[k, v] for k, v in summary.items()], failed

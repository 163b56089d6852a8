"""The check kinds a run computes, as plans of small units over one Snapshot.

Only translation: each unit calls one engine entry point and turns its answer into JSON. A
plan is a list of steps; a step is the unit of resumption (a re-delivered task skips the
steps already stored) and its units are the unit of progress. Matrix steps can also be split
into row blocks that run on several workers and are merged (`matrix.merge_blocks`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubenet_site.semantics import diagnostics, dns, endpoints, envvars, matrix, policy_dns
from kubenet_site.semantics.jsonable import jsonable
from kubenet_site.semantics.matrix import matrix_from_json, matrix_json
from kubenet_site.semantics.types import (
    CLUSTER_IP,
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    QueryError,
    Snapshot,
)

# Check kinds, in the order a run computes them.
KINDS: dict[str, str] = {
    "endpoints": "endpoints of every Service",
    "dns": "every pod resolving every name form of every Service it may use",
    "env": "service environment variables of every pod",
    "routing": "routing matrix for each Service type",
    "ingress": "Ingress routing matrix",
    "policy": "NetworkPolicy pod matrix",
    "diagnostics": "lint findings",
}
SERVICE_TYPES = (CLUSTER_IP, NODE_PORT, LOAD_BALANCER, EXTERNAL_NAME)
MATRIX_KINDS = ("routing", "ingress", "policy")


# Matrices of topologies with at least this many pods are split into row blocks by default.
SHARD_PODS = int(os.environ.get("KUBENET_SHARD_PODS", "2000"))
MAX_AUTO_SHARDS = 16


def auto_shards(snap: Snapshot) -> int:
    """Row blocks per matrix when the run did not say: one per SHARD_PODS pods, at most 16."""
    return max(1, min(MAX_AUTO_SHARDS, len(snap.pods) // SHARD_PODS))


class UnknownCheck(ValueError):
    pass


def parse_kinds(text: str | list[str] | None) -> list[str]:
    """`endpoints,dns` -> ["endpoints", "dns"] in run order; empty means every kind."""
    if not text:
        return list(KINDS)
    items = text.split(",") if isinstance(text, str) else list(text)
    wanted = {k.strip().lower() for k in items if k.strip()}
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise UnknownCheck(f"unknown check kind(s) {', '.join(unknown)} (known: {', '.join(KINDS)})")
    return [k for k in KINDS if k in wanted]


@dataclass
class Unit:
    key: str
    compute: Callable[[], Any]


@dataclass
class Step:
    """One resumable piece of a run, stored at `path` in the run's result once complete."""

    path: tuple[str, ...]
    title: str
    units: list[Unit] = field(default_factory=list)
    # A step that may be split into blocks run on several workers: block(index, count) -> JSON
    # block, joined by `merge_blocks(merge, blocks)`, which needs no Snapshot. merge "rows": a
    # matrix's row blocks (matrix.merge_blocks); "units": a share of the units each.
    block: Callable[[int, int], Any] | None = None
    merge: str = "rows"

    @property
    def key(self) -> str:
        return "/".join(self.path)

    @classmethod
    def of_units(cls, path: tuple[str, ...], title: str, units: list[Unit]) -> Step:
        """A step whose units can be shared out between blocks."""
        step = cls(path, title, units, merge="units")

        def block(index: int, count: int) -> Any:
            start, stop = block_rows(len(units), index, count)
            return {u.key: u.compute() for u in units[start:stop]}

        step.block = block
        return step

    def assemble(self, values: dict[str, Any]) -> Any:
        if len(self.units) == 1 and self.units[0].key == "":
            return values[""]
        return dict(sorted(values.items()))


def step_error(value: Any) -> str | None:
    """The error of a step that could not be computed (its stored value is {"error": ...})."""
    if isinstance(value, dict) and set(value) == {"error"}:
        return str(value["error"])
    return None


def compute_step(step: Step, after_unit: Callable[[], None] | None = None,
                 passthrough: tuple[type[BaseException], ...] = ()) -> tuple[Any, str]:
    """(value, traceback text): the step's result, or {"error": ...} when the engine raised
    (the other steps still run; the run then ends failed, naming the step)."""
    values: dict[str, Any] = {}
    try:
        for unit in step.units:
            values[unit.key] = unit.compute()
            if after_unit is not None:
                after_unit()
        return step.assemble(values), ""
    except passthrough:
        raise
    except Exception as exc:
        import traceback

        return {"error": f"{type(exc).__name__}: {exc}"}, traceback.format_exc()


def _answer(fn: Callable[[Snapshot, dict], Any], snap: Snapshot, query: dict) -> Any:
    try:
        return jsonable(fn(snap, query))
    except QueryError as exc:
        return {"error": str(exc)}


def _endpoints_steps(snap: Snapshot) -> list[Step]:
    units = [Unit(svc.key, lambda s=svc: _answer(endpoints.answer_endpoints, snap, {"service": s.key}))
             for svc in snap.services]
    return [Step(("endpoints",), "endpoints", units)]


def service_names(snap: Snapshot, namespace: str) -> list[str]:
    """The names a pod in `namespace` may use for each Service: the short name in its own
    namespace, then `svc.ns`, `svc.ns.svc` and the absolute name."""
    domain = snap.cluster.domain.rstrip(".")
    names: list[str] = []
    for svc in snap.services:
        if svc.namespace == namespace:
            names.append(svc.name)
        names += [f"{svc.name}.{svc.namespace}", f"{svc.name}.{svc.namespace}.svc",
                  f"{svc.name}.{svc.namespace}.svc.{domain}."]
    return names


def dns_classes(snap: Snapshot) -> list[list[Any]]:
    """Pods that resolve alike: same namespace (the search path and the short names), same
    resolv.conf, same DNS access under NetworkPolicy. First-seen order, so deterministic."""
    groups: dict[Any, list[Any]] = {}
    for pod in snap.pods:
        key = (pod.namespace, dns.resolver_config(snap, pod), policy_dns.dns_access(snap, pod).outcome)
        groups.setdefault(key, []).append(pod)
    return list(groups.values())


def _resolve_class(snap: Snapshot, pods: list[Any]) -> dict[str, Any]:
    rep = pods[0]
    names = {}
    for name in service_names(snap, rep.namespace):
        ans = _answer(dns.answer_dns, snap, {"from": rep.key, "name": name})
        names[name] = {"rcode": ans.get("rcode"), "fqdn": ans.get("fqdn"),
                       "answers": [a.get("data") for a in ans.get("answers", [])], **(
                           {"error": ans["error"]} if "error" in ans else {})}
    return {"pods": [p.key for p in pods], "names": names}


def _dns_steps(snap: Snapshot) -> list[Step]:
    units = [Unit(pods[0].key, lambda p=pods: _resolve_class(snap, p)) for pods in dns_classes(snap)]
    return [Step.of_units(("dns",), "DNS", units)]


def _env_steps(snap: Snapshot) -> list[Step]:
    units = [Unit(pod.key, lambda p=pod: _answer(envvars.answer_env, snap, {"pod": p.key})) for pod in snap.pods]
    return [Step.of_units(("env",), "environment variables", units)]


def merge_blocks(merge: str, blocks: list[dict[str, Any]]) -> Any:
    """Blocks (in order) -> the step's whole result: a matrix's row blocks (matrix_json)
    joined by matrix.merge_blocks, or shares of a step's units joined as one sorted map."""
    if merge == "units":
        joined: dict[str, Any] = {}
        for b in blocks:
            joined.update(b)
        return dict(sorted(joined.items()))
    return matrix_json(matrix.merge_blocks([matrix_from_json(b) for b in blocks]))


def block_rows(total: int, index: int, count: int) -> tuple[int, int]:
    """Rows [start, stop) of block `index` of `count` over `total` rows (sizes differ by <= 1)."""
    return total * index // count, total * (index + 1) // count


def _matrix_step(path: tuple[str, ...], title: str, fn_name: str, *args: Any, **kwargs: Any) -> Step:
    fn = getattr(matrix, fn_name)

    def whole() -> Any:
        return matrix_json(matrix.canonical(fn(*args, **kwargs)))

    def block(index: int, count: int) -> Any:
        probe = fn(*args, **kwargs, row_block=(0, 0))
        total = probe.total_rows if probe.total_rows is not None else len(fn(*args, **kwargs).rows)
        return matrix_json(fn(*args, **kwargs, row_block=block_rows(total, index, count)))

    return Step(path, title, [Unit("", whole)], block=block)


def policy_ports(snap: Snapshot) -> list[tuple[int, str]]:
    """(port, protocol) of every container port a pod declares: the pod matrices to compute."""
    ports = {(p.container_port, p.protocol) for pod in snap.pods for c in pod.containers for p in c.ports}
    return sorted(ports, key=lambda pp: (pp[1], pp[0]))


def plan(snap: Snapshot, kinds: list[str]) -> list[Step]:
    steps: list[Step] = []
    for kind in kinds:
        if kind == "endpoints":
            steps += _endpoints_steps(snap)
        elif kind == "dns":
            steps += _dns_steps(snap)
        elif kind == "env":
            steps += _env_steps(snap)
        elif kind == "routing":
            steps += [_matrix_step(("routing", t), f"routing {t}", "service_matrix", snap, t.lower(),
                                   protocol=None) for t in SERVICE_TYPES]
        elif kind == "ingress":
            steps.append(_matrix_step(("ingress",), "Ingress", "service_matrix", snap, "ingress"))
        elif kind == "policy":
            steps += [_matrix_step(("policy", f"{port}/{proto}"), f"NetworkPolicy {port}/{proto}", "pod_matrix",
                                   snap, port, proto) for port, proto in policy_ports(snap)]
        elif kind == "diagnostics":
            steps.append(Step(("diagnostics",), "diagnostics", [
                Unit("", lambda: [d.as_dict() for d in diagnostics.diagnose(snap)])]))
    return steps


def summarize_step(key: str, value: Any) -> dict[str, Any]:
    """A few counts for people: what one step found (kept on the run as its `result`)."""
    error = step_error(value)
    if error:
        return {f"{key} failed": error}
    kind = key.split("/")[0]
    out: dict[str, Any] = {}
    if kind == "endpoints":
        out["services"] = len(value)
        out["services without ready endpoints"] = sum(
            1 for v in value.values() if not any(p.get("ready") for p in (v.get("ports") or {}).values()))
    elif kind == "dns":
        names = [n for c in value.values() for n in c["names"].values()]
        out["DNS lookups (one per class of pods resolving alike)"] = len(names)
        out["DNS lookups without an answer"] = sum(
            1 for n in names if n.get("rcode") != "NOERROR" or not n.get("answers"))
    elif kind == "env":
        out["pods"] = len(value)
    elif kind in MATRIX_KINDS and isinstance(value, dict) and "cells" in value:
        counts: dict[str, int] = {}
        for row in value["cells"]:
            for i in row:
                outcome = value["verdicts"][str(i)]["outcome"]
                counts[outcome] = counts.get(outcome, 0) + 1
        out[f"{key.replace('/', ' ', 1)} cells"] = ", ".join(f"{n} {o}" for o, n in sorted(counts.items()))
    elif kind == "diagnostics":
        for d in value:
            name = f"diagnostics ({d.get('severity')})"
            out[name] = out.get(name, 0) + 1
    return out

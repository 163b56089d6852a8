"""`kubenet run PATH... --local [--checks KIND,...] [--json] [--cluster FILE]`: every check kind
of a check run computed in this process over files, with no database and no broker.

The same plan (checks.kinds), the same steps (checks.steps.compute_step) and the same summary
(kinds.summarize) a worker stores: only where the Snapshot comes from differs (the files,
read as `kubenet check` reads them, instead of the run's pinned manifests). Django-free.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from kubenet_site.semantics.manifests import (
    BuildResult,
    ManifestError,
    build_snapshot,
    load_documents,
    parse_cluster,
)
from kubenet_site.semantics.types import ClusterConfig

from . import kinds
from .check_command import CheckUsageError, load_paths
from .steps import compute_step


class LocalRunError(CheckUsageError):
    """Bad arguments or unreadable files: exit 2."""


def read_cluster(path: str | None) -> ClusterConfig:
    """--cluster FILE: a YAML file holding the query document's `cluster` block (either the
    block itself or a document with a `cluster:` key)."""
    if not path:
        return parse_cluster(None)
    try:
        text = Path(path).read_bytes()
    except OSError as exc:
        raise LocalRunError(f"--cluster {path}: {exc.strerror}") from exc
    try:
        docs = load_documents(text)
        block = docs[0] if docs else {}
        if isinstance(block.get("cluster"), dict):
            block = block["cluster"]
        return parse_cluster(block)
    except ManifestError as exc:
        raise LocalRunError(f"--cluster {path}: {exc}") from exc


def build_of_paths(paths: list[str], cluster: ClusterConfig, stderr: IO | None = None) -> BuildResult:
    """The files as a cluster (assertion documents set apart; what the API server would refuse
    left out and reported, as a worker's build does)."""
    loaded = load_paths(paths)
    if stderr is not None:
        for f in loaded.findings:
            if f.severity == "error":
                stderr.write(f"warning: {f.source}: {f.message} (left out)\n")
    result = build_snapshot(loaded.objects, cluster)
    if stderr is not None and result.errors:
        stderr.write(f"warning: {len(result.errors)} object(s) the API server would refuse are left out "
                     "(see `kubenet check`)\n")
    return result


def run_steps(build: BuildResult, checks: list[str],
              on_step: Callable[[str, float], None] | None = None) -> list[tuple[str, Any]]:
    """(key, value) of every step of the plan, in plan order, as a worker computes and stores
    them (the values pass through JSON, as the database keeps them)."""
    values = []
    for step in kinds.plan(build, checks):
        started = time.perf_counter()
        value, _trace = compute_step(step)
        values.append((step.key, value))
        if on_step is not None:
            on_step(step.key, time.perf_counter() - started)
    return values


def results_of(values: list[tuple[str, Any]]) -> dict[str, Any]:
    """Steps under their kind, as CheckRun.results() groups the stored steps."""
    out: dict[str, Any] = {}
    for key, value in values:
        kind, _, rest = key.partition("/")
        if rest:
            out.setdefault(kind, {})[rest] = value
        else:
            out[kind] = value
    return out


def local_run(paths: list[str], checks: str | list[str] | None = None, cluster: ClusterConfig | None = None,
              stderr: IO | None = None) -> dict[str, Any]:
    """The run as JSON: checks, status, error, summary, failed steps and every step's result."""
    wanted = kinds.parse_kinds(checks)
    build = build_of_paths(paths, cluster or parse_cluster(None), stderr)
    values = [(k, json.loads(json.dumps(v))) for k, v in run_steps(build, wanted)]
    summary, failed = kinds.summarize(values)
    return {"checks": wanted, "status": "failed" if failed else "succeeded",
            "error": ("check steps failed (the other results are kept): " + "; ".join(failed)) if failed else "",
            "summary": dict(summary), "failed": failed, "result": results_of(values)}


def cmd_run_local(stdout: IO, stderr: IO, *, paths: list[str] | None = None, checks: str | None = None,
                  cluster: str | None = None, json_output: bool = False, local: bool = False,
                  topology: str | None = None, wait: bool = False, shards: int | None = None, **_: Any) -> int:
    if not local:
        raise LocalRunError("PATH... needs --local (a run on the workers takes --topology NAME)")
    if topology or wait or shards:
        raise LocalRunError("--local takes PATH... (not --topology, --wait or --shards)")
    if not paths:
        raise LocalRunError("--local needs PATH... (manifest files or directories)")
    started = time.perf_counter()
    try:
        run = local_run(paths, checks, read_cluster(cluster), stderr)
    except kinds.UnknownCheck as exc:
        raise LocalRunError(str(exc)) from exc
    if json_output:
        stdout.write(json.dumps(run, indent=2) + "\n")
    else:
        lines = [f"local run {run['status']}: {len(paths)} path(s), checks {', '.join(run['checks'])}",
                 f"  took {time.perf_counter() - started:.1f}s in this process"]
        lines += [f"  {k}: {v}" for k, v in run["summary"].items()]
        if run["error"]:
            lines.append(f"  error: {run['error']}")
        stdout.write("\n".join(lines) + "\n")
    return 0 if run["status"] == "succeeded" else 1

"""`kubenet run --topology NAME [--team TEAM] [--checks KIND,...] [--wait]`: start a check run on
the workers (`run PATH... --local` computes it here instead: checks.local_run) and, with --wait, follow it with a progress bar until it ends (exit 1 when it
failed, or when no worker answered within KUBENET_NO_WORKER_AFTER seconds while it was queued)."""

from __future__ import annotations

import json
import time
from typing import IO, Any

from django.conf import settings

from services.queries import get_topology

from . import kinds, runs
from .local_run import cmd_run_local
from .models import CheckRun

BAR_WIDTH = 30
START_WORKER = "celery -A kubenet_site.celery worker (`make run` starts one beside the web server)"
PING_EVERY = 1.0  # seconds between worker pings while the run is queued


class RunError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def bar(run: CheckRun, width: int = BAR_WIDTH) -> str:
    total, done = run.progress_total, min(run.progress_done, run.progress_total)
    filled = int(width * done / total) if total else 0
    pct = f"{100 * done // total:3d}%" if total else "  -%"
    step = f"  {run.step}" if run.step else ""
    return f"[{'#' * filled}{'.' * (width - filled)}] {pct} {done}/{total} {run.status}{step}"


class NoWorker:
    """While the run is queued: has any worker shown itself within `grace` seconds?"""

    def __init__(self, grace: float | None):
        self.grace = grace
        self.seen = time.monotonic()
        self.next_ping = 0.0

    def check(self, run: CheckRun) -> None:
        """RunError once no worker answered for `grace` seconds while the run stays queued."""
        now = time.monotonic()
        if self.grace is None or run.status != CheckRun.Status.QUEUED:
            self.seen = now
            return
        if now < self.next_ping:
            return
        if runs.some_worker_alive():
            self.seen = now
        elif now - self.seen >= self.grace:
            raise RunError(f"no worker answered within {self.grace:g}s; start one with {START_WORKER}. "
                           f"Run #{run.pk} stays queued: a worker that starts will take it up.")
        self.next_ping = time.monotonic() + PING_EVERY


def follow(run: CheckRun, out: IO, *, interval: float = 0.2, timeout: float | None = None,
           tty: bool | None = None, no_worker_after: float | None = None) -> CheckRun:
    """Poll the run (reaping it if its worker vanished) until it is final, drawing the bar:
    redrawn in place on a terminal, one line per change of step or tenth of progress otherwise.
    `no_worker_after`: give up (RunError) when no worker answered that long while it is queued."""
    out = getattr(out, "_out", out)  # Django's OutputWrapper would end every write with a newline
    tty = out.isatty() if tty is None and hasattr(out, "isatty") else bool(tty)
    deadline = None if timeout is None else time.monotonic() + timeout
    last_line, last_key = "", None
    watch = NoWorker(no_worker_after)
    while True:
        run = runs.refresh(run)
        line = bar(run)
        if tty:
            if line != last_line:
                out.write("\r" + line.ljust(len(last_line)))
                out.flush()
        else:
            tenth = 10 * run.progress_done // run.progress_total if run.progress_total else 0
            key = (run.status, run.step, tenth)
            if key != last_key:
                out.write(line + "\n")
                last_key = key
        last_line = line
        if run.is_final:
            if tty:
                out.write("\n")
            return run
        try:
            watch.check(run)
        except RunError:
            if tty:
                out.write("\n")
            raise
        if deadline is not None and time.monotonic() > deadline:
            if tty:
                out.write("\n")
            raise RunError(f"gave up waiting after {timeout:g}s: run #{run.pk} is still {run.status} "
                           f"({run.progress_text()})")
        time.sleep(interval)


def describe(run: CheckRun) -> list[str]:
    lines = [f"run #{run.pk} {run.status}: topology {run.topology.name} revision {run.revision}, "
             f"checks {', '.join(run.checks)}"]
    if run.duration is not None:
        lines.append(f"  took {run.duration.total_seconds():.1f}s in {run.attempts} attempt(s)")
    if run.is_stale:
        lines.append(f"  stale: the topology is now at revision {run.topology.revision}")
    for key, value in run.result.get("summary") or []:
        lines.append(f"  {key}: {value}")
    if run.error:
        lines.append(f"  error: {run.error}")
    return lines


def as_json(run: CheckRun) -> dict[str, Any]:
    return {"id": run.pk, "topology": run.topology.name, "revision": run.revision, "stale": run.is_stale,
            "checks": run.checks, "status": run.status, "progress": {"done": run.progress_done,
                                                                     "total": run.progress_total},
            "attempts": run.attempts, "error": run.error, "summary": dict(run.result.get("summary") or []),
            "result": run.results()}


def cmd_run(stdout: IO, stderr: IO, *, topology: str | None = None, team: str | None = None,
            checks: str | None = None, wait: bool = False, shards: int | None = None, timeout: float | None = None,
            json_output: bool = False, paths: list[str] | None = None, local: bool = False,
            cluster: str | None = None, **_: Any) -> int:
    if local or paths:
        return cmd_run_local(stdout, stderr, paths=paths, topology=topology, checks=checks, wait=wait,
                             shards=shards, cluster=cluster, local=local, json_output=json_output)
    if not topology:
        raise RunError("give --topology NAME (or PATH... --local)", code=2)
    if cluster:
        raise RunError("--cluster goes with PATH... --local (a topology has its own cluster block)", code=2)
    top = get_topology(topology, team=team)
    try:
        run = runs.start_run(top, checks, shards=shards)
    except kinds.UnknownCheck as exc:
        raise RunError(str(exc), code=2) from exc
    except runs.BrokerUnavailable as exc:
        raise RunError(f"cannot start a check run on {top.name}: {exc}") from exc
    info = stderr if json_output else stdout
    info.write(f"run #{run.pk} queued: topology {top.name} revision {run.revision}, "
               f"checks {', '.join(run.checks)}\n")
    if not wait:
        return 0
    run = follow(run, info, timeout=timeout, no_worker_after=settings.KUBENET_NO_WORKER_AFTER)
    if json_output:
        stdout.write(json.dumps(as_json(run), indent=2) + "\n")
    else:
        stdout.write("\n".join(describe(run)) + "\n")
    return 0 if run.status == CheckRun.Status.SUCCEEDED else 1

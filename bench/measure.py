"""One measured full check of one YAML file, in this process (run by bench/full_check.py, one
process per measurement so peak memory does not mix): start-up, parse, build, then each check
kind as `kubenet run PATH --local` computes it. Prints one JSON document on stdout.

    python bench/measure.py FILE [--checks KIND,...]

Each step: wall seconds, CPU seconds (user + system of this process), the process's peak
resident set size after it (getrusage ru_maxrss: a high-water mark, so it grows from step to
step), and for check kinds the JSON size of the largest step value (what a worker stores).
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class Clock:
    def __init__(self) -> None:
        self.steps: list[dict] = []
        self.wall, self.cpu = time.perf_counter(), cpu()

    def lap(self, name: str, **extra) -> None:
        wall, c = time.perf_counter(), cpu()
        self.steps.append({"step": name, "wall": wall - self.wall, "cpu": c - self.cpu, "rss_mib": rss_mib(),
                           **extra})
        self.wall, self.cpu = time.perf_counter(), cpu()


def main(argv: list[str]) -> int:
    path = argv[0]
    checks = argv[argv.index("--checks") + 1] if "--checks" in argv else None
    clock = Clock()
    clock.wall, clock.cpu = T_START, 0.0
    from checks import kinds, local_run
    from checks.check_command import load_paths
    from checks.steps import compute_step
    from kubenet_site.semantics.manifests import build_snapshot, parse_cluster
    from kubenet_site.settings import limits

    limits.apply()
    clock.lap("start-up")
    loaded = load_paths([path])
    clock.lap("parse", objects=len(loaded.objects))
    build = build_snapshot(loaded.objects, parse_cluster(None))
    snap = build.snapshot
    clock.lap("build", pods=len(snap.pods), services=len(snap.services), policies=len(snap.network_policies),
              refused=len(build.errors))
    values = []
    for kind in kinds.parse_kinds(checks):
        steps = kinds.plan(build, [kind])
        largest = 0
        for step in steps:
            value, trace = compute_step(step)
            if trace:
                print(trace, file=sys.stderr)
            text = json.dumps(value)
            largest = max(largest, len(text))
            values.append((step.key, json.loads(text)))
        clock.lap(kind, steps=len(steps), largest_step_bytes=largest)
    summary, failed = kinds.summarize(values)
    clock.lap("summary")
    del local_run  # imported so its start-up cost is counted
    total = {"wall": time.perf_counter() - T_START, "cpu": cpu(), "rss_mib": rss_mib()}
    print(json.dumps({"steps": clock.steps, "total": total, "failed": failed,
                      "summary": dict(summary)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

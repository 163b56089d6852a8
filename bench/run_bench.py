"""kubenet benchmark: the compressed matrices on a synthetic cluster (outside `make test`).

    python bench/run_bench.py --sizes 2000,10000 [--seed 0] [--types clusterip,nodeport,...]

For each size N (each in its own process, so memory figures do not mix): generate N pods
with N/5 Services and N/10 NetworkPolicies (kubenet_site.semantics.synthetic), build the
behaviour classes, then compute each matrix type; prints each step's wall time, the matrix
shape (rows x columns, distinct verdicts) and the process's peak resident set size after the
step (resource.getrusage ru_maxrss). Type `diff` times semantics.diff between the cluster and
the same cluster with its last NetworkPolicy removed (both sides' matrices, DNS, routes). `--tracemalloc` adds the peak of Python allocations
(tracemalloc), at about 3-5x the run time, so its timings are not comparable.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from dataclasses import replace  # noqa: E402

from kubenet_site.semantics import diff, matrix, pod_classes, synthetic  # noqa: E402

TYPES = ("clusterip", "nodeport", "loadbalancer", "externalname", "ingress", "pods", "diff")


def _rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024


def run(size: int, seed: int, types: list[str], trace_memory: bool) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    gc.collect()
    if trace_memory:
        tracemalloc.start()
    t = time.perf_counter()
    snap = synthetic.generate(size, seed=seed)
    rows.append(("generate", time.perf_counter() - t,
                 f"{len(snap.pods)} pods, {len(snap.services)} Services, {len(snap.network_policies)} policies, "
                 f"{len(snap.nodes)} nodes"))
    t = time.perf_counter()
    index = pod_classes.build_classes(snap)
    groups = pod_classes.pod_rows(index)
    rows.append(("build classes", time.perf_counter() - t, f"{len(index.classes)} classes, {len(groups)} row groups"))
    for kind in types:
        t = time.perf_counter()
        if kind == "diff":
            other = replace(snap, network_policies=snap.network_policies[:-1])
            d = diff.diff(diff.Side(snap), diff.Side(other))
            rows.append(("diff (one policy removed)", time.perf_counter() - t,
                         f"{len(d.cells)} cells, {len(d.dns)} DNS answers, {len(d.routes)} routes changed, "
                         f"peak RSS {_rss_mb():.0f} MiB"))
            continue
        if kind == "pods":
            m = matrix.pod_matrix(snap, 8080)
        else:
            m = matrix.service_matrix(snap, kind)
        cells = len(m.rows) * len(m.columns)
        rows.append((f"matrix {kind}", time.perf_counter() - t,
                     f"{len(m.rows)} x {len(m.columns)} ({cells:,} cells), {len(m.verdicts)} verdicts, "
                     f"peak RSS {_rss_mb():.0f} MiB"))
        del m
        gc.collect()
    if trace_memory:
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(("peak memory (tracemalloc)", 0.0, f"{peak / 2**20:.1f} MiB"))
    rows.append(("max RSS (getrusage)", 0.0, f"{_rss_mb():.1f} MiB"))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="2000,10000", help="comma-separated pod counts")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--types", default=",".join(TYPES), help="matrix types to time")
    ap.add_argument("--tracemalloc", action="store_true",
                    help="also trace Python allocations (slow: timings are then not comparable)")
    ap.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.in_process:
        rc = 0
        for size in sizes:  # one process per size: getrusage's peak is per process
            cmd = [sys.executable, os.path.abspath(__file__), "--sizes", str(size), "--seed", str(args.seed),
                   "--types", ",".join(types), "--in-process"] + (["--tracemalloc"] if args.tracemalloc else [])
            rc = rc or subprocess.call(cmd)
        return rc
    for size in sizes:
        print(f"\n== {size} pods (seed {args.seed}) ==")
        print(f"{'step':<28}{'seconds':>9}  detail")
        for name, secs, detail in run(size, args.seed, types, args.tracemalloc):
            shown = f"{secs:9.2f}" if secs else " " * 9
            print(f"{name:<28}{shown}  {detail}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

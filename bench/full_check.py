"""`make bench`: the full check (`kubenet run PATH --local`) at named sizes, its figures in
BENCHMARKS.md, and an exit code that says whether the targets hold.

    python bench/full_check.py [--sizes tiny,small,medium,large] [--repeat 3] [--workers]
                               [--no-targets] [--output BENCHMARKS.md]

For each size: bench/generate.py writes the cluster (seeded) under var/bench/; bench/measure.py
measures one full check in a fresh process (start-up, parse, build, each check kind: wall and
CPU seconds, peak RSS), `--repeat` times; the figures are the medians (peak memory: the
largest). `--workers` adds, when PostgreSQL and Redis answer (DATABASE_URL, CELERY_BROKER_URL):
the import into PostgreSQL, the run on one real Celery worker, and sharded over two.

Targets (issue 19; a 2-core machine, one process): medium (2,000 pods) < 1 s, large (10,000
pods) < 10 s and < 2 GiB, xlarge (50,000 pods) < 120 s, the CLI's start-up < 0.5 s; on the
workers: large imported < 10 s, run on two workers < 60 s. The exit code is 1 when a median
passes twice its target (machines vary by about 40%); `--no-targets` (the CI's tiny size)
only proves the benchmark works.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import SIZES, generate  # noqa: E402

VAR = ROOT / "var" / "bench"
PY = sys.executable
# (size, figure) -> target; figure: "total", "rss", "start-up", "import", "run 2 workers".
TARGETS = {
    ("medium", "total"): 1.0,
    ("large", "total"): 10.0,
    ("large", "rss"): 2048.0,
    ("xlarge", "total"): 120.0,
    ("*", "cli start-up"): 0.5,
    ("large", "import"): 10.0,
    ("large", "run 2 workers"): 60.0,
}
COMPLEXITY = {
    "start-up": "constant (imports of the engine and the check modules, no Django)",
    "parse": "linear in the input's bytes",
    "build": "linear in objects (the API server's create pipeline, per object)",
    "endpoints": "Services x selected pods",
    "dns": "DNS classes (namespace, resolver settings, DNS access) x name forms of every Service",
    "env": "pods x Services created before them in their namespace",
    "routing": "client groups x Service ports, for each Service type",
    "ingress": "client groups x Ingress host+paths",
    "policy": "pod groups x pod groups, for each declared port",
    "diagnostics": "linear in objects",
    "summary": "stored cells (every step's value read back)",
}


NOTES = """\
## What the clusters hold (bench/generate.py, seeded)

Namespaces labelled by team and environment; nodes with /24 pod CIDRs; CoreDNS behind
`kube-dns`; an ingress-nginx controller (IngressClass `nginx`, the default, its pod running)
and one Ingress per 20 ClusterIP Services. One application per Service, its pods shared out in
turn, each a Deployment AND its pods (owned through the ReplicaSet `<name>-<hash>`, so the
figures hold with or without workload expansion); named container ports (about a dozen
distinct ports); Services of every type in turn (ClusterIP, headless, NodePort, LoadBalancer
with an ingress IP, ExternalName), targetPorts by name. NetworkPolicies: default-deny per
namespace first, then allow rules in turn by pod selector, namespace selector (and the ingress
controller's namespace), matchExpressions, ipBlocks with `except` (the pod network but one
node's range, and an office network), and egress with a DNS allowance.

Pods split into behaviour classes by everything a Service or policy selects on: with one
Service per application, the classes grow with the Services (a 2,000-pod cluster has about
620), so the pod and Service matrices grow with Services squared, not pods squared.
"""


def cluster_file(size: str, seed: int) -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / f"{size}-seed{seed}.yaml"
    if not path.exists():
        path.write_text(generate(size, seed), encoding="utf-8")
    return path


def env_for(size: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if size == "xlarge":  # the limits raised for the benchmark (kubenet_site/settings/limits.py)
        env.setdefault("KUBENET_MAX_MANIFEST_BYTES", str(256 * 1024 * 1024))
        env.setdefault("KUBENET_MAX_INPUT_BYTES", str(256 * 1024 * 1024))
        env.setdefault("KUBENET_MAX_OBJECTS", "200000")
    return env


def measure(path: Path, size: str) -> dict:
    proc = subprocess.run([PY, str(ROOT / "bench" / "measure.py"), str(path)], cwd=ROOT, env=env_for(size),
                          capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"bench/measure.py {path} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.splitlines()[-1])


def cli_startup(size: str) -> float:
    """Wall seconds of `manage.py kubenet run --local --help`: the PATH command's own start-up
    (checks.path_cli, without Django)."""
    t = time.perf_counter()
    subprocess.run([PY, "manage.py", "kubenet", "run", "--local", "--help"], cwd=ROOT, env=env_for(size),
                   capture_output=True, check=True)
    return time.perf_counter() - t


def medians(runs: list[dict]) -> dict:
    steps = [s["step"] for s in runs[0]["steps"]]
    out = {"steps": [], "total": {
        "wall": statistics.median(r["total"]["wall"] for r in runs),
        "cpu": statistics.median(r["total"]["cpu"] for r in runs),
        "rss_mib": max(r["total"]["rss_mib"] for r in runs)}, "summary": runs[0]["summary"],
        "failed": runs[0]["failed"]}
    for i, name in enumerate(steps):
        each = [r["steps"][i] for r in runs]
        row = {**each[0], "wall": statistics.median(s["wall"] for s in each),
               "cpu": statistics.median(s["cpu"] for s in each), "rss_mib": max(s["rss_mib"] for s in each)}
        out["steps"].append({**row, "step": name})
    return out


# Through real workers --------------------------------------------------------------------------

def worker_figures(size: str, path: Path) -> dict | None:
    """Import into PostgreSQL, then a run on one worker and one sharded over two (when
    PostgreSQL and Redis answer); None when they do not."""
    env = {**env_for(size), "DJANGO_SETTINGS_MODULE": "kubenet_site.settings.base",
           "CELERY_TASK_SOFT_TIME_LIMIT": "1800", "CELERY_TASK_TIME_LIMIT": "1900"}  # a loaded machine
    if not (env.get("DATABASE_URL", "").startswith("postgres") and env.get("CELERY_BROKER_URL", "").startswith(
            "redis")):
        return None
    manage = [PY, "manage.py"]
    subprocess.run(manage + ["migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, check=True)
    topology = f"bench-{size}-{int(time.time())}"
    t = time.perf_counter()
    proc = subprocess.run(manage + ["kubenet", "import", str(path), "--topology", topology], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    figures: dict = {"import": time.perf_counter() - t}
    if proc.returncode:
        figures["import error"] = proc.stderr.strip().splitlines()[-1:]
        return figures
    for workers in (1, 2):
        procs = [subprocess.Popen([PY, "-m", "celery", "-A", "kubenet_site.celery", "worker", "--pool=solo",
                                   "--loglevel=WARNING", f"--hostname=bench{w}-{os.getpid()}@localhost",
                                   "--without-gossip", "--without-mingle"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                 for w in range(workers)]
        try:
            time.sleep(3)  # the workers connect to the broker
            t = time.perf_counter()
            run = subprocess.run(manage + ["kubenet", "run", "--topology", topology, "--wait",
                                           "--shards", str(workers), "--timeout", "1500"],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
            key = f"run {workers} worker{'s' if workers > 1 else ''}"
            figures[key] = time.perf_counter() - t
            if run.returncode:
                lines = [ln for ln in (run.stdout + run.stderr).splitlines() if "error" in ln.lower()]
                figures[f"{key} error"] = (lines or [f"exit code {run.returncode}"])[-1].strip()[:300]
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
    return figures


# The report ------------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (f"{cpu}, {os.cpu_count()} CPUs visible{mem}{load}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def verdicts(results: dict, startup: float) -> list[tuple[str, float, float, bool]]:
    """(what, figure, target, holds within twice) for every target that was measured."""
    out = []
    for (size, figure), target in TARGETS.items():
        if figure == "cli start-up":
            out.append(("CLI start-up (`kubenet run --local --help`)", startup, target, startup <= 2 * target))
            continue
        if size not in results:
            continue
        r = results[size]
        value = {"total": r["median"]["total"]["wall"], "rss": r["median"]["total"]["rss_mib"]}.get(figure)
        if value is None:
            value = (r.get("workers") or {}).get(figure)
        if value is None:
            continue
        out.append((f"{size} {figure}", value, target, value <= 2 * target))
    return out


def report(results: dict, startup: float, repeat: int, checked: bool) -> str:
    lines = ["# kubenet benchmarks", "",
             "Written by `make bench` (bench/full_check.py); the full check is `kubenet run PATH --local`",
             "(every check kind, in one process). Figures are medians of "
             f"{repeat} runs, each in a fresh process; memory is the peak resident set size.",
             "", f"Machine: {machine()}.", "",
             f"Written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Shared machines are noisy: CPU "
             "seconds are given beside wall seconds.", ""]
    lines += ["## Sizes", "", "| size | namespaces | pods | Services | policies | nodes | YAML |",
              "|---|---:|---:|---:|---:|---:|---:|"]
    for size, r in results.items():
        s = SIZES[size]
        lines.append(f"| {size} | {s.namespaces:,} | {s.pods:,} | {s.services:,} | {s.policies:,} | {s.nodes} | "
                     f"{r['bytes'] / 2**20:.1f} MiB |")
    lines += ["", "## The full check, step by step (wall s / CPU s / peak MiB after the step)", ""]
    sizes = list(results)
    lines.append("| step | " + " | ".join(sizes) + " | largest stored step |")
    lines.append("|---|" + "---:|" * len(sizes) + "---:|")
    names = [s["step"] for s in results[sizes[0]]["median"]["steps"]]
    for i, name in enumerate(names):
        cells = []
        largest = ""
        for size in sizes:
            st = results[size]["median"]["steps"][i]
            cells.append(f"{st['wall']:.2f} / {st['cpu']:.2f} / {st['rss_mib']:.0f}")
            if "largest_step_bytes" in st:
                largest = f"{st['largest_step_bytes'] / 2**20:.1f} MiB ({size})"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {largest} |")
    lines.append("| **whole** | " + " | ".join(
        f"**{results[s]['median']['total']['wall']:.2f}** / {results[s]['median']['total']['cpu']:.2f} / "
        f"{results[s]['median']['total']['rss_mib']:.0f}" for s in sizes) + " | |")
    grown = [s for s in ("small", "medium", "large", "xlarge") if s in results]
    if len(grown) >= 2:
        a, b = grown[0], grown[-1]
        pods = SIZES[b].pods / SIZES[a].pods
        lines += ["", f"## Growth from {a} to {b} (pods x{pods:.0f})", "",
                  "| step | time ratio | complexity |", "|---|---:|---|"]
        for i, name in enumerate(names):
            ta = results[a]["median"]["steps"][i]["cpu"]
            tb = results[b]["median"]["steps"][i]["cpu"]
            ratio = f"x{tb / ta:.0f}" if ta > 0.005 else "-"
            lines.append(f"| {name} | {ratio} | {COMPLEXITY.get(name, '')} |")
    workers = {s: r["workers"] for s, r in results.items() if r.get("workers")}
    if workers:
        lines += ["", "## Through real workers (PostgreSQL + Redis, one run each)", "",
                  "| size | figure | value |", "|---|---|---|"]
        for size, figs in workers.items():
            for k, v in figs.items():
                lines.append(f"| {size} | {k} | {f'{v:.1f} s' if isinstance(v, float) else v} |")
    lines += ["", "## Targets", ""]
    if not checked:
        lines.append("Not checked in this run (`--no-targets`).")
    else:
        lines += ["| figure | measured | target | holds | within twice |", "|---|---:|---:|---|---|"]
        for what, value, target, ok in verdicts(results, startup):
            unit = " MiB" if "rss" in what else " s"
            lines.append(f"| {what} | {value:.2f}{unit} | {target:g}{unit} | {'yes' if value <= target else 'NO'} | "
                         f"{'yes' if ok else 'NO'} |")
    lines += ["", f"CLI start-up (`manage.py kubenet run --local --help`): {startup:.2f} s.", "", NOTES]
    for size, r in results.items():
        lines += [f"<details><summary>{size}: the run's summary</summary>", "", "```",
                  *(f"{k}: {v}" for k, v in r["median"]["summary"].items()), "```", "</details>", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="tiny,small,medium,large", help=f"comma-separated: {', '.join(SIZES)}")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", action="store_true", help="also import and run through real workers")
    ap.add_argument("--worker-sizes", default="medium,large", help="the sizes run through workers")
    ap.add_argument("--no-targets", dest="targets", action="store_false", help="report only (the CI's tiny size)")
    ap.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = ap.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        ap.error(f"unknown size(s) {', '.join(unknown)}")
    results: dict = {}
    for size in sizes:
        path = cluster_file(size, args.seed)
        runs = []
        for n in range(args.repeat):
            runs.append(measure(path, size))
            print(f"{size} run {n + 1}/{args.repeat}: {runs[-1]['total']['wall']:.2f} s, "
                  f"{runs[-1]['total']['rss_mib']:.0f} MiB", flush=True)
        results[size] = {"bytes": path.stat().st_size, "median": medians(runs)}
        if args.workers and size in args.worker_sizes.split(","):
            results[size]["workers"] = worker_figures(size, path)
            print(f"{size} workers: {results[size]['workers']}", flush=True)
    startup = statistics.median(cli_startup(sizes[0]) for _ in range(args.repeat))
    Path(args.output).write_text(report(results, startup, args.repeat, args.targets), encoding="utf-8")
    print(f"wrote {args.output}")
    if not args.targets:
        return 0
    failing = [what for what, _v, _t, ok in verdicts(results, startup) if not ok]
    if failing:
        print("past twice the target: " + ", ".join(failing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

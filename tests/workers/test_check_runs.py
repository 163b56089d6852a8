"""Check runs on real worker processes (Redis, PostgreSQL): results, progress, faults, shards.

Bounds stated here (the workers run with a heartbeat every 0.5 s, a heartbeat timeout of 3 s
and a reaper pass every 1 s; each unit of work sleeps UNIT_DELAY so progress is observable):
- SIGKILL to the pool child: the worker's main process re-delivers the message once it notices
  the loss (reject_on_worker_lost; its pool check runs every 5 s; the reaper waits 20 s here so the
  re-delivery is what is proven); the run resumes and is final within the remaining work +
  CHILD_SLACK seconds of the kill.
- SIGKILL to the worker's main process (its pool child dies with it, pdeathsig): its message
  stays unacknowledged until Redis's visibility timeout, so a worker that is up reaps the run
  after the 3 s heartbeat timeout and re-enqueues it; final within the whole work +
  MAIN_SLACK seconds of the kill.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from checks import kinds, runs, steps, tasks
from checks.dispatch import RUN_TASK, enqueue
from checks.models import CheckRun, CheckRunBlock
from checks.run_command import describe
from checks.snapshot import run_build, run_snapshot, topology_manifests
from kubenet_site.semantics.matrix_result import json_cells
from services.models import Topology

from .conftest import ROOT, WorkerProcess, worker_env

pytestmark = pytest.mark.workers

UNIT_DELAY = 0.12
CHILD_SLACK = 12.0  # Celery notices a lost pool child at its next pool check, every 5 s
MAIN_SLACK = 20.0
FAST_REAP = {"KUBENET_RUN_HEARTBEAT_INTERVAL": "0.5", "KUBENET_RUN_HEARTBEAT_TIMEOUT": "3",
             "KUBENET_RUN_REAP_INTERVAL": "1"}
SLOW = {**FAST_REAP, "KUBENET_CHECK_UNIT_DELAY": str(UNIT_DELAY)}
DEMO = ROOT / "demo" / "demo.yaml"
# The fault tests exercise the machinery on the kinds that are not matrices (whose engine is
# still moving); the first test and the sharded test cover the matrices.
FAULT_KINDS = "endpoints,dns,env,diagnostics"


@pytest.fixture
def demo(transactional_db) -> Topology:
    out = io.StringIO()
    call_command("kubenet", "import", str(DEMO), "--topology", "demo", stdout=out)
    topology = Topology.objects.get(name="demo")
    assert f"is at revision {topology.revision}" in out.getvalue()  # the revision a run will pin
    return topology


@pytest.fixture
def fast_reaper(settings):
    """The test process reaps too (runs.refresh on every poll), with the workers' timeouts."""
    settings.KUBENET_RUN_HEARTBEAT_TIMEOUT = 3.0


@pytest.fixture
def workers(transactional_db, clean_broker, celery_app, tmp_path):
    started: list[WorkerProcess] = []

    def start(env: dict[str, str] | None = None, **kw) -> WorkerProcess:
        proc = WorkerProcess(log_dir=tmp_path, env=env, **kw)
        started.append(proc)
        proc.wait_ready(celery_app)
        return proc

    yield start
    for proc in started:
        proc.stop()


def reference_result(run: CheckRun) -> dict:
    """What a clean, uninterrupted run computes: the same plan, in this process, no worker."""
    built = run_build(run)
    result: dict = {}
    for step in kinds.plan(built, list(run.checks)):
        node = result
        for p in step.path[:-1]:
            node = node.setdefault(p, {})
        node[step.path[-1]] = steps.compute_step(step)[0]
    return json.loads(json.dumps(result))


def step_errors(result: dict, run: CheckRun) -> list[str]:
    def at(key: str):
        node = result
        for p in key.split("/", 1):
            node = node[p]
        return node

    return [lay["key"] for lay in run.plan if steps.step_error(at(lay["key"]))]


def wait_until(run: CheckRun, predicate, timeout: float, what: str) -> CheckRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = runs.refresh(run)
        if predicate(run):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run #{run.pk} not {what} within {timeout}s: {run.status} "
                         f"{run.progress_text()} step={run.step!r}\nlog={run.log}")


def midway(run: CheckRun) -> bool:
    return run.status == "running" and 2 <= run.progress_done <= run.progress_total - 3


def logs(*procs: WorkerProcess) -> str:
    return "\n".join(p.log.read_text()[-3000:] for p in procs)


def test_a_run_completes_with_the_right_results_and_the_cli_shows_progress(workers, demo, tmp_path):
    workers({**FAST_REAP, "KUBENET_CHECK_UNIT_DELAY": "0.03"})
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("kubenet", "run", "--topology", "demo", "--wait", "--timeout", "60", stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:  # the command's exit status when the run failed
        code = exc.code
    text = out.getvalue()
    run = CheckRun.objects.get()
    assert run.checks == list(kinds.CHECK_KINDS)
    expected = reference_result(run)
    broken = step_errors(expected, run)  # the engine raising on a step: the run says so and fails
    if broken:
        assert run.status == "failed" and all(key in run.error for key in broken), run.error
        assert code == 1
        print(f"engine steps failing on the demo: {broken}")
    else:
        assert run.status == "succeeded", run.log
        assert code == 0
    assert run.revision == demo.revision
    assert run.progress_done == run.progress_total > 10
    assert run.attempts == 1 and run.started and run.finished and bool(run.error) == bool(broken)
    assert run.results() == expected
    # The engine's own answers, through the query door, for a few cells.
    assert set(run.results()["endpoints"]) == {s.key for s in run_snapshot(run).services}
    assert {"dns", "env", "routing", "ingress", "policy", "diagnostics"} <= set(run.results())
    summary = dict(run.result["summary"])
    assert summary["services"] == len(expected["endpoints"]) and summary["pods"] == len(expected["env"])
    assert f"  services: {summary['services']}" in text
    # The progress bar moved: several distinct percentages on the way, then the summary.
    bars = [line for line in text.splitlines() if line.startswith("[")]
    percents = {line.split("]")[1].split("%")[0].strip() for line in bars}
    assert len(percents) >= 3, text
    assert bars[-1].startswith("[" + "#" * 30 + "] 100%"), text
    assert f"run #{run.pk} {run.status}: topology demo revision {run.revision}" in text

    # A re-delivered message for a finished run changes nothing.
    finished = run.finished
    assert "final" in enqueue(RUN_TASK, run.pk).get(timeout=30)
    run.refresh_from_db()
    assert (run.attempts, run.finished) == (1, finished)

    # A change to the topology makes the run's results stale, and they say so. (Importing the
    # same manifests again changes nothing, so it no longer makes a revision: add an object.)
    changed = tmp_path / "more.yaml"
    changed.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: more}\n")
    call_command("kubenet", "import", str(changed), "--topology", "demo", stdout=io.StringIO())
    run = CheckRun.objects.select_related("topology").get(pk=run.pk)
    assert run.is_stale
    assert any("stale: the topology is now at revision" in line for line in describe(run))


def test_sigkill_to_the_pool_child_mid_run_resumes_on_redelivery(workers, demo, settings):
    # The reaper waits 20 s here, so what brings the run back is Celery's own re-delivery.
    settings.KUBENET_RUN_HEARTBEAT_TIMEOUT = 20.0
    worker = workers({**SLOW, "KUBENET_RUN_HEARTBEAT_TIMEOUT": "20"})
    run = runs.start_run(demo, FAULT_KINDS)
    run = wait_until(run, midway, 30, "midway")
    pid = int(run.worker.rpartition(":")[2])
    assert Path(f"/proc/{pid}/stat").read_text().split()[3] == str(worker.proc.pid), "not the pool child"
    remaining = (run.progress_total - run.progress_done) * UNIT_DELAY
    killed_at = time.monotonic()
    os.kill(pid, signal.SIGKILL)

    bound = remaining + CHILD_SLACK
    run = wait_until(run, lambda r: r.is_final, bound, f"final within {bound:.1f}s of the kill")
    took = time.monotonic() - killed_at
    assert run.status == "succeeded", (run.error, logs(worker))
    assert run.attempts == 2, run.log
    assert worker.proc.poll() is None, "the worker's main process survives a lost child"
    assert any("resumed" in e["message"] for e in run.log), run.log
    assert not any("re-enqueued" in e["message"] for e in run.log), run.log  # not the reaper
    assert "WorkerLostError" in worker.log.read_text()
    assert run.progress_done == run.progress_total
    assert run.results() == reference_result(run)
    print(f"pool child killed: final {took:.1f}s later (bound {bound:.1f}s)")


def test_sigkill_to_the_worker_main_process_mid_run_is_reaped_and_finished(workers, demo, fast_reaper):
    first = workers(SLOW)
    run = runs.start_run(demo, FAULT_KINDS)
    run = wait_until(run, midway, 30, "midway")
    killed_at = time.monotonic()
    os.kill(first.proc.pid, signal.SIGKILL)
    first.proc.wait(timeout=5)
    second = workers(SLOW)  # the replacement (docker restarts it; here the test does)

    bound = run.progress_total * UNIT_DELAY + MAIN_SLACK
    run = wait_until(run, lambda r: r.is_final, bound, f"final within {bound:.1f}s of the kill")
    took = time.monotonic() - killed_at
    assert run.status == "succeeded", (run.error, logs(first, second))
    assert run.attempts == 2, run.log
    assert any("re-enqueued" in e["message"] for e in run.log), run.log
    assert run.progress_done == run.progress_total
    assert run.results() == reference_result(run)
    print(f"worker main process killed: final {took:.1f}s later (bound {bound:.1f}s)")


@pytest.fixture
def silent_server():
    """A TCP server that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.parametrize("broker", ["refused", "hung"], ids=["nothing listens", "accepts, never answers"])
def test_starting_a_run_with_the_broker_down_fails_at_once_and_leaves_no_run(demo, broker, request):
    port = 1 if broker == "refused" else request.getfixturevalue("silent_server")
    env = {**worker_env(), "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "manage.py", "kubenet", "run", "--topology", "demo", "--wait"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode != 0
    assert "cannot start a check run on demo" in proc.stderr
    assert "the task queue is unavailable" in proc.stderr and "nothing was started" in proc.stderr
    assert elapsed < 20, f"took {elapsed:.1f}s"
    assert not CheckRun.objects.exists(), "a half-made run was left behind"


def test_a_sharded_run_splits_across_two_workers_and_equals_the_single_run(workers, demo):
    pytest.importorskip("kubenet_site.semantics.matrix_service")
    env = {**FAST_REAP, "KUBENET_CHECK_UNIT_DELAY": "0.3"}
    a, b = workers(env), workers(env)
    single = runs.start_run(demo, "dns,env,routing,policy")
    sharded = runs.start_run(demo, "dns,env,routing,policy", shards=3)
    for run in (single, sharded):
        run = wait_until(run, lambda r: r.is_final, 90, "final")
        assert run.status == "succeeded", (run.error, logs(a, b))
    single.refresh_from_db()
    sharded.refresh_from_db()
    blocks = CheckRunBlock.objects.filter(run=sharded)
    assert blocks.count() == 3 * len(sharded.plan) >= 2
    assert all(s["blocks"] == 3 for s in sharded.plan)
    processes = {blk.worker for blk in blocks}
    assert len(processes) >= 2, processes
    # matrices by rows, env by units, DNS by classes into one answer table (checks.dns_results)
    assert {lay["merge"] for lay in sharded.plan} == {"rows", "units", "dns"}
    assert outcomes(sharded.results()) == outcomes(single.results())
    assert sharded.results() == single.results()  # verdicts, traces and numbering too
    assert sharded.result == single.result  # the summaries


def outcomes(result: dict) -> dict:
    """Each matrix's cells as outcome strings (rows x columns, by id)."""
    out = {}
    for kind, matrices in result.items():
        if kind not in kinds.matrix_kinds():
            continue
        for name, m in matrices.items():
            cells = json_cells(m)
            out[(kind, name)] = {(row["id"], col["id"]): m["verdicts"][str(cells[r][c])]["outcome"]
                                 for r, row in enumerate(m["rows"]) for c, col in enumerate(m["columns"])}
    return out


def test_soft_time_limit_fails_the_run_with_a_clear_error(workers, demo, monkeypatch):
    # The limits travel in the message (its `timelimit` header), set by whoever starts the run.
    monkeypatch.setattr(tasks.run_checks, "soft_time_limit", 1)
    monkeypatch.setattr(tasks.run_checks, "time_limit", 20)
    monkeypatch.setattr(tasks.run_checks, "_exec_options", None)  # Celery caches them per task
    workers({**FAST_REAP, "KUBENET_CHECK_UNIT_DELAY": "0.3"})
    run = runs.start_run(demo, "endpoints,env")
    run = wait_until(run, lambda r: r.is_final, 20, "final")
    assert run.status == "failed"
    assert "soft time limit exceeded" in run.error
    assert 0 < run.progress_done < run.progress_total


def test_embedded_mode_runs_checks_on_the_filesystem_transport_and_sqlite(tmp_path):
    """`make run` without PostgreSQL or Redis: SQLite and kombu's filesystem transport in the
    var folder, a `--pool=solo` worker beside the CLI, exactly as the Makefile starts it."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")}
    env.update({"DJANGO_SETTINGS_MODULE": "kubenet_site.settings.base", "KUBENET_VAR_DIR": str(tmp_path),
                "PYTHONUNBUFFERED": "1"})

    def manage(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=timeout)

    assert manage("migrate", "--noinput").returncode == 0
    assert manage("kubenet", "import", str(DEMO), "--topology", "demo").returncode == 0
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "kubenet_site.celery", "worker", "--pool=solo",
                               "--loglevel=INFO"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        proc = manage("kubenet", "run", "--topology", "demo", "--checks", "endpoints,dns,diagnostics", "--wait",
                      "--json", "--timeout", "90")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
    assert proc.returncode == 0, (proc.stdout, proc.stderr, (tmp_path / "worker.log").read_text()[-3000:])
    assert (tmp_path / "kubenet.sqlite3").exists()
    done = json.loads(proc.stdout)
    assert done["status"] == "succeeded" and done["stale"] is False
    assert done["progress"]["done"] == done["progress"]["total"] > 0
    assert set(done["result"]) == {"endpoints", "dns", "diagnostics"}
    assert "[" + "#" * 30 + "] 100%" in proc.stderr  # the progress bar, on stderr beside --json


def test_hard_time_limit_kills_the_task_and_fails_the_run(workers, demo, monkeypatch):
    monkeypatch.setattr(tasks.run_checks, "soft_time_limit", None)
    monkeypatch.setattr(tasks.run_checks, "time_limit", 1)
    monkeypatch.setattr(tasks.run_checks, "_exec_options", None)
    worker = workers({**FAST_REAP, "KUBENET_CHECK_UNIT_DELAY": "0.3", "CELERY_TASK_SOFT_TIME_LIMIT": "0"})
    run = runs.start_run(demo, "endpoints,env")
    run = wait_until(run, lambda r: r.is_final, 20, "final")
    assert run.status == "failed", (run.log, logs(worker))
    assert "hard time limit exceeded" in run.error
    assert run.attempts == 1  # a killed-for-time task is not re-delivered


def test_the_admin_starts_runs_from_topologies_and_shows_them(workers, demo, client, django_user_model):
    workers(FAST_REAP)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    response = client.post("/admin/services/topology/", {"action": "run_checks", "_selected_action": [demo.pk]},
                           follow=True)
    assert response.status_code == 200
    run = CheckRun.objects.get()
    assert f"Check run #{run.pk} of demo queued on revision {demo.revision}" in response.content.decode()
    assert run.requested_by == admin
    run = wait_until(run, lambda r: r.is_final, 60, "final")
    assert run.status == ("failed" if step_errors(reference_result(run), run) else "succeeded"), run.error
    listing = client.get("/admin/checks/checkrun/").content.decode()
    assert run.status in listing and f"{run.progress_total}/{run.progress_total}" in listing
    page = client.get(f"/admin/checks/checkrun/{run.pk}/change/").content.decode()
    assert "started on" in page and "routing/ClusterIP" in page and "services: " in page


def test_a_duplicate_delivery_while_the_run_is_worked_does_nothing(workers, demo, fast_reaper):
    workers(SLOW, concurrency=2)  # two pool children: the duplicate lands beside the original
    run = runs.start_run(demo, "endpoints,env")
    run = wait_until(run, midway, 30, "midway")
    duplicate = enqueue(RUN_TASK, run.pk).get(timeout=30)
    assert duplicate == f"run {run.pk} is held by another live process"
    run = wait_until(run, lambda r: r.is_final, 30, "final")
    assert (run.status, run.attempts) == ("succeeded", 1)
    assert run.results() == reference_result(run)


def test_the_reaper_gives_up_on_a_run_whose_workers_keep_dying(demo, fast_reaper, settings):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(seconds=10)
    run = CheckRun.objects.create(topology=demo, revision=demo.revision, checks=["endpoints"],
                                  status="running", attempts=settings.KUBENET_RUN_MAX_ATTEMPTS, heartbeat=old,
                                  worker="elsewhere:1")
    assert runs.reap() == [run.pk]
    run.refresh_from_db()
    assert run.status == "failed" and f"lost {settings.KUBENET_RUN_MAX_ATTEMPTS} times" in run.error
    fresh = CheckRun.objects.create(topology=demo, revision=demo.revision, checks=["endpoints"],
                                    status="running", attempts=1, heartbeat=timezone.now(), worker="elsewhere:1")
    assert runs.reap() == []  # a recent heartbeat: still alive as far as anyone can tell
    fresh.refresh_from_db()
    assert fresh.status == "running"


def test_a_step_the_engine_cannot_compute_is_recorded_and_the_others_still_run():
    def boom():
        raise ZeroDivisionError("division by zero")

    ok = steps.Step(("a",), "a", [steps.Unit("x", lambda: 1), steps.Unit("y", lambda: 2)])
    bad = steps.Step(("b",), "b", [steps.Unit("x", lambda: 1), steps.Unit("y", boom)])
    assert steps.compute_step(ok) == ({"x": 1, "y": 2}, "")
    value, trace = steps.compute_step(bad)
    assert value == {"error": "ZeroDivisionError: division by zero"} and "Traceback" in trace
    assert steps.step_error(value) == "ZeroDivisionError: division by zero"
    assert steps.step_error({"x": 1}) is None


def test_large_topologies_are_sharded_by_default(demo, settings):
    snap = run_snapshot(CheckRun(input={"cluster": demo.cluster_document(),
                                             "manifests": topology_manifests(demo)}))
    assert kinds.auto_shards(snap) == 1
    settings.KUBENET_SHARD_PODS = 4
    assert kinds.auto_shards(snap) == len(snap.pods) // 4 >= 2


def test_the_admin_action_reports_a_broker_down_and_no_run_is_left(demo, client, django_user_model, monkeypatch):
    def down(name, *args, **kwargs):
        raise runs.BrokerUnavailable("the task queue is unavailable (test); nothing was started.")

    monkeypatch.setattr(runs, "enqueue", down)  # after the row is inserted, inside its transaction
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    response = client.post("/admin/services/topology/", {"action": "run_checks", "_selected_action": [demo.pk]},
                           follow=True)
    assert "Cannot start checks on demo: the task queue is unavailable" in response.content.decode()
    assert not CheckRun.objects.exists()

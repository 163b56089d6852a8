"""`kubenet run PATH... --local`: every check kind computed in this process over files, with no
database and no broker: the same summary and results a worker stores for the same cluster."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checks import execution, kinds, runs
from checks.dns_results import names_of
from checks.local_run import local_run, read_cluster
from checks.models import CheckRun
from checks.snapshot import topology_manifests
from services.models import Topology

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "demo" / "demo.yaml"


def run_local(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("kubenet", "run", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_local_equals_a_run_stored_by_the_worker_on_the_demo():
    """The worker's own code path (execution.work) over the imported demo, against --local over
    the same file: the same summary, the same failed steps and every step's stored value."""
    call_command("kubenet", "import", str(DEMO), "--topology", "demo", stdout=io.StringIO())
    top = Topology.objects.get(name="demo")
    run = CheckRun.objects.create(topology=top, revision=top.revision, checks=list(kinds.CHECK_KINDS),
                                  options={"shards": 1}, input={"cluster": top.cluster_document(),
                                                                "manifests": topology_manifests(top)})
    execution.work(runs.claim(run.pk))
    run.refresh_from_db()
    assert run.status == CheckRun.Status.SUCCEEDED, run.error
    local = local_run([str(DEMO)])
    assert local["status"] == "succeeded" and local["failed"] == run.result["failed"] == []
    assert local["summary"] == dict(run.result["summary"])
    assert local["result"] == json.loads(json.dumps(run.results()))
    assert local["checks"] == run.checks


def test_the_command_prints_the_summary_and_json_without_a_database():
    """No django_db mark: pytest-django fails any query, so this passing is the proof."""
    code, out, _ = run_local(str(DEMO), "--local")
    assert code == 0
    assert out.startswith("local run succeeded: 1 path(s), checks endpoints, dns")
    assert "  services: 9" in out.splitlines()
    code, out, _ = run_local(str(DEMO), "--local", "--json", "--checks", "endpoints,policy")
    doc = json.loads(out)
    assert code == 0 and doc["checks"] == ["endpoints", "policy"] and doc["status"] == "succeeded"
    assert set(doc["result"]) == {"endpoints", "policy"}
    assert "80/TCP" in doc["result"]["policy"] and "shop/api" in doc["result"]["endpoints"]


def test_cluster_file_changes_the_answers(tmp_path):
    """--cluster FILE: the block itself or a document with a `cluster:` key, read alike."""
    block = tmp_path / "cluster.yaml"
    block.write_text("domain: example.internal\n")
    wrapped = tmp_path / "doc.yaml"
    wrapped.write_text("cluster:\n  domain: example.internal\n")
    assert read_cluster(str(block)) == read_cluster(str(wrapped)) != read_cluster(None)
    code, out, _ = run_local(str(DEMO), "--local", "--json", "--checks", "dns", "--cluster", str(block))
    names = [n for c in names_of(json.loads(out)["result"]["dns"]).values() for n in c]
    assert code == 0 and names and all("cluster.local" not in n for n in names)
    assert any(n.endswith(".example.internal.") for n in names)


@pytest.mark.parametrize(("args", "message"), [
    pytest.param([str(DEMO)], "PATH... needs --local", id="paths without --local"),
    pytest.param(["--local"], "--local needs PATH", id="--local without paths"),
    pytest.param([str(DEMO), "--local", "--topology", "demo"], "not --topology", id="both"),
    pytest.param([str(DEMO), "--local", "--checks", "dns,nope"], "unknown check kind(s) nope", id="unknown kind"),
    pytest.param(["/nonexistent.yaml", "--local"], "no such file or directory", id="a missing path"),
    pytest.param([str(DEMO), "--local", "--cluster", "/nonexistent.yaml"], "--cluster /nonexistent.yaml",
                 id="a missing cluster file"),
])
def test_usage_errors_exit_2(args, message):
    with pytest.raises(CommandError) as err:
        run_local(*args)
    assert err.value.returncode == 2 and message in str(err.value)


def test_a_real_process_with_an_unreachable_database_and_broker(tmp_path):
    env = {**os.environ, "DATABASE_URL": "postgres://kubenet@127.0.0.1:9/nowhere",
           "CELERY_BROKER_URL": "redis://127.0.0.1:9/0", "DJANGO_SETTINGS_MODULE": "kubenet_site.settings.test"}
    proc = subprocess.run([sys.executable, "manage.py", "kubenet", "run", str(DEMO), "--local", "--json"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["summary"]["services"] == 9


def test_the_dns_step_is_stored_small_and_reads_back_name_by_name():
    """dns_results: one answer table for every class; names_of gives each class's names."""
    from kubenet_site.semantics import dns
    from kubenet_site.semantics.dnsnames import service_name_forms
    from kubenet_site.semantics.manifests import build_snapshot, load_documents

    snap = build_snapshot(load_documents(DEMO.read_text())).snapshot
    value = local_run([str(DEMO)], "dns")["result"]["dns"]
    assert value["encoding"] == "forms" and len(value["answers"]) < sum(1 for _ in value["classes"]) * 30
    for rep, names in names_of(value).items():
        pod = snap.pod(rep)
        forms = service_name_forms(snap, pod.namespace)
        assert list(names) == forms
        for name, kept in zip(forms, dns.brief_answers(snap, pod, forms), strict=True):
            assert names[name] == {"rcode": kept.get("rcode"), "fqdn": kept.get("fqdn"),
                                   "answers": kept.get("answers", []), **({"error": kept["error"]}
                                                                          if "error" in kept else {})}

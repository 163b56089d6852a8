"""`kubenet diff OLD NEW`: sides from directories, stored topologies and check runs; text and
JSON; exit codes; and the diff of two check runs (checks/run_diff.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from checks import diff_command, run_diff
from checks.check_command import CheckUsageError
from kubenet_site.semantics import diff as d
from kubenet_site.semantics import matrix
from services.queries import TopologyNotFound
from tests.semantics import diff_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]
DENY = fx.with_deny_web()[-1]

# Exactly the cells the policy `web-only-client` changes in the base cluster: only shop/client
# may still reach web's pods; each node still reaches the web pod on itself (partial), so do
# web's own pods (each reaches itself); the Ingress controller no longer reaches web.
CLOSED = {
    ("clusterip", "ingress-nginx/ingress-nginx", "svc:shop/web:80/TCP", "blocked"),
    ("clusterip", "shop/api", "svc:shop/web:80/TCP", "blocked"),
    ("clusterip", "shop/web", "svc:shop/web:80/TCP", "partial"),
    ("clusterip", "node:node-a", "svc:shop/web:80/TCP", "partial"),
    ("clusterip", "node:node-b", "svc:shop/web:80/TCP", "partial"),
    *{("ingress", row, "ingress:shop.example.com/app", "blocked")
      for row in ("ingress-nginx/ingress-nginx", "shop/api", "shop/client", "shop/web", "node:node-a", "node:node-b")},
    *{("pods", row, "shop/web", "blocked") for row in ("ingress-nginx/ingress-nginx", "shop/api", "shop/web")},
}


def write(root: Path, objs: list[dict]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cluster.yaml").write_text(yaml.safe_dump_all(objs, sort_keys=False))
    return root


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    old = write(tmp_path / "old", fx.base())
    new = write(tmp_path / "new", fx.base())
    (new / "policy.yaml").write_text(yaml.safe_dump(DENY))
    return old, new


def run_diff_cli(*args: str, **kw) -> tuple[int, str]:
    out = io.StringIO()
    code = diff_command.cmd_diff(out, io.StringIO(), old=args[0], new=args[1], **kw)
    return code, out.getvalue()


def test_one_network_policy_prints_exactly_its_cells_and_fails_on_change(dirs):
    old, new = map(str, dirs)
    code, text = run_diff_cli(old, new, format="json", fail_on_change=True)
    doc = json.loads(text)
    assert code == 1
    got = {(c["type"], c["row"], c["column"], c["after"]) for c in doc["cells"]}
    assert got == CLOSED
    assert {c["before"] for c in doc["cells"]} == {"reachable"}
    assert {(c["port"], c["protocol"]) for c in doc["cells"] if c["type"] == "pods"} == {(80, "TCP"), (8080, "TCP")}
    assert len(doc["cells"]) == len(CLOSED) + 3  # the pod cells, once per declared port (80 and 8080)
    assert doc["endpoints"] == doc["dns"] == doc["routes"] == []
    assert doc["findings"] == {"added": [], "removed": []}

    code, text = run_diff_cli(old, new)
    assert code == 0  # without --fail-on-change a difference is no failure
    assert "newly closed paths (17 cells):" in text and "newly opened" not in text
    assert "shop/web-only-client" in text
    assert text.rstrip().splitlines()[-1] == "summary: 17 newly closed paths"
    assert sum(1 for line in text.splitlines() if line.startswith("    from ")) == 17


def test_identical_inputs_exit_0(dirs):
    old, _ = dirs
    code, text = run_diff_cli(str(old), str(old), fail_on_change=True)
    assert code == 0
    assert "no difference" in text
    code, text = run_diff_cli(str(old), str(old / "cluster.yaml"), format="json", fail_on_change=True)
    assert code == 0 and json.loads(text)["cells"] == []


def test_the_command_exits_1_and_2_and_needs_no_database(dirs, tmp_path):
    """A real process with a dead DATABASE_URL: PATH sides never touch the database."""
    old, new = map(str, dirs)
    env = {**os.environ, "DATABASE_URL": "postgres://kubenet@127.0.0.1:9/nowhere",
           "DJANGO_SETTINGS_MODULE": "kubenet_site.settings.test"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", "kubenet", "diff", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    changed = run(old, new, "--fail-on-change")
    assert changed.returncode == 1, changed.stderr
    assert "newly closed paths" in changed.stdout
    same = run(old, old, "--fail-on-change")
    assert same.returncode == 0, same.stderr
    assert run(old, str(tmp_path / "missing")).returncode == 2
    assert run(old).returncode == 2


@pytest.mark.parametrize("kw, message", [
    pytest.param({"new": "/nonexistent/dir"}, "no such file or directory", id="missing path"),
    pytest.param({"format": "yaml"}, "--format", id="bad format"),
    pytest.param({"new": "run:twelve"}, "by its number", id="run without a number"),
    pytest.param({"new": "topology:"}, "topology:NAME", id="topology without a name"),
])
def test_bad_arguments_exit_2(dirs, kw, message):
    old, new = map(str, dirs)
    args = {"old": old, "new": new, **kw}
    with pytest.raises(CheckUsageError) as err:
        diff_command.cmd_diff(io.StringIO(), io.StringIO(), **args)
    assert err.value.code == 2 and message in str(err.value)


@pytest.mark.parametrize("content, message", [
    pytest.param("serviceCIDR: not-a-cidr\n", "cluster.serviceCIDR", id="bad field"),
    pytest.param("- a list\n", "must hold a mapping", id="not a mapping"),
])
def test_a_bad_cluster_file_exits_2(dirs, tmp_path, content, message):
    old, new = map(str, dirs)
    bad = tmp_path / "cluster-block.yaml"
    bad.write_text(content)
    with pytest.raises(CheckUsageError) as err:
        diff_command.cmd_diff(io.StringIO(), io.StringIO(), old=old, new=new, cluster=str(bad))
    assert err.value.code == 2 and message in str(err.value)


def test_the_cluster_file_applies_to_path_sides(dirs, tmp_path):
    old, _ = dirs
    block = tmp_path / "cluster-block.yaml"
    block.write_text(yaml.safe_dump({"cluster": {"domain": "corp.example"}}))
    assert diff_command.read_cluster(str(block)) == {"domain": "corp.example"}
    side = diff_command.load_side(str(old), {"domain": "corp.example"})
    assert side.snapshot.cluster.domain == "corp.example"


@pytest.mark.django_db
def test_topology_and_run_sides(dirs):
    from checks.models import CheckRun
    from checks.operations import create_topology, import_manifests
    from checks.snapshot import topology_manifests
    from services.models import Team

    old, new = map(str, dirs)
    team = Team.objects.create(name="blue")
    top = create_topology(team, "shop", bootstrap=False)
    import_manifests(top, fx.base())
    assert run_diff_cli("topology:blue/shop", old, fail_on_change=True)[0] == 0
    code, text = run_diff_cli("topology:shop", new, format="json", fail_on_change=True)
    assert code == 1 and {(c["type"], c["row"], c["column"], c["after"]) for c in json.loads(text)["cells"]} == CLOSED

    pinned = {"cluster": top.cluster_document(), "manifests": topology_manifests(top)}
    run = CheckRun.objects.create(topology=top, revision=top.revision, checks=["policy"], input=pinned)
    assert run_diff_cli(f"run:{run.pk}", "topology:blue/shop", fail_on_change=True)[0] == 0
    with pytest.raises(CheckUsageError, match="run #999999 not found"):
        run_diff_cli("run:999999", old)
    with pytest.raises(TopologyNotFound, match='topology "nope" not found'):
        run_diff_cli("topology:nope", old)
    with pytest.raises(CommandError, match='topology "nope" not found') as err:
        call_command("kubenet", "diff", "topology:nope", old)
    assert err.value.returncode == 2


@pytest.mark.django_db
def test_the_diff_of_two_runs_uses_their_stored_matrices():
    from checks.models import CheckRun, CheckRunStep
    from checks.operations import create_topology
    from kubenet_site.semantics.manifests import build_snapshot
    from services.models import Team

    top = create_topology(Team.objects.create(name="default"), "shop", bootstrap=False)
    a = CheckRun.objects.create(topology=top, revision=1, checks=["ingress"],
                                input={"cluster": None, "manifests": fx.base()})
    b = CheckRun.objects.create(topology=top, revision=2, checks=["ingress"],
                                input={"cluster": None, "manifests": fx.with_deny_web()})
    computed = run_diff.diff_runs(a, b)
    assert {(c["type"], c["row"], c["column"], c["after"]) for c in computed["cells"]} == CLOSED

    # Run a stored its Ingress matrix: the diff takes it as stored (here doctored: every cell
    # blocked) rather than computing it again.
    snap = build_snapshot(fx.base(), None).snapshot
    m = matrix.canonical(matrix.service_matrix(snap, "ingress", protocol=None))
    value = matrix.matrix_json(m)
    value["verdicts"] = {k: {**v, "outcome": "blocked"} for k, v in value["verdicts"].items()}
    CheckRunStep.objects.create(run=a, key="ingress", value=value)
    stored = run_diff.diff_runs(a, b)
    assert not [c for c in stored["cells"] if c["type"] == "ingress"]  # blocked before and after
    assert [c for c in stored["cells"] if c["type"] != "ingress"] == \
        [c for c in computed["cells"] if c["type"] != "ingress"]
    assert run_diff.diff_runs(a, a)["cells"] == []


def test_call_command_wiring(dirs):
    old, new = map(str, dirs)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("kubenet", "diff", old, new, "--fail-on-change", "--format", "json", stdout=out)
    assert exit_.value.code == 1
    assert len(json.loads(out.getvalue())["cells"]) == 17


ASSERTION = {"apiVersion": "kubenet.io/v1alpha1", "kind": "ConnectivityAssertion",
             "metadata": {"name": "api-reaches-web"},
             "spec": {"query": {"kind": "connect", "from": "shop/api-1", "to": "svc:shop/web:80", "port": 80},
                      "expect": {"verdict": "allowed"}}}


def test_assertions_broken_and_fixed_and_findings_removed(dirs, tmp_path):
    old, new = dirs
    for root in dirs:
        (root / "assertions.yaml").write_text(yaml.safe_dump(ASSERTION))
    code, text = run_diff_cli(str(old), str(new), format="json")
    doc = json.loads(text)
    assert doc["assertions"] == {"broken": [{"name": "api-reaches-web", "before": "allowed", "after": "blocked",
                                             "message": 'verdict: expected "allowed", got "blocked"'}],
                                 "fixed": []}
    back = json.loads(run_diff_cli(str(new), str(old), format="json")[1])
    assert [a["name"] for a in back["assertions"]["fixed"]] == ["api-reaches-web"]
    assert back["assertions"]["broken"] == []
    assert {d.direction(c["before"], c["after"]) for c in back["cells"]} == {"opened"}

    typo = write(tmp_path / "typo", fx.with_selector_typo())
    fixed = json.loads(run_diff_cli(str(typo), str(old), format="json")[1])
    assert [f["code"] for f in fixed["findings"]["removed"]] == ["selector-matches-nothing"]
    text = run_diff_cli(str(typo), str(old))[1]
    assert "findings removed (1):" in text and "endpoints changed (1):" in text and "routes changed (2):" in text


@pytest.mark.django_db
def test_a_run_with_every_matrix_stored_diffs_as_computing_does():
    """Every matrix step a run stores (routing per Service type, ingress, policy per port) is
    read back under the engine's key and gives the diff computed from the pinned objects."""
    from checks import kinds, steps
    from checks.models import CheckRun, CheckRunStep
    from checks.operations import create_topology
    from kubenet_site.semantics.manifests import build_snapshot
    from services.models import Team

    top = create_topology(Team.objects.create(name="default"), "shop", bootstrap=False)
    a = CheckRun.objects.create(topology=top, revision=1, checks=["routing", "ingress", "policy"],
                                input={"cluster": None, "manifests": fx.base()})
    b = CheckRun.objects.create(topology=top, revision=2, checks=[], input={"cluster": None,
                                                                            "manifests": fx.with_deny_web()})
    computed = run_diff.diff_runs(a, b)
    snap = build_snapshot(fx.base(), None).snapshot
    for step in kinds.plan(snap, ["routing", "ingress", "policy"]):
        value, _ = steps.compute_step(step)
        CheckRunStep.objects.create(run=a, key=step.key, value=value)
    stored = run_diff.stored_matrices(a)
    assert sorted(stored) == sorted([*d.SERVICE_KINDS, d.INGRESS, "pods/80/TCP", "pods/8080/TCP"])
    assert run_diff.diff_runs(a, b) == computed

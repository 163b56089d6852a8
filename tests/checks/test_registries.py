"""A new check kind is one entry of checks.kinds.CHECK_KINDS, a new subcommand one entry of
checks.commands.SUBCOMMANDS: nothing else needs to know of it."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from checks import commands, kinds
from checks.steps import Step, Unit
from kubenet_site.semantics.manifests import build_snapshot, load_documents

POD = """\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: default}
spec: {containers: [{name: c, image: x}]}
"""


def count_pods(snap):
    return [Step(("pods-count",), "counting pods", [Unit("", lambda: len(snap.pods))])]


@pytest.fixture
def pods_count(monkeypatch):
    entry = kinds.CheckKind("pods-count", "how many pods", count_pods, lambda key, value: {"pods counted": value})
    monkeypatch.setitem(kinds.CHECK_KINDS, entry.name, entry)
    return entry


def test_a_check_kind_is_one_entry(pods_count):
    snap = build_snapshot(load_documents(POD), None).snapshot
    assert kinds.parse_kinds("pods-count,endpoints") == ["endpoints", "pods-count"]  # registry order
    assert kinds.parse_kinds(None)[-1] == "pods-count"
    steps = kinds.plan(snap, ["pods-count"])
    assert [s.key for s in steps] == ["pods-count"]
    assert kinds.summarize([("pods-count", 1)]) == ([["pods counted", 1]], [])
    assert kinds.summarize([("pods-count", {"error": "boom"})]) == (
        [["pods-count failed", "boom"]], ["pods-count: boom"])
    assert "pods-count" not in kinds.matrix_kinds()


def test_the_run_help_lists_the_registry(pods_count):
    parser = commands.argparse.ArgumentParser()
    commands.args_run(parser)
    help_text = parser.format_help().replace("\n", " ")
    assert "endpoints,dns,env,routing,ingress,policy,diagnostics,assertions,pods-count" in help_text.replace(" ", "")


def test_an_unknown_kind_names_the_known_ones():
    with pytest.raises(kinds.UnknownCheck, match="unknown check kind.s. nope .known: endpoints, dns"):
        kinds.parse_kinds("nope")


def test_a_subcommand_is_one_entry(monkeypatch):
    def add_arguments(parser):
        parser.add_argument("--name", default="world")

    def hello(stdout, stderr, *, name: str, **_):
        stdout.write(f"hello {name}\n")
        return 0

    monkeypatch.setitem(commands.SUBCOMMANDS, "hello", commands.Subcommand(add_arguments, hello, "say hello"))
    out = io.StringIO()
    call_command("kubenet", "hello", "--name", "kubenet", stdout=out)
    assert out.getvalue() == "hello kubenet\n"


@pytest.mark.django_db
@pytest.mark.parametrize("args", [
    pytest.param(["export", "--topology", "nope"], id="export"),
    pytest.param(["get", "svc", "-A", "--topology", "nope"], id="get"),
    pytest.param(["check", "--topology", "nope"], id="check"),
    pytest.param(["matrix", "--topology", "nope", "--type", "clusterip"], id="matrix"),
    pytest.param(["run", "--topology", "nope"], id="run"),
    pytest.param(["export", "--topology", "nope", "--team", "blue"], id="export --team"),
])
def test_every_command_naming_a_topology_has_one_error(args):
    with pytest.raises(CommandError) as err:
        call_command("kubenet", *args, stdout=io.StringIO(), stderr=io.StringIO())
    assert err.value.returncode == 2
    assert str(err.value).startswith('topology "nope" not found')
    assert ('in team "blue"' in str(err.value)) is ("--team" in args)

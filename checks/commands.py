"""The `kubenet` command's subcommands: ONE table, `SUBCOMMANDS`, name -> Subcommand.

Each entry names the function that declares its arguments, the handler (stdout, stderr,
**options) -> exit code, and its help; the management command builds its parser and
dispatches from this table alone. Adding a subcommand is adding an entry.

Every subcommand that names a topology takes `--topology NAME` and `--team TEAM`
(interfaces.md "Command line") and looks it up through services.queries.get_topology, whose
one error, TopologyNotFound, ends the command with exit code 2 (bad arguments).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from .check_command import cmd_check
from .diff_command import FORMATS as DIFF_FORMATS
from .diff_command import cmd_diff
from .kinds import CHECK_KINDS
from .local_run import cmd_run_local
from .matrix_command import TYPES as MATRIX_TYPES
from .matrix_command import cmd_matrix
from .query_command import cmd_query

Parser = argparse.ArgumentParser

# Errors a handler raises for bad input, each carrying its exit code in `code`: "module:Class"
# (the modules that need Django are imported only by the handlers that use them, so the PATH
# commands run without it: checks.path_cli).
USAGE_ERRORS = ("checks.query_command:UsageError", "checks.run_command:RunError",
                "checks.check_command:CheckUsageError")
TOPOLOGY_NOT_FOUND = "services.queries:TopologyNotFound"
TOPOLOGY_NOT_FOUND_CODE = 2


def lazy(target: str) -> Callable[..., int]:
    """A handler named "module:function" (relative to this package), imported on first call."""
    module, _, name = target.partition(":")

    def handler(*args: Any, **kwargs: Any) -> int:
        return getattr(importlib.import_module(module, __package__), name)(*args, **kwargs)

    handler.__name__ = name
    return handler


def loaded(targets: tuple[str, ...]) -> tuple[type[BaseException], ...]:
    """The classes named "module:Class" whose module is imported (one not imported cannot
    have raised)."""
    out = []
    for target in targets:
        module, _, name = target.partition(":")
        if module in sys.modules:
            out.append(getattr(sys.modules[module], name))
    return tuple(out)


def cmd_run(stdout: IO, stderr: IO, **options: Any) -> int:
    """`run PATH... --local` here, with no database (checks.local_run); the rest on the workers."""
    if options.get("local") or options.get("paths"):
        return cmd_run_local(stdout, stderr, **options)
    return lazy(".run_command:cmd_run")(stdout, stderr, **options)


@dataclass(frozen=True)
class Subcommand:
    add_arguments: Callable[[Parser], None]
    handler: Callable[..., int]
    help: str


def topology_arguments(p: Parser, *, required: bool, team_default: str | None = None) -> None:
    p.add_argument("--topology", required=required)
    p.add_argument("--team", default=team_default,
                   help="the topology's team (needed when two teams use the same name)"
                        + (f"; default {team_default}" if team_default else ""))


def args_query(p: Parser) -> None:
    p.add_argument("file")


def args_import(p: Parser) -> None:
    p.add_argument("paths", nargs="+")
    topology_arguments(p, required=True, team_default="default")


def args_export(p: Parser) -> None:
    topology_arguments(p, required=True)
    p.add_argument("--include-generated", action="store_true",
                   help="also print the objects the workloads' controllers generate (interfaces.md)")


def args_get(p: Parser) -> None:
    p.add_argument("resource", choices=["svc", "service", "services", "po", "pod", "pods", "ing", "ingress",
                                        "ingresses", "netpol", "networkpolicy", "networkpolicies"])
    p.add_argument("-A", "--all-namespaces", action="store_true")
    p.add_argument("-n", "--namespace", default=None)
    p.add_argument("-o", "--output", default="", choices=["", "wide", "yaml", "json"])
    topology_arguments(p, required=True)


def args_check(p: Parser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="manifest files or directories (*.yaml, *.yml, *.json, recursively); - is stdin")
    p.add_argument("--topology", help="check a stored topology instead of files")
    p.add_argument("--team", help="the topology's team (needed when two teams use the same name)")
    p.add_argument("--format", default="text", choices=["text", "json", "junit", "sarif"])
    p.add_argument("--fail-on", dest="fail_on", default="error", choices=["error", "warning", "never"])
    p.add_argument("--cluster", metavar="FILE", help="YAML file holding the query document's cluster block "
                                                     "(PATH mode)")


def args_matrix(p: Parser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="manifest files or directories, instead of --topology")
    topology_arguments(p, required=False)
    p.add_argument("--type", required=True, choices=list(MATRIX_TYPES))
    p.add_argument("--port", help="only this Service port (for --type pods: the port, a number or a name; "
                                  "required)")
    p.add_argument("--protocol", help="only this protocol (default: every protocol; TCP for --type pods)")
    p.add_argument("--format", default="text", choices=["text", "json"])
    p.add_argument("--cluster", metavar="FILE", help="YAML file holding the query document's cluster block "
                                                     "(PATH mode)")


def args_run(p: Parser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="with --local: manifest files or directories")
    topology_arguments(p, required=False)
    p.add_argument("--local", action="store_true",
                   help="compute every step in this process over PATH..., with no database and no broker")
    p.add_argument("--cluster", help="with --local: a YAML file holding the query document's cluster block")
    p.add_argument("--checks", help=f"comma-separated kinds: {','.join(CHECK_KINDS)} (default: all)")
    p.add_argument("--wait", action="store_true", help="follow with a progress bar; exit 1 if it fails")
    p.add_argument("--shards", type=int, help="row blocks per matrix, run across workers "
                                              "(default: 1, or more for large topologies)")
    p.add_argument("--timeout", type=float, help="with --wait: give up after this many seconds")
    p.add_argument("--json", dest="json_output", action="store_true",
                   help="with --wait or --local: the finished run as JSON on stdout")


def args_diff(p: Parser) -> None:
    p.add_argument("old", metavar="OLD", help="a PATH (file or directory), topology:[TEAM/]NAME or run:<id>")
    p.add_argument("new", metavar="NEW", help="likewise")
    p.add_argument("--format", default="text", choices=list(DIFF_FORMATS))
    p.add_argument("--fail-on-change", dest="fail_on_change", action="store_true",
                   help="exit 1 when anything differs")
    p.add_argument("--cluster", help="for PATH sides: a YAML file with the query document's cluster block")


SUBCOMMANDS: dict[str, Subcommand] = {
    "query": Subcommand(args_query, cmd_query, "answer a stateless query document (JSON or YAML; - for stdin)"),
    "import": Subcommand(args_import, lazy(".cli:cmd_import"), "import manifests into a topology (atomic)"),
    "export": Subcommand(args_export, lazy(".cli:cmd_export"), "a topology's objects as YAML on stdout"),
    "get": Subcommand(args_get, lazy(".cli:cmd_get"), "kubectl-style listings"),
    "check": Subcommand(args_check, cmd_check, "every diagnostic and broken connectivity assertion; exit 1 at the "
                                               "--fail-on threshold (PATH mode needs no database)"),
    "matrix": Subcommand(args_matrix, cmd_matrix, "a compressed reachability matrix as a table (or its JSON form)"),
    "run": Subcommand(args_run, cmd_run, "start a check run on the workers (--wait: follow it to the end), "
                                       "or compute it here over files (PATH... --local)"),
    "diff": Subcommand(args_diff, cmd_diff, "what changes from OLD to NEW: matrix cells, endpoints, DNS, routes, "
                                            "findings, assertions (exit 1 on a difference with --fail-on-change)"),
}


class CommandFailed(Exception):
    """A subcommand refused its input: `message`, exit `code`."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def dispatch(subcommand: str, stdout, stderr, /, **options) -> int:
    """Run `subcommand`; its usage errors (and a topology not found) become CommandFailed."""
    try:
        return SUBCOMMANDS[subcommand].handler(stdout, stderr, **options)
    except Exception as exc:
        if isinstance(exc, loaded((TOPOLOGY_NOT_FOUND,))):
            raise CommandFailed(str(exc), TOPOLOGY_NOT_FOUND_CODE) from exc
        if isinstance(exc, loaded(USAGE_ERRORS)):
            raise CommandFailed(str(exc), getattr(exc, "code", 1)) from exc
        raise

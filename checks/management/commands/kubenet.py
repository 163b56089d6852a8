"""`python manage.py kubenet ...`: the command-line door (interfaces.md "Command line")."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from checks import cli


class Command(BaseCommand):
    help = "kubenet: query, import, export, list, check and run checks on topologies."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        q = sub.add_parser("query", help="answer a stateless query document (JSON or YAML; - for stdin)")
        q.add_argument("file")

        i = sub.add_parser("import", help="import manifests into a topology (atomic)")
        i.add_argument("paths", nargs="+")
        i.add_argument("--topology", required=True)
        i.add_argument("--team", default="default")

        e = sub.add_parser("export", help="a topology's objects as YAML on stdout")
        e.add_argument("--topology", required=True)
        e.add_argument("--team")

        g = sub.add_parser("get", help="kubectl-style listings")
        g.add_argument("resource", choices=["svc", "service", "services", "po", "pod", "pods", "ing", "ingress",
                                            "ingresses", "netpol", "networkpolicy", "networkpolicies"])
        g.add_argument("-A", "--all-namespaces", action="store_true")
        g.add_argument("-n", "--namespace", default=None)
        g.add_argument("-o", "--output", default="", choices=["", "wide", "yaml", "json"])
        g.add_argument("--topology", required=True)
        g.add_argument("--team")

        c = sub.add_parser("check", help="every diagnostic and broken connectivity assertion; exit 1 at the "
                                         "--fail-on threshold (PATH mode needs no database)")
        c.add_argument("paths", nargs="*", metavar="PATH",
                       help="manifest files or directories (*.yaml, *.yml, *.json, recursively); - is stdin")
        c.add_argument("--topology", help="check a stored topology instead of files")
        c.add_argument("--team")
        c.add_argument("--format", default="text", choices=["text", "json", "junit", "sarif"])
        c.add_argument("--cluster", metavar="FILE", help="YAML file holding the query document's cluster block "
                                                         "(PATH mode)")
        c.add_argument("--fail-on", dest="fail_on", default="error", choices=["error", "warning", "never"])

        m = sub.add_parser("matrix", help="a compressed reachability matrix as a table (or its JSON form)")
        m.add_argument("paths", nargs="*", metavar="PATH", help="manifest files or directories, instead of --topology")
        m.add_argument("--topology")
        m.add_argument("--team")
        m.add_argument("--type", required=True,
                       choices=["clusterip", "nodeport", "loadbalancer", "externalname", "ingress", "pods"])
        m.add_argument("--port", help="only this Service port (for --type pods: the port, a number or a name; "
                                      "required)")
        m.add_argument("--protocol", help="only this protocol (default: every protocol; TCP for --type pods)")
        m.add_argument("--format", default="text", choices=["text", "json"])
        m.add_argument("--cluster", metavar="FILE", help="YAML file holding the query document's cluster block "
                                                         "(PATH mode)")

        r = sub.add_parser("run", help="start a check run on the workers (--wait: follow it to the end)")
        r.add_argument("--topology", required=True)
        r.add_argument("--team")
        r.add_argument("--checks", help="comma-separated kinds: endpoints,dns,env,routing,ingress,policy,"
                                        "diagnostics (default: all)")
        r.add_argument("--wait", action="store_true", help="follow with a progress bar; exit 1 if it fails")
        r.add_argument("--shards", type=int, help="row blocks per matrix, run across workers "
                                                  "(default: 1, or more for large topologies)")
        r.add_argument("--timeout", type=float, help="with --wait: give up after this many seconds")
        r.add_argument("--json", dest="json_output", action="store_true",
                       help="with --wait: the finished run as JSON on stdout")

    def handle(self, *args, subcommand: str, **options) -> None:
        handler = getattr(cli, f"cmd_{subcommand}")
        try:
            args_only = {k: v for k, v in options.items() if k not in ("stdout", "stderr")}
            code = handler(self.stdout, self.stderr, **args_only)
        except (cli.UsageError, cli.RunError, cli.CheckUsageError) as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        if code:
            raise SystemExit(code)

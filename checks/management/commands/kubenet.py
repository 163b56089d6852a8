"""`python manage.py kubenet ...`: the command-line door (interfaces.md "Command line").

The subcommands, their arguments and handlers are the table checks.commands.SUBCOMMANDS."""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, CommandError

from checks.commands import SUBCOMMANDS, CommandFailed, dispatch


class Command(BaseCommand):
    help = "kubenet: query, import, export, list, check and run checks on topologies."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        for name, entry in SUBCOMMANDS.items():
            entry.add_arguments(sub.add_parser(name, help=entry.help))

    def handle(self, *args, subcommand: str, **options) -> None:
        args_only = {k: v for k, v in options.items() if k not in ("stdout", "stderr")}
        try:
            code = dispatch(subcommand, self.stdout, self.stderr, **args_only)
        except CommandFailed as exc:
            raise CommandError(str(exc), returncode=exc.code) from exc
        if code:
            raise SystemExit(code)

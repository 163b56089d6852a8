"""The PATH commands without Django: `kubenet check|matrix|run --local|diff|query` over files.

manage.py hands `kubenet <command>` here, before django.setup() (about 0.8 s here), when the
command reads only files (`wants(argv)`); everything else goes through Django as before. The
arguments, handlers and exit codes are those of the one table, checks.commands.SUBCOMMANDS,
and the input limits those of kubenet_site/settings/limits.py, as under Django.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

PATH_COMMANDS = ("check", "matrix", "run", "diff", "query")
# Options that need a database or Django itself (and Django's own common options).
NEEDS_DJANGO = ("--topology", "--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
                "--skip-checks", "-v", "--verbosity")


def wants(argv: Sequence[str]) -> bool:
    """Whether `manage.py kubenet <argv>` reads only files: a PATH command without --topology
    (`run` with --local; `diff` without a `topology:` or `run:` side)."""
    if not argv or argv[0] not in PATH_COMMANDS:
        return False
    rest = list(argv[1:])
    if any(a == opt or a.startswith(opt + "=") for a in rest for opt in NEEDS_DJANGO):
        return False
    if argv[0] == "run" and "--local" not in rest:
        return False
    if argv[0] == "diff" and any(a.startswith(("topology:", "run:")) for a in rest):
        return False
    return True


def parser() -> argparse.ArgumentParser:
    from .commands import SUBCOMMANDS

    ap = argparse.ArgumentParser(prog="manage.py kubenet")
    sub = ap.add_subparsers(dest="subcommand", required=True)
    for name, entry in SUBCOMMANDS.items():
        if name in PATH_COMMANDS:
            entry.add_arguments(sub.add_parser(name, help=entry.help))
    return ap


def main(argv: Sequence[str]) -> int:
    """Run one PATH command; its exit code (Django's CommandError form on stderr for bad input)."""
    from kubenet_site.settings import limits

    from .commands import CommandFailed, dispatch

    limits.apply()
    options = vars(parser().parse_args(list(argv)))
    subcommand = options.pop("subcommand")
    try:
        return dispatch(subcommand, sys.stdout, sys.stderr, **options)
    except CommandFailed as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return exc.code

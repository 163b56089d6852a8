#!/usr/bin/env python
"""Django's command-line utility. `kubenet` commands that read only files (check, matrix,
run --local, diff, query over PATHs) start without Django: checks.path_cli."""

import os
import sys


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "kubenet":
        from checks import path_cli

        if path_cli.wants(sys.argv[2:]):
            raise SystemExit(path_cli.main(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubenet_site.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

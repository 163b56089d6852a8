"""The `kubenet` command's import, export and get: translate arguments, call, print.
(The table of every subcommand is checks.commands.)"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import IO, Any

import yaml
from django.utils import timezone

from kubenet_site.semantics import kubectl_tables
from kubenet_site.semantics.manifests import ManifestError, load_documents
from services.models import Team
from services.queries import get_topology, topologies_for

from .check_command import CheckUsageError, manifest_files
from .operations import (
    ImportRefused,
    create_topology,
    describes_whole_cluster,
    export_topology,
    import_manifests,
)
from .query_command import UsageError
from .snapshot import build


def read_paths(paths: list[str]) -> list[tuple[str, str]]:
    """(path, text) of each file; a directory recurses into *.yaml, *.yml, *.json; - is stdin."""
    out = []
    for p in paths:
        if p == "-":
            out.append(("<stdin>", sys.stdin.read()))
            continue
        try:
            files = manifest_files([p])
        except CheckUsageError as exc:
            raise UsageError(str(exc)) from exc
        out += [(str(f), f.read_text(encoding="utf-8")) for f in files]
    return out


def cmd_import(stdout: IO, stderr: IO, *, paths: list[str], topology: str, team: str, **_: Any) -> int:
    files = read_paths(paths)
    documents: list[dict] = []
    try:
        for name, text in files:
            try:
                documents += load_documents(text)
            except ManifestError as exc:
                raise UsageError(f"{name}: {exc.where}: {exc.message}") from exc
        team_row, _ = Team.objects.get_or_create(name=team)
        existing = topologies_for(team=team).filter(name=topology).first()
        target = existing or create_topology(team_row, topology, bootstrap=not describes_whole_cluster(documents))
        summary = import_manifests(target, documents)
    except ImportRefused as exc:
        raise UsageError(str(exc)) from exc
    for line in summary.lines():
        stdout.write(line + "\n")
    target.refresh_from_db(fields=["revision"])  # import_manifests bumped it on its own copy
    stdout.write(f'topology "{target.name}" (team {target.team.name}) is at revision {target.revision}\n')
    return 0


def cmd_export(stdout: IO, stderr: IO, *, topology: str, team: str | None, include_generated: bool = False,
               **_: Any) -> int:
    stdout.write(export_topology(get_topology(topology, team=team), include_generated=include_generated))
    return 0


def cmd_get(stdout: IO, stderr: IO, *, resource: str, topology: str, team: str | None, all_namespaces: bool,
            namespace: str | None, output: str, now: datetime | None = None, **_: Any) -> int:
    top = get_topology(topology, team=team)
    snap = build(top).snapshot
    if output in ("yaml", "json"):
        items = kubectl_tables.listed(snap, resource, namespace, all_namespaces)
        doc = {"apiVersion": "v1", "items": [dict(o.raw) for o in items], "kind": "List",
               "metadata": {"resourceVersion": ""}}
        text = json.dumps(doc, indent=4) + "\n" if output == "json" else yaml.safe_dump(doc, sort_keys=False)
        stdout.write(text)
        return 0
    text = kubectl_tables.get(snap, resource, namespace=namespace or "default", all_namespaces=all_namespaces,
                              output=output, now=now or timezone.now())
    stdout.write(text if text.endswith("\n") else text + "\n")
    return 0

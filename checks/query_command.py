"""`kubenet query FILE`: answer a stateless query document (JSON or YAML; - for stdin).
Django-free: it runs from the PATH entry point (checks.path_cli) without starting Django."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import IO, Any

from kubenet_site.semantics import query


class UsageError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def read_text(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{file}: {exc.strerror}", code=2) from exc


def cmd_query(stdout: IO, stderr: IO, *, file: str, **_: Any) -> int:
    text = sys.stdin.read() if file == "-" else read_text(file)
    try:
        document = query.load_document_text(text)
        answer = query.run(document)
    except query.QueryRefused as exc:
        stdout.write(json.dumps({"error": exc.error, "where": exc.where}) + "\n")
        return 2
    stdout.write(json.dumps(answer, indent=2, sort_keys=False) + "\n")
    return 0

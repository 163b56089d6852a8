"""Run query documents over the demo topology through the CLI door."""

from __future__ import annotations

import io
import json
from pathlib import Path

import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
DEMO_TEXT = (ROOT / "demo" / "demo.yaml").read_text()

FRONTEND = "shop/frontend-6f7d9c8b5-2xkqp"
API = "shop/api-84c6d5b7f9-5dnwz"
NGINX = "ingress-nginx/ingress-nginx-controller-7d4db76476-kq9tz"
NODES = ("ip-10-0-1-10.eu-west-1.compute.internal", "ip-10-0-1-11.eu-west-1.compute.internal",
         "ip-10-0-2-10.eu-west-1.compute.internal")


def query_demo(tmp_path: Path, *queries: dict) -> dict:
    """`python manage.py kubenet query FILE` over the demo with these queries; the parsed output."""
    doc = {"manifests": DEMO_TEXT, "queries": list(queries)}
    path = tmp_path / "query.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = io.StringIO()
    call_command("kubenet", "query", str(path), stdout=out)
    return json.loads(out.getvalue())


def ask(tmp_path: Path, query: dict) -> dict:
    answer = query_demo(tmp_path, query)["answers"][0]
    assert "error" not in answer, answer
    return answer

"""dns.brief_answers (what a check run keeps of many DNS answers from one pod, without
traces) equals the fields of answer_dns, name by name, on the demo and a generated cluster."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.generate import generate
from kubenet_site.semantics import dns
from kubenet_site.semantics.dnsnames import service_name_forms
from kubenet_site.semantics.manifests import build_snapshot, load_documents
from kubenet_site.semantics.types import QueryError

ROOT = Path(__file__).resolve().parents[2]


def kept(snap, pod, name):
    try:
        ans = dns.answer_dns(snap, {"from": pod.key, "name": name})
    except QueryError as exc:
        return {"error": str(exc)}
    return {"rcode": ans.get("rcode"), "fqdn": ans.get("fqdn"),
            "answers": [a.get("data") for a in ans.get("answers", [])]}


@pytest.mark.parametrize("text", [
    pytest.param((ROOT / "demo" / "demo.yaml").read_text(), id="demo"),
    pytest.param(generate("small", 4), id="generated"),
])
def test_brief_answers_equal_answer_dns(text):
    snap = build_snapshot(load_documents(text)).snapshot
    pods = {(p.namespace, p.dns_policy, p.host_network): p for p in snap.pods}.values()
    extra = ["", "  ", "no-such-name", "bad..name", "kubernetes.default.svc.cluster.local.", "example.com"]
    for pod in pods:
        names = service_name_forms(snap, pod.namespace) + extra
        assert dns.brief_answers(snap, pod, names) == [kept(snap, pod, n) for n in names], pod.key

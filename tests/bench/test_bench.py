"""`make bench` works: the seeded generator and the tiny size end to end (no targets: CI
machines vary; `make bench` itself checks them at the real sizes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import SIZES, generate
from checks.local_run import local_run

ROOT = Path(__file__).resolve().parents[2]


def test_the_generator_is_deterministic_and_seeded():
    assert generate("tiny", 1) == generate("tiny", 1)
    assert generate("tiny", 1) != generate("tiny", 2)


def test_the_small_cluster_has_every_shape_the_benchmark_promises(tmp_path):
    text = generate("small")
    path = tmp_path / "small.yaml"
    path.write_text(text)
    for shape in ("type: NodePort", "type: LoadBalancer", "type: ExternalName", "clusterIP: None",
                  "kind: Deployment", "kind: Ingress", "kind: IngressClass", "ipBlock:", "except:",
                  "namespaceSelector:", "matchExpressions:", "policyTypes:\n  - Egress", "targetPort: http"):
        assert shape in text, shape
    run = local_run([str(path)], "endpoints,policy")
    assert run["status"] == "succeeded"
    assert run["summary"]["services"] == SIZES["small"].services + 3  # kubernetes, kube-dns, ingress-nginx


@pytest.mark.parametrize("size", [pytest.param(s, id=s) for s in ("tiny", "small", "medium")])
def test_every_size_is_accepted_whole_by_the_api_server(size):
    from kubenet_site.semantics.manifests import build_snapshot, load_documents

    build = build_snapshot(load_documents(generate(size)))
    assert build.errors == []
    assert len(build.snapshot.pods) == SIZES[size].pods


def test_the_tiny_benchmark_writes_its_report(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    proc = subprocess.run([sys.executable, "bench/full_check.py", "--sizes", "tiny", "--repeat", "1",
                           "--no-targets", "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    for line in ("| step | tiny | largest stored step |", "| parse | ", "| build | ", "| dns | ", "| policy | ",
                 "| **whole** | ", "Not checked in this run", "CLI start-up"):
        assert line in text, line

"""kubenet benchmark: the matrix pages (issue 13) on the benchmark's 2,000-pod topology.

    python bench/bench_matrix_pages.py [--manifests FILE] [--seed 0]

The topology: FILE, else bench/generate.py's `medium` cluster (2,000 pods) when that generator
is present, else the engine's synthetic 2,000-pod cluster (kubenet_site.semantics.synthetic:
its namespaces, nodes and pods stored, its ClusterIP matrix computed from the Snapshot and
kept for the revision, as a page would keep it). Then, through Django's test client, best of
three: the ClusterIP page (targets: under 1 s on the server), a namespace's rows expanded
(under 200 ms), a group's members, and a cell's explanation. The first page of an imported
topology (computing and keeping the matrix) is timed once. The topology is deleted after.

`bench_matrix_pages(client, topology)` is the part a harness calls: it returns the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from urllib.parse import quote

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubenet_site.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from checks.matrix_pages import Filters, row_section, shape  # noqa: E402
from checks.matrix_store import forget_decoded, matrix_for  # noqa: E402
from checks.models import KeptMatrix  # noqa: E402
from checks.operations import import_manifests  # noqa: E402
from checks.steps import matrix_json  # noqa: E402
from kubenet_site.semantics import matrix, synthetic  # noqa: E402
from services.models import Membership, Namespace, Node, Pod, Team, Topology  # noqa: E402

TARGETS = {"ClusterIP page": 1.0, "ClusterIP page, matrix read from the DB": 1.0, "a namespace expanded": 0.2}


def best_of_three(client: Client, url: str) -> float:
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
    return best


def bench_matrix_pages(client: Client, topology: Topology) -> list[tuple[str, float]]:
    """(what, seconds) for the ClusterIP page and its partials, the matrix already kept or run."""
    base = f"/t/{topology.team.name}/{topology.name}/matrices/clusterip/"
    m = matrix_for(topology, "clusterip").matrix
    layout = shape(m, "clusterip", Filters(), None, None)
    biggest = max(layout.rows, key=lambda s: len(s.indices))
    group = max((m.rows[r] for r in biggest.indices), key=lambda g: len(g.members))
    column = m.columns[0].id
    forget_decoded()
    t = time.perf_counter()
    assert client.get(base).status_code == 200
    cold = time.perf_counter() - t
    figures = [
        ("ClusterIP page", best_of_three(client, base)),
        ("ClusterIP page, matrix read from the DB", cold),
        ("ClusterIP page, every section open", best_of_three(client, base + "?open=*")),
        ("a namespace expanded", best_of_three(client, base + f"rows/?section={quote(biggest.name)}&open=true")),
        ("a group's members", best_of_three(client, base + f"members/?r={quote(group.id)}&members=1")),
        ("a cell explained", best_of_three(client, base + f"cell/?r={quote(group.id)}&c={quote(column)}")),
    ]
    print(f"ClusterIP matrix: {len(m.rows)} client groups x {len(m.columns)} Service ports, "
          f"{len(layout.rows)} row sections (largest {biggest.name!r}: {len(biggest.indices)} groups), "
          f"{len(layout.columns)} column sections")
    return figures


def synthetic_topology(topology: Topology, pods: int, seed: int) -> None:
    """The synthetic cluster's namespaces, nodes and pods as rows, its ClusterIP matrix kept."""
    snap = synthetic.generate(pods, seed=seed)
    for model, objects, doc in (
            (Namespace, snap.namespaces, lambda n: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n.name}}),
            (Node, snap.nodes, lambda n: {"apiVersion": "v1", "kind": "Node", "metadata": {"name": n.name}}),
            (Pod, snap.pods, lambda p: {"apiVersion": "v1", "kind": "Pod", "metadata": {
                "name": p.name, "namespace": p.namespace, "labels": dict(p.labels)}, "spec": {
                "nodeName": p.node_name, "containers": [{"name": "app", "image": "app"}]}})):
        batch = []
        for i, obj in enumerate(objects):
            row = model(topology=topology, manifest=doc(obj), position=i)
            row.fill_columns()
            batch.append(row)
        model.objects.bulk_create(batch, batch_size=2000)
    m = matrix.canonical(matrix.service_matrix(snap, "clusterip", protocol=None))
    KeptMatrix.objects.create(topology=topology, revision=topology.revision, key="routing/ClusterIP",
                              value=matrix_json(m))


def generated_manifests() -> str | None:
    try:
        from bench.generate import generate  # the full-check harness's seeded clusters
    except ImportError:
        return None
    return generate("medium")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifests", help="a cluster's YAML (default: bench/generate.py medium, else synthetic)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    setup_test_environment()
    user, _ = get_user_model().objects.get_or_create(username="kubenet-bench-matrices", defaults={"is_superuser": True})
    team, _ = Team.objects.get_or_create(name="kubenet-bench-matrices")
    Membership.objects.get_or_create(team=team, user=user)
    Topology.objects.filter(team=team, name="bench-matrices").delete()
    topology = Topology.objects.create(team=team, name="bench-matrices")
    client = Client()
    client.force_login(user)
    try:
        text = open(args.manifests, encoding="utf-8").read() if args.manifests else generated_manifests()
        t = time.perf_counter()
        if text is None:
            with transaction.atomic():
                synthetic_topology(topology, 2000, args.seed)
            print(f"synthetic 2,000-pod cluster stored, its ClusterIP matrix kept: {time.perf_counter() - t:.1f} s")
        else:
            import_manifests(topology, text)
            topology.refresh_from_db()
            print(f"imported {Pod.objects.filter(topology=topology).count()} pods: {time.perf_counter() - t:.1f} s")
            t = time.perf_counter()
            assert client.get(f"/t/{team.name}/{topology.name}/matrices/clusterip/").status_code == 200
            print(f"first ClusterIP page (computes the matrix and keeps it): {time.perf_counter() - t:.2f} s")
        sections = {row_section(g) for g in matrix_for(topology, "clusterip").matrix.rows}
        print(f"{len(sections)} row sections")
        print(f"{'matrix page (server, best of 3)':40} {'ms':>7}  target")
        worst = 0.0
        for what, seconds in bench_matrix_pages(client, topology):
            target = TARGETS.get(what)
            mark = f"< {target * 1000:.0f} ms" if target else ""
            if target:
                worst = max(worst, seconds / target)
            print(f"{what:40} {seconds * 1000:7.0f}  {mark}")
    finally:
        topology.delete()
        user.delete()
        team.delete()
    return 0 if worst < 2 else 1  # as the full-check harness: past twice a target fails


if __name__ == "__main__":
    raise SystemExit(main())

"""kubenet benchmark: the browser's pages on the demo and the pod list on a 10,000-pod topology.

    python bench/bench_pages.py [--pods 10000] [--seed 0]

Every page of the demo topology (demo/demo.yaml, imported into a throwaway topology) is timed
through Django's test client, best of three: the slowest are printed.

Stores the synthetic cluster's namespaces, nodes and pods (kubenet_site.semantics.synthetic)
as a throwaway topology in the configured database (DATABASE_URL, else embedded SQLite),
then times the pod table page as the browser asks for it: first and a far page, a namespace,
a label selector, a search, a sort; each the best of three. The topology is deleted after.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubenet_site.settings.base")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from checks.operations import create_topology, import_manifests  # noqa: E402
from kubenet_site.semantics import synthetic  # noqa: E402
from services.kinds import object_url, pages  # noqa: E402
from services.models import Membership, Namespace, Node, OtherObject, Pod, Team, Topology, topology_rows  # noqa: E402

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demo", "demo.yaml")


def best_of_three(client: Client, url: str, params: dict | None = None):
    best, response = float("inf"), None
    for _ in range(3):
        t = time.perf_counter()
        response = client.get(url, params or {})
        best = min(best, time.perf_counter() - t)
        assert response.status_code == 200, (url, response.status_code)
    return best, response


def demo_pages(client: Client, team: Team) -> None:
    """Every page of the demo: the summary, tables, each object's page, form, YAML editor."""
    Topology.objects.filter(team=team, name="bench-demo").delete()
    topology = create_topology(team, "bench-demo", bootstrap=False)
    with open(DEMO, encoding="utf-8") as f:
        import_manifests(topology, f.read())
    base = f"/t/{team.name}/bench-demo/"
    urls = ["/", base, base + "import/", base + "settings/", base + "others/"]
    urls += [base + f"get/{r}/" for r in ("svc", "pods", "ingress", "netpol")]
    urls += [page.url(topology) for page in pages()]
    for row in topology_rows(topology):
        row.topology = topology
        views = ("detail", "yaml") if isinstance(row, OtherObject) else ("detail", "edit", "yaml")
        urls += [object_url(row, view) for view in views]
    timings = sorted(((best_of_three(client, url)[0], url) for url in urls), reverse=True)
    print(f"demo: {len(urls)} pages, slowest {timings[0][0] * 1000:.0f} ms, median "
          f"{timings[len(timings) // 2][0] * 1000:.0f} ms")
    for seconds, url in timings[:5]:
        print(f"  {seconds * 1000:6.0f} ms  {url}")
    topology.delete()


def pod_manifest(pod) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod.name, "namespace": pod.namespace, "labels": dict(pod.labels)},
            "spec": {"nodeName": pod.node_name, "containers": [{"name": "app", "image": "app"}]},
            "status": {"phase": pod.phase, "podIP": pod.ip, "podIPs": [{"ip": ip} for ip in pod.pod_ips],
                       "conditions": [{"type": "Ready", "status": "True" if pod.ready else "False"}]}}


def store(topology: Topology, pods: int, seed: int) -> int:
    snap = synthetic.generate(pods, seed=seed)
    rows = []
    for model, objects, doc in (
            (Namespace, snap.namespaces, lambda n: {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n.name}}),
            (Node, snap.nodes, lambda n: {"apiVersion": "v1", "kind": "Node", "metadata": {"name": n.name}}),
            (Pod, snap.pods, pod_manifest)):
        batch = []
        for obj in objects:
            row = model(topology=topology, manifest=doc(obj), position=len(rows) + len(batch))
            row.fill_columns()
            batch.append(row)
        model.objects.bulk_create(batch, batch_size=2000)
        rows += batch
    return len(snap.pods)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    setup_test_environment()  # the test client's host name is allowed
    user, _ = get_user_model().objects.get_or_create(username="kubenet-bench-pages", defaults={"is_superuser": True})
    team, _ = Team.objects.get_or_create(name="kubenet-bench-pages")
    Membership.objects.get_or_create(team=team, user=user)
    name = f"bench-pods-{args.pods}"
    Topology.objects.filter(team=team, name=name).delete()
    topology = Topology.objects.create(team=team, name=name)
    try:
        client = Client()
        client.force_login(user)
        demo_pages(client, team)
        t = time.perf_counter()
        with transaction.atomic():
            count = store(topology, args.pods, args.seed)
        print(f"stored {count} pods in {time.perf_counter() - t:.1f} s")
        url = f"/t/{team.name}/{name}/pods/"
        namespace = Pod.objects.filter(topology=topology).values_list("namespace", flat=True).first()
        app = next(iter(Pod.objects.filter(topology=topology).exclude(labels={}).first().labels.items()))
        cases = [("first page", {}), ("page 100", {"page": 100}), ("a namespace", {"namespace": namespace}),
                 ("label selector", {"labelSelector": f"{app[0]}={app[1]},!canary"}),
                 ("search", {"search": "-1"}), ("sorted by node, descending", {"sort": "-node_name"})]
        print(f"{'pod list page':32} {'best of 3':>10}  rows")
        for label, params in cases:
            best, response = best_of_three(client, url, params)
            found = response.context["table"].paginator.count
            print(f"{label:32} {best * 1000:8.0f} ms  {found}")
    finally:
        topology.delete()
        user.delete()
        team.delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

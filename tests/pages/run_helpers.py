"""Check runs for the page tests, worked in this process (the worker tier has its own tests)."""

from __future__ import annotations

from types import SimpleNamespace

from checks import runs
from checks.execution import execute
from checks.models import CheckRun
from checks.operations import import_manifests
from services.models import Topology

DENY_SHOP_INGRESS = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def queue_only(monkeypatch) -> None:
    """start_run publishes nothing: the test works the run itself (work_now)."""
    monkeypatch.setattr(runs, "enqueue", lambda name, *args, **kw: SimpleNamespace(id="in-process"))


def work_now(run: CheckRun) -> CheckRun:
    execute(run.pk, None, lambda: "retry")
    run.refresh_from_db()
    assert run.status == "succeeded", (run.error, run.log)
    return run


def deny_shop_ingress(topology: Topology) -> None:
    """A NetworkPolicy change: every pod of `shop` isolated for ingress."""
    import_manifests(topology, DENY_SHOP_INGRESS)
    topology.refresh_from_db()

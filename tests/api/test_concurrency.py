"""Writers on separate PostgreSQL connections: the revision moves exactly once per write and
each write has its own Change; with If-Match, one writer wins a revision and the others get
PreconditionFailed listing the winner's change."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from checks.operations import create_topology
from services.models import Change, Namespace, Team, Topology
from services.operations import save_object
from services.revisions import PreconditionFailed

WRITERS = 8


def run_threads(target, count: int) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001  (collected and asserted on)
            results[i] = exc
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def shared(transactional_db):
    team = Team.objects.create(name="race")
    return create_topology(team, "race", bootstrap=False), User.objects.create_user("racer")


def test_every_write_gets_its_own_revision(shared):
    topology, user = shared
    start = Topology.objects.get(pk=topology.pk).revision

    def create(i: int):
        manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"ns-{i}"}}
        return save_object(Topology.objects.get(pk=topology.pk), Namespace, manifest, user=user)

    results = run_threads(create, WRITERS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Topology.objects.get(pk=topology.pk).revision == start + WRITERS
    revisions = sorted(Change.objects.filter(topology=topology, revision__gt=start).values_list("revision", flat=True))
    assert revisions == list(range(start + 1, start + WRITERS + 1))
    assert Namespace.objects.filter(topology=topology).count() == WRITERS


def test_if_match_lets_one_writer_win(shared):
    topology, user = shared
    row = save_object(topology, Namespace, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "one"}},
                      user=user)
    etag = f'"{Topology.objects.get(pk=topology.pk).revision}"'

    def patch(i: int):
        manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "one", "labels": {"by": str(i)}}}
        return save_object(Topology.objects.get(pk=topology.pk), Namespace, manifest, Namespace.objects.get(pk=row.pk),
                           user=user, if_match=etag)

    results = run_threads(patch, WRITERS)
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, PreconditionFailed)]
    assert len(winners) == 1 and len(losers) == WRITERS - 1, results
    won = winners[0].manifest["metadata"]["labels"]["by"]
    assert all([c["after"]["metadata"]["labels"]["by"] for c in lost.changes] == [won] for lost in losers)

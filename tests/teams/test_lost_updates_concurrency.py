"""No lost updates under concurrency, on separate PostgreSQL connections (one thread, one
connection each; transactional tests against the real database of DATABASE_URL).

- 20 writers, each changing its own object through the REST API (merge patch with If-Match)
  or the page YAML editor (its loaded revision): every change lands, the topology's revision
  moves by exactly 20, and each write has its own Change with the writer and the field.
- Writers racing on one object with the same If-Match, round after round: exactly one winner
  per revision; the others get 412 (API) or the conflict page, listing the winner's change.
- Merge patches without If-Match on one object: each merges into what is stored (none lost).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from checks.operations import create_topology, import_manifests
from services.audit import object_etag
from services.models import Change, Membership, OtherObject, Team, Topology

WRITERS = 20
RACERS = 6
ROUNDS = 4


def run_threads(target: Callable[[int], Any], count: int) -> list[Any]:
    """`target(i)` in `count` threads released together, each on its own database connection."""
    results: list[Any] = [None] * count
    barrier = threading.Barrier(count)

    def work(i: int) -> None:
        try:
            barrier.wait()
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001  (collected and asserted on)
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return results


def config_map(name: str, **data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "shop"}, "data": data}


@pytest.fixture
def crowd(transactional_db) -> tuple[Topology, list[User]]:
    """A topology with one ConfigMap per writer and a `shared` one; one editor per writer."""
    team = Team.objects.create(name="crowd")
    users = [User.objects.create_user(f"writer-{i}") for i in range(WRITERS)]
    Membership.objects.bulk_create([Membership(team=team, user=u, role="editor") for u in users])
    topology = create_topology(team, "shop", bootstrap=False)
    manifests = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}, config_map("shared", v="0")]
    import_manifests(topology, manifests + [config_map(f"cm-{i}", v="0") for i in range(WRITERS)])
    topology.refresh_from_db()
    return topology, users


def api_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_url(topology: Topology, name: str) -> str:
    return f"/api/v1/topologies/{topology.pk}/others/configmaps/shop/{name}/"


def page_url(topology: Topology, name: str) -> str:
    return f"/t/{topology.team.name}/{topology.name}/others/configmaps/shop/{name}/yaml/"


def stored(topology: Topology, name: str) -> dict:
    return OtherObject.objects.get(topology=topology, name=name).manifest["data"]


class Writer:
    """One writer: loads the object (its ETag, or the editor page with its revision) before the
    race, then writes `value` at `key` through its door."""

    def __init__(self, topology: Topology, user: User, door: str, name: str):
        self.topology, self.door, self.name = topology, door, name
        if door == "api":
            self.client = api_client(user)
            self.etag = self.client.get(api_url(topology, name))["ETag"]
        else:
            self.client = page_client(user)
            loaded = self.client.get(page_url(topology, name))
            self.doc, self.revision = yaml.safe_load(loaded.context["text"]), loaded.context["revision"]

    def write(self, key: str, value: str) -> tuple[bool, Any]:
        """(accepted, the response)."""
        if self.door == "api":
            resp = self.client.patch(api_url(self.topology, self.name), data=json.dumps({"data": {key: value}}),
                                     content_type="application/merge-patch+json", HTTP_IF_MATCH=self.etag)
            assert resp.status_code in (200, 412), resp.content
            return resp.status_code == 200, resp
        doc = {**self.doc, "data": {**self.doc["data"], key: value}}
        resp = self.client.post(page_url(self.topology, self.name), {"yaml": yaml.safe_dump(doc),
                                                                     "revision": self.revision})
        assert resp.status_code == 302 or (resp.status_code == 200 and resp.context["conflict"]), resp.content[:500]
        return resp.status_code == 302, resp


def test_twenty_writers_on_their_own_objects_lose_nothing(crowd):
    topology, users = crowd
    start = Topology.objects.get(pk=topology.pk).revision
    writers = [Writer(topology, users[i], "api" if i % 2 == 0 else "page", f"cm-{i}") for i in range(WRITERS)]
    results = run_threads(lambda i: writers[i].write("w", f"by-{i}"), WRITERS)
    assert all(r[0] for r in results), results  # every write accepted: no one else touched its object
    assert Topology.objects.get(pk=topology.pk).revision == start + WRITERS
    for i in range(WRITERS):
        assert stored(topology, f"cm-{i}") == {"v": "0", "w": f"by-{i}"}
    made = list(Change.objects.filter(topology=topology, revision__gt=start).select_related("user"))
    assert sorted(c.revision for c in made) == list(range(start + 1, start + WRITERS + 1))  # one each, no gaps
    assert {(c.object, c.user.username, tuple(c.fields), c.after["data"]["w"]) for c in made} == {
        (f"ConfigMap/shop/cm-{i}", f"writer-{i}", ("data.w",), f"by-{i}") for i in range(WRITERS)}
    assert all(c.before["data"] == {"v": "0"} for c in made)


@pytest.mark.parametrize("door", ["api", "page"])
def test_racers_with_one_if_match_have_one_winner_per_revision(crowd, door):
    topology, users = crowd
    for round_ in range(ROUNDS):
        before = Topology.objects.get(pk=topology.pk).revision
        etag = object_etag(topology, "ConfigMap/shop/shared")
        writers = [Writer(topology, users[i], door, "shared") for i in range(RACERS)]
        results = run_threads(lambda i, ws=writers, r=round_: ws[i].write("v", f"r{r}-w{i}"), RACERS)
        winners = [i for i, (ok, _) in enumerate(results) if ok]
        assert len(winners) == 1, [r[1].status_code for r in results]
        won = f"r{round_}-w{winners[0]}"
        assert Topology.objects.get(pk=topology.pk).revision == before + 1
        assert stored(topology, "shared")["v"] == won
        [change] = Change.objects.filter(topology=topology, revision=before + 1)
        assert (change.user.username, change.after["data"]["v"]) == (f"writer-{winners[0]}", won)
        assert object_etag(topology, "ConfigMap/shop/shared") == before + 1 != etag
        for i, (ok, resp) in enumerate(results):
            if ok:
                continue
            listed = resp.json()["changes"] if door == "api" else resp.context["conflict"]["changes"]
            values = [c["after"]["data"]["v"] for c in listed] if door == "api" else [
                f.after for c in listed for f in c.fields]
            assert values == [won], (i, values)  # the loser is told who won, and with what


def test_merge_patches_without_if_match_each_merge_into_what_is_stored(crowd):
    topology, users = crowd
    clients = [api_client(users[i]) for i in range(RACERS)]

    def patch(i: int):
        resp = clients[i].patch(api_url(topology, "shared"), data=json.dumps({"data": {f"k{i}": str(i)}}),
                                content_type="application/merge-patch+json")
        assert resp.status_code == 200, resp.content
        return resp

    results = run_threads(patch, RACERS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert stored(topology, "shared") == {"v": "0", **{f"k{i}": str(i) for i in range(RACERS)}}
    made = list(Change.objects.filter(topology=topology, object="ConfigMap/shop/shared").order_by("revision"))[1:]
    assert sorted(c.fields[0] for c in made) == sorted(f"data.k{i}" for i in range(RACERS))
    assert all(later.before == earlier.after for earlier, later in zip(made, made[1:], strict=False))  # a chain

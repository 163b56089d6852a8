"""Check-run pages: start (and the broker down), progress partial, results, cancel, stale, diff."""

from __future__ import annotations

import pytest

from checks import runs
from checks.models import CheckRun
from checks.run_diff import diff_runs
from tests.pages.conftest import at
from tests.pages.run_helpers import deny_shop_ingress, queue_only, work_now

pytestmark = pytest.mark.django_db(transaction=True)
FAST = "endpoints,dns,routing,policy,diagnostics"


def test_broker_down_is_a_clear_message_and_no_run(client_in, demo, monkeypatch):
    def down(name, *args, **kwargs):
        raise runs.BrokerUnavailable("the task queue is unavailable (test); nothing was started.")

    monkeypatch.setattr(runs, "enqueue", down)
    response = client_in.post(at(demo, "runs/"), follow=True)
    html = response.content.decode()
    assert "No check run was started: the task broker is not answering" in html
    assert "the task queue is unavailable (test)" in html
    assert not CheckRun.objects.exists()


def test_start_poll_results(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    response = client_in.post(at(demo, "runs/"), {"checks": FAST.split(",")})
    run = CheckRun.objects.get()
    assert response["Location"] == at(demo, f"runs/{run.pk}/")
    assert run.checks == FAST.split(",") and run.status == "queued"
    html = client_in.get(at(demo, f"runs/{run.pk}/")).content.decode()
    assert f'hx-get="{at(demo, f"runs/{run.pk}/progress/")}"' in html and 'hx-trigger="every 1s"' in html
    partial = client_in.get(at(demo, f"runs/{run.pk}/progress/"), HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in partial and 'data-status="queued"' in partial.content.decode()

    work_now(run)
    partial = client_in.get(at(demo, f"runs/{run.pk}/progress/"), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"
    assert "hx-trigger" not in partial.content.decode()  # polling stops
    response = client_in.get(at(demo, f"runs/{run.pk}/"))
    html = response.content.decode()
    assert 'data-status="succeeded"' in html and "stale" not in html
    for key, value in CheckRun.objects.get().result["summary"]:
        assert f"<th scope=\"row\">{key}</th><td>{value}</td>" in html
    # The step links (the topology's nav links to every matrix page, so match the step's own link).
    assert f'<a href="{at(demo, "matrices/clusterip/")}">open routing/ClusterIP</a>' in html
    assert ">open ingress</a>" not in html  # not asked for
    assert at(demo, "matrices/ingress/") not in [s["matrix"] for s in response.context["steps"]]
    policy = [s for s in response.context["steps"] if s["key"].startswith("policy/")]
    assert policy and all(s["matrix"].startswith(at(demo, "matrices/pods/?port=")) for s in policy)
    assert len(response.context["findings"]) == len(run.steps.get(key="diagnostics").value)


def test_the_summary_page_starts_a_run(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    html = client_in.get(at(demo)).content.decode()
    assert f'action="{at(demo, "runs/")}"' in html
    response = client_in.post(at(demo, "runs/"))
    assert CheckRun.objects.get().checks == list(runs.kinds.CHECK_KINDS)
    assert response.status_code == 302


def test_cancel_an_open_run(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    run = runs.start_run(demo, "dns")
    response = client_in.post(at(demo, f"runs/{run.pk}/cancel/"), follow=True)
    assert "cancelled" in response.content.decode()
    run.refresh_from_db()
    assert run.status == "cancelled"
    assert client_in.get(at(demo, f"runs/{run.pk}/cancel/")).status_code == 405


def test_stale_runs_are_marked(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    run = work_now(runs.start_run(demo, "endpoints"))
    assert "stale" not in client_in.get(at(demo, "runs/")).content.decode()
    deny_shop_ingress(demo)
    html = client_in.get(at(demo, "runs/")).content.decode()
    assert "stale" in html
    assert "describe the past" in client_in.get(at(demo, f"runs/{run.pk}/")).content.decode()


def test_diff_of_two_runs_after_a_network_policy_change(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    before = work_now(runs.start_run(demo, "policy"))
    deny_shop_ingress(demo)
    after = work_now(runs.start_run(demo, "policy"))
    response = client_in.get(at(demo, f"runs/{before.pk}/diff/{after.pk}/"))
    expected = diff_runs(before, after)
    assert response.context["diff"] == expected
    blocked = [c for c in expected["cells"] if c["type"] == "pods" and c["after"] == "blocked"]
    assert blocked, expected["cells"][:3]
    groups = response.context["groups"]
    assert sum(len(g["cells"]) for g in groups) == len(expected["cells"])
    assert len({g["title"] for g in groups}) == len(groups)  # one group per matrix
    html = response.content.decode()
    assert f'{at(demo, "matrices/pods/")}?port={blocked[0]["port"]}&amp;protocol={blocked[0]["protocol"]}' in html
    assert "NetworkPolicy/shop/deny-all" in html or "deny-all" in html  # the trace names it
    # the compare form and the runs list lead there
    assert client_in.get(at(demo, f"runs/{after.pk}/?compare={before.pk}"))["Location"] == \
        at(demo, f"runs/{before.pk}/diff/{after.pk}/")
    assert f'href="{at(demo, f"runs/{before.pk}/diff/{after.pk}/")}"' in client_in.get(at(demo, "runs/")).content.decode()


def test_same_answers_say_so(client_in, demo, monkeypatch):
    queue_only(monkeypatch)
    a = work_now(runs.start_run(demo, "endpoints"))
    b = work_now(runs.start_run(demo, "endpoints"))
    assert 'id="no-change"' in client_in.get(at(demo, f"runs/{a.pk}/diff/{b.pk}/")).content.decode()


def test_runs_of_another_topology_are_404(client_in, demo, monkeypatch, team):
    from checks.operations import create_topology
    queue_only(monkeypatch)
    other = create_topology(team, "other", bootstrap=True)
    run = runs.start_run(other, "endpoints")
    assert client_in.get(at(demo, f"runs/{run.pk}/")).status_code == 404


def test_a_viewer_reads_runs_but_cannot_start_or_cancel(client, demo, monkeypatch):
    from django.contrib.auth.models import User

    from services.models import Membership
    queue_only(monkeypatch)
    viewer = User.objects.create_user("vic", password="pw-vic-123")
    Membership.objects.create(team=demo.team, user=viewer, role="viewer")
    run = runs.start_run(demo, "endpoints")
    client.force_login(viewer)
    assert 'id="start-run"' not in client.get(at(demo, "runs/")).content.decode()
    assert client.get(at(demo, f"runs/{run.pk}/")).status_code == 200
    assert client.post(at(demo, "runs/")).status_code == 403
    assert client.post(at(demo, f"runs/{run.pk}/cancel/")).status_code == 403
    run.refresh_from_db()
    assert CheckRun.objects.count() == 1 and run.status == "queued"

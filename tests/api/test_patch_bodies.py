"""Odd merge-patch bodies for a topology answer 4xx, never 5xx (found by Schemathesis: a
non-mapping `cluster` crashed the merge)."""

from __future__ import annotations

import traceback

VALS = [{}, [], {"a": 1}, 5, None, "", True, ["x"], 1.5, [{}], "a,b", {"a": {}}, [5]]
KEYS = ["domain", "serviceCIDR", "podCIDR", "nodePortRange", "clusterDNS", "nodeResolvConf", "ingressControllers",
        "ingressControllerPods"]

def test_odd_patch_bodies_answer_4xx_never_5xx(api, topology):
    bad = []
    bodies = [{"name": v} for v in VALS] + [{"description": v} for v in VALS] + [{"cluster": v} for v in VALS]
    bodies += [{"cluster": {k: v}} for k in KEYS for v in VALS]
    bodies += [{"cluster": {"nodeResolvConf": {k: v}}} for k in ("nameservers", "searches", "options") for v in VALS]
    for b in bodies:
        try:
            r = api.patch(f"/api/v1/topologies/{topology.pk}/", data=b, format="json")
            if r.status_code >= 500:
                bad.append((b, r.status_code, r.content[:200]))
        except Exception as e:
            bad.append((b, repr(e)[:200], traceback.format_exc()[-600:]))
    assert not bad, bad[:3]


def test_a_patch_without_a_body_answers_400(api, topology):
    resp = api.patch(f"/api/v1/topologies/{topology.pk}/")
    assert resp.status_code == 400, resp.content
    assert "empty" in resp.json()["error"]

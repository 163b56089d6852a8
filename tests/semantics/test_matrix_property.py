"""Property: the class-based matrices equal a naive pod-by-pod evaluation.

Random small clusters from the synthetic generator (which always includes ipBlocks over pod
addresses, with `except`, when it has 8 or more policies, internalTrafficPolicy Local on its
fourth Service and externalTrafficPolicy Local on a share of NodePort/LoadBalancer Services,
hostNetwork pods on demand). The oracle (matrix_naive.py) calls policy_dns.dns_access,
proxy.trace and policy.connect for every pod, node and backend; the matrix must agree on
every member of every row (`member_verdict`, which `expand_row` also gives).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubenet_site.semantics.matrix import pod_matrix, service_columns, service_matrix
from kubenet_site.semantics.synthetic import generate
from tests.semantics import matrix_naive as naive

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

clusters = st.builds(
    lambda pods, services, policies, nodes, seed, host: generate(
        pods, services=services, policies=policies, nodes=nodes, seed=seed, host_network=host),
    pods=st.integers(8, 30), services=st.integers(4, 12), policies=st.integers(8, 24),
    nodes=st.integers(1, 4), seed=st.integers(0, 10_000), host=st.booleans(),
)


def _service_mismatches(snap, kind: str) -> list[str]:
    m = service_matrix(snap, kind)
    cols = service_columns(snap, kind)
    assert [c.group.id for c in cols] == [g.id for g in m.columns]
    bad = []
    for j, col in enumerate(cols):
        for r, row in enumerate(m.rows):
            if row.kind == "pods":
                for key in row.members:
                    got = m.member_verdict(key, j).outcome
                    want = naive.pod_to_service(snap, snap.pod(key), col.svc, col.sp)
                    if got != want:
                        bad.append(f"{key} -> {col.group.id}: matrix {got}, naive {want}: "
                                   + " | ".join(m.member_verdict(key, j).trace))
            elif row.kind == "node":
                got = m.cell(r, j).outcome
                want = naive.node_to_service(snap, row.members[0], col.svc, col.sp)
                if got != want:
                    bad.append(f"{row.id} -> {col.group.id}: matrix {got}, naive {want}")
            else:
                got = m.cell(r, j).outcome
                want = naive.external_to_service(snap, col.svc, col.sp)
                if got != want:
                    bad.append(f"external -> {col.group.id}: matrix {got}, naive {want}")
    return bad


@SETTINGS
@given(snap=clusters, kind=st.sampled_from(["clusterip", "nodeport", "loadbalancer", "externalname"]))
def test_service_matrix_equals_pod_by_pod(snap, kind):
    bad = _service_mismatches(snap, kind)
    assert not bad, "\n".join(bad[:5])


@SETTINGS
@given(snap=clusters, port=st.sampled_from([8080, 9090, 53, "http", "metrics"]))
def test_pod_matrix_equals_pod_by_pod(snap, port):
    m = pod_matrix(snap, port)
    bad = []
    for row in m.rows:
        for p in row.members:
            for j, col in enumerate(m.columns):
                want = {naive.pod_to_pod(snap, snap.pod(p), snap.pod(q), port, "TCP")
                        for q in col.members if q != p}
                if not want:
                    continue
                got = m.member_verdict(p, j).outcome
                # `partial`: the column's pods disagree for this client (own node).
                ok = want == {got} or (got == "partial" and len(want) == 2)
                if not ok:
                    bad.append(f"{p} -> {col.id}: matrix {got}, naive {sorted(want)}")
    assert not bad, "\n".join(bad[:5])

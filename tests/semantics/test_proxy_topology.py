"""CategorizeEndpoints, transcribed from kubernetes pkg/proxy/topology_test.go
(TestCategorizeEndpoints, the rows that apply without topology hints; PTE = the
ProxyTerminatingEndpoints behaviour, GA since v1.28). Endpoint names and expected sets are
upstream's literals; IsLocal is "on node test-node"."""

from __future__ import annotations

import pytest

from kubenet_site.semantics.proxy_topology import categorize, local_ready_count, port_info
from kubenet_site.semantics.types import LOAD_BALANCER, NODE_PORT, Endpoint, ServicePort
from tests.semantics.builders import svc

NODE = "test-node"


def ep(addr: str, ready: bool = True, serving: bool = False, terminating: bool = False,
       local: bool = False) -> Endpoint:
    ip, _, port = addr.rpartition(":")
    return Endpoint(ip=ip, port=int(port), service_port=None, ready=ready, serving=serving,
                    terminating=terminating, node_name=NODE if local else "other-node")


def info(itp_local: bool = False, etp_local: bool = False, node_port: int | None = None):
    """serviceInfo: &BaseServicePort{internalPolicyLocal, externalPolicyLocal, nodePort}."""
    sp = ServicePort(port=80, target_port=80, node_port=node_port)
    kind = NODE_PORT if node_port else LOAD_BALANCER
    s = svc("svc1", ports=(sp,), type=kind if (node_port or etp_local) else "ClusterIP",
            internal_traffic_policy="Local" if itp_local else "Cluster",
            external_traffic_policy="Local" if etp_local else ("Cluster" if node_port else None))
    return port_info(s, sp)


def S(*addrs: str) -> set[str]:
    return set(addrs)


ROWS = [
    pytest.param(info(itp_local=True), [], None, S(), None, False,
                 id="internalTrafficPolicy: Local, with empty endpoints"),
    pytest.param(info(itp_local=True), [ep("10.0.0.0:80"), ep("10.0.0.1:80")],
                 None, S(), None, True,
                 id="internalTrafficPolicy: Local, but all endpoints are remote"),
    pytest.param(info(itp_local=True), [ep("10.0.0.0:80", local=True), ep("10.0.0.1:80", local=True)],
                 None, S("10.0.0.0:80", "10.0.0.1:80"), None, True,
                 id="internalTrafficPolicy: Local, all endpoints are local"),
    pytest.param(info(itp_local=True), [ep("10.0.0.0:80", local=True), ep("10.0.0.1:80")],
                 None, S("10.0.0.0:80"), None, True,
                 id="internalTrafficPolicy: Local, some endpoints are local"),
    pytest.param(info(), [ep("10.0.0.0:80", ready=False), ep("10.0.0.1:80", ready=False)],
                 S(), None, None, False,
                 id="Cluster traffic policy, endpoints not Ready"),
    pytest.param(info(), [ep("10.0.0.0:80", ready=False), ep("10.0.0.1:80")],
                 S("10.0.0.1:80"), None, None, True,
                 id="Cluster traffic policy, some endpoints are Ready"),
    pytest.param(info(), [ep("10.0.0.0:80", ready=False, serving=True, terminating=True, local=True),
                          ep("10.0.0.1:80", ready=False, serving=True, terminating=True)],
                 S("10.0.0.0:80", "10.0.0.1:80"), None, None, True,
                 id="Cluster traffic policy, PTE enabled, all endpoints are terminating"),
    pytest.param(info(itp_local=True, node_port=8080),
                 [ep("10.0.0.0:80", local=True), ep("10.0.0.1:80")],
                 S("10.0.0.0:80", "10.0.0.1:80"), S("10.0.0.0:80"), S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="iTP: Local, eTP: Cluster, some endpoints local"),
    pytest.param(info(etp_local=True, node_port=8080),
                 [ep("10.0.0.0:80", local=True), ep("10.0.0.1:80")],
                 S("10.0.0.0:80", "10.0.0.1:80"), S("10.0.0.0:80"), S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="iTP: Cluster, eTP: Local, some endpoints local"),
    pytest.param(info(itp_local=True, etp_local=True, node_port=8080),
                 [ep("10.0.0.0:80", local=True), ep("10.0.0.1:80")],
                 S("10.0.0.0:80", "10.0.0.1:80"), S("10.0.0.0:80"), S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="iTP: Local, eTP: Local, some endpoints local"),
    pytest.param(info(itp_local=True, etp_local=True, node_port=8080),
                 [ep("10.0.0.0:80"), ep("10.0.0.1:80")],
                 S("10.0.0.0:80", "10.0.0.1:80"), S(), S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="iTP: Local, eTP: Local, all endpoints remote"),
    pytest.param(info(itp_local=True, etp_local=True, node_port=8080),
                 [ep("10.0.0.0:80", ready=False, serving=True, terminating=True),
                  ep("10.0.0.1:80", ready=False, serving=True, terminating=True)],
                 S("10.0.0.0:80", "10.0.0.1:80"), S(), S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="iTP: Local, eTP: Local, PTE enabled, all endpoints remote and terminating"),
    pytest.param(info(etp_local=True, node_port=8080),
                 [ep("10.0.0.0:80"), ep("10.0.0.1:80", ready=False, serving=False, local=True),
                  ep("10.0.0.2:80", ready=False, serving=True, terminating=True, local=True),
                  ep("10.0.0.3:80", ready=False, serving=True, terminating=True)],
                 S("10.0.0.0:80"), S("10.0.0.2:80"), S("10.0.0.0:80", "10.0.0.2:80"), True,
                 id="iTP: Cluster, eTP: Local, PTE enabled, with terminating endpoints"),
    pytest.param(info(etp_local=True), [ep("10.0.0.0:80"), ep("10.0.0.1:80", local=True)],
                 S("10.0.0.0:80", "10.0.0.1:80"), None, S("10.0.0.0:80", "10.0.0.1:80"), True,
                 id="externalTrafficPolicy ignored if not externally accessible"),
    pytest.param(info(itp_local=True), [ep("10.0.0.0:80"), ep("10.0.0.1:80", local=True)],
                 None, S("10.0.0.1:80"), S("10.0.0.1:80"), True,
                 id="no cluster endpoints for iTP:Local internal-only service"),
    pytest.param(info(), [ep("10.1.2.3:80"), ep("10.1.2.4:80"), ep("10.1.2.5:80"), ep("10.1.2.6:80")],
                 S("10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80", "10.1.2.6:80"), None, None, True,
                 id="hints annotation empty, hints ignored"),
    pytest.param(info(), [ep("10.1.2.3:80"), ep("10.1.2.4:80"), ep("10.1.2.5:80"), ep("10.1.2.6:80", ready=False)],
                 S("10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80"), None, None, True,
                 id="unready endpoint (without hints: every ready endpoint)"),
]


@pytest.mark.parametrize("svc_info, endpoints, cluster, local, every, has_any", ROWS)
def test_categorize_endpoints(svc_info, endpoints, cluster, local, every, has_any):
    got = categorize(endpoints, svc_info, NODE)
    names = lambda eps: None if eps is None else {e.address for e in eps}  # noqa: E731
    assert names(got.cluster) == cluster
    assert names(got.local) == local
    expected_all = every if every is not None else (cluster if local is None else local)
    assert names(got.all_reachable) == expected_all
    assert got.has_any == has_any


def test_health_check_counts_distinct_ready_local_ips():
    # endpointschangetracker.go LocalReadyEndpoints: squashed by IP; terminating ones excluded.
    eps = [ep("10.0.0.1:80", local=True), ep("10.0.0.1:443", local=True),
           ep("10.0.0.2:80", ready=False, serving=True, terminating=True, local=True), ep("10.0.0.3:80")]
    assert local_ready_count(eps, NODE) == 1
    assert local_ready_count(eps, "nowhere") == 0

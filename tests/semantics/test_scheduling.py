"""scheduling.py: eligible nodes for generated pods.

Cases from upstream: k8s.io/api core/v1 toleration_test.go (TestTolerationToleratesTaint),
component-helpers scheduling/corev1/nodeaffinity/nodeaffinity_test.go (TestRequiredNodeAffinity:
nodeSelector, matchExpressions, matchFields, an empty term), the scheduler's
nodeunschedulable/node_unschedulable_test.go (TestNodeUnschedulable) and
pkg/controller/daemon/daemon_controller_test.go (TestTaintedNodeDaemonDoesNotLaunchIntolerantPods,
TestNotReadyNodeDaemonLaunchesPod, TestUnreachableTaintedNodeDaemonLaunchesPod,
TestTaintPressureNodeDaemonLaunchesPod, TestUnschedulableNodeDaemonDoesLaunchPod) and
daemon/util/daemonset_util_test.go (network-unavailable for hostNetwork pods only).
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics import conversion
from kubenet_site.semantics.scheduling import (
    Taint,
    Toleration,
    daemon_tolerations,
    eligible_nodes,
    matches_node_affinity,
    why_not,
)


def node(name="n1", labels=None, taints=(), unschedulable=False):
    raw = {"metadata": {"name": name, "labels": labels or {}},
           "spec": {"taints": [dict(t) for t in taints], **({"unschedulable": True} if unschedulable else {})}}
    return conversion.node(raw, raw, None)


def taint(key, value="", effect="NoSchedule"):
    return {"key": key, "value": value, "effect": effect}


TOLERATES = [
    pytest.param(Toleration("foo", "Equal", "bar", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), True,
                 id="same key, value and effect"),
    pytest.param(Toleration("foo", "Equal", "bar", ""), Taint("foo", "bar", "NoExecute"), True,
                 id="an empty effect matches every effect"),
    pytest.param(Toleration("foo", "Equal", "bar", "NoSchedule"), Taint("foo", "bar", "NoExecute"), False,
                 id="different effect"),
    pytest.param(Toleration("foo", "Exists", "", "NoSchedule"), Taint("foo", "anything", "NoSchedule"), True,
                 id="Exists ignores the value"),
    pytest.param(Toleration("", "Exists", "", ""), Taint("any", "v", "NoExecute"), True,
                 id="Exists with an empty key tolerates everything"),
    pytest.param(Toleration("foo", "Equal", "baz", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), False,
                 id="Equal, other value"),
    pytest.param(Toleration("foo", "", "bar", "NoSchedule"), Taint("foo", "bar", "NoSchedule"), True,
                 id="an empty operator is Equal"),
    pytest.param(Toleration("other", "Exists", "", ""), Taint("foo", "", "NoSchedule"), False, id="other key"),
]


@pytest.mark.parametrize("toleration, t, expected", TOLERATES)
def test_tolerates(toleration, t, expected):
    assert toleration.tolerates(t) is expected


AFFINITY = [
    pytest.param({"nodeSelector": {"disk": "ssd"}}, {"disk": "ssd"}, True, id="nodeSelector matches"),
    pytest.param({"nodeSelector": {"disk": "ssd"}}, {"disk": "hdd"}, False, id="nodeSelector, other value"),
    pytest.param({"nodeSelector": {"disk": "ssd"}}, {}, False, id="nodeSelector, label missing"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}},
        {"zone": "b"}, True, id="In"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}]}}}},
        {}, True, id="NotIn holds when the label is absent"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"}]},
                              {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}]}}}},
        {"zone": "a"}, True, id="terms are ORed"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "gpu", "operator": "Exists"},
                                                    {"key": "zone", "operator": "In", "values": ["a"]}]}]}}}},
        {"zone": "a"}, False, id="expressions of one term are ANDed"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}]}}}},
        {"cores": "8"}, True, id="Gt compares integers"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["4"]}]}]}}}},
        {"cores": "many"}, False, id="Lt on a label that is no integer"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}},
        {}, True, id="matchFields metadata.name"),
    pytest.param({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{}]}}}}, {"zone": "a"}, False, id="an empty term matches nothing"),
    pytest.param({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 1, "preference": {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}}]}}},
        {}, True, id="preferred affinity does not filter"),
]


@pytest.mark.parametrize("spec, labels, expected", AFFINITY)
def test_node_affinity(spec, labels, expected):
    assert matches_node_affinity(spec, node("n1", labels)) is expected


CP = taint("node-role.kubernetes.io/control-plane")
FILTERS = [
    pytest.param({}, node(taints=[CP]), False, "untolerated taint", id="control-plane taint keeps pods off"),
    pytest.param({"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                                   "effect": "NoSchedule"}]}, node(taints=[CP]), False, None,
                 id="tolerated control-plane taint"),
    pytest.param({}, node(taints=[taint("x", effect="PreferNoSchedule")]), False, None,
                 id="PreferNoSchedule does not filter"),
    pytest.param({}, node(taints=[taint("x", effect="NoExecute")]), False, "untolerated taint", id="NoExecute"),
    pytest.param({}, node(unschedulable=True), False, "unschedulable", id="unschedulable node"),
    pytest.param({"tolerations": [{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                   "effect": "NoSchedule"}]}, node(unschedulable=True), False, None,
                 id="unschedulable tolerated"),
    pytest.param({"nodeName": "other"}, node(), False, "spec.nodeName", id="nodeName elsewhere"),
    pytest.param({"nodeName": "n1"}, node(taints=[CP], unschedulable=True), False, None,
                 id="nodeName skips the scheduler: NoSchedule and unschedulable do not apply"),
    pytest.param({"nodeName": "n1"}, node(taints=[taint("x", effect="NoExecute")]), False, "untolerated taint",
                 id="nodeName: the kubelet still refuses an untolerated NoExecute taint"),
    # daemon controller predicates
    pytest.param({}, node(taints=[CP]), True, "untolerated taint", id="daemon: intolerant of a NoSchedule taint"),
    pytest.param({}, node(unschedulable=True), True, None, id="daemon: unschedulable nodes still run it"),
    pytest.param({}, node(taints=[taint("node.kubernetes.io/not-ready", effect="NoExecute")]), True, None,
                 id="daemon: not-ready node"),
    pytest.param({}, node(taints=[taint("node.kubernetes.io/unreachable", effect="NoExecute")]), True, None,
                 id="daemon: unreachable node"),
    pytest.param({}, node(taints=[taint("node.kubernetes.io/disk-pressure"),
                                  taint("node.kubernetes.io/memory-pressure"),
                                  taint("node.kubernetes.io/pid-pressure")]), True, None,
                 id="daemon: pressure taints"),
    pytest.param({}, node(taints=[taint("node.kubernetes.io/network-unavailable")]), True, "untolerated taint",
                 id="daemon: network-unavailable without hostNetwork"),
    pytest.param({"hostNetwork": True}, node(taints=[taint("node.kubernetes.io/network-unavailable")]), True, None,
                 id="daemon: network-unavailable with hostNetwork"),
]


@pytest.mark.parametrize("spec, n, daemon, reason", FILTERS)
def test_filters(spec, n, daemon, reason):
    got = why_not(spec, n, daemon=daemon)
    if reason is None:
        assert got is None
    else:
        assert got is not None and reason in got


def test_daemon_tolerations_are_not_added_twice():
    spec = {"tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]}
    keys = [t.key for t in daemon_tolerations(spec)]
    assert "node.kubernetes.io/not-ready" not in keys
    assert "node.kubernetes.io/network-unavailable" not in keys
    assert len(keys) == 5


def test_eligible_nodes_sorted_by_name():
    nodes = [node("c"), node("a", taints=[CP]), node("b")]
    assert [n.name for n in eligible_nodes({}, nodes)] == ["b", "c"]
    assert [n.name for n in eligible_nodes({}, nodes, daemon=False)] == ["b", "c"]

"""Workloads become the pods their controllers would create (expansion.py, workloads.py,
pod_names.py), per kind.

Cases follow the controllers' own tests: apiserver pkg/storage/names/generate_test.go
(TestSimpleNameGenerator: prefix kept, 5 more characters, 63 at most), pkg/controller/
replicaset/replica_set_test.go (TestSyncReplicaSetCreateFailures: replicas pods),
pkg/controller/deployment/sync_test.go (the new ReplicaSet `<name>-<hash>` and its
pod-template-hash label), pkg/controller/statefulset/stateful_set_utils_test.go
(TestIdentityMatches: name `<set>-<ordinal>`, hostname, subdomain, pod-name label;
TestStatefulSetControl with spec.ordinals.start), pkg/controller/daemon/daemon_controller_test.go
(TestSimpleDaemonSetLaunchesPods: one pod per node; TestSelectorDaemonLaunchesPods),
pkg/controller/job/job_controller_test.go (TestControllerSyncJob: "job start" parallelism 2
of completions 5 -> 2 pods, "WQ job start" no completions -> parallelism, "too many
succeeded"/finished -> none, "suspended job" -> none, "parallelism 0" -> none) and
controller_ref_manager_test.go (TestClaimPods: an orphan matching the selector is adopted, a
pod owned by another controller or being deleted is not).
"""

from __future__ import annotations

import re

import pytest

from kubenet_site.semantics.manifests import export_objects
from kubenet_site.semantics.pod_names import (
    MAX_GENERATED_NAME_LENGTH,
    SAFE_ALPHABET,
    generate_name,
    template_hash,
)
from kubenet_site.semantics.workloads import job_pod_count, rs_belongs_to

from .workload_builders import (
    build,
    control_plane,
    cronjob,
    generated_pods,
    job,
    node,
    running_pod,
    workers,
    workload,
)

SAFE = f"[{SAFE_ALPHABET}]"


def names(result) -> list[str]:
    return sorted(p.name for p in generated_pods(result))


# --- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("base", [
    pytest.param("foo", id="short prefix"),
    pytest.param("web-", id="a controller's prefix"),
    pytest.param("x" * 57 + "-", id="58 characters, kept whole"),
    pytest.param("a" * 70 + "-", id="longer than 58, cut"),
])
def test_generate_name(base):
    name = generate_name(base, "seed")
    kept = base[:MAX_GENERATED_NAME_LENGTH]
    assert name.startswith(kept) and len(name) == len(kept) + 5 <= 63
    assert re.fullmatch(f"{SAFE}{{5}}", name[len(kept):])
    assert generate_name(base, "seed") == name and generate_name(base, "other") != name


def test_template_hash_shape():
    h = template_hash({"metadata": {"labels": {"app": "web"}}})
    # SafeEncodeString of a uint32's decimal digits: only the digits' images, at most 10.
    assert re.fullmatch("[456789bcdf]{1,10}", h)
    assert template_hash({"metadata": {"labels": {"app": "web"}}}, 1) != h


# --- Deployments and ReplicaSets --------------------------------------------------------------

@pytest.mark.parametrize("spec, count", [
    pytest.param({}, 1, id="replicas defaults to 1"),
    pytest.param({"replicas": 3}, 3, id="replicas 3"),
    pytest.param({"replicas": 0}, 0, id="replicas 0"),
])
def test_deployment_pods_through_its_replica_set(spec, count):
    r = build(*workers(2), workload("Deployment", **spec))
    rs = [o for o in r.snapshot.others if o.kind == "ReplicaSet"]
    assert len(rs) == 1
    h = rs[0].raw["metadata"]["labels"]["pod-template-hash"]
    assert rs[0].name == f"web-{h}"
    assert rs[0].raw["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert r.generated_by[f"ReplicaSet/default/web-{h}"] == "Deployment/default/web"
    pods = generated_pods(r)
    assert len(pods) == count
    for p in pods:
        assert re.fullmatch(f"web-{h}-{SAFE}{{5}}", p.name)
        assert p.labels == {"app": "web", "pod-template-hash": h}
        assert [(o.kind, o.name, o.controller) for o in p.owner_references] == [("ReplicaSet", f"web-{h}", True)]
        assert r.generated_by[f"Pod/default/{p.name}"] == "Deployment/default/web"


def test_standalone_replica_set():
    r = build(*workers(1), workload("ReplicaSet", "frontend", replicas=2))
    assert [re.fullmatch(f"frontend-{SAFE}{{5}}", n) is not None for n in names(r)] == [True, True]


def test_deployment_uses_its_replica_sets_in_the_manifests():
    d = workload("Deployment", replicas=3, meta={"uid": "d1"})
    owner = {"ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d1",
                                  "controller": True}]}
    new = workload("ReplicaSet", "web-5f7c9d8b6", replicas=2, meta=owner,
                   labels={"app": "web", "pod-template-hash": "5f7c9d8b6"})
    old = workload("ReplicaSet", "web-7d9f8c6b4", replicas=0, meta=owner,
                   labels={"app": "web", "pod-template-hash": "7d9f8c6b4"})
    r = build(*workers(2), d, new, old)
    assert [n.rsplit("-", 1)[0] for n in names(r)] == ["web-5f7c9d8b6"] * 2
    assert not [o for o in r.snapshot.others if o.kind == "ReplicaSet" and o.name not in (new["metadata"]["name"],
                                                                                          old["metadata"]["name"])]


PRESENT = [
    pytest.param(running_pod("web-5f7c9d8b6-abcde", {"app": "web", "pod-template-hash": "5f7c9d8b6"}, "10.244.1.9",
                             owner=("ReplicaSet", "web-5f7c9d8b6")), True,
                 id="a pod of a ReplicaSet <name>-<hash> that is not in the manifests"),
    pytest.param(running_pod("orphan", {"app": "web"}, "10.244.1.9"), True, id="an orphan matching the selector"),
    pytest.param(running_pod("web-api-6c8d7f9b5-abcde", {"app": "api", "pod-template-hash": "6c8d7f9b5"},
                             "10.244.1.9", owner=("ReplicaSet", "web-api-6c8d7f9b5")), False,
                 id="a pod of web-api's ReplicaSet is not web's"),
    pytest.param(running_pod("other", {"app": "web"}, "10.244.1.9", owner=("ReplicaSet", "other")), False,
                 id="a matching pod another controller owns is not adopted"),
]


@pytest.mark.parametrize("pod, present", PRESENT)
def test_deployment_presence(pod, present):
    r = build(*workers(1), workload("Deployment", replicas=2), pod)
    assert (names(r) == []) is present
    assert len(r.snapshot.pods) == (1 if present else 3)


def test_terminating_orphan_is_not_adopted():
    pod = running_pod("orphan", {"app": "web"}, "10.244.1.9")
    pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert len(names(build(*workers(1), workload("ReplicaSet", replicas=1), pod))) == 1


def test_invalid_selector_makes_no_pods():
    d = workload("Deployment", selector={"matchLabels": {"app": "other"}})
    r = build(*workers(1), d)
    assert names(r) == []
    (w,) = [d for d in r.warnings if d.code == "workload-invalid"]
    assert (w.object, w.field) == ("Deployment/default/web", "spec.template.metadata.labels")


def test_invalid_template_reported_under_the_template():
    d = workload("Deployment", pod={"containers": [{"name": "app", "image": "x",
                                                    "ports": [{"containerPort": 70000}]}]})
    r = build(*workers(1), d)
    assert names(r) == []
    fields = {d.field for d in r.warnings if d.code == "workload-invalid"}
    assert "spec.template.spec.containers[0].ports[0].containerPort" in fields


# --- StatefulSets -----------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    pytest.param({"replicas": 3}, ["db-0", "db-1", "db-2"], id="ordinals from 0"),
    pytest.param({"replicas": 2, "ordinals": {"start": 5}}, ["db-5", "db-6"], id="spec.ordinals.start"),
    pytest.param({}, ["db-0"], id="replicas defaults to 1"),
])
def test_statefulset_names(spec, expected):
    r = build(*workers(2), workload("StatefulSet", "db", labels={"app": "db"}, serviceName="db-hl", **spec))
    assert names(r) == expected
    for p in generated_pods(r):
        ordinal = p.name.rsplit("-", 1)[1]
        assert (p.hostname, p.subdomain) == (p.name, "db-hl")
        assert p.labels["statefulset.kubernetes.io/pod-name"] == p.name
        assert p.labels["apps.kubernetes.io/pod-index"] == ordinal
        assert re.fullmatch(f"db-{SAFE}{{1,10}}", p.labels["controller-revision-hash"])
        assert [(o.kind, o.name) for o in p.owner_references] == [("StatefulSet", "db")]


def test_statefulset_name_taken_by_another_pod():
    taken = running_pod("db-0", {"app": "legacy"}, "10.244.1.9")
    r = build(*workers(1), taken, workload("StatefulSet", "db", labels={"app": "db"}, replicas=2))
    assert names(r) == ["db-1"]
    (w,) = [d for d in r.warnings if d.code == "generated-name-conflict"]
    assert (w.object, w.field) == ("StatefulSet/default/db", "metadata.name")


# --- DaemonSets -------------------------------------------------------------------------------

@pytest.mark.parametrize("nodes, pod, expected", [
    pytest.param([control_plane(), *workers(2)], {}, ["w1", "w2"], id="one per worker, not the tainted control plane"),
    pytest.param([control_plane(), *workers(2)],
                 {"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
                                   "effect": "NoSchedule"}]}, ["cp", "w1", "w2"], id="tolerating the control plane"),
    pytest.param([node("a", "10.244.1.0/24", labels={"disk": "ssd"}), node("b", "10.244.2.0/24")],
                 {"nodeSelector": {"disk": "ssd"}}, ["a"], id="nodeSelector"),
    pytest.param([node("a", "10.244.1.0/24", unschedulable=True)], {}, ["a"], id="unschedulable node"),
])
def test_daemonset_one_pod_per_eligible_node(nodes, pod, expected):
    r = build(*nodes, workload("DaemonSet", "agent", labels={"app": "agent"}, pod=pod))
    pods = generated_pods(r)
    assert sorted(p.node_name for p in pods) == expected
    for p in pods:
        assert re.fullmatch(f"agent-{SAFE}{{5}}", p.name)
        assert "controller-revision-hash" in p.labels
        tolerations = {t["key"] for t in p.raw["spec"]["tolerations"] if t.get("key")}
        assert {"node.kubernetes.io/not-ready", "node.kubernetes.io/unschedulable"} <= tolerations
        term = p.raw["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        assert term["nodeSelectorTerms"][0]["matchFields"][0]["values"] == [p.node_name]


def test_host_network_daemon_uses_node_addresses():
    r = build(*workers(2), workload("DaemonSet", "proxy", labels={"app": "proxy"}, pod={"hostNetwork": True}))
    assert sorted(p.ip for p in generated_pods(r)) == ["10.0.1.1", "10.0.1.2"]


# --- Jobs and CronJobs ------------------------------------------------------------------------

@pytest.mark.parametrize("spec, status, count", [
    pytest.param({}, {}, 1, id="non-parallel: both unset"),
    pytest.param({"parallelism": 2, "completions": 5}, {}, 2, id="job start: parallelism of completions"),
    pytest.param({"parallelism": 5, "completions": 3}, {}, 3, id="more parallelism than completions"),
    pytest.param({"parallelism": 2}, {}, 2, id="work queue: completions unset"),
    pytest.param({"completions": 4}, {}, 1, id="parallelism defaults to 1"),
    pytest.param({"parallelism": 0}, {}, 0, id="parallelism 0"),
    pytest.param({"parallelism": 3, "completions": 5}, {"succeeded": 4}, 1, id="completions less succeeded"),
    pytest.param({"suspend": True}, {}, 0, id="suspended"),
    pytest.param({}, {"conditions": [{"type": "Complete", "status": "True"}]}, 0, id="finished"),
    pytest.param({}, {"conditions": [{"type": "Failed", "status": "True"}]}, 0, id="failed"),
])
def test_job_pod_count(spec, status, count):
    assert job_pod_count(spec, status) == count
    r = build(*workers(1), job(status=status, **spec))
    pods = generated_pods(r)
    assert len(pods) == count
    for p in pods:
        assert re.fullmatch(f"batch-{SAFE}{{5}}", p.name)
        assert p.labels["batch.kubernetes.io/job-name"] == "batch" and p.labels["job-name"] == "batch"


def test_indexed_job():
    r = build(*workers(1), job(completionMode="Indexed", completions=2, parallelism=2))
    pods = sorted(generated_pods(r), key=lambda p: p.name)
    assert [re.fullmatch(f"batch-{i}-{SAFE}{{5}}", p.name) is not None for i, p in enumerate(pods)] == [True, True]
    assert [p.hostname for p in pods] == ["batch-0", "batch-1"]


def test_cronjob_without_a_job():
    r = build(*workers(1), cronjob())
    assert names(r) == []
    (info,) = [d for d in r.warnings if d.code == "cronjob-has-no-job"]
    assert (info.severity, info.object) == ("info", "CronJob/default/nightly")


def test_cronjob_with_its_job():
    j = job("nightly-29499000", meta={"ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob",
                                                         "name": "nightly", "uid": "c1", "controller": True}]})
    r = build(*workers(1), cronjob(), j)
    assert [n.rsplit("-", 1)[0] for n in names(r)] == ["nightly-29499000"]
    assert not [d for d in r.warnings if d.code == "cronjob-has-no-job"]


# --- placement --------------------------------------------------------------------------------

def test_round_robin_in_name_order():
    r = build(node("b", "10.244.2.0/24"), node("a", "10.244.1.0/24"), workload("StatefulSet", "s", replicas=3))
    assert [(p.name, p.node_name, p.ip) for p in generated_pods(r)] == [
        ("s-0", "a", "10.244.1.2"), ("s-1", "b", "10.244.2.2"), ("s-2", "a", "10.244.1.3")]


def test_unschedulable_pods_stay_pending():
    on_cp = {"nodeSelector": {"node-role.kubernetes.io/control-plane": ""}}
    r = build(control_plane(), *workers(1), workload("Deployment", replicas=2, pod=on_cp))
    pods = generated_pods(r)
    assert [(p.phase, p.node_name, p.ip, p.ready) for p in pods] == [("Pending", None, None, False)] * 2
    (w,) = [d for d in r.warnings if d.code == "pod-unschedulable"]
    assert w.object == "Deployment/default/web" and w.field == "spec.template.spec"
    assert w.message.startswith("0/2 nodes are available: ")
    assert "1 node(s) didn't match Pod's node affinity/selector" in w.message
    assert "1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }" in w.message


def test_not_ready_when_the_cluster_says_so():
    r = build(*workers(1), workload("Deployment"), cluster={"generatedPodsReady": False})
    (p,) = generated_pods(r)
    assert (p.phase, p.ready) == ("Running", False)


def test_generated_objects_are_derived_not_exported():
    d = workload("Deployment", replicas=2)
    r = build(*workers(1), d)
    assert export_objects(r) == [*workers(1), d]
    assert export_objects(r.snapshot) == [*workers(1), d]  # a bare Snapshot knows what it derived
    assert dict(r.snapshot.generated_by) == r.generated_by
    assert [m["kind"] for m in r.generated] == ["ReplicaSet", "Pod", "Pod"]


def test_same_input_same_names_and_addresses():
    objs = [*workers(2), workload("Deployment", replicas=3), workload("DaemonSet", "agent", labels={"app": "a"}),
            job(parallelism=2)]
    first, second = build(*objs), build(*objs)
    assert [(p.name, p.node_name, p.pod_ips) for p in first.snapshot.pods] == \
        [(p.name, p.node_name, p.pod_ips) for p in second.snapshot.pods]
    assert first.generated == second.generated


@pytest.mark.parametrize("pod_spec, field", [
    pytest.param({"hostname": "custom"}, "spec.template.spec.hostname", id="hostname"),
    pytest.param({"subdomain": "other"}, "spec.template.spec.subdomain", id="subdomain"),
])
def test_statefulset_identity_overrides_the_template(pod_spec, field):
    r = build(*workers(1), workload("StatefulSet", "db", labels={"app": "db"}, serviceName="db", replicas=2,
                                    pod=pod_spec))
    assert [(p.hostname, p.subdomain) for p in generated_pods(r)] == [("db-0", "db"), ("db-1", "db")]
    (w,) = [d for d in r.warnings if d.code == "generated-field-overridden"]
    assert (w.object, w.field) == ("StatefulSet/default/db", field)


@pytest.mark.parametrize("rs, label, expected", [
    pytest.param("web-5d78c9869d", None, True, id="a hash suffix"),
    pytest.param("web-abc123", None, True, id="any short lower-case segment"),
    pytest.param("web-abc123", "abc123", True, id="the pod-template-hash label agrees"),
    pytest.param("web-abc123", "5d78c9869d", False, id="the pod-template-hash label disagrees"),
    pytest.param("web-api-5d78c9869d", None, False, id="another Deployment's (web-api) ReplicaSet"),
    pytest.param("webapp-5d78c9869d", None, False, id="a longer name"),
    pytest.param("web-", None, False, id="no hash"),
])
def test_replica_set_of_a_deployment(rs, label, expected):
    assert rs_belongs_to(rs, "web", label) is expected


def test_an_invalid_workload_takes_no_address():
    bad = workload("Deployment", "bad", labels={"app": "bad"},
                   pod={"containers": [{"name": "app", "image": "x", "ports": [{"containerPort": 70000}]}]})
    r = build(node("a", "10.244.1.0/24"), bad, workload("StatefulSet", "s"))
    assert [(p.name, p.ip) for p in generated_pods(r)] == [("s-0", "10.244.1.2")]
    assert not [o for o in r.snapshot.others if o.kind == "ReplicaSet"]  # nor a ReplicaSet

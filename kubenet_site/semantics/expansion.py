"""Workloads become the pods their controllers would create (interfaces.md "Workloads").

`expand_workloads` runs once after every object is created (manifests.py's build hook): each
workload that is not present (workloads.py) becomes its pods, placed on eligible nodes
(scheduling.py) round-robin in name order, given addresses from their node's pod CIDR
(pod_addresses.py) and named as the controllers name them (pod_names.py). Generated objects
are derived, never stored: the build reports them apart (`generated`, with the workload each
came from), export leaves them out.

The pods each controller makes, and the labels it adds:
- Deployment: a ReplicaSet `<name>-<pod-template-hash>` owned by the Deployment, whose
  template and selector gain the `pod-template-hash` label (pkg/controller/deployment/sync.go
  getNewReplicaSet); a Deployment whose ReplicaSets are in the manifests uses those that have
  replicas (a rollout's state as given).
- ReplicaSet: `replicas` pods named by generateName `<rs>-` (replica_set.go manageReplicas,
  controller_utils.go GetPodFromTemplate: template labels and annotations, controller
  ownerReference).
- StatefulSet: `<set>-<ordinal>` with hostname = the pod name and subdomain = serviceName, labels
  `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index` and
  `controller-revision-hash` (stateful_set_utils.go newStatefulSetPod, initIdentity,
  updateIdentity, SetRevision).
- DaemonSet: one pod per eligible node, with the daemon controller's tolerations, a required
  node affinity on `metadata.name` (daemon/util ReplaceDaemonSetPodNodeNameNodeAffinity) and
  labels `controller-revision-hash`, `pod-template-generation` (daemon/util CreatePodTemplate).
- Job: generateName `<job>-` (Indexed: `<job>-<index>-`, with hostname `<job>-<index>` and the
  completion index annotation and label: job_controller.go, indexed_job_utils.go), labels
  `batch.kubernetes.io/controller-uid`, `batch.kubernetes.io/job-name` and their legacy
  forms (pkg/registry/batch/job/strategy.go generateSelector).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from . import conversion
from .decoding import type_errors
from .defaults import with_defaults
from .labels import selects
from .pod_addresses import (
    MAX_OWN_NODES,
    AddressAllocator,
    carve_node_cidrs,
    cluster_families,
    own_node_manifests,
)
from .pod_names import (
    controller_revision_name,
    generate_name,
    pods_prefix,
    replica_set_name,
    statefulset_pod_name,
    template_hash,
)
from .scheduling import daemon_tolerations, eligible_nodes, is_worker, why_not
from .types import ClusterConfig, Diagnostic, Node, OtherObject, Pod
from .validation import VALIDATORS
from .workloads import (
    Presence,
    Workload,
    cronjob_has_job,
    deployment_replica_sets,
    job_pod_count,
    ordinal_start,
    replicas,
    synthetic_uid,
    workloads_of,
)


@dataclass
class Expansion:
    """What the controllers made: objects in creation order and where each came from."""

    pods: list[Pod] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)  # own nodes added
    others: list[OtherObject] = field(default_factory=list)  # generated ReplicaSets
    manifests: list[dict[str, Any]] = field(default_factory=list)
    generated_by: dict[str, str] = field(default_factory=dict)  # "Kind/ns/name" -> its workload (or "")
    findings: list[Diagnostic] = field(default_factory=list)


@dataclass
class _Unit:
    """One controller's batch of pods: a ReplicaSet, StatefulSet, DaemonSet or Job."""

    workload: Workload  # the workload the user edits (a Deployment for its ReplicaSet's pods)
    owner_kind: str
    owner_api: str
    owner_name: str
    owner_uid: str
    template: Mapping[str, Any]
    count: int = 0
    daemon: bool = False
    extra_labels: dict[str, str] = field(default_factory=dict)


def _d(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _selector_problem(w: Workload) -> tuple[str, str] | None:
    """apps validation ValidateDeploymentSpec & co.: a selector is required and must match the
    template's labels (pkg/apis/apps/validation/validation.go)."""
    if w.kind == "Job":
        if w.spec.get("manualSelector") is not True:
            return None
    elif w.selector is None:
        return "spec.selector", "Required value"
    sel = w.selector
    if sel is None:
        return None
    labels = _d(_d(w.template.get("metadata")).get("labels"))
    if not (sel.match_labels or sel.match_expressions):
        return "spec.selector", f"Invalid value: {{}}: empty selector is invalid for {w.kind.lower()}"
    if not selects(sel, {str(k): str(v) for k, v in labels.items()}):
        return (f"{w.template_path}.metadata.labels",
                f"Invalid value: {dict(labels)!r}: `selector` does not match template `labels`")
    return None


class _Expander:
    def __init__(self, out: MutableMapping[str, list[Any]], cluster: ClusterConfig, start: datetime) -> None:
        self.out = out
        self.cluster = cluster
        self.clock = start
        self.exp = Expansion()
        self.workloads = workloads_of(out["others"])
        self.presence = Presence(out["pods"], self.workloads)
        self.names: set[tuple[str, str, str]] = {("Pod", p.namespace, p.name) for p in out["pods"]}
        self.names |= {(o.kind, o.namespace or "", o.name) for o in out["others"]}
        self.exhausted: dict[str, list[str]] = {}  # workload -> its pods that got no address

    # -- helpers
    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def _finding(self, severity: str, obj: str, fld: str, code: str, message: str) -> None:
        self.exp.findings.append(Diagnostic(severity, obj, fld, code, message))

    def _unique_name(self, kind: str, ns: str, base: str, seed: str) -> str:
        n = 0
        while True:
            name = generate_name(base, f"{seed}#{n}" if n else seed)
            if (kind, ns, name) not in self.names:
                return name
            n += 1

    # -- planning: which controllers make how many pods
    def plan(self) -> list[_Unit]:
        units: list[_Unit] = []
        deployments = {(w.namespace, w.name) for w in self.workloads if w.kind == "Deployment"}
        for w in self.workloads:
            if w.kind == "CronJob":
                if not cronjob_has_job(w, self.workloads):
                    self._finding("info", w.object_name, "spec.schedule", "cronjob-has-no-job",
                                  f"no Job of this CronJob is present, so it has no pods: its controller "
                                  f"creates Jobs on its schedule ({w.spec.get('schedule')!r}), not pods")
                continue
            if w.kind == "ReplicaSet" and w.controller and w.controller[0] == "Deployment" \
                    and (w.namespace, w.controller[1]) in deployments:
                continue  # its Deployment decides
            if self.presence.present(w):
                continue
            problem = _selector_problem(w)
            if problem is not None:
                self._finding("warning", w.object_name, problem[0], "workload-invalid",
                              f"{problem[1]}; the API server refuses this {w.kind}, so it makes no pods")
                continue
            if self._template_refused(w):
                continue
            units += self._units(w)
        return units

    def _units(self, w: Workload) -> list[_Unit]:
        uid = w.uid
        if w.kind == "Deployment":
            return self._deployment_units(w)
        if w.kind == "ReplicaSet":
            return [_Unit(w, "ReplicaSet", "apps/v1", w.name, uid, w.template, replicas(w))]
        if w.kind == "StatefulSet":
            rev = controller_revision_name(w.name, template_hash(w.template))
            return [_Unit(w, "StatefulSet", "apps/v1", w.name, uid, w.template, replicas(w),
                          extra_labels={"controller-revision-hash": rev})]
        if w.kind == "DaemonSet":
            return [_Unit(w, "DaemonSet", "apps/v1", w.name, uid, w.template, daemon=True,
                          extra_labels={"controller-revision-hash": template_hash(w.template),
                                        "pod-template-generation": str(w.meta.get("generation") or 1)})]
        # Job: strategy.go generateSelector's labels, unless the selector is manual.
        labels = {}
        if w.spec.get("manualSelector") is not True:
            labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": w.name,
                      "controller-uid": uid, "job-name": w.name}
        count = job_pod_count(w.spec, _d(w.raw.get("status")))
        return [_Unit(w, "Job", "batch/v1", w.name, uid, w.template, count, extra_labels=labels)]

    def _deployment_units(self, d: Workload) -> list[_Unit]:
        active = [rs for rs in deployment_replica_sets(d, self.workloads) if replicas(rs) > 0]
        if active:
            return [_Unit(d, "ReplicaSet", "apps/v1", rs.name, rs.uid, rs.template, replicas(rs)) for rs in active]
        collisions = _d(d.raw.get("status")).get("collisionCount")
        h = template_hash(d.template, collisions if isinstance(collisions, int) else 0)
        rs_name = replica_set_name(d.name, h)
        rs_uid = synthetic_uid(f"ReplicaSet/{d.namespace}/{rs_name}")
        template = copy.deepcopy(dict(d.template))
        meta = template.setdefault("metadata", {})
        meta["labels"] = {**_d(meta.get("labels")), "pod-template-hash": h}
        selector = copy.deepcopy(dict(_d(d.spec.get("selector"))))
        selector["matchLabels"] = {**_d(selector.get("matchLabels")), "pod-template-hash": h}
        count = replicas(d)
        ready = count if self.cluster.generated_pods_ready else 0
        rs = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": rs_name, "namespace": d.namespace, "uid": rs_uid,
                         "creationTimestamp": _iso(self._tick()), "labels": dict(meta["labels"]),
                         "annotations": {"deployment.kubernetes.io/revision": "1"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": d.name,
                                              "uid": d.uid, "controller": True, "blockOwnerDeletion": True}]},
            "spec": {"replicas": count, "selector": selector, "template": template},
            "status": {"replicas": count, "readyReplicas": ready, "availableReplicas": ready},
        }
        self.names.add(("ReplicaSet", d.namespace, rs_name))
        self.exp.others.append(OtherObject("apps/v1", "ReplicaSet", rs_name, d.namespace, rs))
        self.exp.manifests.append(rs)
        self.exp.generated_by[f"ReplicaSet/{d.namespace}/{rs_name}"] = d.object_name
        return [_Unit(d, "ReplicaSet", "apps/v1", rs_name, rs_uid, template, count)]

    # -- nodes
    def nodes(self, units: list[_Unit]) -> list[Node]:
        nodes = list(self.out["nodes"])
        if not any(u.count > 0 or u.daemon for u in units):
            return nodes
        used = [c for n in nodes for c in n.pod_cidrs]
        own = 0
        if not any(is_worker(n) for n in nodes):
            own = min(max(self.cluster.nodes, 0), MAX_OWN_NODES)
            self._finding("info", "", "cluster.nodes", "cluster-nodes-assumed",
                          f"no worker Node in the manifests: the cluster's own {own} node(s) node-1..node-{own} "
                          "run the workloads' pods")
        bare = [n.name for n in nodes if not n.pod_cidrs] + [f"node-{i}" for i in range(1, own + 1)]
        cidrs = carve_node_cidrs(bare, self.cluster, used) if bare else {}
        for i, n in enumerate(nodes):
            if not n.pod_cidrs and cidrs.get(n.name):
                nodes[i] = replace(n, pod_cidrs=cidrs[n.name])
        created = _iso(self._tick())
        for manifest in own_node_manifests(own, cidrs, created):
            node = conversion.node(manifest, manifest, conversion.parse_time(created))
            nodes.append(node)
            self.exp.nodes.append(node)
            self.exp.manifests.append(manifest)
            self.exp.generated_by[f"Node/{node.name}"] = ""
        return nodes

    # -- pods
    def pods(self, units: list[_Unit], nodes: list[Node]) -> None:
        held = [ip for p in self.out["pods"] for ip in p.pod_ips]
        alloc = AddressAllocator(nodes, held, cluster_families(self.cluster))
        for u in units:
            spec = _d(u.template.get("spec"))
            eligible = eligible_nodes(spec, nodes, daemon=u.daemon)
            if u.daemon:
                targets: list[Node | None] = list(eligible)
            else:
                targets = [eligible[i % len(eligible)] if eligible else None for i in range(u.count)]
            if None in targets:
                self._unschedulable(u, spec, nodes)
            for index, node in enumerate(targets):
                manifest = self._pod_manifest(u, index, node, alloc)
                if manifest is None:
                    continue
                obj, errs = _admit(manifest)
                if obj is None:  # a name-specific refusal (the template itself passed)
                    for e in errs:
                        self._finding("warning", u.workload.object_name, e.path, "workload-invalid",
                                      f"{manifest['metadata']['name']}: {e.message}")
                    continue
                pod = conversion.pod(obj, manifest, conversion.parse_time(manifest["metadata"]["creationTimestamp"]))
                self.exp.pods.append(pod)
                self.exp.manifests.append(manifest)
                self.exp.generated_by[f"Pod/{pod.namespace}/{pod.name}"] = u.workload.object_name
        for workload, names in self.exhausted.items():
            self._finding("warning", workload, "", "pod-address-exhausted",
                          f"{len(names)} pod(s) ({names[0]}{', ...' if len(names) > 1 else ''}) get no address: "
                          "their nodes' pod CIDRs are full, so they stay Pending")

    def _unschedulable(self, u: _Unit, spec: Mapping[str, Any], nodes: list[Node]) -> None:
        """The scheduler's FitError message: `0/N nodes are available: <count> <reason>, ...`."""
        reasons: dict[str, int] = {}
        for n in nodes:
            r = why_not(spec, n, u.daemon)
            if r:
                reasons[r] = reasons.get(r, 0) + 1
        detail = ", ".join(f"{c} {r}" for r, c in sorted(reasons.items()))
        self._finding("warning", u.workload.object_name, f"{u.workload.template_path}.spec", "pod-unschedulable",
                      f"0/{len(nodes)} nodes are available{': ' + detail if detail else ''}; its pods stay Pending")

    def _pod_manifest(self, u: _Unit, index: int, node: Node | None, alloc: AddressAllocator) -> dict | None:
        w = u.workload
        ns = w.namespace
        tmeta = _d(u.template.get("metadata"))
        spec: dict[str, Any] = copy.deepcopy(dict(_d(u.template.get("spec"))))
        labels = {**{str(k): str(v) for k, v in _d(tmeta.get("labels")).items()}, **u.extra_labels}
        gen_base: str | None = pods_prefix(u.owner_name)
        annotations = {str(k): str(v) for k, v in _d(tmeta.get("annotations")).items()}
        if u.owner_kind == "StatefulSet":
            ordinal = ordinal_start(w) + index
            name = statefulset_pod_name(w.name, ordinal)
            gen_base = None
            if ("Pod", ns, name) in self.names:
                self._finding("warning", w.object_name, "metadata.name", "generated-name-conflict",
                              f'pods "{name}" already exists and is not this StatefulSet\'s; the controller '
                              "cannot create it")
                return None
            labels["statefulset.kubernetes.io/pod-name"] = name
            labels["apps.kubernetes.io/pod-index"] = str(ordinal)
            identity = {"hostname": name, "subdomain": w.spec.get("serviceName") or None}
            for key, value in identity.items():
                if index == 0 and spec.get(key) and spec[key] != value:
                    self._finding("warning", w.object_name, f"{w.template_path}.spec.{key}", "generated-field-overridden",
                                  f"{spec[key]!r} is replaced by the StatefulSet controller's "
                                  f"{'the pod name' if key == 'hostname' else repr(value)} (updateIdentity)")
                spec.pop(key, None)
                if value:
                    spec[key] = value
        elif u.owner_kind == "Job" and w.spec.get("completionMode") == "Indexed":
            labels["batch.kubernetes.io/job-completion-index"] = str(index)
            annotations["batch.kubernetes.io/job-completion-index"] = str(index)
            spec.setdefault("hostname", f"{w.name}-{index}")
            gen_base = f"{w.name}-{index}-"
            name = self._unique_name("Pod", ns, gen_base, f"{ns}/{u.owner_name}/{index}")
        else:
            seed = f"{ns}/{u.owner_name}/{node.name if u.daemon and node else index}"
            name = self._unique_name("Pod", ns, pods_prefix(u.owner_name), seed)
        self.names.add(("Pod", ns, name))
        if u.daemon and node is not None:
            spec["tolerations"] = list(spec.get("tolerations") or []) + [t.as_dict() for t in daemon_tolerations(spec)]
            spec.setdefault("affinity", {})
            spec["affinity"] = {**_d(spec["affinity"]), "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node.name]}]}]}}}
        meta: dict[str, Any] = {"name": name, "namespace": ns, "creationTimestamp": _iso(self._tick()),
                                "labels": labels}
        if gen_base:
            meta["generateName"] = gen_base
        if annotations:
            meta["annotations"] = annotations
        meta["ownerReferences"] = [{"apiVersion": u.owner_api, "kind": u.owner_kind, "name": u.owner_name,
                                    "uid": u.owner_uid, "controller": True, "blockOwnerDeletion": True}]
        status: dict[str, Any]
        if node is None:
            status = {"phase": "Pending", "conditions": [
                {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}
        else:
            spec["nodeName"] = node.name
            ips = tuple(node.addresses_of("InternalIP")) if spec.get("hostNetwork") else alloc.allocate(node.name)
            ready = "True" if self.cluster.generated_pods_ready else "False"
            status = {"phase": "Running", "hostIP": node.internal_ip,
                      "conditions": [{"type": "PodScheduled", "status": "True"},
                                     {"type": "Ready", "status": ready},
                                     {"type": "ContainersReady", "status": ready}]}
            if ips:
                status["podIP"] = ips[0]
                status["podIPs"] = [{"ip": ip} for ip in ips]
            else:
                status["phase"] = "Pending"  # the CNI plugin cannot set up its sandbox
                status["conditions"] = [{"type": "PodScheduled", "status": "True"},
                                        {"type": "Ready", "status": "False"}]
                self.exhausted.setdefault(w.object_name, []).append(name)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}

    def _template_refused(self, w: Workload) -> bool:
        """The template through the API server's pod validation once, before anything is made
        from it: the API server validates a workload's template as a pod
        (apps/validation ValidatePodTemplateSpec), so a template it refuses means the workload
        is refused (errors under the template's path) and makes no pods."""
        tmeta = _d(w.template.get("metadata"))
        spec = copy.deepcopy(dict(_d(w.template.get("spec"))))
        if w.kind == "StatefulSet":
            name = statefulset_pod_name(w.name, ordinal_start(w))
            spec["hostname"] = name
            spec.pop("subdomain", None)
            if w.spec.get("serviceName"):
                spec["subdomain"] = w.spec["serviceName"]
        elif w.kind == "Deployment":
            name = generate_name(pods_prefix(replica_set_name(w.name, template_hash(w.template))), "template")
        else:
            name = generate_name(pods_prefix(w.name), "template")
        probe = {"apiVersion": "v1", "kind": "Pod", "spec": spec,
                 "metadata": {"name": name, "namespace": w.namespace, "labels": dict(_d(tmeta.get("labels"))),
                              "annotations": dict(_d(tmeta.get("annotations")))}}
        _, errs = _admit(probe)
        for e in errs:
            path = e.path
            if path.startswith(("spec.", "metadata.labels", "metadata.annotations")):
                path = f"{w.template_path}.{path}"
            self._finding("warning", w.object_name, path, "workload-invalid",
                          f"{e.message}; the API server refuses this {w.kind}, so it makes no pods")
        return bool(errs)


def _admit(manifest: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Any]]:
    """A pod through the API server's decoding, defaults and validation."""
    errs = type_errors(copy.deepcopy(manifest), "Pod")
    if errs:
        return None, errs
    obj = with_defaults(manifest, "Pod")
    errs = VALIDATORS["Pod"](obj)
    return (None, errs) if errs else (obj, [])


def expand_workloads(out: MutableMapping[str, list[Any]], cluster: ClusterConfig, start: datetime) -> Expansion:
    """The build hook: add what the controllers make to `out` (the builder's lists of created
    objects: nodes, pods, others) and say what was generated."""
    ex = _Expander(out, cluster, start)
    if not ex.workloads:
        return ex.exp
    units = ex.plan()
    nodes = ex.nodes(units)
    ex.pods(units, nodes)
    out["nodes"] = nodes
    out["pods"] = list(out["pods"]) + ex.exp.pods
    out["others"] = list(out["others"]) + ex.exp.others
    return ex.exp

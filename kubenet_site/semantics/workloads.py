"""Workloads: what counts as present, and how many pods each kind wants (interfaces.md
"Workloads").

A workload is present when a pod of its namespace is controlled by it (its controller
ownerReference), directly or through a ReplicaSet `<deployment>-<hash>` (in the manifests or
not: pkg/controller/deployment/sync.go names a Deployment's ReplicaSets so), or when its
selector matches a live pod that has no controller: pkg/controller/controller_ref_manager.go
ClaimPods adopts such orphans (not those being deleted). Present workloads are taken as they
are; the others become the pods their controller would make (expansion.py).

How many pods:
- Deployment and ReplicaSet: `spec.replicas`, defaulted to 1 (pkg/apis/apps/v1/defaults.go);
  the ReplicaSet controller's manageReplicas creates the difference (replica_set.go).
- StatefulSet: `spec.replicas` (default 1), ordinals from `spec.ordinals.start` (default 0):
  stateful_set_control.go creates ordinals [start, start+replicas).
- DaemonSet: one per eligible node (daemon_controller.go nodeShouldRunDaemonPod).
- Job (pkg/controller/job/job_controller.go manageJob): none when suspended or finished
  (a Complete or Failed condition); else `parallelism` (defaults.go SetDefaults_Job: 1), capped
  by `completions - succeeded` when completions is set (defaulted to 1 only when both are unset).
- CronJob: none of its own; its pods come from its Jobs (pkg/controller/cronjob).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .labels import parse_selector, selects
from .types import LabelSelector, OtherObject, Pod

# kind -> the apiVersion kubenet expands (older groups such as extensions/v1beta1 are gone).
WORKLOAD_KINDS: dict[str, str] = {
    "Deployment": "apps/v1",
    "ReplicaSet": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def _d(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _int(v: Any, default: int) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else default


@dataclass(frozen=True)
class Workload:
    kind: str
    namespace: str
    name: str
    raw: Mapping[str, Any]

    @property
    def object_name(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}"

    @property
    def meta(self) -> Mapping[str, Any]:
        return _d(self.raw.get("metadata"))

    @property
    def spec(self) -> Mapping[str, Any]:
        return _d(self.raw.get("spec"))

    @property
    def template(self) -> Mapping[str, Any]:
        if self.kind == "CronJob":
            return _d(_d(_d(self.spec.get("jobTemplate")).get("spec")).get("template"))
        return _d(self.spec.get("template"))

    @property
    def template_path(self) -> str:
        return "spec.jobTemplate.spec.template" if self.kind == "CronJob" else "spec.template"

    @property
    def selector(self) -> LabelSelector | None:
        sel = self.spec.get("selector")
        return parse_selector(sel) if isinstance(sel, Mapping) else None

    @property
    def uid(self) -> str:
        uid = self.meta.get("uid")
        return uid if isinstance(uid, str) and uid else synthetic_uid(self.object_name)

    @property
    def controller(self) -> tuple[str, str] | None:
        """(kind, name) of the workload's own controller ownerReference, if any."""
        return controller_of(self.meta)


def synthetic_uid(seed: str) -> str:
    """A stable UUID-shaped uid for an object that has none (uids are the API server's)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"kubenet:{seed}"))


def controller_of(meta: Mapping[str, Any]) -> tuple[str, str] | None:
    for ref in _l(meta.get("ownerReferences")):
        ref = _d(ref)
        if ref.get("controller") is True:
            return str(ref.get("kind") or ""), str(ref.get("name") or "")
    return None


def workloads_of(others: Iterable[OtherObject]) -> list[Workload]:
    """The workload objects among the kept objects, in creation order."""
    return [Workload(o.kind, o.namespace or "default", o.name, o.raw) for o in others
            if WORKLOAD_KINDS.get(o.kind) == o.api_version and o.namespace]


def _pod_controller(pod: Pod) -> tuple[str, str] | None:
    for ref in pod.owner_references:
        if ref.controller:
            return ref.kind, ref.name
    return None


def rs_belongs_to(rs_name: str, deployment: str, pod_template_hash: str | None = None) -> bool:
    """A ReplicaSet named `<deployment>-<hash>`: one more segment of at most 10 lower-case
    letters and digits (ComputeHash's shape); the pod's pod-template-hash label, when it has
    one, must be that segment."""
    prefix = deployment + "-"
    if not rs_name.startswith(prefix):
        return False
    suffix = rs_name[len(prefix):]
    if pod_template_hash:
        return suffix == pod_template_hash
    return 1 <= len(suffix) <= 10 and suffix.isalnum() and suffix == suffix.lower()


class Presence:
    """Which workloads of a cluster already have pods (interfaces.md: "what counts as present").

    Pods are indexed once by namespace and controller, so each workload's question costs its
    own namespace's controllers and orphans, not every pod."""

    def __init__(self, pods: Iterable[Pod], workloads: Iterable[Workload]) -> None:
        # (ns, controller kind, controller name) -> the pod-template-hash labels of its pods
        self.controlled: dict[tuple[str, str, str], set[str | None]] = {}
        self.rs_by_ns: dict[str, set[str]] = {}  # ReplicaSets that control pods, per namespace
        self.orphans: dict[str, list[Pod]] = {}  # adoptable pods: no controller, not being deleted
        self.by_controller: dict[tuple[str, str, str], list[Pod]] = {}
        for p in pods:
            ctl = _pod_controller(p)
            if ctl is None:
                if not p.terminating:
                    self.orphans.setdefault(p.namespace, []).append(p)
                continue
            self.by_controller.setdefault((p.namespace, *ctl), []).append(p)
            self.controlled.setdefault((p.namespace, *ctl), set()).add(p.labels.get("pod-template-hash"))
            if ctl[0] == "ReplicaSet":
                self.rs_by_ns.setdefault(p.namespace, set()).add(ctl[1])
        # ReplicaSets in the manifests that a Deployment controls: (ns, rs name) -> deployment.
        self.rs_owner: dict[tuple[str, str], str] = {}
        for w in workloads:
            ctl = w.controller
            if w.kind == "ReplicaSet" and ctl and ctl[0] == "Deployment":
                self.rs_owner[(w.namespace, w.name)] = ctl[1]

    def _controls_a_pod(self, w: Workload) -> bool:
        if (w.namespace, w.kind, w.name) in self.controlled:
            return True
        if w.kind != "Deployment":
            return False
        for rs in self.rs_by_ns.get(w.namespace, ()):
            owner = self.rs_owner.get((w.namespace, rs))
            if owner is not None:
                if owner == w.name:
                    return True
                continue
            hashes = self.controlled[(w.namespace, "ReplicaSet", rs)]
            if any(rs_belongs_to(rs, w.name, h) for h in hashes):
                return True
        return False

    def adopts(self, w: Workload, pod: Pod) -> bool:
        """ClaimPods: an orphan (no controller), not being deleted, matching the selector."""
        if _pod_controller(pod) is not None or pod.terminating:
            return False
        sel = w.selector
        return sel is not None and (bool(sel.match_labels) or bool(sel.match_expressions)) and selects(sel, pod.labels)

    def pods_of(self, w: Workload) -> list[Pod]:
        """The pods the workload controls (directly or through its ReplicaSets) or would adopt."""
        out = list(self.by_controller.get((w.namespace, w.kind, w.name), ()))
        if w.kind == "Deployment":
            for rs in sorted(self.rs_by_ns.get(w.namespace, ())):
                owner = self.rs_owner.get((w.namespace, rs))
                pods = self.by_controller[(w.namespace, "ReplicaSet", rs)]
                if owner == w.name or (owner is None and any(
                        rs_belongs_to(rs, w.name, p.labels.get("pod-template-hash")) for p in pods)):
                    out += pods
        return out + [p for p in self.orphans.get(w.namespace, ()) if self.adopts(w, p)]

    def present(self, w: Workload) -> bool:
        return self._controls_a_pod(w) or any(self.adopts(w, p) for p in self.orphans.get(w.namespace, ()))


def replicas(w: Workload) -> int:
    """spec.replicas, defaulted to 1 (apps/v1 SetDefaults_Deployment/ReplicaSet/StatefulSet)."""
    return max(0, _int(w.spec.get("replicas"), 1))


def ordinal_start(w: Workload) -> int:
    """stateful_set_utils.go getStartOrdinal: spec.ordinals.start, default 0."""
    return max(0, _int(_d(w.spec.get("ordinals")).get("start"), 0))


def job_pod_count(spec: Mapping[str, Any], status: Mapping[str, Any]) -> int:
    """job_controller.go manageJob's wantActive for a new Job (nothing active yet)."""
    if spec.get("suspend") is True:
        return 0
    for cond in _l(status.get("conditions")):
        cond = _d(cond)
        if cond.get("type") in ("Complete", "Failed") and cond.get("status") == "True":
            return 0  # IsJobFinished: the controller creates no more pods
    completions = spec.get("completions")
    parallelism = spec.get("parallelism")
    if completions is None and parallelism is None:
        completions, parallelism = 1, 1  # SetDefaults_Job
    parallelism = max(0, _int(parallelism, 1))
    if completions is None:
        return parallelism
    remaining = max(0, _int(completions, 1) - _int(status.get("succeeded"), 0))
    return min(parallelism, remaining)


def cronjob_has_job(cronjob: Workload, jobs: Iterable[Workload]) -> bool:
    """A Job of the CronJob is present: a Job of its namespace it controls."""
    return any(j.kind == "Job" and j.namespace == cronjob.namespace and j.controller == ("CronJob", cronjob.name)
               for j in jobs)


def deployment_replica_sets(d: Workload, workloads: Iterable[Workload]) -> list[Workload]:
    """The ReplicaSets in the manifests that the Deployment controls."""
    return [w for w in workloads if w.kind == "ReplicaSet" and w.namespace == d.namespace
            and w.controller == ("Deployment", d.name)]

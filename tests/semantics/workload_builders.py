"""Workload and node manifests for the expansion tests (Kubernetes YAML as Python)."""

from __future__ import annotations

from typing import Any

from kubenet_site.semantics.manifests import BuildResult, build_snapshot, parse_cluster

APPS = "apps/v1"
BATCH = "batch/v1"


def template(labels: dict[str, str] | None = None, **spec: Any) -> dict[str, Any]:
    spec.setdefault("containers", [{"name": "app", "image": "nginx", "ports": [{"name": "http",
                                                                                   "containerPort": 8080}]}])
    return {"metadata": {"labels": labels or {"app": "web"}}, "spec": spec}


def workload(kind: str, name: str = "web", ns: str = "default", labels: dict[str, str] | None = None,
             meta: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    """A Deployment, ReplicaSet, StatefulSet or DaemonSet selecting `labels` (default app=web)."""
    labels = labels or {"app": "web"}
    tmpl_spec = spec.pop("pod", {})
    spec.setdefault("selector", {"matchLabels": dict(labels)})
    spec.setdefault("template", template(labels, **tmpl_spec))
    return {"apiVersion": APPS, "kind": kind, "metadata": {"name": name, "namespace": ns, **(meta or {})},
            "spec": spec}


def job(name: str = "batch", ns: str = "default", meta: dict[str, Any] | None = None,
        status: dict[str, Any] | None = None, **spec: Any) -> dict[str, Any]:
    tmpl_spec = spec.pop("pod", {})
    spec.setdefault("template", template({"app": name}, restartPolicy="Never", **tmpl_spec))
    out = {"apiVersion": BATCH, "kind": "Job", "metadata": {"name": name, "namespace": ns, **(meta or {})},
           "spec": spec}
    if status is not None:
        out["status"] = status
    return out


def cronjob(name: str = "nightly", ns: str = "default") -> dict[str, Any]:
    return {"apiVersion": BATCH, "kind": "CronJob", "metadata": {"name": name, "namespace": ns},
            "spec": {"schedule": "0 2 * * *", "jobTemplate": {"spec": {
                "template": template({"app": name}, restartPolicy="OnFailure")}}}}


def node(name: str, cidr: str | None = None, ip: str | None = None, labels: dict[str, str] | None = None,
         taints: list[dict[str, str]] | None = None, unschedulable: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if cidr:
        spec["podCIDR"] = cidr
        spec["podCIDRs"] = cidr.split(",")
    if taints:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    status = {"addresses": [{"type": "InternalIP", "address": ip}]} if ip else {}
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": spec, "status": status}


def control_plane(name: str = "cp", cidr: str = "10.244.0.0/24", ip: str = "10.0.0.10",
                  tainted: bool = True) -> dict[str, Any]:
    taints = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}] if tainted else None
    return node(name, cidr, ip, {"node-role.kubernetes.io/control-plane": ""}, taints)


def workers(n: int = 2) -> list[dict[str, Any]]:
    return [node(f"w{i}", f"10.244.{i}.0/24", f"10.0.1.{i}") for i in range(1, n + 1)]


def running_pod(name: str, labels: dict[str, str], ip: str, node_name: str = "w1", ns: str = "default",
                owner: tuple[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": labels}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": APPS if owner[0] != "Job" else BATCH, "kind": owner[0],
                                    "name": owner[1], "uid": f"uid-{owner[1]}", "controller": True}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": node_name, "containers": [{"name": "app", "image": "nginx"}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "conditions": [{"type": "Ready", "status": "True"}]}}


def build(*objects: dict[str, Any], cluster: dict[str, Any] | None = None) -> BuildResult:
    result = build_snapshot(list(objects), parse_cluster(cluster))
    assert not result.errors, result.errors
    return result


def generated_pods(result: BuildResult) -> list:
    return [p for p in result.snapshot.pods if f"Pod/{p.namespace}/{p.name}" in result.generated_by]

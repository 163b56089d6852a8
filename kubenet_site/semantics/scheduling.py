"""Which nodes a generated pod may run on (interfaces.md "Workloads", where).

Sources:
- taints and tolerations: k8s.io/api core/v1 toleration.go `ToleratesTaint` (an empty effect
  matches every effect; `Exists` with an empty key matches every taint; `Equal`, the default
  operator, needs key and value equal) and component-helpers scheduling/corev1
  `FindMatchingUntoleratedTaint`; the scheduler's TaintToleration filter only looks at
  NoSchedule and NoExecute (PreferNoSchedule is a score).
- nodeSelector and required node affinity: component-helpers scheduling/corev1/nodeaffinity
  `GetRequiredNodeAffinity(pod).Match(node)`: every nodeSelector label, and at least one
  nodeSelectorTerm, whose matchExpressions (on labels) and matchFields (`metadata.name` only)
  all hold; an empty term matches nothing; operators In, NotIn, Exists, DoesNotExist, Gt, Lt.
- spec.unschedulable: the scheduler's NodeUnschedulable filter, unless the pod tolerates
  `node.kubernetes.io/unschedulable:NoSchedule`.
- DaemonSets: pkg/controller/daemon/daemon_controller.go `predicates` (nodeName, node affinity,
  untolerated NoSchedule/NoExecute taints; no unschedulable check) over the tolerations
  pkg/controller/daemon/util/daemonset_util.go `AddOrUpdateDaemonPodTolerations` adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .types import Node

NO_SCHEDULE, NO_EXECUTE, PREFER_NO_SCHEDULE = "NoSchedule", "NoExecute", "PreferNoSchedule"
FILTER_EFFECTS = (NO_SCHEDULE, NO_EXECUTE)
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str = ""
    effect: str = ""

    def __str__(self) -> str:
        return f"{self.key}{'=' + self.value if self.value else ''}:{self.effect}"


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: str = "Equal"
    value: str = ""
    effect: str = ""

    def tolerates(self, taint: Taint) -> bool:
        """core/v1 toleration.go ToleratesTaint."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator == "Exists":
            return True
        if self.operator in ("Equal", ""):
            return self.value == taint.value
        return False

    def as_dict(self) -> dict[str, str]:
        out = {"key": self.key, "operator": self.operator}
        if self.effect:
            out["effect"] = self.effect
        if self.value:
            out["value"] = self.value
        return out


def _d(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def node_taints(node: Node) -> tuple[Taint, ...]:
    spec = _d(_d(node.raw).get("spec"))
    return tuple(Taint(str(_d(t).get("key") or ""), str(_d(t).get("value") or ""), str(_d(t).get("effect") or ""))
                 for t in _l(spec.get("taints")))


def node_unschedulable(node: Node) -> bool:
    return bool(_d(_d(node.raw).get("spec")).get("unschedulable"))


def pod_tolerations(pod_spec: Mapping[str, Any]) -> tuple[Toleration, ...]:
    out = []
    for t in _l(pod_spec.get("tolerations")):
        t = _d(t)
        op = str(t.get("operator") or "Equal")
        out.append(Toleration(str(t.get("key") or ""), op, str(t.get("value") or ""), str(t.get("effect") or "")))
    return tuple(out)


def untolerated(taints: Iterable[Taint], tolerations: Sequence[Toleration],
                effects: Sequence[str] = FILTER_EFFECTS) -> Taint | None:
    """FindMatchingUntoleratedTaint: the first taint of those effects no toleration tolerates."""
    for taint in taints:
        if taint.effect in effects and not any(t.tolerates(taint) for t in tolerations):
            return taint
    return None


# daemonset_util.go AddOrUpdateDaemonPodTolerations (TolerationSeconds left out: they only
# bound how long an evicted pod stays).
DAEMON_TOLERATIONS: tuple[Toleration, ...] = (
    Toleration("node.kubernetes.io/not-ready", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/unreachable", "Exists", "", NO_EXECUTE),
    Toleration("node.kubernetes.io/disk-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/memory-pressure", "Exists", "", NO_SCHEDULE),
    Toleration("node.kubernetes.io/pid-pressure", "Exists", "", NO_SCHEDULE),
    Toleration(UNSCHEDULABLE_TAINT, "Exists", "", NO_SCHEDULE),
)
# ... and, for hostNetwork pods, the network-unavailable taint.
DAEMON_HOST_NETWORK_TOLERATION = Toleration("node.kubernetes.io/network-unavailable", "Exists", "", NO_SCHEDULE)


def daemon_tolerations(pod_spec: Mapping[str, Any]) -> tuple[Toleration, ...]:
    """The tolerations the daemon controller adds to its pods' template (those not there yet)."""
    have = pod_tolerations(pod_spec)
    add = list(DAEMON_TOLERATIONS)
    if pod_spec.get("hostNetwork"):
        add.append(DAEMON_HOST_NETWORK_TOLERATION)
    return tuple(t for t in add if t not in have)


def _requirement_holds(req: Mapping[str, Any], value: str | None) -> bool:
    """nodeaffinity: one NodeSelectorRequirement against a label (or field) value, None if absent."""
    op = req.get("operator")
    values = [str(v) for v in _l(req.get("values"))]
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt"):
        # labels.Requirement: both sides must parse as integers, else no match.
        try:
            have, want = int(value or ""), int(values[0])
        except (ValueError, IndexError):
            return False
        return have > want if op == "Gt" else have < want
    return False


def _term_matches(term: Mapping[str, Any], node: Node) -> bool:
    exprs, fields = _l(term.get("matchExpressions")), _l(term.get("matchFields"))
    if not exprs and not fields:
        return False  # an empty nodeSelectorTerm matches no objects
    for e in exprs:
        e = _d(e)
        if not _requirement_holds(e, node.labels.get(str(e.get("key")))):
            return False
    for f in fields:
        f = _d(f)
        value = node.name if f.get("key") == "metadata.name" else None
        if not _requirement_holds(f, value):
            return False
    return True


def matches_node_affinity(pod_spec: Mapping[str, Any], node: Node) -> bool:
    """nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)."""
    for k, v in _d(pod_spec.get("nodeSelector")).items():
        if node.labels.get(str(k)) != str(v):
            return False
    required = _d(_d(_d(pod_spec.get("affinity")).get("nodeAffinity")).get(
        "requiredDuringSchedulingIgnoredDuringExecution"))
    if not required:
        return True
    return any(_term_matches(_d(t), node) for t in _l(required.get("nodeSelectorTerms")))


def why_not(pod_spec: Mapping[str, Any], node: Node, daemon: bool = False) -> str | None:
    """Why the pod cannot run on the node (None: it can), as the scheduler's filters, or the
    daemon controller's predicates, say it. A pod that names its node skips the scheduler: the
    kubelet admits it when node affinity holds and no NoExecute taint is untolerated
    (pkg/kubelet/lifecycle/predicate.go: GeneralPredicates, then NoExecute taints only)."""
    node_name = pod_spec.get("nodeName")
    if node_name and node_name != node.name:
        return f"spec.nodeName is {node_name}"
    if not matches_node_affinity(pod_spec, node):
        return "node(s) didn't match Pod's node affinity/selector"
    tolerations = pod_tolerations(pod_spec)
    if daemon:
        tolerations += daemon_tolerations(pod_spec)
    elif node_name:
        taint = untolerated(node_taints(node), tolerations, (NO_EXECUTE,))
        return None if taint is None else f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    elif node_unschedulable(node) and not any(
            t.tolerates(Taint(UNSCHEDULABLE_TAINT, "", NO_SCHEDULE)) for t in tolerations):
        return "node(s) were unschedulable"
    taint = untolerated(node_taints(node), tolerations)
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}"
    return None


def eligible_nodes(pod_spec: Mapping[str, Any], nodes: Iterable[Node], daemon: bool = False) -> list[Node]:
    """The nodes the pod may run on, sorted by name (interfaces.md: round-robin in that order)."""
    return sorted((n for n in nodes if why_not(pod_spec, n, daemon) is None), key=lambda n: n.name)


def is_worker(node: Node) -> bool:
    """interfaces.md: a node not labelled node-role.kubernetes.io/control-plane."""
    return CONTROL_PLANE_LABEL not in node.labels

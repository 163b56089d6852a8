"""`kubectl get` tables over a Snapshot, character for character.

What kubectl prints is decided in two places, and this module follows both:
- the API server builds the table cells (kubernetes `pkg/printers/internalversion/printers.go`:
  printService, printPod, printIngress, printNetworkPolicy). The server always generates
  with `Wide: true` (`pkg/printers/storage` TableConvertor), so nothing is clipped to 16
  characters; `-o wide` only shows the Priority 1 columns;
- kubectl lays the table out (cli-runtime `printers/tableprinter.go` printTable and
  decorateTable, which prepends NAMESPACE for `-A`) through a tabwriter with minwidth 6,
  padding 3, pad character ' ' (cli-runtime `printers/tabwriter.go`); the last cell of a
  line is not padded, so lines carry no trailing spaces.

AGE is apimachinery `util/duration.HumanDuration` of `now - creationTimestamp`, with the
clock passed in (`now`) so output is reproducible. Rows come in the API server's list order:
by storage key `<namespace>/<name>`, compared as bytes.

Choose, then render: the `*_rows` functions pick the cells, `render_table` lays them out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .conversion import parse_time
from .types import (
    CLUSTER_IP,
    EXTERNAL_NAME,
    LOAD_BALANCER,
    NODE_PORT,
    Ingress,
    LabelSelector,
    LoadBalancerIngress,
    NetworkPolicy,
    Pod,
    Service,
    Snapshot,
)

__all__ = [
    "GetOutput",
    "RESOURCE_ALIASES",
    "format_label_selector",
    "format_labels",
    "get",
    "get_ingresses",
    "get_network_policies",
    "get_output",
    "get_pods",
    "get_services",
    "human_duration",
    "listed",
    "ingress_cells",
    "network_policy_cells",
    "pod_cells",
    "render_table",
    "service_cells",
    "translate_timestamp_since",
]

# cli-runtime printers/tabwriter.go
TABWRITER_MIN_WIDTH = 6
TABWRITER_PADDING = 3

DEFAULT_NAMESPACE = "default"

RESOURCE_ALIASES: Mapping[str, str] = {
    "svc": "services", "service": "services", "services": "services",
    "po": "pods", "pod": "pods", "pods": "pods",
    "ing": "ingresses", "ingress": "ingresses", "ingresses": "ingresses",
    "netpol": "networkpolicies", "networkpolicy": "networkpolicies",
    "networkpolicies": "networkpolicies",
}


# --- time ------------------------------------------------------------------------------------

_US = 1_000_000  # microseconds per second


def human_duration(d: timedelta) -> str:
    """apimachinery `duration.HumanDuration`: ~2-3 significant figures (`5m`, `3h12m`, `2d`)."""
    us = (d.days * 86400 + d.seconds) * _US + d.microseconds
    # Go int(d.Seconds()) truncates toward zero.
    seconds = us // _US if us >= 0 else -((-us) // _US)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = us // (60 * _US)
    if minutes < 10:
        s = (us // _US) % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = us // (3600 * _US)
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=UTC)


def translate_timestamp_since(ts: datetime | None, now: datetime) -> str:
    """printers.go translateTimestampSince: `<unknown>` for a zero (absent) timestamp."""
    if ts is None:
        return "<unknown>"
    return human_duration(_aware(now) - _aware(ts))


# --- selectors -------------------------------------------------------------------------------

def format_labels(labels: Mapping[str, str] | None) -> str:
    """apimachinery `labels.FormatLabels`: `k=v` sorted by key, joined by `,`; `<none>` if empty."""
    text = ",".join(f"{k}={labels[k]}" for k in sorted(labels or {}))
    return text or "<none>"


_SELECTOR_OPS = {"In": " in ", "NotIn": " notin ", "Exists": "", "DoesNotExist": ""}


def format_label_selector(selector: LabelSelector | None) -> str:
    """metav1.FormatLabelSelector of a non-nil selector (a NetworkPolicy's podSelector).

    LabelSelectorAsSelector turns matchLabels and matchExpressions into requirements, the
    selector keeps them sorted by key (a stable sort for the handful a selector holds), and
    each prints as `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k` with values sorted.
    `{}` (and a nil podSelector, which the API server defaults to `{}`) prints `<none>`; a
    requirement NewRequirement would refuse prints `<error>`."""
    if selector is None:
        return "<none>"
    reqs: list[tuple[str, str]] = []
    for k, v in selector.match_labels.items():
        reqs.append((k, f"{k}={v}"))
    for r in selector.match_expressions:
        if r.operator not in _SELECTOR_OPS:
            return "<error>"
        if r.operator in ("In", "NotIn"):
            if not r.values:
                return "<error>"
            reqs.append((r.key, f"{r.key}{_SELECTOR_OPS[r.operator]}({','.join(sorted(r.values))})"))
        else:
            if r.values:
                return "<error>"
            reqs.append((r.key, r.key if r.operator == "Exists" else f"!{r.key}"))
    reqs.sort(key=lambda kv: kv[0])  # stable
    return ",".join(text for _, text in reqs) or "<none>"


# --- layout ----------------------------------------------------------------------------------

def _cell_text(value: str | None) -> str:
    """printTable: a string cell stops at the first \\f, \\n or \\r (then `...`), and
    WriteEscaped turns ESC into `^[` and CR into `\\r`."""
    if value is None:
        return ""
    text = str(value)
    cut = min((i for i in (text.find(c) for c in "\f\n\r") if i >= 0), default=-1)
    if cut >= 0:
        text = text[:cut] + "..."
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def render_table(headers: Sequence[str], rows: Iterable[Sequence[str | None]]) -> str:
    """Lay out a table as kubectl's tabwriter does: every column but the last padded to
    max(6, widest cell + 3) with spaces, each line ending in a newline."""
    lines = [[_cell_text(h) for h in headers]] + [[_cell_text(c) for c in row] for row in rows]
    ncols = max(len(line) for line in lines)
    widths = []
    for col in range(ncols - 1):
        cells = [line[col] for line in lines if col < len(line) - 1]
        widths.append(max([TABWRITER_MIN_WIDTH] + [len(c) + TABWRITER_PADDING for c in cells]))
    out = []
    for line in lines:
        parts = [c.ljust(widths[i]) if i < len(line) - 1 else c for i, c in enumerate(line)]
        out.append("".join(parts) + "\n")
    return "".join(out)


@dataclass(frozen=True)
class Column:
    name: str  # as the column definition spells it; printed upper-cased
    priority: int = 0  # 1: only with -o wide


def _table(columns: Sequence[Column], rows: Sequence[tuple[str, Sequence[str]]], *,
           with_namespace: bool, wide: bool) -> str:
    """printTable after decorateTable: rows are (namespace, cells)."""
    keep = [i for i, c in enumerate(columns) if wide or c.priority == 0]
    headers = [columns[i].name.upper() for i in keep]
    body = [[cells[i] for i in keep] for _, cells in rows]
    if with_namespace:
        headers = ["NAMESPACE"] + headers
        body = [[ns] + cells for (ns, _), cells in zip(rows, body, strict=True)]
    return render_table(headers, body)


# --- selection -------------------------------------------------------------------------------

def _listed(objects: Iterable[Any], namespace: str | None, all_namespaces: bool) -> list[Any]:
    """The objects a list call returns, in storage-key order (`<namespace>/<name>` as bytes)."""
    ns = None if all_namespaces else (namespace or DEFAULT_NAMESPACE)
    chosen = [o for o in objects if ns is None or o.namespace == ns]
    return sorted(chosen, key=lambda o: f"{o.namespace}/{o.name}".encode())


def _no_resources(namespace: str | None, all_namespaces: bool) -> str:
    """kubectl get's message (on stderr) when nothing was printed."""
    if all_namespaces:
        return "No resources found\n"
    return f"No resources found in {namespace or DEFAULT_NAMESPACE} namespace.\n"


@dataclass(frozen=True)
class GetOutput:
    """What `kubectl get` writes: the table on stdout, or the empty-list message on stderr."""

    stdout: str = ""
    stderr: str = ""

    @property
    def text(self) -> str:
        return self.stdout + self.stderr


# --- Services --------------------------------------------------------------------------------

SERVICE_COLUMNS = (
    Column("Name"), Column("Type"), Column("Cluster-IP"), Column("External-IP"),
    Column("Port(s)"), Column("Age"), Column("Selector", priority=1),
)


def _lb_status(ingress: Sequence[LoadBalancerIngress]) -> str:
    """loadBalancerStatusStringer (wide): each entry's IP, else its hostname; a sorted set."""
    found = {i.ip or i.hostname for i in ingress if i.ip or i.hostname}
    return ",".join(sorted(found))


def _service_external_ip(svc: Service) -> str:
    """printers.go getServiceExternalIP(svc, wide=true)."""
    if svc.type in (CLUSTER_IP, NODE_PORT):
        return ",".join(svc.external_ips) if svc.external_ips else "<none>"
    if svc.type == LOAD_BALANCER:
        lb = _lb_status(svc.load_balancer_ingress)
        if svc.external_ips:
            return ",".join(([*lb.split(",")] if lb else []) + list(svc.external_ips))
        return lb or "<pending>"
    if svc.type == EXTERNAL_NAME:
        return svc.external_name or ""
    return "<unknown>"


def _service_cluster_ip(svc: Service) -> str:
    """`spec.clusterIPs[0]`, else `<none>` (ExternalName). A headless Service stores
    clusterIPs ["None"]; a snapshot that kept only `cluster_ip = "None"` prints the same."""
    if svc.cluster_ips:
        return svc.cluster_ips[0]
    if svc.cluster_ip and svc.type != EXTERNAL_NAME:
        return svc.cluster_ip
    return "<none>"


def _service_ports(svc: Service) -> str:
    """makePortString: `port/PROTO`, `port:nodePort/PROTO`; `<none>` for no ports."""
    pieces = [
        f"{p.port}:{p.node_port}/{p.protocol}" if p.node_port and p.node_port > 0
        else f"{p.port}/{p.protocol}"
        for p in svc.ports
    ]
    return ",".join(pieces) or "<none>"


def service_cells(svc: Service, now: datetime) -> list[str]:
    """printService's cells: NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR."""
    return [
        svc.name, svc.type, _service_cluster_ip(svc), _service_external_ip(svc),
        _service_ports(svc), translate_timestamp_since(svc.creation_timestamp, now),
        format_labels(svc.selector),
    ]


def get_services(snap: Snapshot, namespace: str | None, all_namespaces: bool, wide: bool,
                 now: datetime) -> str:
    """`kubectl get svc [-n NS | -A] [-o wide]`."""
    return get_output(snap, "services", namespace, all_namespaces, "wide" if wide else "", now).text


# --- Pods ------------------------------------------------------------------------------------

POD_COLUMNS = (
    Column("Name"), Column("Ready"), Column("Status"), Column("Restarts"), Column("Age"),
    Column("IP", priority=1), Column("Node", priority=1), Column("Nominated Node", priority=1),
    Column("Readiness Gates", priority=1),
)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _later(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if candidate is None:
        return current
    return candidate if current is None or current < candidate else current


def _finished_at(status: Mapping[str, Any]) -> datetime | None:
    terminated = _dict(_dict(status.get("lastState")).get("terminated"))
    return parse_time(terminated.get("finishedAt")) if terminated else None


def pod_cells(pod: Pod, now: datetime) -> list[str]:
    """printPod's cells: NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES.

    READY, STATUS and RESTARTS follow printPod over the manifest's status.containerStatuses
    and initContainerStatuses. A pod without container statuses counts every container
    ready when its Ready condition holds, none otherwise."""
    raw = _dict(pod.raw)
    spec, status = _dict(raw.get("spec")), _dict(raw.get("status"))
    conditions = [_dict(c) for c in _list(status.get("conditions"))]
    init_statuses = [_dict(c) for c in _list(status.get("initContainerStatuses"))]
    statuses = [_dict(c) for c in _list(status.get("containerStatuses"))]
    restartable = {c.name for c in pod.init_containers if c.role == "sidecar"}
    restartable |= {
        str(c.get("name")) for c in map(_dict, _list(spec.get("initContainers")))
        if c.get("restartPolicy") == "Always"
    }
    n_init = len(pod.init_containers) or len(_list(spec.get("initContainers")))

    restarts = 0
    sidecar_restarts = 0
    total = len(pod.containers) + len(restartable)
    ready = 0
    last_restart: datetime | None = None
    last_sidecar_restart: datetime | None = None

    phase = pod.phase
    reason = str(status.get("reason") or "") or phase
    for c in conditions:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    initializing = False
    for i, cs in enumerate(init_statuses):
        count = int(cs.get("restartCount") or 0)
        restarts += count
        last_restart = _later(last_restart, _finished_at(cs))
        is_sidecar = str(cs.get("name")) in restartable
        if is_sidecar:
            sidecar_restarts += count
            last_sidecar_restart = _later(last_sidecar_restart, _finished_at(cs))
        state = _dict(cs.get("state"))
        terminated = _dict(state.get("terminated")) if state.get("terminated") is not None else None
        waiting = _dict(state.get("waiting")) if state.get("waiting") is not None else None
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if is_sidecar and cs.get("started") is True:
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                if terminated.get("signal"):
                    reason = f"Init:Signal:{int(terminated['signal'])}"
                else:
                    reason = f"Init:ExitCode:{int(terminated.get('exitCode') or 0)}"
            else:
                reason = f"Init:{terminated['reason']}"
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{i}/{n_init}"
        initializing = True
        break

    initialized = any(c.get("type") == "Initialized" and c.get("status") == "True" for c in conditions)
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(statuses):
            restarts += int(cs.get("restartCount") or 0)
            last_restart = _later(last_restart, _finished_at(cs))
            state = _dict(cs.get("state"))
            terminated = _dict(state.get("terminated")) if state.get("terminated") is not None else None
            waiting = _dict(state.get("waiting")) if state.get("waiting") is not None else None
            if waiting is not None and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated is not None and terminated.get("reason"):
                reason = str(terminated["reason"])
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{int(terminated['signal'])}"
                else:
                    reason = f"ExitCode:{int(terminated.get('exitCode') or 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if pod.ready else "NotReady"

    if not statuses and not init_statuses:
        ready = total if pod.ready else 0

    if pod.deletion_timestamp is not None and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif pod.deletion_timestamp is not None and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"

    restarts_text = str(restarts)
    if restarts != 0 and last_restart is not None:
        restarts_text = f"{restarts} ({translate_timestamp_since(last_restart, now)} ago)"

    gates = [_dict(g).get("conditionType") for g in _list(spec.get("readinessGates"))]
    readiness_gates = "<none>"
    if gates:
        true_count = 0
        for gate in gates:
            for c in conditions:
                if c.get("type") == gate:
                    true_count += c.get("status") == "True"
                    break
        readiness_gates = f"{true_count}/{len(gates)}"

    return [
        pod.name, f"{ready}/{total}", reason, restarts_text,
        translate_timestamp_since(pod.creation_timestamp, now),
        pod.pod_ips[0] if pod.pod_ips else "<none>",
        pod.node_name or "<none>",
        str(status.get("nominatedNodeName") or "") or "<none>",
        readiness_gates,
    ]


def get_pods(snap: Snapshot, namespace: str | None, all_namespaces: bool, wide: bool,
             now: datetime) -> str:
    """`kubectl get pods [-n NS | -A] [-o wide]`."""
    return get_output(snap, "pods", namespace, all_namespaces, "wide" if wide else "", now).text


# --- Ingresses -------------------------------------------------------------------------------

INGRESS_COLUMNS = (
    Column("Name"), Column("Class"), Column("Hosts"), Column("Address"), Column("Ports"),
    Column("Age"),
)


def _ingress_hosts(ing: Ingress) -> str:
    """printers.go formatHosts: the first 3 hosts, then ` + N more...` (N counts every rule
    past the third, host or not); `*` when no rule names a host."""
    maximum = 3
    shown: list[str] = []
    more = False
    for rule in ing.rules:
        if len(shown) == maximum:
            more = True
        if not more and rule.host:
            shown.append(rule.host)
    if not shown:
        return "*"
    text = ",".join(shown)
    return f"{text} + {len(ing.rules) - maximum} more..." if more else text


def ingress_cells(ing: Ingress, now: datetime) -> list[str]:
    """printIngress's cells: NAME CLASS HOSTS ADDRESS PORTS AGE. CLASS is
    spec.ingressClassName only (the older annotation is not shown)."""
    return [
        ing.name, ing.ingress_class_name or "<none>", _ingress_hosts(ing),
        _lb_status(ing.load_balancer_ingress), "80, 443" if ing.tls else "80",
        translate_timestamp_since(ing.creation_timestamp, now),
    ]


def get_ingresses(snap: Snapshot, namespace: str | None, all_namespaces: bool, wide: bool,
                  now: datetime) -> str:
    """`kubectl get ingress [-n NS | -A] [-o wide]` (no extra wide columns)."""
    return get_output(snap, "ingresses", namespace, all_namespaces, "wide" if wide else "", now).text


# --- NetworkPolicies -------------------------------------------------------------------------

NETWORK_POLICY_COLUMNS = (Column("Name"), Column("Pod-Selector"), Column("Age"))


def network_policy_cells(np: NetworkPolicy, now: datetime) -> list[str]:
    """printNetworkPolicy's cells: NAME POD-SELECTOR AGE."""
    return [np.name, format_label_selector(np.pod_selector),
            translate_timestamp_since(np.creation_timestamp, now)]


def get_network_policies(snap: Snapshot, namespace: str | None, all_namespaces: bool, wide: bool,
                         now: datetime) -> str:
    """`kubectl get netpol [-n NS | -A] [-o wide]` (no extra wide columns)."""
    return get_output(snap, "networkpolicies", namespace, all_namespaces, "wide" if wide else "", now).text


# --- dispatch --------------------------------------------------------------------------------

# resource -> (the Snapshot field listed, its columns, its row cells)
_TABLES: dict[str, tuple[str, tuple[Column, ...], Callable[[Any, datetime], list[str]]]] = {
    "services": ("services", SERVICE_COLUMNS, service_cells),
    "pods": ("pods", POD_COLUMNS, pod_cells),
    "ingresses": ("ingresses", INGRESS_COLUMNS, ingress_cells),
    "networkpolicies": ("network_policies", NETWORK_POLICY_COLUMNS, network_policy_cells),
}


def _kind(resource: str) -> str:
    kind = RESOURCE_ALIASES.get(resource.lower())
    if kind is None:
        raise ValueError(f'the server doesn\'t have a resource type "{resource}"')
    return kind


def listed(snap: Snapshot, resource: str, namespace: str | None = None, all_namespaces: bool = False) -> list[Any]:
    """The objects `kubectl get RESOURCE` lists (for -o yaml/json too), in the API server's order."""
    return _listed(getattr(snap, _TABLES[_kind(resource)][0]), namespace, all_namespaces)


def get_output(snap: Snapshot, resource: str, namespace: str | None = None,
               all_namespaces: bool = False, output: str = "",
               now: datetime | None = None) -> GetOutput:
    """`kubectl get RESOURCE`, split as kubectl splits it: the table on stdout, or
    `No resources found ...` on stderr. `output` is "" or "wide"; `now` defaults to the
    current UTC time. Raises ValueError for an unknown resource or output format."""
    kind = _kind(resource)
    if output not in ("", "wide"):
        raise ValueError(f"unable to match a printer suitable for the output format {output!r}")
    _, columns, cells = _TABLES[kind]
    items = listed(snap, resource, namespace, all_namespaces)
    if not items:
        return GetOutput(stderr=_no_resources(namespace, all_namespaces))
    when = now if now is not None else datetime.now(UTC)
    rows = [(o.namespace, cells(o, when)) for o in items]
    return GetOutput(_table(columns, rows, with_namespace=all_namespaces, wide=output == "wide"))


def get(snap: Snapshot, resource: str, namespace: str | None = None, all_namespaces: bool = False,
        output: str = "", now: datetime | None = None) -> str:
    """`kubectl get svc|pods|ingress|netpol` as the text kubectl shows (stdout, or the
    empty-list message it writes to stderr)."""
    return get_output(snap, resource, namespace, all_namespaces, output, now).text

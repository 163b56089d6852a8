"""Pod-to-pod reachability truth tables, as the upstream NetworkPolicy e2e suite prints them.

Source: kubernetes/kubernetes test/e2e/network/netpol (truthtable.go, reachability.go): one row
per source pod, one `.` (connected) or `X` (blocked) per destination, pods in the order given.
Only NetworkPolicy decides (policy.connect); loopback is never blocked (upstream ignores it,
interfaces.md makes the diagonal `.`). A port name is resolved on each destination pod; a
destination without that named port has nothing listening, so the probe fails (`X`), as an
upstream probe to a port no container serves does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .policy import ALLOWED, connect, normalize_protocol
from .policy_services import parse_port
from .types import Pod, QueryError, Snapshot, Verdict

CONNECTED, BLOCKED_MARK = ".", "X"


def _pods(snap: Snapshot, pods: Sequence[Pod | str]) -> list[Pod]:
    out: list[Pod] = []
    for p in pods:
        if isinstance(p, Pod):
            out.append(p)
            continue
        pod = snap.pod(p)
        if pod is None:
            raise QueryError(f"no pod {p}")
        out.append(pod)
    return out


def pod_verdicts(snap: Snapshot, pods: Sequence[Pod | str], port: int | str,
                 protocol: str = "TCP") -> list[list[Verdict]]:
    """The Verdict of every (source, destination) pair, rows in the order of `pods`."""
    resolved = _pods(snap, pods)
    proto = normalize_protocol(protocol)
    rows: list[list[Verdict]] = []
    for src in resolved:
        row = []
        for dst in resolved:
            if src.key == dst.key:
                row.append(Verdict(ALLOWED, (f"{src.key} -> itself: a pod never blocks traffic to itself",)))
            else:
                row.append(connect(snap, src, dst, port, proto))
        rows.append(row)
    return rows


def render_rows(pods: Sequence[Pod], verdicts: Sequence[Sequence[Verdict]]) -> list[str]:
    return [f"{src.key}: " + "".join(CONNECTED if v.outcome == ALLOWED else BLOCKED_MARK for v in row)
            for src, row in zip(pods, verdicts, strict=True)]


def pod_truth_table(snap: Snapshot, pods: Sequence[Pod | str], port: int | str,
                    protocol: str = "TCP") -> list[str]:
    """`["x/a: .X.", ...]`: the truth table of interfaces.md's `reachability` answer."""
    resolved = _pods(snap, pods)
    return render_rows(resolved, pod_verdicts(snap, resolved, port, protocol))


def answer_reachability(snap: Snapshot, q: Mapping[str, Any]) -> dict[str, Any]:
    """interfaces.md `reachability`: `pods`, `port`, `protocol` -> `matrix` (+ `trace` naming
    why each blocked cell is blocked)."""
    names = q.get("pods")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise QueryError("reachability needs `pods`: a list of ns/name")
    port = parse_port(q.get("port"))
    try:
        proto = normalize_protocol(q.get("protocol"))
    except ValueError as exc:
        raise QueryError(str(exc)) from exc
    pods = _pods(snap, names)
    verdicts = pod_verdicts(snap, pods, port, proto)
    trace = [
        f"{src.key} -> {dst.key}: blocked: " + "; ".join(v.trace[1:])
        for src, row in zip(pods, verdicts, strict=True)
        for dst, v in zip(pods, row, strict=True)
        if v.outcome != ALLOWED
    ]
    return {"matrix": render_rows(pods, verdicts), "trace": trace}

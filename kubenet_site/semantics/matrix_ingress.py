"""The service matrix's Ingress columns: a request to a served host+path (matrix.py)."""

from __future__ import annotations

from typing import Any

from . import policy as pol
from .matrix_cells import Backend, CellEvaluator, Column, aggregate, split_host_port
from .matrix_result import BLOCKED, NOT_APPLICABLE, NOT_PROXIED, PARTIAL, REACHABLE, Group
from .matrix_service_cells import node_cell, pod_column
from .types import Node, Snapshot, Verdict


class IngressParts:
    """Ingress columns: a request to a served host+path. The client must reach the ingress
    controller (pods and nodes: through the controller's Service like any Service; outside
    clients: through its load balancer or node ports), the controller routes it (ingress.py),
    and the controller's pods must reach the backend through NetworkPolicy."""

    def __init__(self, eng: CellEvaluator) -> None:
        from . import ingress as ingmod
        from . import ingress_entry as entry

        self.eng, self.ingmod, self.entry = eng, ingmod, entry
        self._route: dict[str, Verdict] = {}
        self._ctrl: dict[str, tuple[Any, ...]] = {}
        self._entries: dict[str, list[Verdict]] = {}
        self._to_controller: dict[str, list[int]] = {}
        self._leg: dict[str, tuple[str, tuple[str, ...]]] = {}
        self.snap = self._view()

    def _view(self) -> Snapshot:
        """The cluster with only the Services routing can reach: the Ingresses' backends and
        the controllers' Services (ingress.route and entry_paths trace through proxy.trace,
        which scans every Service per packet)."""
        snap = self.eng.snap
        keys: set[str] = set()
        for ing in snap.ingresses:
            backends = [ing.default_backend] + [p.backend for r in ing.rules for p in r.paths]
            keys.update(f"{ing.namespace}/{b.service_name}" for b in backends if b is not None and b.service_name)
        for cls in snap.ingress_classes:
            keys.update(s.key for s in self.entry.controller_services(snap, self.entry.controller_pods(snap, cls)))
        services = tuple(s for s in snap.services if s.key in keys)
        return snap.restricted(services)

    def _controller(self, col: Column) -> tuple[Any, ...]:
        """(route verdict, controller pods, controller Service port column or None)."""
        got = self._ctrl.get(col.group.id)
        if got is not None:
            return got
        host, path, _ptype = col.ingress or ("", "/", "Prefix")
        v = self.ingmod.route(self.snap, self.ingmod.IngressRequest(host or "unmatched.invalid", path, "http"))
        ing_key = v.details.get("ingress")
        ing = next((i for i in self.eng.snap.ingresses if i.key == ing_key), None)
        cls = self.ingmod.serving_class(self.eng.snap, ing) if ing is not None else None
        pods = self.entry.controller_pods(self.eng.snap, cls) if cls is not None else ()
        svcs = self.entry.controller_services(self.eng.snap, pods) if pods else ()
        sport = None
        for s in svcs:
            ports = self.entry.scheme_ports(s, "http")
            if ports:
                sport = Column(Group(f"svc:{s.key}", s.key), s, ports[0])
                break
        got = (v, pods, sport, cls)
        self._ctrl[col.group.id] = got
        return got

    def _to_backend(self, col: Column) -> tuple[str, tuple[str, ...]]:
        """The controller -> backend leg: outcome and trace lines (once per column)."""
        got = self._leg.get(col.group.id)
        if got is None:
            got = self._leg[col.group.id] = self._backend_leg(col)
        return got

    def _backend_leg(self, col: Column) -> tuple[str, tuple[str, ...]]:
        v, pods, _sport, _cls = self._controller(col)
        lines = list(v.trace)
        if v.outcome not in ("routed", "default-backend") or not v.details.get("backends"):
            return BLOCKED, tuple(lines) + (f"ingress: {v.outcome}",)
        if not pods:
            return REACHABLE, tuple(lines) + ("no controller pods in the topology: the controller -> backend "
                                              "leg is not checked against NetworkPolicy",)
        eng = self.eng
        outs = []
        for addr in v.details["backends"]:
            ip, port = split_host_port(addr)
            pod = eng.ip_pod.get(ip)
            if pod is None or port is None:
                continue
            dcid = eng.index.class_of[pod.key]
            for cp in pods:
                scid = eng.index.class_of[cp.key]
                be = Backend(addr, ip, port, pod, dcid)
                o, text = eng.policy_pod(scid, cp.node_name, be, "TCP") if cp.key != pod.key else (pol.ALLOWED, "self")
                outs.append(o)
                lines.append(f"controller {cp.key} -> backend {addr} ({pod.key}): {o}: {text}")
        return aggregate(outs or [pol.ALLOWED]), tuple(lines)

    def _combine(self, first: Verdict, col: Column, what: str) -> Verdict:
        o2, lines2 = self._to_backend(col)
        if first.outcome in (BLOCKED, NOT_APPLICABLE, NOT_PROXIED):
            return Verdict(BLOCKED, (f"{what} -> the ingress controller: {first.outcome}",) + first.trace, {})
        outcome = aggregate([first.outcome, o2]) if first.outcome != PARTIAL else PARTIAL
        if o2 == BLOCKED:
            outcome = BLOCKED
        return Verdict(outcome, (f"{what} -> the ingress controller: {first.outcome}",) + first.trace + lines2,
                       {"toController": first.outcome, "toBackend": o2})

    def pod_column(self, col: Column, block_bits: int) -> list[int]:
        _v, _pods, sport, _cls = self._controller(col)
        eng = self.eng
        if sport is None:
            o2, lines2 = self._to_backend(col)
            idx = eng.out.add(Verdict(o2, ("the controller has no Service in the topology: only the routing "
                                           "and the controller -> backend leg are checked",) + lines2, {}))
            return [idx if (block_bits >> c) & 1 else -1 for c in range(len(eng.index.classes))]
        vec = self._to_controller.get(sport.group.id)
        if vec is None:  # every column through one controller Service shares this leg
            vec = pod_column(eng, sport, block_bits)
            self._to_controller[sport.group.id] = vec
        out: list[int] = []
        memo: dict[int, int] = {-1: -1}
        for i in vec:
            j = memo.get(i)
            if j is None:
                j = eng.out.add(self._combine(eng.out.verdicts[i], col, "client"))
                memo[i] = j
            out.append(j)
        return out

    def node_cell(self, node: Node, col: Column) -> Verdict:
        _v, _pods, sport, _cls = self._controller(col)
        if sport is None:
            o2, lines2 = self._to_backend(col)
            return Verdict(o2, lines2, {})
        return self._combine(node_cell(self.eng, node, sport, None), col, "node")

    def external_cell(self, col: Column) -> Verdict:
        _v, _pods, _sport, cls = self._controller(col)
        if cls is None:
            o2, lines2 = self._to_backend(col)
            return Verdict(o2, lines2, {})
        entries = self._entries.get(cls.name)
        if entries is None:
            entries = self.entry.entry_paths(self.snap, cls, "http")
            self._entries[cls.name] = entries
        ok = [e for e in entries if e.outcome == "delivered"]
        first = Verdict(REACHABLE if ok else BLOCKED,
                        tuple(f"{e.details.get('entry')}: {e.outcome}" for e in entries[:5])
                        or ("no LoadBalancer or NodePort Service exposes the controller",), {})
        return self._combine(first, col, "external client")

"""The API server's create pipeline: objects -> Snapshot, in document order.

`build_snapshot` replays what the API server does for `kubectl create -f` of each object in
document order, into a cluster holding only the built-in namespaces: namespace admission
(NamespaceLifecycle: "namespaces \"x\" not found"), decoding (wrong JSON types), defaults
(defaults.py), admission defaults (DefaultIngressClass), the Service REST allocator
(allocation.py, which runs before validation: pkg/registry/core/service/storage/alloc.go),
validation (validation.py), then storage ("services \"web\" already exists"). An object refused
at any stage is left out and reported; allocations of a refused Service are released.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from . import conversion
from .allocation import AllocationError, Allocators
from .decoding import type_errors
from .defaults import with_defaults
from .expansion import expand_workloads
from .fielderrors import FieldError, invalid
from .ipaddr import parse_ip_strict
from .kube_kinds import CLUSTER_SCOPED, MODELLED, object_label, resource_name
from .refusals import refusal_code
from .types import (
    ClusterConfig,
    Diagnostic,
    Namespace,
    Snapshot,
)
from .validation import VALIDATORS, needs_health_check, validate_cluster_ips_related

BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

@dataclass
class BuildResult:
    """The built cluster, what the API server refused (`errors`) or warned about, a summary,
    and the accepted manifests in document order (what export writes back)."""

    snapshot: Snapshot
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)  # accepted raw manifests, in document order
    # What the workloads' controllers made (expansion.py): derived, never stored or exported.
    generated: list[dict[str, Any]] = field(default_factory=list)
    generated_by: dict[str, str] = field(default_factory=dict)  # "Kind/ns/name" -> its workload

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.errors + self.warnings

    @property
    def valid(self) -> bool:
        return not self.errors


_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery util/rand (no vowels, no 0/1/3)


def generated_name(prefix: str, index: int) -> str:
    """metadata.generateName made deterministic: prefix + 5 characters from the document index."""
    digest = hashlib.sha256(f"{prefix}\0{index}".encode()).digest()
    return prefix + "".join(_NAME_ALPHABET[b % len(_NAME_ALPHABET)] for b in digest[:5])


def _explicit_reservations(objects: Iterable[Any]) -> tuple[list[str], list[int]]:
    ips: list[str] = []
    ports: list[int] = []
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("kind") != "Service":
            continue
        spec = obj.get("spec")
        if not isinstance(spec, dict):
            continue
        cands = [spec.get("clusterIP")] + (spec.get("clusterIPs") if isinstance(spec.get("clusterIPs"), list) else [])
        ips += [c for c in cands if isinstance(c, str) and parse_ip_strict(c) is not None]
        for p in spec.get("ports") if isinstance(spec.get("ports"), list) else ():
            if isinstance(p, dict) and isinstance(p.get("nodePort"), int) and not isinstance(p["nodePort"], bool):
                ports.append(p["nodePort"])
        if isinstance(spec.get("healthCheckNodePort"), int):
            ports.append(spec["healthCheckNodePort"])
    return ips, ports


def finding_names(objects: list[Any]) -> list[tuple[str, ...]]:
    """The names build_snapshot gives each object in its findings: `Kind/ns/name`, the
    `Kind/name` label of objects refused before their namespace is known, `document N`."""
    out: list[tuple[str, ...]] = []
    for index, obj in enumerate(objects):
        if not isinstance(obj, dict):
            out.append((f"document {index + 1}",))
            continue
        kind = obj.get("kind") if isinstance(obj.get("kind"), str) and obj.get("kind") else "?"
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        name = meta.get("name")
        if not (isinstance(name, str) and name) and isinstance(meta.get("generateName"), str):
            name = generated_name(meta["generateName"], index)
        name = name if isinstance(name, str) and name else "?"
        ns = None if kind in CLUSTER_SCOPED else (meta.get("namespace") or "default")
        out.append((object_label(kind, ns, name), object_label(kind, None, name), f"document {index + 1}"))
    return out


class Builder:
    """One `kubectl create -f` of a list of objects, each through the API server's stages."""

    def __init__(self, objects: list[Any], cluster: ClusterConfig) -> None:
        self.objects = objects
        self.cluster = cluster
        ips, ports = _explicit_reservations(objects)
        self.alloc = Allocators(cluster.service_cidrs, cluster.node_port_range, ips, ports)
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.existing: set[tuple[str, str, str]] = set()
        self.accepted: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}
        self.unmodeled: set[str] = set()
        self.refused = 0
        self.out: dict[str, list[Any]] = {k: [] for k in (
            "namespaces", "nodes", "pods", "services", "endpoint_slices", "ingress_classes", "ingresses",
            "network_policies", "others")}
        explicit = [conversion.parse_time(o.get("metadata", {}).get("creationTimestamp"))
                    for o in objects if isinstance(o, dict) and isinstance(o.get("metadata"), dict)]
        explicit_times = [t for t in explicit if t is not None]
        self.now = max(explicit_times) if explicit_times else DEFAULT_EPOCH
        builtin_time = min([*explicit_times, DEFAULT_EPOCH]) - timedelta(days=1)
        self.synthetic = 0
        for name in BUILTIN_NAMESPACES:
            self.out["namespaces"].append(Namespace(name=name, creation_timestamp=builtin_time))
            self.existing.add(("namespaces", "", name))

    # -- reporting
    def _error(self, obj_name: str, err: FieldError | tuple[str, str, str]) -> None:
        if isinstance(err, FieldError):
            self.errors.append(Diagnostic("error", obj_name, err.path, refusal_code(err), err.message))
        else:
            code, fld, msg = err
            self.errors.append(Diagnostic("error", obj_name, fld, code, msg))

    def _created(self, meta: dict[str, Any]) -> datetime:
        t = conversion.parse_time(meta.get("creationTimestamp"))
        if t is not None:
            return t
        # Being created "now", in document order, after everything the document dates.
        self.synthetic += 1
        return self.now + timedelta(seconds=self.synthetic)

    def build(self) -> BuildResult:
        for index, raw in enumerate(self.objects):
            ok = self._create(index, raw)
            if not ok:
                self.refused += 1
        made = expand_workloads(self.out, self.cluster, self.now + timedelta(seconds=self.synthetic))
        self.warnings += made.findings
        snap = Snapshot(cluster=self.cluster, generated_by=made.generated_by,
                        **{k: tuple(v) for k, v in self.out.items()})
        summary = {"counts": dict(sorted(self.counts.items())), "refused": self.refused,
                   "unmodeled_kinds": sorted(self.unmodeled)}
        return BuildResult(snap, self.errors, self.warnings, summary, list(self.accepted), made.manifests,
                           made.generated_by)

    def _create(self, index: int, raw: Any) -> bool:
        doc = f"document {index + 1}"
        if not isinstance(raw, dict):
            self._error(doc, ("not-an-object", "", "not a Kubernetes object (a mapping)"))
            return False
        api_version, kind = raw.get("apiVersion"), raw.get("kind")
        meta = raw.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        label = f"{kind if isinstance(kind, str) and kind else '?'}/{name if isinstance(name, str) else '?'}"
        if not isinstance(kind, str) or not kind:
            self._error(label, ("kind-required", "kind", "Required value: kind not set"))
            return False
        if not isinstance(api_version, str) or not api_version:
            self._error(label, ("api-version-required", "apiVersion", "Required value: apiVersion not set"))
            return False
        if meta is not None and not isinstance(meta, dict):
            self._error(label, invalid("metadata", "", "expected object"))
            return False
        meta = dict(meta or {})
        if kind in MODELLED and MODELLED[kind][0] != api_version:
            self._error(label, ("no-kind-match", "apiVersion",
                                f'no matches for kind "{kind}" in version "{api_version}"'))
            return False
        namespaced = kind not in CLUSTER_SCOPED
        if name is not None and not isinstance(name, str):
            self._error(label, invalid("metadata.name", name, "expected string"))
            return False
        if not name:
            gen = meta.get("generateName")
            if isinstance(gen, str) and gen:
                name = generated_name(gen, index)
            else:
                self._error(label, ("name-required", "metadata.name",
                                    "Required value: name or generateName is required"))
                return False
        meta["name"] = name
        ns = meta.get("namespace")
        if not namespaced:
            # handlers/rest.go EnsureObjectNamespaceMatchesRequestNamespace: cluster-scoped, cleared.
            meta.pop("namespace", None)
            ns = None
        else:
            if ns is None or ns == "":
                ns = "default"
            meta["namespace"] = ns
        obj_name = object_label(kind, ns if namespaced else None, name)
        if namespaced and isinstance(ns, str) and ("namespaces", "", ns) not in self.existing:
            # NamespaceLifecycle admission runs before validation and storage.
            self._error(obj_name, ("namespace-not-found", "metadata.namespace", f'namespaces "{ns}" not found'))
            return False
        work = dict(raw)
        work["metadata"] = meta
        errs = type_errors(work, kind)
        if errs:
            for e in errs:
                self._error(obj_name, e)
            return False
        obj = with_defaults(work, kind)
        resource = resource_name(kind, api_version)
        key = (resource, ns if namespaced else "", name)
        if kind == "Namespace" and name in BUILTIN_NAMESPACES:
            # A built-in namespace described again (kubectl get ns -o yaml): its labels apply.
            self.out["namespaces"] = [n for n in self.out["namespaces"] if n.name != name]
            self.out["namespaces"].append(conversion.namespace(obj, raw, self._created(meta)))
            self._accept(kind, raw)
            return True
        if kind == "Service":
            return self._create_service(obj, raw, obj_name, key)
        validator = VALIDATORS.get(kind)
        if validator:
            verrs = validator(obj)
            if verrs:
                for e in verrs:
                    self._error(obj_name, e)
                return False
        if key in self.existing:
            self._error(obj_name, ("already-exists", "metadata.name", f'{resource} "{name}" already exists'))
            return False
        self.existing.add(key)
        if kind == "Pod":
            self._pod_warnings(obj, obj_name)
        created = self._created(meta)
        self._store(kind, obj, raw, created, namespaced)
        self._accept(kind, raw)
        return True

    def _pod_warnings(self, obj: dict[str, Any], obj_name: str) -> None:
        """pkg/api/pod/warnings.go: one port name in two containers is accepted, with a warning."""
        seen: dict[str, str] = {}
        for i, c in enumerate((obj.get("spec") or {}).get("containers") or []):
            for j, p in enumerate((c or {}).get("ports") or [] if isinstance(c, dict) else []):
                name = p.get("name") if isinstance(p, dict) else None
                if not name:
                    continue
                here = f"spec.containers[{i}].ports[{j}]"
                if name in seen and not seen[name].startswith(f"spec.containers[{i}]."):
                    self.warnings.append(Diagnostic(
                        "warning", obj_name, here, "duplicate-port-name",
                        f"duplicate port name {name!r} with {seen[name]}, services and probes that select ports "
                        f"by name will use {seen[name]}".replace("'", '"')))
                else:
                    seen.setdefault(name, here)

    def _accept(self, kind: str, raw: dict[str, Any]) -> None:
        self.accepted.append(raw)
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def _store(self, kind: str, obj: dict[str, Any], raw: dict[str, Any], created: datetime,
               namespaced: bool) -> None:
        out = self.out
        if kind == "Namespace":
            out["namespaces"].append(conversion.namespace(obj, raw, created))
        elif kind == "Node":
            out["nodes"].append(conversion.node(obj, raw, created))
        elif kind == "Pod":
            out["pods"].append(conversion.pod(obj, raw, created))
        elif kind == "EndpointSlice":
            out["endpoint_slices"].append(conversion.endpoint_slice(obj, raw, created))
        elif kind == "Endpoints":
            out["endpoint_slices"].extend(conversion.endpoints(obj, raw, created))
        elif kind == "IngressClass":
            out["ingress_classes"].append(conversion.ingress_class(obj, raw, created))
        elif kind == "Ingress":
            out["ingresses"].append(conversion.ingress(obj, raw, created, self._ingress_class(obj)))
        elif kind == "NetworkPolicy":
            out["network_policies"].append(conversion.network_policy(obj, raw, created))
        else:
            self.unmodeled.add(kind)
            out["others"].append(conversion.other(obj, raw, namespaced))

    def _ingress_class(self, obj: dict[str, Any]) -> str | None:
        """plugin/pkg/admission/network/defaultingressclass: with neither ingressClassName nor the
        kubernetes.io/ingress.class annotation, the default IngressClass existing at creation
        (the newest when several; equal times: the first name) is written into the Ingress."""
        spec = obj.get("spec") or {}
        if spec.get("ingressClassName") is not None:
            return spec["ingressClassName"]
        if "kubernetes.io/ingress.class" in ((obj.get("metadata") or {}).get("annotations") or {}):
            return None
        defaults = [c for c in self.out["ingress_classes"] if c.is_default]
        if not defaults:
            return None
        defaults.sort(key=lambda c: c.name)
        defaults.sort(key=lambda c: c.creation_timestamp or DEFAULT_EPOCH, reverse=True)
        return defaults[0].name

    # -- Services: allocation (REST BeginCreate) before validation ----------------------------------
    def _create_service(self, obj: dict[str, Any], raw: dict[str, Any], obj_name: str,
                        key: tuple[str, str, str]) -> bool:
        self.alloc.begin()
        errs = self._allocate(obj)
        if not errs:
            errs = VALIDATORS["Service"](obj)
        if errs:
            self.alloc.rollback()
            for e in errs:
                self._error(obj_name, e)
            return False
        if key in self.existing:
            self.alloc.rollback()
            self._error(obj_name, ("already-exists", "metadata.name", f'services "{key[2]}" already exists'))
            return False
        self.alloc.commit()
        self.existing.add(key)
        meta = obj["metadata"]
        self.out["services"].append(conversion.service(obj, raw, self._created(meta)))
        self._accept("Service", raw)
        return True

    def _allocate(self, obj: dict[str, Any]) -> list[FieldError]:
        spec = obj["spec"]
        if spec.get("type") != "ExternalName":
            errs = self._init_ip_families(spec)
            if errs:
                return errs
            errs = self._alloc_cluster_ips(spec)
            if errs:
                return errs
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            errs = self._alloc_node_ports(spec)
            if errs:
                return errs
        if needs_health_check(spec):
            hc = spec.get("healthCheckNodePort") or 0
            try:
                spec["healthCheckNodePort"] = self.alloc.allocate_port(hc or None)
            except AllocationError as exc:
                return [FieldError("spec.healthCheckNodePort", "Internal error occurred",
                                   f"failed to allocate requested HealthCheck NodePort {hc}: {exc}",
                                   code=f"nodeport-{exc.reason}")]
        return []

    def _init_ip_families(self, spec: dict[str, Any]) -> list[FieldError]:
        """storage/alloc.go initIPFamilyFields (create)."""
        headless_selectorless = spec.get("clusterIP") == "None" and not spec.get("selector")
        if spec.get("ipFamilyPolicy") is None:
            spec["ipFamilyPolicy"] = "RequireDualStack" if headless_selectorless else "SingleStack"
        errs = validate_cluster_ips_related(spec)
        if errs:
            return errs
        policy = spec["ipFamilyPolicy"]
        cips = list(spec.get("clusterIPs") or [])
        fams = list(spec.get("ipFamilies") or [])
        el: list[FieldError] = []
        if policy == "SingleStack":
            if len(cips) == 2:
                el.append(invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' "
                                                                 "when multiple cluster IPs are specified"))
            if len(fams) == 2:
                el.append(invalid("spec.ipFamilyPolicy", policy, "must be 'RequireDualStack' or 'PreferDualStack' "
                                                                 "when multiple IP families are specified"))
        for i, ip in enumerate(cips):
            if ip == "None":
                break
            fam = "IPv4" if ipaddress.ip_address(ip).version == 4 else "IPv6"
            if i >= len(fams):
                if fam not in self.alloc.ip:
                    el.append(invalid(f"spec.clusterIPs[{i}]", cips, f"{fam} is not configured on this cluster"))
                else:
                    fams.append(fam)
        if el:
            return el
        if headless_selectorless:
            if not fams:
                fams = [self.alloc.default_family]
            if len(fams) < 2 and policy != "SingleStack":
                fams.append("IPv6" if fams[0] == "IPv4" else "IPv4")
            spec["ipFamilies"] = fams
            return []
        if policy == "RequireDualStack" and len(self.alloc.ip) < 2:
            el.append(invalid("spec.ipFamilyPolicy", policy, "this cluster is not configured for dual-stack services"))
        for i, fam in enumerate(fams):
            if fam not in self.alloc.ip:
                el.append(invalid(f"spec.ipFamilies[{i}]", fam, "not configured on this cluster"))
        if el:
            return el
        if not fams:
            fams = [self.alloc.default_family]
        if policy != "SingleStack" and len(fams) == 1 and len(self.alloc.ip) == 2:
            fams.append("IPv6" if fams[0] == "IPv4" else "IPv4")
        spec["ipFamilies"] = fams
        return []

    def _alloc_cluster_ips(self, spec: dict[str, Any]) -> list[FieldError]:
        """storage/alloc.go allocClusterIPs: headless Services get none."""
        cips = list(spec.get("clusterIPs") or [])
        if cips and cips[0] == "None":
            return []
        given = list(cips)
        for i, fam in enumerate(spec["ipFamilies"]):
            want = cips[i] if i < len(cips) else ""
            try:
                got = self.alloc.allocate_ip(fam, want or None)
            except AllocationError as exc:
                if not want:  # alloc.go: dynamic allocation failing is an internal error
                    return [FieldError("spec.clusterIPs", "Internal error occurred",
                                       f"failed to allocate a serviceIP: {exc}", code=f"clusterip-{exc.reason}")]
                return [invalid("spec.clusterIPs", given, f"failed to allocate IP {want}: {exc}",
                                f"clusterip-{exc.reason}")]
            if i < len(cips):
                cips[i] = got
            else:
                cips.append(got)
        spec["clusterIPs"] = cips
        spec["clusterIP"] = cips[0]
        return []

    def _alloc_node_ports(self, spec: dict[str, Any]) -> list[FieldError]:
        """storage/alloc.go initNodePorts: ports sharing a port number share one node port."""
        should = spec.get("type") == "NodePort" or spec.get("allocateLoadBalancerNodePorts") is not False
        ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
        by_port: dict[int, int] = {}
        for i, p in enumerate(ports):
            np = p.get("nodePort") or 0
            if not np and not should:
                continue
            done = by_port.get(p.get("port") or 0, 0)
            try:
                if not done:
                    requested = next((q.get("nodePort") for q in ports
                                      if q.get("port") == p.get("port") and q.get("nodePort")), 0)
                    if requested:
                        np = requested
                        self.alloc.allocate_port(requested)
                    else:
                        np = self.alloc.allocate_port(None)
                    p["nodePort"] = np
                    by_port[p.get("port") or 0] = np
                elif np != done:
                    if not np:
                        p["nodePort"] = done
                    else:
                        self.alloc.allocate_port(np)
            except AllocationError as exc:
                if "range is full" in str(exc):
                    return [FieldError(f"spec.ports[{i}].nodePort", "Internal error occurred",
                                       f"failed to allocate a nodePort: {exc}", code="nodeport-full")]
                return [invalid(f"spec.ports[{i}].nodePort", np, str(exc), f"nodeport-{exc.reason}")]
        return []


def build_snapshot(objects: list[Any], cluster: ClusterConfig | None = None) -> BuildResult:
    """Create every object in document order into a cluster holding only the built-in namespaces.

    Objects the API server would refuse are left out and reported in `errors` (Diagnostic,
    severity "error", field path as the API server prints it)."""
    return Builder(list(objects), cluster or ClusterConfig()).build()

"""Kubernetes YAML <-> Snapshot: load, build (create in document order), export.

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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import yaml

from . import conversion
from .allocation import AllocationError, Allocators
from .decoding import type_errors
from .defaults import with_defaults
from .fielderrors import FieldError, invalid, is_dns1123_subdomain, parse_cidr, parse_ip
from .refusals import refusal_code
from .types import (
    ClusterConfig,
    Diagnostic,
    IngressControllerMapping,
    Namespace,
    ResolvConf,
    Snapshot,
)
from .validation import VALIDATORS, needs_health_check, validate_cluster_ips_related

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

MAX_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64
MAX_OBJECTS = 50_000
MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add, summed over the input
MAX_NODES = 5_000_000

BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
DEFAULT_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


class ManifestError(Exception):
    """Input that cannot be read at all: `message` says what, `where` says where."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


# --- loading ----------------------------------------------------------------------------------------

def _scan_events(text: str) -> None:
    """One pass over libyaml's event stream: syntax errors with their line, nesting depth and
    alias expansion (billion laughs) checked before anything is built."""
    doc = 0
    depth = 0
    stack: list[list[Any]] = []  # [anchor, count]
    sizes: dict[str, int] = {}
    alias_nodes = 0
    nodes = 0
    try:
        for ev in yaml.parse(text, Loader=Loader):
            if isinstance(ev, yaml.DocumentStartEvent):
                doc += 1
                sizes.clear()
            elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ManifestError(f"nesting deeper than {MAX_DEPTH} levels",
                                        f"document {doc}, line {ev.start_mark.line + 1}")
                stack.append([ev.anchor, 0])
            elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
                anchor, count = stack.pop()
                size = count + 1
                if anchor:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
                nodes += 1
            elif isinstance(ev, yaml.ScalarEvent):
                nodes += 1
                if ev.anchor:
                    sizes[ev.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif isinstance(ev, yaml.AliasEvent):
                size = sizes.get(ev.anchor, 1)
                alias_nodes += size
                if stack:
                    stack[-1][1] += size
                if alias_nodes > MAX_ALIAS_EXPANSION:
                    raise ManifestError(
                        f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION} nodes (an alias bomb?)",
                        f"document {doc}, line {ev.start_mark.line + 1}")
            if nodes > MAX_NODES:
                raise ManifestError(f"more than {MAX_NODES} YAML nodes", f"document {doc}")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise ManifestError(f"YAML syntax error: {problem}", f"document {max(doc, 1)}{line}") from None
    except yaml.YAMLError as exc:
        raise ManifestError(f"YAML error: {exc}", f"document {max(doc, 1)}") from None


def _decode(source: str | bytes) -> str:
    if len(source) > MAX_BYTES:
        raise ManifestError(f"input is larger than the {MAX_BYTES // (1024 * 1024)} MiB limit", "input")
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError(f"input is not UTF-8 text (byte {exc.start})", "input") from None
    return source.removeprefix("\ufeff")


def parse_yaml_documents(source: str | bytes) -> list[Any]:
    """Every YAML document of the text (None for empty ones), with the hostile-input limits."""
    text = _decode(source)
    if "&" in text:  # anchors: aliases may expand, so check the event stream before building
        _scan_events(text)
    try:
        docs = list(yaml.load_all(text, Loader=Loader))
    except yaml.MarkedYAMLError as exc:
        _scan_events(text)  # a syntax error: report it with its document and line
        mark = exc.problem_mark  # else a constructor error (a bad tag)
        raise ManifestError(f"YAML error: {exc.problem}", f"line {mark.line + 1}" if mark else "input") from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ManifestError(f"YAML error: {exc}", "input") from None
    try:
        for n, doc in enumerate(docs, 1):
            _check_depth(doc, f"document {n}")
    except ManifestError:
        _scan_events(text)  # the same refusal, with its line
        raise
    return docs


def _check_depth(value: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise ManifestError(f"nesting deeper than {MAX_DEPTH} levels", where)
    if isinstance(value, dict):
        for v in value.values():
            _check_depth(v, where, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _check_depth(v, where, depth + 1)


def _flatten(item: Any, where: str, out: list[dict[str, Any]]) -> None:
    """`kind: List` / `<Kind>List` with `items` (what `kubectl get -o yaml` prints) flattened."""
    if item is None:
        return
    if isinstance(item, list):
        for i, sub in enumerate(item):
            _flatten(sub, f"{where}, item {i + 1}", out)
        return
    if not isinstance(item, dict):
        raise ManifestError(f"not a Kubernetes object (a mapping) but a {type(item).__name__}", where)
    kind = item.get("kind")
    meta = item.get("metadata")
    unnamed = not (isinstance(meta, dict) and meta.get("name"))  # list metadata carries no name
    if isinstance(kind, str) and kind.endswith("List") and isinstance(item.get("items"), list) and unnamed:
        for i, sub in enumerate(item["items"]):
            _flatten(sub, f"{where}, item {i + 1}", out)
    else:
        out.append(item)
    if len(out) > MAX_OBJECTS:
        raise ManifestError(f"more than {MAX_OBJECTS} objects", where)


def load_documents(source: str | bytes | list | dict | None) -> list[dict[str, Any]]:
    """Kubernetes objects from multi-document YAML or JSON text, a list of objects, or one object.

    Lists (`kind: List`, `PodList`, ...) are flattened and empty documents skipped. Raises
    ManifestError(message, where) for input that cannot be read."""
    out: list[dict[str, Any]] = []
    if source is None:
        return out
    if isinstance(source, str | bytes):
        docs = parse_yaml_documents(source)
        for n, doc in enumerate(docs, 1):
            _flatten(doc, f"document {n}", out)
        return out
    if isinstance(source, dict):
        source = [source]
    if not isinstance(source, list):
        raise ManifestError(f"manifests must be YAML text or a list of objects, not {type(source).__name__}",
                            "manifests")
    for n, doc in enumerate(source, 1):
        _check_depth(doc, f"document {n}")
        _flatten(doc, f"document {n}", out)
    return out


# --- the cluster block ------------------------------------------------------------------------------

def _cidrs(value: Any, where: str) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise ManifestError("must be a CIDR or a comma-separated pair of CIDRs", where)
    out = []
    families = set()
    for item in items:
        net = parse_cidr(str(item).strip())
        if net is None:
            raise ManifestError(f"{str(item).strip()!r} is not a valid CIDR", where)
        if net.version in families:
            raise ManifestError("at most one CIDR per IP family", where)
        families.add(net.version)
        out.append(net.with_prefixlen)
    return tuple(out)


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ManifestError("must be a list of strings", where)
    return tuple(value)


def _ips(value: Any, where: str) -> tuple[str, ...]:
    out = _str_list(value, where)
    for ip in out:
        if parse_ip(ip) is None:
            raise ManifestError(f"{ip!r} is not a valid IP address", where)
    return out


def _port_range(value: Any, where: str) -> tuple[int, int]:
    """utilnet.ParsePortRange: "30000-32767", "30000+2767" or a single port."""
    text = str(value).strip()
    try:
        if "-" in text:
            lo_s, hi_s = text.split("-", 1)
            lo, hi = int(lo_s), int(hi_s)
        elif "+" in text:
            lo_s, off_s = text.split("+", 1)
            lo = int(lo_s)
            hi = lo + int(off_s)
        else:
            lo = hi = int(text)
    except ValueError:
        raise ManifestError(f"{text!r} is not a port range like 30000-32767", where) from None
    if not (1 <= lo <= hi <= 65535):
        raise ManifestError(f"{text!r} is not a port range within 1-65535", where)
    return lo, hi


def parse_cluster(data: Mapping[str, Any] | None) -> ClusterConfig:
    """interfaces.md's `cluster:` block; every key optional. Bad values raise ManifestError
    naming the field (`cluster.serviceCIDR`)."""
    base = ClusterConfig()
    if data is None:
        return base
    if not isinstance(data, Mapping):
        raise ManifestError("must be a mapping", "cluster")
    kw: dict[str, Any] = {}
    if data.get("domain") is not None:
        domain = str(data["domain"]).strip().rstrip(".").lower()
        if not domain or is_dns1123_subdomain(domain):
            raise ManifestError(f"{data['domain']!r} is not a valid DNS domain", "cluster.domain")
        kw["domain"] = domain
    if data.get("serviceCIDR") is not None:
        kw["service_cidrs"] = _cidrs(data["serviceCIDR"], "cluster.serviceCIDR")
    if data.get("podCIDR") is not None:
        kw["pod_cidrs"] = _cidrs(data["podCIDR"], "cluster.podCIDR")
    if data.get("nodePortRange") is not None:
        kw["node_port_range"] = _port_range(data["nodePortRange"], "cluster.nodePortRange")
    if data.get("clusterDNS") is not None:
        kw["cluster_dns"] = _ips(data["clusterDNS"], "cluster.clusterDNS")
    if data.get("nodeResolvConf") is not None:
        rc = data["nodeResolvConf"]
        if not isinstance(rc, Mapping):
            raise ManifestError("must be a mapping of nameservers, searches, options", "cluster.nodeResolvConf")
        kw["node_resolv_conf"] = ResolvConf(
            nameservers=_ips(rc.get("nameservers"), "cluster.nodeResolvConf.nameservers"),
            searches=tuple(s.rstrip(".") for s in _str_list(rc.get("searches"), "cluster.nodeResolvConf.searches")),
            options=_str_list(rc.get("options"), "cluster.nodeResolvConf.options"),
        )
    if "ingressControllers" in data:
        ctl = data["ingressControllers"]
        kw["ingress_controllers"] = None if ctl is None else _str_list(ctl, "cluster.ingressControllers")
    if data.get("ingressControllerPods") is not None:
        items = data["ingressControllerPods"]
        where = "cluster.ingressControllerPods"
        if not isinstance(items, list):
            raise ManifestError("must be a list of {controller, namespace, podLabels}", where)
        maps = []
        for i, m in enumerate(items):
            w = f"{where}[{i}]"
            if not isinstance(m, Mapping) or not isinstance(m.get("controller"), str):
                raise ManifestError("needs `controller` (a string)", w)
            labels = m.get("podLabels") or {}
            if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
                raise ManifestError("podLabels must map strings to strings", f"{w}.podLabels")
            ns = m.get("namespace")
            if ns is not None and not isinstance(ns, str):
                raise ManifestError("must be a string or null", f"{w}.namespace")
            maps.append(IngressControllerMapping(m["controller"], ns, dict(labels)))
        kw["controller_mappings"] = tuple(maps)
    return ClusterConfig(**kw)


# --- building ---------------------------------------------------------------------------------------

# kind -> (the apiVersion kubenet models, the API resource name used in errors)
MODELLED: dict[str, tuple[str, str]] = {
    "Namespace": ("v1", "namespaces"),
    "Node": ("v1", "nodes"),
    "Pod": ("v1", "pods"),
    "Service": ("v1", "services"),
    "Endpoints": ("v1", "endpoints"),
    "EndpointSlice": ("discovery.k8s.io/v1", "endpointslices.discovery.k8s.io"),
    "IngressClass": ("networking.k8s.io/v1", "ingressclasses.networking.k8s.io"),
    "Ingress": ("networking.k8s.io/v1", "ingresses.networking.k8s.io"),
    "NetworkPolicy": ("networking.k8s.io/v1", "networkpolicies.networking.k8s.io"),
}
CLUSTER_SCOPED = frozenset({
    "Namespace", "Node", "IngressClass", "PersistentVolume", "StorageClass", "ClusterRole",
    "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass", "RuntimeClass", "CSIDriver",
    "CSINode", "VolumeAttachment", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "APIService", "ServiceCIDR",
    "IPAddress", "ComponentStatus", "CertificateSigningRequest", "FlowSchema",
    "PriorityLevelConfiguration", "ClusterIssuer", "GatewayClass", "DeviceClass", "StorageVersion",
})


def _resource_name(kind: str, api_version: str) -> str:
    if kind in MODELLED:
        return MODELLED[kind][1]
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    plural = kind.lower()
    plural = plural[:-1] + "ies" if plural.endswith("y") else plural + ("es" if plural.endswith("s") else "s")
    return f"{plural}.{group}" if group else plural


@dataclass
class BuildResult:
    snapshot: Snapshot
    errors: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    objects: list[dict[str, Any]] = field(default_factory=list)  # accepted raw manifests, in order

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
        ips += [c for c in cands if isinstance(c, str) and parse_ip(c) is not None]
        for p in spec.get("ports") if isinstance(spec.get("ports"), list) else ():
            if isinstance(p, dict) and isinstance(p.get("nodePort"), int) and not isinstance(p["nodePort"], bool):
                ports.append(p["nodePort"])
        if isinstance(spec.get("healthCheckNodePort"), int):
            ports.append(spec["healthCheckNodePort"])
    return ips, ports


class _Builder:
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
        snap = Snapshot(cluster=self.cluster, **{k: tuple(v) for k, v in self.out.items()})
        object.__setattr__(snap, "_document_order", tuple(self.accepted))
        summary = {"counts": dict(sorted(self.counts.items())), "refused": self.refused,
                   "unmodeled_kinds": sorted(self.unmodeled)}
        return BuildResult(snap, self.errors, self.warnings, summary, list(self.accepted))

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
        obj_name = f"{kind}/{ns}/{name}" if namespaced else f"{kind}/{name}"
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
        resource = _resource_name(kind, api_version)
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
    return _Builder(list(objects), cluster or ClusterConfig()).build()


# --- export -----------------------------------------------------------------------------------------

def export_objects(source: Snapshot | BuildResult | Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The manifests as they were given (each object's `raw`), in document order."""
    if isinstance(source, BuildResult):
        return [dict(o) for o in source.objects]
    if isinstance(source, Snapshot):
        order = getattr(source, "_document_order", None)
        if order is not None:
            return [dict(o) for o in order]
        seen: set[int] = set()
        out = []
        for fname in ("namespaces", "nodes", "ingress_classes", "pods", "services", "endpoint_slices",
                      "ingresses", "network_policies", "others"):
            for o in getattr(source, fname):
                if o.raw and id(o.raw) not in seen:
                    seen.add(id(o.raw))
                    out.append(dict(o.raw))
        return out
    return [dict(o) for o in source]


def export_yaml(source: Snapshot | BuildResult | Iterable[Mapping[str, Any]]) -> str:
    """Multi-document YAML of export_objects(source)."""
    return yaml.dump_all(export_objects(source), Dumper=Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, explicit_start=True)

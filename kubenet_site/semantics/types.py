"""The engine's data: a Snapshot of one cluster as plain frozen dataclasses.

Everything in `semantics/` takes a Snapshot (or parts of it) and returns plain results.
`manifests.py` builds a Snapshot from Kubernetes objects, with the API server's defaults
already applied, so engine code never has to guess a default. Each object keeps the
manifest it came from in `raw` (excluded from comparisons) so nothing is lost on export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

Labels = Mapping[str, str]

# Service types (core/v1 ServiceType).
CLUSTER_IP = "ClusterIP"
NODE_PORT = "NodePort"
LOAD_BALANCER = "LoadBalancer"
EXTERNAL_NAME = "ExternalName"


def _empty() -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class ResolvConf:
    """A resolv.conf(5): the node's own, or the one the kubelet writes for a pod."""

    nameservers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # as written: "ndots:5", "edns0"


@dataclass(frozen=True)
class IngressControllerMapping:
    """How to find an ingress controller's own pods: IngressClass spec.controller -> labels."""

    controller: str
    namespace: str | None  # None: any namespace
    pod_labels: Labels


DEFAULT_CONTROLLER_MAPPINGS: tuple[IngressControllerMapping, ...] = (
    IngressControllerMapping("k8s.io/ingress-nginx", None, {"app.kubernetes.io/name": "ingress-nginx"}),
)


@dataclass(frozen=True)
class ClusterConfig:
    """The cluster-wide settings of interfaces.md's `cluster:` block, defaults included."""

    domain: str = "cluster.local"
    service_cidrs: tuple[str, ...] = ("10.96.0.0/12",)  # one per IP family
    pod_cidrs: tuple[str, ...] = ("10.244.0.0/16",)
    node_port_range: tuple[int, int] = (30000, 32767)
    cluster_dns: tuple[str, ...] = ("10.96.0.10",)
    node_resolv_conf: ResolvConf = ResolvConf(nameservers=("10.0.0.2",))
    # IngressClass spec.controller values with a running controller; None = every class has one.
    ingress_controllers: tuple[str, ...] | None = None
    controller_mappings: tuple[IngressControllerMapping, ...] = DEFAULT_CONTROLLER_MAPPINGS
    # Workloads (interfaces.md): the cluster's own nodes when no worker Node exists, and
    # whether generated pods are Ready.
    nodes: int = 3
    generated_pods_ready: bool = True


@dataclass(frozen=True)
class Requirement:
    """One matchExpressions entry: operator In, NotIn, Exists or DoesNotExist."""

    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelSelector:
    """metav1.LabelSelector. `LabelSelector()` is `{}` and matches everything."""

    match_labels: Labels = field(default_factory=_empty)
    match_expressions: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Namespace:
    name: str
    labels: Labels = field(default_factory=_empty)
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class NodeAddress:
    type: str  # InternalIP, ExternalIP, Hostname, InternalDNS, ExternalDNS
    address: str


@dataclass(frozen=True)
class Node:
    name: str
    labels: Labels = field(default_factory=_empty)
    addresses: tuple[NodeAddress, ...] = ()
    pod_cidrs: tuple[str, ...] = ()
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.name

    @property
    def zone(self) -> str | None:
        return self.labels.get("topology.kubernetes.io/zone") or self.labels.get(
            "failure-domain.beta.kubernetes.io/zone"
        )

    def addresses_of(self, kind: str) -> tuple[str, ...]:
        return tuple(a.address for a in self.addresses if a.type == kind)

    @property
    def internal_ip(self) -> str | None:
        ips = self.addresses_of("InternalIP")
        return ips[0] if ips else None

    @property
    def ips(self) -> tuple[str, ...]:
        """Every IP the node answers on (NodePorts open on all of them)."""
        return self.addresses_of("InternalIP") + self.addresses_of("ExternalIP")


@dataclass(frozen=True)
class ContainerPort:
    container_port: int
    name: str | None = None
    protocol: str = "TCP"
    host_port: int | None = None


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    value_from: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Container:
    name: str
    ports: tuple[ContainerPort, ...] = ()
    env: tuple[EnvVar, ...] = ()
    # "app", "init", or "sidecar" (an init container with restartPolicy: Always)
    role: str = "app"


@dataclass(frozen=True)
class PodDNSConfig:
    nameservers: tuple[str, ...] = ()
    searches: tuple[str, ...] = ()
    options: tuple[tuple[str, str | None], ...] = ()  # (name, value or None)


@dataclass(frozen=True)
class OwnerReference:
    kind: str
    name: str
    controller: bool = False
    api_version: str = ""


@dataclass(frozen=True)
class Pod:
    namespace: str
    name: str
    labels: Labels = field(default_factory=_empty)
    annotations: Labels = field(default_factory=_empty)
    owner_references: tuple[OwnerReference, ...] = ()
    node_name: str | None = None
    pod_ips: tuple[str, ...] = ()  # status.podIPs, primary first
    host_ip: str | None = None
    phase: str = "Pending"
    ready: bool = False  # the Ready condition; absent means not ready
    deletion_timestamp: datetime | None = None
    hostname: str | None = None  # spec.hostname
    subdomain: str | None = None  # spec.subdomain
    host_network: bool = False
    dns_policy: str = "ClusterFirst"
    dns_config: PodDNSConfig | None = None
    enable_service_links: bool = True
    creation_timestamp: datetime | None = None
    containers: tuple[Container, ...] = ()  # app containers, in spec order
    init_containers: tuple[Container, ...] = ()  # includes sidecars (role "sidecar")
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ip(self) -> str | None:
        return self.pod_ips[0] if self.pod_ips else None

    @property
    def terminating(self) -> bool:
        return self.deletion_timestamp is not None

    @property
    def finished(self) -> bool:
        return self.phase in ("Succeeded", "Failed")

    @property
    def sidecars(self) -> tuple[Container, ...]:
        return tuple(c for c in self.init_containers if c.role == "sidecar")


@dataclass(frozen=True)
class ServicePort:
    port: int
    name: str = ""
    protocol: str = "TCP"
    target_port: int | str = 0  # defaulted to `port` by manifests.py; a str is a port name
    node_port: int | None = None
    app_protocol: str | None = None


@dataclass(frozen=True)
class LoadBalancerIngress:
    ip: str | None = None
    hostname: str | None = None
    ip_mode: str | None = None


@dataclass(frozen=True)
class Service:
    namespace: str
    name: str
    type: str = CLUSTER_IP
    cluster_ip: str | None = None  # "None" for headless; None for ExternalName
    cluster_ips: tuple[str, ...] = ()
    ip_families: tuple[str, ...] = ()
    ports: tuple[ServicePort, ...] = ()
    selector: Labels | None = None  # None: no selector field
    external_name: str | None = None
    external_ips: tuple[str, ...] = ()
    external_traffic_policy: str | None = None  # "Cluster"/"Local"; None where not applicable
    internal_traffic_policy: str = "Cluster"
    health_check_node_port: int | None = None
    session_affinity: str = "None"
    session_affinity_timeout: int | None = None  # seconds, ClientIP only (default 10800)
    load_balancer_source_ranges: tuple[str, ...] = ()
    load_balancer_class: str | None = None
    load_balancer_ip: str | None = None
    publish_not_ready_addresses: bool = False
    allocate_load_balancer_node_ports: bool | None = None
    load_balancer_ingress: tuple[LoadBalancerIngress, ...] = ()
    labels: Labels = field(default_factory=_empty)
    annotations: Labels = field(default_factory=_empty)
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def headless(self) -> bool:
        return self.cluster_ip == "None"

    @property
    def has_cluster_ip(self) -> bool:
        return self.type != EXTERNAL_NAME and bool(self.cluster_ip) and not self.headless


@dataclass(frozen=True)
class SliceEndpoint:
    addresses: tuple[str, ...]
    ready: bool | None = True  # EndpointSlice conditions; None = unknown (treated as ready)
    serving: bool | None = None
    terminating: bool | None = None
    hostname: str | None = None
    node_name: str | None = None
    zone: str | None = None
    target_ref: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class SlicePort:
    port: int | None
    name: str = ""
    protocol: str = "TCP"
    app_protocol: str | None = None


@dataclass(frozen=True)
class EndpointSlice:
    """A manual EndpointSlice (or a legacy Endpoints object, converted) for a Service."""

    namespace: str
    name: str
    service_name: str  # label kubernetes.io/service-name (Endpoints: its own name)
    address_type: str = "IPv4"
    endpoints: tuple[SliceEndpoint, ...] = ()
    ports: tuple[SlicePort, ...] = ()
    source_kind: str = "EndpointSlice"  # or "Endpoints"
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class Endpoint:
    """One endpoint of one Service port, as endpoints.py computes it (EndpointSlice semantics)."""

    ip: str
    port: int | None  # the target port resolved on the backend; None: a portless headless Service
    service_port: ServicePort | None
    ready: bool
    serving: bool
    terminating: bool
    pod_key: str | None = None  # "ns/name" of the backing pod (manual endpoints may have none)
    node_name: str | None = None
    zone: str | None = None
    hostname: str | None = None

    @property
    def address(self) -> str:
        """ "ip:port" (IPv6 as "[ip]:port"), or the bare IP for a portless endpoint."""
        if self.port is None:
            return self.ip
        return f"[{self.ip}]:{self.port}" if ":" in self.ip else f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class IngressClass:
    name: str
    controller: str
    is_default: bool = False  # annotation ingressclass.kubernetes.io/is-default-class
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return self.name


@dataclass(frozen=True)
class IngressBackend:
    service_name: str | None = None
    port_number: int | None = None
    port_name: str | None = None
    resource: Mapping[str, Any] | None = None  # a non-Service backend


@dataclass(frozen=True)
class IngressPath:
    path: str | None  # None when omitted
    path_type: str  # Exact, Prefix, ImplementationSpecific
    backend: IngressBackend


@dataclass(frozen=True)
class IngressRule:
    host: str | None = None  # None: every host
    paths: tuple[IngressPath, ...] = ()


@dataclass(frozen=True)
class IngressTLS:
    hosts: tuple[str, ...] = ()
    secret_name: str | None = None


@dataclass(frozen=True)
class Ingress:
    namespace: str
    name: str
    ingress_class_name: str | None = None  # spec.ingressClassName as stored
    class_annotation: str | None = None  # kubernetes.io/ingress.class
    default_backend: IngressBackend | None = None
    rules: tuple[IngressRule, ...] = ()
    tls: tuple[IngressTLS, ...] = ()
    labels: Labels = field(default_factory=_empty)
    annotations: Labels = field(default_factory=_empty)
    load_balancer_ingress: tuple[LoadBalancerIngress, ...] = ()
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class IPBlock:
    cidr: str
    except_: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyPeer:
    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True)
class PolicyPort:
    protocol: str = "TCP"
    port: int | str | None = None  # None: every port
    end_port: int | None = None


@dataclass(frozen=True)
class PolicyRule:
    """One ingress or egress rule. Empty `peers` (field missing or []) matches every peer;
    empty `ports` matches every port (networking/v1 API reference)."""

    peers: tuple[PolicyPeer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True)
class NetworkPolicy:
    namespace: str
    name: str
    pod_selector: LabelSelector = LabelSelector()
    policy_types: tuple[str, ...] = ("Ingress",)  # defaulted by manifests.py
    ingress: tuple[PolicyRule, ...] = ()
    egress: tuple[PolicyRule, ...] = ()
    creation_timestamp: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class OtherObject:
    """An object of a kind kubenet does not model (ConfigMap, Secret, Deployment, a CRD)."""

    api_version: str
    kind: str
    name: str
    namespace: str | None = None
    raw: Mapping[str, Any] = field(default_factory=_empty, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name


@dataclass(frozen=True)
class Snapshot:
    """One cluster at one moment. Tuples keep creation (document) order."""

    cluster: ClusterConfig = ClusterConfig()
    namespaces: tuple[Namespace, ...] = ()
    nodes: tuple[Node, ...] = ()
    pods: tuple[Pod, ...] = ()
    services: tuple[Service, ...] = ()
    endpoint_slices: tuple[EndpointSlice, ...] = ()
    ingress_classes: tuple[IngressClass, ...] = ()
    ingresses: tuple[Ingress, ...] = ()
    network_policies: tuple[NetworkPolicy, ...] = ()
    others: tuple[OtherObject, ...] = ()
    # Objects the workloads' controllers made (interfaces.md "Workloads"): `Kind/ns/name` -> the
    # workload's `Kind/ns/name` ("" for the cluster's own nodes). Derived, never exported.
    generated_by: Mapping[str, str] = field(default_factory=_empty, compare=False)

    # Look-ups, computed once per snapshot.
    @cached_property
    def namespace_by_name(self) -> Mapping[str, Namespace]:
        return {n.name: n for n in self.namespaces}

    @cached_property
    def node_by_name(self) -> Mapping[str, Node]:
        return {n.name: n for n in self.nodes}

    @cached_property
    def pod_by_key(self) -> Mapping[str, Pod]:
        return {p.key: p for p in self.pods}

    @cached_property
    def service_by_key(self) -> Mapping[str, Service]:
        return {s.key: s for s in self.services}

    @cached_property
    def pods_by_namespace(self) -> Mapping[str, tuple[Pod, ...]]:
        out: dict[str, list[Pod]] = {}
        for p in self.pods:
            out.setdefault(p.namespace, []).append(p)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def services_by_namespace(self) -> Mapping[str, tuple[Service, ...]]:
        out: dict[str, list[Service]] = {}
        for s in self.services:
            out.setdefault(s.namespace, []).append(s)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def ingress_class_by_name(self) -> Mapping[str, IngressClass]:
        return {c.name: c for c in self.ingress_classes}

    @cached_property
    def memo(self) -> dict[str, Any]:
        """Engine memos of this snapshot, one per function that fills it (endpoints.per_snapshot):
        a Snapshot is immutable, and matrices ask the same questions thousands of times."""
        return {}

    # The look-ups a restricted view shares with its snapshot (they read no Service).
    _SHARED_LOOKUPS = ("namespace_by_name", "node_by_name", "pod_by_key", "ingress_class_by_name")

    def restricted(self, services: tuple[Service, ...], pods: tuple[Pod, ...] | None = None) -> Snapshot:
        """A view of this cluster holding only `services` (and only `pods`, if given), for a
        question that reads nothing else. It shares this snapshot's look-ups; `pod_by_key` still
        finds every pod of the cluster (a trace's source need not be among `pods`). Its memos
        are its own."""
        view = replace(self, services=services) if pods is None else replace(self, services=services, pods=pods)
        seeded = view.__dict__  # cached_property's own storage: the view's look-ups, filled in advance
        for name in self._SHARED_LOOKUPS:
            seeded[name] = getattr(self, name)
        if pods is None:
            seeded["pods_by_namespace"] = self.pods_by_namespace
        else:
            by_ns: dict[str, list[Pod]] = {}
            for p in pods:
                by_ns.setdefault(p.namespace, []).append(p)
            seeded["pods_by_namespace"] = {k: tuple(v) for k, v in by_ns.items()}
        return view

    def pod(self, key: str) -> Pod | None:
        return self.pod_by_key.get(key)

    def service(self, key: str) -> Service | None:
        return self.service_by_key.get(key)

    def namespace_labels(self, name: str) -> Labels:
        """A namespace's labels, with the immutable kubernetes.io/metadata.name label
        the API server sets on every namespace (since v1.21)."""
        ns = self.namespace_by_name.get(name)
        labels = dict(ns.labels) if ns else {}
        labels.setdefault("kubernetes.io/metadata.name", name)
        return labels


@dataclass(frozen=True)
class Verdict:
    """An engine answer that explains itself: the outcome and the hops or rules behind it."""

    outcome: str
    trace: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=_empty)


class QueryError(Exception):
    """A query that names something absent or is not of its kind's form.

    query.py answers it as `{"kind": ..., "error": str(exc)}` while the other queries run."""


@dataclass(frozen=True)
class Diagnostic:
    """A finding about one object: an API-server refusal ("error") or a lint ("warning"/"info").

    `object` is `Kind/namespace/name` (cluster-scoped: `Kind/name`); `field` the path as the
    API server prints it (`spec.ports[1].nodePort`)."""

    severity: str  # "error", "warning", "info"
    object: str
    field: str
    code: str  # kebab-case, stable: "selector-matches-nothing"
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "object": self.object, "field": self.field,
                "code": self.code, "message": self.message}

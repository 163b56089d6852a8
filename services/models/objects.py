"""Kubernetes objects of a topology.

Each row keeps its object's manifest verbatim in `manifest` (the source of truth for export
and for the engine, so nothing a user imported is lost) and mirrors every networking field a
user can set into columns, for listing, filtering and editing. An edit to a column is written
back into the manifest by `write_columns()`; `from_manifest()` fills the columns from it.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from django.db import models

from services import hooks


def _get(doc: dict, path: tuple[str, ...], default: Any = None) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return default
        doc = doc[key]
    return doc


def _set(doc: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc.setdefault(key, {})
    if value is None or value == {} and path[-1] in ("labels", "annotations"):
        doc.pop(path[-1], None)
    else:
        doc[path[-1]] = value


BULK_BATCH = 1000  # rows per INSERT of create_many


class KubeObject(models.Model):
    KIND: ClassVar[str] = ""
    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = True
    DEFAULT_NAMESPACE: ClassVar[str] = "default"  # the API server's default for namespaced kinds
    # column -> manifest path; the columns a user may edit and write back.
    PATHS: ClassVar[dict[str, tuple[str, ...]]] = {}

    topology = models.ForeignKey("services.Topology", on_delete=models.CASCADE, related_name="+")
    namespace = models.CharField(max_length=63, blank=True, db_index=True)
    name = models.CharField(max_length=253)
    position = models.PositiveIntegerField(default=0, help_text="Creation order in the topology.")
    labels = models.JSONField(default=dict, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField("creationTimestamp", null=True, blank=True)
    manifest = models.JSONField(default=dict, blank=True, help_text="The object as imported, verbatim.")

    class Meta:
        abstract = True
        ordering = ["position"]

    BASE_PATHS: ClassVar[dict[str, tuple[str, ...]]] = {
        "name": ("metadata", "name"),
        "namespace": ("metadata", "namespace"),
        "labels": ("metadata", "labels"),
        "annotations": ("metadata", "annotations"),
    }

    def __str__(self) -> str:
        return self.object_name

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def object_name(self) -> str:
        """`Kind/namespace/name` (cluster-scoped: `Kind/name`), as diagnostics name objects."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.NAMESPACED else f"{self.kind}/{self.name}"

    @classmethod
    def all_paths(cls) -> dict[str, tuple[str, ...]]:
        return {**cls.BASE_PATHS, **cls.PATHS}

    @classmethod
    def create_many(cls, rows: list[KubeObject]) -> None:
        """Insert new rows of this model (columns filled) in a few statements, as save() would
        one by one (an import of 10,000 objects: one round trip per thousand, not per row)."""
        cls.objects.bulk_create(rows, batch_size=BULK_BATCH)

    def fill_columns(self) -> None:
        """Columns from `manifest` (import, or after a manifest edit)."""
        for column, path in self.all_paths().items():
            value = _get(self.manifest, path)
            field = self._meta.get_field(column)
            if value is None:
                value = field.get_default() if not field.null else None
                if column == "namespace":
                    value = self.DEFAULT_NAMESPACE if self.NAMESPACED else ""
            setattr(self, column, value)

    def rendered_manifest(self, columns: list[str] | None = None) -> dict:
        """The manifest with the given (default: every changed) columns written into it."""
        doc = copy.deepcopy(self.manifest) if self.manifest else {
            "apiVersion": self.API_VERSION, "kind": self.KIND, "metadata": {}}
        doc.setdefault("apiVersion", self.API_VERSION)
        doc.setdefault("kind", self.KIND)
        for column, path in self.all_paths().items():
            if columns is not None and column not in columns:
                continue
            value = getattr(self, column)
            if column == "namespace" and not self.NAMESPACED:
                continue
            if columns is None and _get(doc, path) == value:
                continue
            if columns is None and value in (None, "", {}, []) and _get(doc, path) is None:
                continue
            _set(doc, path, value if value not in ("",) else None)
        return doc

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not self.topology_id:
            return
        errors = hooks.validation_errors(self, self.rendered_manifest(getattr(self, "changed_columns", None)))
        if errors:
            raise ValidationError(errors)

    def write_columns(self, columns: list[str] | None = None) -> None:
        """Write edited columns back into `manifest` (admin and form edits)."""
        self.manifest = self.rendered_manifest(columns)


class Namespace(KubeObject):
    KIND = "Namespace"
    NAMESPACED = False

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "name")]


class Node(KubeObject):
    KIND = "Node"
    NAMESPACED = False
    PATHS = {
        "addresses": ("status", "addresses"),
        "pod_cidrs": ("spec", "podCIDRs"),
    }
    addresses = models.JSONField(default=list, blank=True, help_text='[{"type": "InternalIP", "address": ...}]')
    pod_cidrs = models.JSONField("pod CIDRs", default=list, blank=True)

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "name")]

    @property
    def zone(self) -> str:
        return self.labels.get("topology.kubernetes.io/zone", "")

    @property
    def internal_ip(self) -> str:
        return next((a.get("address", "") for a in self.addresses or [] if a.get("type") == "InternalIP"), "")


class Pod(KubeObject):
    KIND = "Pod"
    PATHS = {
        "owner_references": ("metadata", "ownerReferences"),
        "deletion_timestamp": ("metadata", "deletionTimestamp"),
        "node_name": ("spec", "nodeName"),
        "hostname": ("spec", "hostname"),
        "subdomain": ("spec", "subdomain"),
        "host_network": ("spec", "hostNetwork"),
        "dns_policy": ("spec", "dnsPolicy"),
        "dns_config": ("spec", "dnsConfig"),
        "enable_service_links": ("spec", "enableServiceLinks"),
        "containers": ("spec", "containers"),
        "init_containers": ("spec", "initContainers"),
        "phase": ("status", "phase"),
        "pod_ips": ("status", "podIPs"),
        "conditions": ("status", "conditions"),
    }
    owner_references = models.JSONField(default=list, blank=True)
    deletion_timestamp = models.CharField(max_length=40, blank=True, help_text="Set when terminating.")
    node_name = models.CharField(max_length=253, blank=True)
    hostname = models.CharField(max_length=63, blank=True)
    subdomain = models.CharField(max_length=63, blank=True)
    host_network = models.BooleanField(null=True, blank=True)
    dns_policy = models.CharField(max_length=40, blank=True, choices=[
        ("ClusterFirst", "ClusterFirst"), ("ClusterFirstWithHostNet", "ClusterFirstWithHostNet"),
        ("Default", "Default"), ("None", "None")])
    dns_config = models.JSONField(null=True, blank=True)
    enable_service_links = models.BooleanField(null=True, blank=True)
    containers = models.JSONField(default=list, blank=True, help_text="Containers with ports and env.")
    init_containers = models.JSONField(default=list, blank=True, help_text="Init containers and sidecars.")
    phase = models.CharField(max_length=20, blank=True)
    pod_ips = models.JSONField("pod IPs", default=list, blank=True, help_text='[{"ip": ...}]')
    conditions = models.JSONField(default=list, blank=True, help_text="status.conditions (Ready decides).")

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "namespace", "name")]

    @property
    def ready(self) -> bool:
        return any(c.get("type") == "Ready" and c.get("status") == "True" for c in self.conditions or [])

    @property
    def ip(self) -> str:
        return (self.pod_ips or [{}])[0].get("ip", "") if self.pod_ips else _get(self.manifest, ("status", "podIP"), "")


class Service(KubeObject):
    KIND = "Service"
    PATHS = {
        "type": ("spec", "type"),
        "cluster_ip": ("spec", "clusterIP"),
        "cluster_ips": ("spec", "clusterIPs"),
        "ip_families": ("spec", "ipFamilies"),
        "selector": ("spec", "selector"),
        "external_name": ("spec", "externalName"),
        "external_ips": ("spec", "externalIPs"),
        "external_traffic_policy": ("spec", "externalTrafficPolicy"),
        "internal_traffic_policy": ("spec", "internalTrafficPolicy"),
        "health_check_node_port": ("spec", "healthCheckNodePort"),
        "session_affinity": ("spec", "sessionAffinity"),
        "session_affinity_config": ("spec", "sessionAffinityConfig"),
        "load_balancer_source_ranges": ("spec", "loadBalancerSourceRanges"),
        "load_balancer_class": ("spec", "loadBalancerClass"),
        "publish_not_ready_addresses": ("spec", "publishNotReadyAddresses"),
        "allocate_load_balancer_node_ports": ("spec", "allocateLoadBalancerNodePorts"),
        "load_balancer_ingress": ("status", "loadBalancer", "ingress"),
    }
    TYPE_CHOICES = [(t, t) for t in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")]
    type = models.CharField(max_length=20, blank=True, choices=TYPE_CHOICES)
    cluster_ip = models.CharField("clusterIP", max_length=45, blank=True, help_text='"None" for headless.')
    cluster_ips = models.JSONField("clusterIPs", default=list, blank=True)
    ip_families = models.JSONField(default=list, blank=True)
    selector = models.JSONField(null=True, blank=True)
    external_name = models.CharField(max_length=253, blank=True)
    external_ips = models.JSONField("externalIPs", default=list, blank=True)
    external_traffic_policy = models.CharField(max_length=10, blank=True, choices=[("Cluster", "Cluster"), ("Local", "Local")])
    internal_traffic_policy = models.CharField(max_length=10, blank=True, choices=[("Cluster", "Cluster"), ("Local", "Local")])
    health_check_node_port = models.PositiveIntegerField(null=True, blank=True)
    session_affinity = models.CharField(max_length=10, blank=True, choices=[("None", "None"), ("ClientIP", "ClientIP")])
    session_affinity_config = models.JSONField(null=True, blank=True, help_text='{"clientIP": {"timeoutSeconds": 10800}}')
    load_balancer_source_ranges = models.JSONField(default=list, blank=True)
    load_balancer_class = models.CharField(max_length=253, blank=True)
    publish_not_ready_addresses = models.BooleanField(null=True, blank=True)
    allocate_load_balancer_node_ports = models.BooleanField(null=True, blank=True)
    load_balancer_ingress = models.JSONField(default=list, blank=True, help_text='[{"ip": ...} or {"hostname": ...}]')

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "namespace", "name")]

    def fill_columns(self) -> None:
        super().fill_columns()
        self._pending_ports = [
            ServicePort.from_manifest(i, p) for i, p in enumerate(_get(self.manifest, ("spec", "ports")) or [])
            if isinstance(p, dict)
        ]

    @classmethod
    def create_many(cls, rows: list[KubeObject]) -> None:
        """The rows, then every row's ports (bulk_create sets the primary keys on PostgreSQL
        and SQLite alike)."""
        super().create_many(rows)
        ports = []
        for row in rows:
            for port in getattr(row, "_pending_ports", None) or []:
                port.service = row
                ports.append(port)
            row._pending_ports = None
        ServicePort.objects.bulk_create(ports, batch_size=BULK_BATCH)

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        pending = getattr(self, "_pending_ports", None)
        if pending is not None:
            self.ports.all().delete()
            for port in pending:
                port.service = self
            ServicePort.objects.bulk_create(pending)
            self._pending_ports = None

    def write_ports(self) -> None:
        """Write the ServicePort rows back into spec.ports, keeping unknown keys per port."""
        old = _get(self.manifest, ("spec", "ports")) or []
        ports = []
        for p in self.ports.order_by("index"):
            doc = dict(old[p.index]) if p.index < len(old) and isinstance(old[p.index], dict) else {}
            doc.update(p.to_manifest(doc))
            ports.append(doc)
        self.manifest = copy.deepcopy(self.manifest)
        self.manifest.setdefault("spec", {})["ports"] = ports


class ServicePort(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="ports")
    index = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=63, blank=True)
    protocol = models.CharField(max_length=4, blank=True, choices=[("TCP", "TCP"), ("UDP", "UDP"), ("SCTP", "SCTP")])
    port = models.PositiveIntegerField()
    target_port = models.CharField(max_length=63, blank=True, help_text="A number or a container port name.")
    node_port = models.PositiveIntegerField(null=True, blank=True)
    app_protocol = models.CharField(max_length=253, blank=True)

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"{self.name or self.port}/{self.protocol or 'TCP'}"

    @classmethod
    def from_manifest(cls, index: int, doc: dict) -> ServicePort:
        tp = doc.get("targetPort")
        return cls(index=index, name=doc.get("name") or "", protocol=doc.get("protocol") or "",
                   port=doc.get("port") if isinstance(doc.get("port"), int) else 0,
                   target_port="" if tp is None else str(tp), node_port=doc.get("nodePort"),
                   app_protocol=doc.get("appProtocol") or "")

    def to_manifest(self, old: dict) -> dict:
        out: dict[str, Any] = {"port": self.port}
        for key, value in (("name", self.name), ("protocol", self.protocol), ("appProtocol", self.app_protocol)):
            if value or key in old:
                out[key] = value
        if self.target_port or "targetPort" in old:
            out["targetPort"] = int(self.target_port) if self.target_port.isdigit() else self.target_port
        if self.node_port is not None or "nodePort" in old:
            out["nodePort"] = self.node_port
        return out


class EndpointSlice(KubeObject):
    """A manual EndpointSlice, or a legacy Endpoints object, for a Service without selector."""

    KIND = "EndpointSlice"
    PATHS = {"address_type": ("addressType",), "endpoints": ("endpoints",), "ports": ("ports",)}
    kind_name = models.CharField(max_length=20, default="EndpointSlice",
                                 choices=[("EndpointSlice", "EndpointSlice"), ("Endpoints", "Endpoints")])
    address_type = models.CharField(max_length=10, blank=True)
    endpoints = models.JSONField(default=list, blank=True)
    ports = models.JSONField(default=list, blank=True)

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "kind_name", "namespace", "name")]

    @property
    def kind(self) -> str:
        return self.kind_name

    @classmethod
    def all_paths(cls) -> dict[str, tuple[str, ...]]:
        return dict(cls.BASE_PATHS)  # Endpoints and EndpointSlices differ: edit the manifest


class NetworkPolicy(KubeObject):
    KIND = "NetworkPolicy"
    API_VERSION = "networking.k8s.io/v1"
    PATHS = {
        "pod_selector": ("spec", "podSelector"),
        "policy_types": ("spec", "policyTypes"),
        "ingress": ("spec", "ingress"),
        "egress": ("spec", "egress"),
    }
    pod_selector = models.JSONField(default=dict, blank=True)
    policy_types = models.JSONField(null=True, blank=True)
    ingress = models.JSONField(null=True, blank=True, help_text="Ingress rules (from, ports).")
    egress = models.JSONField(null=True, blank=True, help_text="Egress rules (to, ports).")

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "namespace", "name")]
        verbose_name_plural = "network policies"


class OtherObject(KubeObject):
    """An object of a kind kubenet does not model (ConfigMap, Secret, Deployment, a CRD), verbatim."""

    DEFAULT_NAMESPACE = ""  # an unknown kind may be cluster-scoped
    kind_name = models.CharField("kind", max_length=100)
    api_version = models.CharField(max_length=200)

    class Meta(KubeObject.Meta):
        unique_together = [("topology", "api_version", "kind_name", "namespace", "name")]

    @property
    def kind(self) -> str:
        return self.kind_name

    @property
    def object_name(self) -> str:
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"


def row_models() -> list[type[KubeObject]]:
    """Every concrete row model, this app's and those of apps built on it (ingress)."""
    out: list[type[KubeObject]] = []
    todo = list(KubeObject.__subclasses__())
    while todo:
        cls = todo.pop(0)
        if not cls._meta.abstract:
            out.append(cls)
        todo += cls.__subclasses__()
    return out


def topology_rows(topology) -> list[KubeObject]:
    """Every object row of a topology, in creation order."""
    rows: list[KubeObject] = []
    for model in row_models():
        rows.extend(model.objects.filter(topology=topology))
    rows.sort(key=lambda r: (r.position, r.pk))
    return rows

"""django-tables2 tables, one per model: sortable columns, the name linking to the object."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from kubenet_site.semantics.labels import describe, parse_selector

from .kinds import object_url
from .models import EndpointSlice, Namespace, NetworkPolicy, Node, OtherObject, Pod, Service


def label_badges(labels: dict | None) -> str:
    if not labels:
        return "—"
    return format_html_join("", '<span class="label-badge">{}={}</span>', sorted(labels.items()))


class ObjectNameColumn(tables.Column):
    def render(self, value, record):
        return format_html('<a href="{}">{}</a>', object_url(record), value)


class LabelsColumn(tables.Column):
    def __init__(self, **kwargs):
        super().__init__(orderable=False, **kwargs)

    def render(self, value):
        return label_badges(value)


class KubeObjectTable(tables.Table):
    name = ObjectNameColumn()
    labels = LabelsColumn()

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        order_by = ("namespace", "name")
        empty_text = "No objects match."


class NamespaceTable(KubeObjectTable):
    created_at = tables.DateTimeColumn(verbose_name="Created", format="Y-m-d H:i")

    class Meta(KubeObjectTable.Meta):
        model = Namespace
        fields = ("name", "labels", "created_at")
        order_by = ("name",)


class NodeTable(KubeObjectTable):
    internal_ip = tables.Column(verbose_name="InternalIP", orderable=False, empty_values=())
    zone = tables.Column(orderable=False, empty_values=())
    pod_cidrs = tables.Column(verbose_name="Pod CIDRs", orderable=False)

    class Meta(KubeObjectTable.Meta):
        model = Node
        fields = ("name", "internal_ip", "zone", "pod_cidrs", "labels")
        order_by = ("name",)

    def render_pod_cidrs(self, value):
        return ", ".join(value or []) or "—"


class PodTable(KubeObjectTable):
    ip = tables.Column(verbose_name="IP", orderable=False, empty_values=())
    ready = tables.BooleanColumn(orderable=False, empty_values=())
    node_name = tables.Column(verbose_name="Node")

    class Meta(KubeObjectTable.Meta):
        model = Pod
        fields = ("namespace", "name", "phase", "ready", "ip", "node_name", "labels")


class ServiceTable(KubeObjectTable):
    type = tables.Column(empty_values=())
    ports = tables.Column(orderable=False, empty_values=(), verbose_name="Port(s)")
    selector = tables.Column(orderable=False, empty_values=())

    class Meta(KubeObjectTable.Meta):
        model = Service
        fields = ("namespace", "name", "type", "cluster_ip", "external_name", "ports", "selector", "labels")

    def render_type(self, value):
        return value or "ClusterIP"

    def render_ports(self, record):
        # kubectl's PORT(S) column: port[:nodePort]/protocol
        ports = (record.manifest.get("spec") or {}).get("ports") or []
        return ",".join(f"{p.get('port')}{':' + str(p['nodePort']) if p.get('nodePort') else ''}/"
                        f"{p.get('protocol') or 'TCP'}" for p in ports if isinstance(p, dict)) or "<none>"

    def render_selector(self, value):
        return label_badges(value) if value else "<none>"


class EndpointSliceTable(KubeObjectTable):
    service = tables.Column(orderable=False, empty_values=(), verbose_name="Service")
    addresses = tables.Column(orderable=False, empty_values=())

    class Meta(KubeObjectTable.Meta):
        model = EndpointSlice
        fields = ("namespace", "name", "service", "address_type", "addresses")

    def render_service(self, record):
        if record.kind_name == "Endpoints":
            return record.name
        return (record.labels or {}).get("kubernetes.io/service-name", "—")

    def render_addresses(self, record):
        if record.kind_name == "Endpoints":  # subsets[].addresses[].ip
            ips = [a.get("ip", "") for s in record.manifest.get("subsets") or [] for a in s.get("addresses") or []]
        else:
            ips = [a for e in record.endpoints or [] for a in e.get("addresses") or []]
        return ", ".join(ips[:8]) + (" …" if len(ips) > 8 else "") if ips else "<none>"


class NetworkPolicyTable(KubeObjectTable):
    pod_selector = tables.Column(orderable=False, empty_values=(), verbose_name="Pod selector")
    policy_types = tables.Column(orderable=False, empty_values=(), verbose_name="Policy types")

    class Meta(KubeObjectTable.Meta):
        model = NetworkPolicy
        fields = ("namespace", "name", "pod_selector", "policy_types")

    def render_pod_selector(self, value):
        return describe(parse_selector(value or {}))

    def render_policy_types(self, record):
        return ", ".join(record.policy_types or (["Ingress", "Egress"] if record.egress else ["Ingress"]))


class OtherObjectTable(KubeObjectTable):
    kind_name = tables.Column(verbose_name="Kind")
    api_version = tables.Column(verbose_name="apiVersion")

    class Meta(KubeObjectTable.Meta):
        model = OtherObject
        fields = ("kind_name", "api_version", "namespace", "name", "labels")
        order_by = ("kind_name", "namespace", "name")

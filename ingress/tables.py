"""django-tables2 tables for IngressClass and Ingress."""

from __future__ import annotations

import django_tables2 as tables

from services.tables import KubeObjectTable

from .models import Ingress, IngressClass


class IngressClassTable(KubeObjectTable):
    is_default = tables.BooleanColumn(orderable=False, empty_values=(), verbose_name="Default")

    class Meta(KubeObjectTable.Meta):
        model = IngressClass
        fields = ("name", "controller", "is_default", "labels")
        order_by = ("name",)


class IngressTable(KubeObjectTable):
    ingress_class_name = tables.Column(verbose_name="Class", empty_values=())
    hosts = tables.Column(orderable=False, empty_values=())
    tls = tables.Column(orderable=False, empty_values=(), verbose_name="TLS hosts")

    class Meta(KubeObjectTable.Meta):
        model = Ingress
        fields = ("namespace", "name", "ingress_class_name", "hosts", "tls", "labels")

    def render_ingress_class_name(self, record):
        return record.ingress_class_name or record.class_annotation or "<none>"

    def render_hosts(self, record):
        # kubectl's HOSTS column: each rule's host, `*` for a rule without one
        return ",".join(r.get("host") or "*" for r in record.rules or []) or "*"

    def render_tls(self, record):
        return ",".join(h for t in record.tls or [] for h in t.get("hosts") or []) or "—"

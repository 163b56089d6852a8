"""One FilterSet per model: the list pages use them, and the REST API reuses them.

Query parameters are the REST API's (interfaces.md): `namespace`, `labelSelector` (kubectl's
`-l` syntax, parsed by the engine), `type`, `search`.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform

from kubenet_site.semantics.labels import (
    DOUBLE_EQUALS,
    EQUALS,
    GREATER_THAN,
    LESS_THAN,
    NOT_EQUALS,
    SET_DOES_NOT_EXIST,
    SET_EXISTS,
    SET_IN,
    SET_NOT_IN,
    SelectorSyntaxError,
    parse_selector_string,
    string_selects,
)

from .models import (
    EndpointSlice,
    KubeObject,
    Namespace,
    NetworkPolicy,
    Node,
    OtherObject,
    Pod,
    Service,
    Topology,
)


class LabelSelectorField(forms.CharField):
    """A `-l` selector; the engine's parser refuses what kubectl refuses, with its message."""

    def clean(self, value):
        value = super().clean(value)
        if value:
            try:
                parse_selector_string(value)
            except SelectorSyntaxError as exc:
                raise forms.ValidationError(f"unable to parse requirement: {exc}") from exc
        return value


class LabelSelectorFilter(django_filters.CharFilter):
    field_class = LabelSelectorField


def filter_by_selector(queryset: QuerySet, text: str) -> QuerySet:
    """Rows whose `labels` satisfy a `-l` selector, in the database (In, NotIn, Exists,
    DoesNotExist); `>`/`<` compare integers, so those rows are matched by the engine."""
    requirements = parse_selector_string(text)
    numeric = []
    for i, req in enumerate(requirements):
        alias = f"_label_{i}"
        has_key = Q(labels__has_key=req.key)
        if req.operator in (EQUALS, DOUBLE_EQUALS, SET_IN):
            queryset = queryset.alias(**{alias: KeyTransform(req.key, "labels")}).filter(
                has_key, **{f"{alias}__in": list(req.values)})
        elif req.operator in (NOT_EQUALS, SET_NOT_IN):
            queryset = queryset.alias(**{alias: KeyTransform(req.key, "labels")}).filter(
                ~has_key | ~Q(**{f"{alias}__in": list(req.values)}))
        elif req.operator == SET_EXISTS:
            queryset = queryset.filter(has_key)
        elif req.operator == SET_DOES_NOT_EXIST:
            queryset = queryset.exclude(has_key)
        elif req.operator in (GREATER_THAN, LESS_THAN):
            queryset = queryset.filter(has_key)
            numeric.append(req)
    if numeric:
        keep = [pk for pk, labels in queryset.values_list("pk", "labels")
                if string_selects(tuple(numeric), labels or {})]
        queryset = queryset.filter(pk__in=keep)
    return queryset


class KubeObjectFilterSet(django_filters.FilterSet):
    """What every kind filters by: search, namespace, label selector."""

    search = django_filters.CharFilter(method="filter_search", label="Search")
    namespace = django_filters.CharFilter(field_name="namespace", label="Namespace")
    labelSelector = LabelSelectorFilter(method="filter_labels", label="Label selector",  # noqa: N815
                                        help_text="kubectl -l syntax: app=web,tier in (a,b),!canary")

    SEARCH_FIELDS: tuple[str, ...] = ("name", "namespace")

    class Meta:
        model = KubeObject
        fields: list[str] = []

    def __init__(self, *args, topology: Topology | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self._meta.model.NAMESPACED:
            self.filters.pop("namespace", None)
        elif topology is not None:
            self.filters["namespace"].extra["widget"] = forms.Select(choices=namespace_choices(topology))
        for name, field in self.form.fields.items():
            if name == "labelSelector":
                field.widget.attrs["size"] = 36
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if select else "form-control form-control-sm")
            if field.help_text and not select:
                field.widget.attrs.setdefault("placeholder", field.help_text)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        query = Q()
        for field in self.SEARCH_FIELDS:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    def filter_labels(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_selector(queryset, value) if value else queryset


def namespace_choices(topology: Topology | None) -> list[tuple[str, str]]:
    if topology is None:
        return []
    names = Namespace.objects.filter(topology=topology).order_by("name").values_list("name", flat=True)
    return [("", "all namespaces")] + [(n, n) for n in names]


class NamespaceFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name",)

    class Meta:
        model = Namespace
        fields: list[str] = []


class NodeFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "labels")

    class Meta:
        model = Node
        fields: list[str] = []


class PodFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "namespace", "node_name", "pod_ips")
    phase = django_filters.ChoiceFilter(choices=[(p, p) for p in ("Pending", "Running", "Succeeded", "Failed",
                                                                  "Unknown")], empty_label="any phase")
    node = django_filters.CharFilter(field_name="node_name", label="Node")

    class Meta:
        model = Pod
        fields: list[str] = []


class ServiceFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "namespace", "cluster_ip", "external_name")
    type = django_filters.ChoiceFilter(choices=Service.TYPE_CHOICES, method="filter_type", empty_label="any type")

    class Meta:
        model = Service
        fields: list[str] = []

    def filter_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "ClusterIP":  # the API server's default type
            return queryset.filter(Q(type="ClusterIP") | Q(type=""))
        return queryset.filter(type=value) if value else queryset


class EndpointSliceFilterSet(KubeObjectFilterSet):
    address_type = django_filters.ChoiceFilter(choices=[(t, t) for t in ("IPv4", "IPv6", "FQDN")],
                                               label="Address type", empty_label="any address type")

    class Meta:
        model = EndpointSlice
        fields: list[str] = []


class NetworkPolicyFilterSet(KubeObjectFilterSet):
    type = django_filters.ChoiceFilter(choices=[("Ingress", "Ingress"), ("Egress", "Egress")],
                                       method="filter_type", label="Policy type", empty_label="any policy type")

    class Meta:
        model = NetworkPolicy
        fields: list[str] = []

    def filter_type(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        # policyTypes defaults to Ingress, plus Egress when egress rules exist (networking/v1 types.go).
        keep = [pk for pk, types, egress in queryset.values_list("pk", "policy_types", "egress")
                if value in (types or (["Ingress", "Egress"] if egress else ["Ingress"]))]
        return queryset.filter(pk__in=keep)


class OtherObjectFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "namespace", "kind_name")
    kind = django_filters.CharFilter(field_name="kind_name", label="Kind")

    class Meta:
        model = OtherObject
        fields: list[str] = []


class TopologyFilterSet(django_filters.FilterSet):
    """`?team=&name=` (interfaces.md REST API), and a search over names and descriptions."""

    team = django_filters.CharFilter(field_name="team__name", label="Team")
    name = django_filters.CharFilter(field_name="name", label="Name")
    search = django_filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = Topology
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value)) if value else queryset

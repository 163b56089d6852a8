"""One FilterSet per model (the list pages and the REST API)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from services.filtersets import KubeObjectFilterSet

from .models import Ingress, IngressClass


class IngressClassFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "controller")
    controller = django_filters.CharFilter(field_name="controller", lookup_expr="icontains")

    class Meta:
        model = IngressClass
        fields: list[str] = []


class IngressFilterSet(KubeObjectFilterSet):
    SEARCH_FIELDS = ("name", "namespace", "ingress_class_name")
    type = django_filters.CharFilter(method="filter_class", label="Class",
                                     help_text="spec.ingressClassName or the kubernetes.io/ingress.class annotation")

    class Meta:
        model = Ingress
        fields: list[str] = []

    def filter_class(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value:
            return queryset
        # the class as the controller reads it: the field, else the older annotation
        return queryset.filter(pk__in=[r.pk for r in queryset.filter(Q(ingress_class_name=value) | Q(ingress_class_name=""))
                                       if (r.ingress_class_name or r.class_annotation) == value])

"""The audit log's filters (django-filter, as the object lists): who, which kind, which object,
what happened. The choices are those of the topology's own changes."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet, Value
from django.db.models.functions import Left, StrIndex

from .models import Change, Topology

NO_USER = "-"  # changes with no user: the command line, migrations, a deleted account
ACTIONS = [("created", "created"), ("changed", "changed"), ("deleted", "deleted")]


def user_choices(topology: Topology) -> list[tuple[str, str]]:
    names = (Change.objects.filter(topology=topology, user__isnull=False).order_by("user__username")
             .values_list("user__username", flat=True).distinct())
    out = [(n, n) for n in names]
    if Change.objects.filter(topology=topology, user__isnull=True).exists():
        out.append((NO_USER, "no user (command line, system)"))
    return out


def kind_choices(topology: Topology) -> list[tuple[str, str]]:
    """The kinds changed in `topology`, from the labels' first segment (in the database: one row a kind)."""
    kinds = (Change.objects.filter(topology=topology).annotate(kind=Left("object", StrIndex("object", Value("/")) - 1))
             .order_by("kind").values_list("kind", flat=True).distinct())
    return [(k, k) for k in kinds if k]


class ChangeFilterSet(django_filters.FilterSet):
    user = django_filters.ChoiceFilter(method="filter_user", label="User", empty_label="any user")
    kind = django_filters.ChoiceFilter(method="filter_kind", label="Kind", empty_label="any kind")
    object = django_filters.CharFilter(field_name="object", lookup_expr="icontains", label="Object",
                                       help_text="Kind/namespace/name, or part of it")
    action = django_filters.ChoiceFilter(method="filter_action", label="Change", choices=ACTIONS,
                                         empty_label="any change")

    class Meta:
        model = Change
        fields: list[str] = []

    def __init__(self, *args, topology: Topology, fixed_object: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["user"].extra["choices"] = user_choices(topology)
        self.filters["kind"].extra["choices"] = kind_choices(topology)
        if fixed_object:  # one object's page: its kind and name are the address
            self.filters.pop("kind")
            self.filters.pop("object")
        for field in self.form.fields.values():
            select = hasattr(field, "choices")
            field.widget.attrs.setdefault("class", "form-select form-select-sm" if select else "form-control form-control-sm")
            if field.help_text and not select:
                field.widget.attrs.setdefault("placeholder", field.help_text)

    def filter_user(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == NO_USER:
            return queryset.filter(user__isnull=True)
        return queryset.filter(user__username=value) if value else queryset

    def filter_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(object__startswith=f"{value}/") if value else queryset

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "created":
            return queryset.filter(before__isnull=True)
        if value == "deleted":
            return queryset.filter(after__isnull=True)
        return queryset.filter(before__isnull=False, after__isnull=False) if value else queryset

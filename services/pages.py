"""This app's kinds in the browser (services.kinds), and their addresses."""

from __future__ import annotations

from django.urls import path

from . import filtersets, forms, relations, tables
from .audit_views import ObjectChangesView
from .kinds import KindPage, register
from .models import EndpointSlice, Namespace, NetworkPolicy, Node, Pod, Service
from .object_views import ObjectDeleteView, ObjectDetailView, ObjectFormView, ObjectListView, ObjectYamlView

PAGES = [
    register(KindPage("namespaces", "Namespaces", Namespace, tables.NamespaceTable, filtersets.NamespaceFilterSet,
                      forms.NamespaceForm, relations=relations.namespace_relations)),
    register(KindPage("nodes", "Nodes", Node, tables.NodeTable, filtersets.NodeFilterSet, forms.NodeForm,
                      relations=relations.node_relations)),
    register(KindPage("pods", "Pods", Pod, tables.PodTable, filtersets.PodFilterSet, forms.PodForm,
                      relations=relations.pod_relations)),
    register(KindPage("services", "Services", Service, tables.ServiceTable, filtersets.ServiceFilterSet,
                      forms.ServiceForm, relations=relations.service_relations)),
    register(KindPage("endpoints", "Endpoints", EndpointSlice, tables.EndpointSliceTable,
                      filtersets.EndpointSliceFilterSet, forms.EndpointsForm, kind="Endpoints",
                      base_filter={"kind_name": "Endpoints"}, relations=relations.slice_relations)),
    register(KindPage("endpointslices", "EndpointSlices", EndpointSlice, tables.EndpointSliceTable,
                      filtersets.EndpointSliceFilterSet, forms.EndpointSliceForm,
                      base_filter={"kind_name": "EndpointSlice"}, relations=relations.slice_relations)),
    register(KindPage("networkpolicies", "NetworkPolicies", NetworkPolicy, tables.NetworkPolicyTable,
                      filtersets.NetworkPolicyFilterSet, forms.NetworkPolicyForm,
                      relations=relations.policy_relations)),
]


def kind_urlpatterns(page: KindPage) -> list:
    """`<kind>/`, `_add/`, and one object's page with `edit/`, `yaml/`, `delete/` (interfaces.md),
    and `changes/` (its audit log; the address is ours, README "Audit log")."""
    base = f"t/<str:team>/<str:topology>/{page.slug}/"
    one = base + ("<str:namespace>/<str:name>/" if page.namespaced else "<str:name>/")
    slug = page.slug
    return [
        path(base, ObjectListView.as_view(page=page), name=f"{slug}-list"),
        path(base + "_add/", ObjectFormView.as_view(page=page), name=f"{slug}-add"),
        path(base + "_add/yaml/", ObjectYamlView.as_view(page=page), name=f"{slug}-add-yaml"),
        path(one, ObjectDetailView.as_view(page=page), name=f"{slug}-detail"),
        path(one + "edit/", ObjectFormView.as_view(page=page), name=f"{slug}-edit"),
        path(one + "yaml/", ObjectYamlView.as_view(page=page), name=f"{slug}-yaml"),
        path(one + "delete/", ObjectDeleteView.as_view(page=page), name=f"{slug}-delete"),
        path(one + "changes/", ObjectChangesView.as_view(page=page), name=f"{slug}-changes"),
    ]

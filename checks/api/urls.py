"""/api/v1/: every address answers with and without its trailing slash, never redirecting
(a POST is never lost to a redirect): each pattern ends in `/?$`."""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.utils import extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from ..registry import api_kinds
from . import objects, runs, topologies
from .errors import ApiError
from .views import NotFoundView, QueryView

NAME = r"[^/]+"
T = r"^topologies/(?P<pk>[0-9]+)"


def kind_patterns() -> list:
    out = []
    for resource, kind in api_kinds().items():
        listing, detail = objects.documented_views(resource, kind.kind, kind.namespaced, f"topologies_{resource}")
        title = "".join(w.capitalize() for w in resource.split("_"))
        list_view = extend_schema_view(**listing)(type(f"{title}ListView", (objects.KindListView,), {"api_kind": kind}))
        detail_view = extend_schema_view(**detail)(type(f"{title}DetailView", (objects.KindDetailView,),
                                                        {"api_kind": kind}))
        out.append(re_path(rf"{T}/{resource}/?$", list_view.as_view(), name=f"api-{resource}"))
        if kind.namespaced:
            out.append(re_path(rf"{T}/{resource}/(?P<namespace>{NAME})/(?P<name>{NAME})/?$", detail_view.as_view(),
                               name=f"api-{resource}-detail"))
        else:
            out.append(re_path(rf"{T}/{resource}/(?P<name>{NAME})/?$", detail_view.as_view(),
                               name=f"api-{resource}-detail"))
    return out


def other_views():
    """Kept objects: every one, one resource's, and one object (namespaced or cluster-scoped)."""
    listing, detail = objects.documented_views("kept objects", "ConfigMap", True, "topologies_others")
    every, _ = objects.documented_views("kept objects", "ConfigMap", True, "topologies_others_all")
    _, cluster = objects.documented_views("kept objects", "ClusterIssuer", False, "topologies_others_cluster")
    all_view = extend_schema_view(get=every["get"])(type("OtherAllView", (objects.OtherListView,),
                                                         {"http_method_names": ["get", "head", "options"]}))
    list_view = extend_schema_view(**listing)(type("OtherResourceListView", (objects.OtherListView,), {}))
    detail_view = extend_schema_view(**detail)(type("OtherNamespacedView", (objects.OtherDetailView,), {}))
    cluster_view = extend_schema_view(**cluster)(type("OtherClusterView", (objects.OtherDetailView,), {}))
    return all_view, list_view, detail_view, cluster_view


OTHER_ALL, OTHER_LIST, OTHER_DETAIL, OTHER_CLUSTER = other_views()

urlpatterns = [
    re_path(r"^query/?$", QueryView.as_view(), name="api-query"),
    re_path(r"^schema/?$", SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
            name="api-schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="api-schema", authentication_classes=[],
                                                        permission_classes=[]), name="api-docs"),
    re_path(r"^topologies/?$", topologies.TopologyListView.as_view(), name="api-topologies"),
    re_path(rf"{T}/?$", topologies.TopologyDetailView.as_view(), name="api-topology"),
    re_path(rf"{T}/import/?$", topologies.ImportView.as_view(), name="api-import"),
    re_path(rf"{T}/export/?$", topologies.ExportView.as_view(), name="api-export"),
    re_path(rf"{T}/changes/?$", topologies.ChangeListView.as_view(), name="api-changes"),
    re_path(rf"{T}/runs/?$", runs.TopologyRunsView.as_view(), name="api-topology-runs"),
    re_path(rf"{T}/matrices/(?P<kind>[a-z]+)/?$", runs.MatrixView.as_view(), name="api-matrix"),
    re_path(rf"{T}/others/?$", OTHER_ALL.as_view(), name="api-others"),
    re_path(rf"{T}/others/(?P<resource>{NAME})/?$", OTHER_LIST.as_view(), name="api-others-resource"),
    re_path(rf"{T}/others/(?P<resource>{NAME})/(?P<namespace>{NAME})/(?P<name>{NAME})/?$", OTHER_DETAIL.as_view(),
            name="api-other-detail"),
    re_path(rf"{T}/others/(?P<resource>{NAME})/(?P<name>{NAME})/?$", OTHER_CLUSTER.as_view(),
            name="api-other-cluster-detail"),
    *kind_patterns(),
    re_path(r"^runs/(?P<run>[0-9]+)/?$", runs.RunDetailView.as_view(), name="api-run"),
    re_path(r"^runs/(?P<run>[0-9]+)/results/?$", runs.RunResultsView.as_view(), name="api-run-results"),
    re_path(r"^runs/(?P<run>[0-9]+)/cancel/?$", runs.RunCancelView.as_view(), name="api-run-cancel"),
    re_path(r"^runs/(?P<run>[0-9]+)/diff/(?P<other>[0-9]+)/?$", runs.RunDiffView.as_view(), name="api-run-diff"),
    re_path(r"^[\s\S]*$", NotFoundView.as_view(), name="api-not-found"),
]
__all__ = ["urlpatterns", "ApiError"]

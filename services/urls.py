"""Addresses of the services app's pages (interfaces.md "Pages"); included by kubenet_site/urls.py."""

from django.urls import path

from . import account_views, audit_views, object_views, other_views, views, workload_views
from .pages import PAGES, kind_urlpatterns

other = "t/<str:team>/<str:topology>/others/"
urlpatterns = [
    path("t/<str:team>/<slug:name>/get/<str:resource>/", views.topology_get, name="topology-get"),
    *[pattern for page in PAGES for pattern in kind_urlpatterns(page)],
    path(other, other_views.other_list, name="other-list"),
    path(other + "_add/", other_views.other_add, name="other-add"),
    path(other + "<str:resource>/<str:namespace>/<str:name>/", other_views.other_detail, name="other-detail"),
    path(other + "<str:resource>/<str:namespace>/<str:name>/yaml/", other_views.other_yaml, name="other-yaml"),
    path(other + "<str:resource>/<str:namespace>/<str:name>/changes/", audit_views.other_changes,
         name="other-changes"),
    path(other + "<str:resource>/<str:namespace>/<str:name>/delete/", other_views.other_delete,
         name="other-delete"),
    path("t/<str:team>/<str:topology>/workloads/", workload_views.workload_list, name="workload-list"),
    path("t/<str:team>/<str:topology>/workloads/<str:resource>/<str:namespace>/<str:name>/",
         workload_views.workload_detail, name="workload-detail"),
    path("t/<str:team>/<str:topology>/changes/", audit_views.topology_changes, name="topology-changes"),
    path("_rows/<str:key>/", object_views.row_form, name="row-form"),
    path("teams/<str:team>/", account_views.team_detail, name="team-detail"),
    path("account/token/", account_views.account_token, name="account-token"),
]

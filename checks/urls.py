"""Addresses of the topology pages that need every layer (interfaces.md "Pages")."""

from django.urls import path

from . import topology_pages as views

one = "t/<str:team>/<str:topology>/"
urlpatterns = [
    path("", views.topology_list, name="topology-list"),
    path("topologies/new/", views.topology_create, name="topology-create"),
    path(one, views.topology_summary, name="topology-summary"),
    path(one + "import/", views.topology_import, name="topology-import"),
    path(one + "export/", views.topology_export, name="topology-export"),
    path(one + "settings/", views.topology_settings, name="topology-settings"),
    path(one + "clone/", views.topology_clone, name="topology-clone"),
    path(one + "delete/", views.topology_delete, name="topology-delete"),
]

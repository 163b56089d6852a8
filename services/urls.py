"""Addresses of the services app's pages (interfaces.md "Pages"); included by kubenet_site/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.topology_list, name="topology-list"),
    path("t/<str:team>/<slug:name>/", views.topology_detail, name="topology-detail"),
    path("t/<str:team>/<slug:name>/get/<str:resource>/", views.topology_get, name="topology-get"),
]

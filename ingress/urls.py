"""Addresses of the ingress app's pages (interfaces.md "Pages"); included by kubenet_site/urls.py
before services' (a kind's own page wins over the generic listing)."""

from django.urls import path

from . import views

urlpatterns = [
    path("t/<str:team>/<slug:name>/get/ingress/", views.ingress_get, name="ingress-get"),
]

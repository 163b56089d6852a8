"""Addresses of the ingress app's pages (interfaces.md "Pages"); included by kubenet_site/urls.py
before services' (a kind's own page wins over the generic listing)."""

from django.urls import path

from services.pages import kind_urlpatterns

from . import views
from .pages import PAGES

urlpatterns = [
    path("t/<str:team>/<slug:name>/get/ingress/", views.ingress_get, name="ingress-get"),
    *[pattern for page in PAGES for pattern in kind_urlpatterns(page)],
]

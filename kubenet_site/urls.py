from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("checks.page_urls")),
    path("", include("services.page_urls")),
    path("", include("ingress.pages")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("checks.api.urls")),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
]

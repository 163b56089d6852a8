from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

# Each app mounts its own pages (apps/urls.py); an app's kind-specific addresses come before
# the generic ones of the app below it.
urlpatterns = [
    path("", include("ingress.urls")),
    path("", include("services.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("checks.api.urls")),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
]

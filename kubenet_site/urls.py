from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

# Each app mounts its own pages (apps/urls.py); an app's kind-specific addresses come before
# the generic ones of the app below it. `checks` holds the pages that need every layer (the
# topology list and summary with their check runs, import, export, settings, clone).
urlpatterns = [
    path("", include("ingress.urls")),
    path("", include("services.urls")),
    path("", include("checks.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("checks.api.urls")),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
    # No icon, and no 404 for the browsers that ask anyway (the admin's pages do not say so).
    path("favicon.ico", lambda request: HttpResponse(status=204)),
]

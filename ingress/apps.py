from django.apps import AppConfig


class IngressConfig(AppConfig):
    name = "ingress"
    verbose_name = "Ingress"

    def ready(self) -> None:
        # The kinds this app shows in the browser (services.kinds), known before any URL is.
        from . import pages  # noqa: F401

from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = "Topologies and workloads"

    def ready(self) -> None:
        # The kinds this app shows in the browser (services.kinds), known before any URL is.
        from . import pages  # noqa: F401

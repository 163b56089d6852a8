from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Checks"

    def ready(self) -> None:
        # Load the Celery app so shared tasks bind to it (kept out of kubenet_site/__init__).
        import kubenet_site.celery  # noqa: F401
        from services import hooks

        from . import snapshot

        # Whole-topology questions of the apps below (services.hooks) are answered here.
        hooks.install(hooks.TopologyHook(validation_errors=snapshot.validation_errors, build=snapshot.build))

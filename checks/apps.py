from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Checks"

    def ready(self) -> None:
        # Load the Celery app so shared tasks bind to it (kept out of kubenet_site/__init__).
        import kubenet_site.celery  # noqa: F401
        from kubenet_site.settings import limits
        from services.hooks import provide_refusals, provide_snapshot, provide_validation

        from .snapshot import build, refusals, validation_errors

        # Whole-topology questions of the apps below (services.hooks) are answered here.
        provide_snapshot(build)
        provide_validation(validation_errors)
        provide_refusals(refusals)
        limits.apply()  # the input limits (settings/limits.py), handed to the engine

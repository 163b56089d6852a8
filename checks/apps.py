from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "checks"
    verbose_name = "Checks"

    def ready(self) -> None:
        # Load the Celery app so shared tasks bind to it (kept out of kubenet_site/__init__).
        import kubenet_site.celery  # noqa: F401
        from services.hooks import provide_snapshot

        from .snapshot import build

        provide_snapshot(build)

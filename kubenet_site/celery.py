"""The Celery app: settings namespace CELERY_, tasks autodiscovered from the apps."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubenet_site.settings.base")

app = Celery("kubenet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

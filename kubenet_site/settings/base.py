"""Settings read from the environment; the defaults are the embedded development mode.

Embedded mode (no PostgreSQL, no Redis): SQLite in `var/kubenet.sqlite3` and Celery on
kombu's filesystem transport in `var/celery/`, with a worker that `make run` starts beside
the web server. Set DATABASE_URL and CELERY_BROKER_URL to use PostgreSQL and Redis.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("KUBENET_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def env_float(name: str, default: float) -> float:
    """A number from the environment; unset, empty or not a number gives the default."""
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tables2",
    "django_htmx",
    "services",
    "ingress",
    "checks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "services.middleware.TopologyMovedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kubenet_site.urls"
WSGI_APPLICATION = "kubenet_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kubenet.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The embedded worker writes beside the web server: wait for the lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from it once collected

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "topology-list"
LOGOUT_REDIRECT_URL = "login"

# The REST API (interfaces.md, "REST API"). Token first: an anonymous request answers 401 with
# `WWW-Authenticate: Token`. Every error has one shape (checks.api.errors).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.BasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "checks.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNICODE_JSON": False,  # \uXXXX escapes: a lone surrogate quoted back in an error still encodes
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle",
                                 "rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("KUBENET_API_RATE_USER", "6000/min"),
                               "anon": os.environ.get("KUBENET_API_RATE_ANON", "600/min")},
}
# Largest request body any HTTP door reads (413 above it), and the engine's input limits: one
# Django-free module (the PATH commands read it without Django).
from .limits import KUBENET_MAX_INPUT_BYTES, KUBENET_MAX_MANIFEST_BYTES, KUBENET_MAX_OBJECTS  # noqa: E402,F401

SPECTACULAR_SETTINGS = {
    "TITLE": "kubenet API",
    "DESCRIPTION": "Topologies, their Kubernetes objects, the change record, check runs and matrices "
                   "(interfaces.md, \"REST API\"). Authenticate with `Authorization: Token <key>`, HTTP Basic "
                   "or the browser session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",  # vendored: drf-spectacular-sidecar's static files, no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CheckRunStatusEnum": "checks.models.CheckRun.Status"},
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "checks.api.schema.integer_ids"],
}

# Celery (namespace CELERY_). Embedded default: the filesystem transport, shared by the web
# process and the worker `make run` starts. Fail fast when a real broker is down
# (stack-notes.md): a check start then answers 503 instead of hanging.
_CELERY_FS = VAR_DIR / "celery"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None
)
if CELERY_BROKER_URL.startswith("filesystem"):
    for _sub in ("queue", "processed", "control"):
        (_CELERY_FS / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_CELERY_FS / "queue"),
        "data_folder_out": str(_CELERY_FS / "queue"),
        "processed_folder": str(_CELERY_FS / "processed"),
        "control_folder": str(_CELERY_FS / "control"),  # broadcast (pidbox) exchanges
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        "max_retries": 0,
        # Redis re-delivers an unacknowledged task only after this; an hour by default.
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "120")),
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "600"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "660"))
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# The local admin `manage.py setup_local` (make run) creates; no password: one generated once.
KUBENET_ADMIN_USER = os.environ.get("KUBENET_ADMIN_USER", "admin")
KUBENET_ADMIN_PASSWORD = os.environ.get("KUBENET_ADMIN_PASSWORD", "")

# Check runs (checks/runs.py; README "Check runs"). Seconds unless said.
KUBENET_RUN_HEARTBEAT_INTERVAL = env_float("KUBENET_RUN_HEARTBEAT_INTERVAL", 5)
KUBENET_RUN_HEARTBEAT_TIMEOUT = env_float("KUBENET_RUN_HEARTBEAT_TIMEOUT", 30)
KUBENET_RUN_REAP_INTERVAL = env_float("KUBENET_RUN_REAP_INTERVAL", 15)
KUBENET_RUN_QUEUED_TIMEOUT = env_float("KUBENET_RUN_QUEUED_TIMEOUT", 600)
KUBENET_RUN_MAX_ATTEMPTS = int(env_float("KUBENET_RUN_MAX_ATTEMPTS", 3))
# Matrices of topologies with at least this many pods are split into row blocks by default.
KUBENET_SHARD_PODS = int(env_float("KUBENET_SHARD_PODS", 2000))
# Tests only: seconds of sleep after every unit of work and block, so progress is observable.
KUBENET_CHECK_UNIT_DELAY = env_float("KUBENET_CHECK_UNIT_DELAY", 0)
# `kubenet run --wait` on a queued run pings the workers (each ping waits this long for an
# answer) and gives up saying no worker is up once none answered for KUBENET_NO_WORKER_AFTER.
KUBENET_WORKER_PING_TIMEOUT = env_float("KUBENET_WORKER_PING_TIMEOUT", 1)
KUBENET_NO_WORKER_AFTER = env_float("KUBENET_NO_WORKER_AFTER", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

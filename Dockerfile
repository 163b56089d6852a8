# One image for web (gunicorn) and worker (celery); docker-compose.yml runs both.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=kubenet_site.settings.production \
    KUBENET_VAR_DIR=/app/var \
    STATIC_ROOT=/app/staticfiles

WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .
# collectstatic needs settings that import; the build uses throwaway values, never shipped.
RUN SECRET_KEY=build-only-0123456789-0123456789-0123456789-0123456789 ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
 && groupadd --system kubenet && useradd --system --gid kubenet --home-dir /app kubenet \
 && mkdir -p /app/var && chown -R kubenet:kubenet /app/var

USER kubenet
EXPOSE 8000
CMD ["gunicorn", "kubenet_site.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

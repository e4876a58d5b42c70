# Omställningsportalen: one image for web (gunicorn), Celery worker and Celery beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.13-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install -e .
COPY --chown=portal:portal . .
COPY --from=assets --chown=portal:portal /build/node_modules ./node_modules
RUN python manage.py compilemessages --ignore=node_modules \
 && DJANGO_SETTINGS_MODULE=omstallning.settings.production DJANGO_SECRET_KEY=build-only-not-used-at-runtime-0123456789abcdefghijkl \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    EMAIL_URL=consolemail:// STATISTICS_PSEUDONYM_KEY=build-only-not-used-at-runtime-0123456789 python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
CMD ["gunicorn", "omstallning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "5"]

"""Production settings. Start-up stops with a message naming the variable when a required
environment variable is missing or wrong (see README.md, "Environment variables")."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, env


def _required(name: str) -> str:
    value = env.str(name, default="")
    if not value.strip():
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def _wrong(name: str, problem: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"The environment variable {name} is wrong: {problem}.")


DEBUG = False
if env.bool("DJANGO_DEBUG", default=False):
    raise _wrong("DJANGO_DEBUG", "DEBUG must be off in production")

SECRET_KEY = _required("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):
    raise _wrong("DJANGO_SECRET_KEY", "use at least 50 random characters")

ALLOWED_HOSTS = [h.strip() for h in _required("DJANGO_ALLOWED_HOSTS").split(",") if h.strip()]
if "*" in ALLOWED_HOSTS:
    raise _wrong("DJANGO_ALLOWED_HOSTS", "list the host names; '*' is not allowed")

_required("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise _wrong("DATABASE_URL", "production runs on PostgreSQL (postgres://user:password@host:5432/name)")

REDIS_URL = _required("REDIS_URL")
if not REDIS_URL.startswith(("redis://", "rediss://")):
    raise _wrong("REDIS_URL", "expected redis://host:6379/0 or rediss://")
if env.bool("CELERY_TASK_ALWAYS_EAGER", default=False):
    raise _wrong("CELERY_TASK_ALWAYS_EAGER", "tasks must run on workers in production")
CELERY_TASK_ALWAYS_EAGER = False

_required("EMAIL_URL")

# The key of the pseudonyms that replace personnummer in statistics (HMAC-SHA256). It must never
# change once data exists, or the same person gets a new pseudonym.
STATISTICS_PSEUDONYM_KEY = _required("STATISTICS_PSEUDONYM_KEY")
if len(STATISTICS_PSEUDONYM_KEY) < 32 or STATISTICS_PSEUDONYM_KEY.startswith("development-only"):
    raise _wrong("STATISTICS_PSEUDONYM_KEY", "use at least 32 random characters")

# HTTPS everywhere, behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
# Staff give a TOTP code after the password (docs/security.md).
PORTAL_STAFF_OTP_REQUIRED = env.bool("PORTAL_STAFF_OTP_REQUIRED", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

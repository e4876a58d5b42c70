"""Settings of the portal under load (bench/load.py): the shared base settings with DEBUG off, on
Postgres with the connection pool and Redis (tasks are queued on a queue of the bench's own, never
run), static files from the finders. Two things differ from production and are said in the
table: the rate limiter is off (every request comes from 127.0.0.1) and the bench users' password
hash is fast (log-in is not what is measured). Run with DJANGO_SETTINGS_MODULE=bench._load_settings.
"""

from omstallning.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]  # testserver: the seeding client
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = "bench-load"
PORTAL_RATELIMIT_ENABLED = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
WHITENOISE_USE_FINDERS = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

"""Settings for the test suite (pytest-django): fast hashing, in-memory mail.

Tests run on Postgres when DATABASE_URL is set (CI always sets it), otherwise on SQLite. Celery
tasks run eagerly unless a test starts a real worker (tests marked `celery_worker`).
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-only-for-the-test-suite-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
ALLOWED_HOSTS = ["*"]
# A test-only app with a probe task for the fault tests (tests/faults).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.faults"]  # noqa: F405
# A queue of its own, so that a developer's `make run` worker never takes the tests' tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TEST_QUEUE", default="omstallning-test")
# Trust (docs/security.md): other apps' tests log staff in with a password only and make many
# requests in one process; the trust tests turn these on with the `settings` fixture.
PORTAL_STAFF_OTP_REQUIRED = env.bool("PORTAL_STAFF_OTP_REQUIRED", default=False)
PORTAL_RATELIMIT_ENABLED = False
# The test client's login() authenticates without a request; real log-ins are counted by axes.
AUTHENTICATION_BACKENDS = [
    "omstallning.accounts.backends.AxesBackendAllowingTestClientLogin",
    "django.contrib.auth.backends.ModelBackend",
    "omstallning.accounts.oidc.PortalOIDCBackend",
]

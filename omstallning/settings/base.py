"""Settings shared by every environment. Values come from the environment (django-environ).

With nothing set, the portal runs on a SQLite file and runs Celery tasks eagerly, so that
`make run` works on any machine with Python. With DATABASE_URL and REDIS_URL set it uses Postgres
(psycopg 3 with Django's connection pool) and Redis (Celery broker and cache).
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file beside manage.py is read when present; real environment variables win.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# --- applications -------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # recovery codes (accounts, docs/security.md)
    "axes",
]
LOCAL_APPS = [
    "omstallning.accounts",
    "omstallning.core",
    "eligibility",
    "registry",
    "applications",
    "advisors",
    "applications.yttrande",
    "statistics",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
# Staff log in with a password (axes counts failures) and, when PORTAL_STAFF_OTP_REQUIRED, a TOTP
# code (django-otp); applicants with e-legitimation through the OIDC broker (docs/security.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "omstallning.accounts.oidc.PortalOIDCBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "omstallning.accounts.middleware.SessionTimeoutMiddleware",
    "omstallning.accounts.middleware.StaffSecondFactorMiddleware",
    "omstallning.core.middleware.AdminAccessLogMiddleware",
    "omstallning.core.middleware.SecurityEventMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "omstallning.urls"
WSGI_APPLICATION = "omstallning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "omstallning.core.context_processors.portal",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 with Django's built-in pool (psycopg_pool); persistent connections must then be
    # off (CONN_MAX_AGE=0). Size: gunicorn workers x max_size stays below max_connections.
    from psycopg_pool import ConnectionPool

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
        # a connection that Postgres dropped (restart, pg_terminate_backend) is replaced before
        # use, so requests recover without a restart of the web server
        "check": ConnectionPool.check_connection,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "omst",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (namespace CELERY_) -------------------------------------------------------------
# Reliability first: tasks are thin, idempotent wrappers around service functions, acknowledged
# late and re-queued when a worker dies; they are enqueued with delay_on_commit so that a task
# never runs for a transaction that was rolled back.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Stockholm"
# django-celery-beat does not install with Django 6.1 yet: the schedule is static and reviewed
# here, in one place. Exactly one beat process may run (docker-compose.yml, Procfile).
CELERY_BEAT_SCHEDULE = {
    # The public organisation's own statistics report for the previous month (format v1).
    "statistics-agency-monthly-report": {
        "task": "statistics.tasks.agency_monthly_report",
        "schedule": crontab(day_of_month=1, hour=4, minute=30),
    },
    "core-heartbeat": {
        "task": "omstallning.core.tasks.heartbeat",
        "schedule": crontab(minute="*/5"),
    },
    "core-apply-retention-schedule": {
        "task": "omstallning.core.tasks.apply_retention_schedule",
        "schedule": crontab(hour=2, minute=15),
    },
    "applications-sweep-drafts": {
        "task": "applications.tasks.sweep_drafts",
        "schedule": crontab(hour=3, minute=10),
    },
    # Receipts whose publish failed at submit (the broker was unreachable) are queued again.
    "applications-sweep-receipts": {
        "task": "applications.tasks.sweep_receipts",
        "schedule": crontab(minute="*/15"),
    },
    # D12: reminders, overdue marking, end-of-support warnings, and granted cases still unassigned.
    "advisors-sweep-contact-deadlines": {
        "task": "advisors.tasks.sweep_contact_deadlines",
        "schedule": crontab(minute="*/15"),
    },
    # Yttranden: applications without a case, documents without a PDF, cases without an advisor.
    "yttrande-sweep": {
        "task": "applications.yttrande.tasks.sweep_yttrande",
        "schedule": crontab(minute="*/10"),
    },
    # Sign-up accounts whose address was never confirmed: deleted with their draft once the
    # link has expired plus REGISTRY_SIGNUP_CLEANUP_MARGIN_DAYS (default 7).
    "registry-sweep-unverified-signups": {
        "task": "registry.tasks.sweep_unverified_signups",
        "schedule": crontab(hour=3, minute=40),
    },
    # Registration attachments still unchecked ten minutes after the upload are queued again.
    "registry-requeue-pending-attachments": {
        "task": "registry.tasks.requeue_pending_attachments",
        "schedule": crontab(minute="*/15"),
    },
}

# --- passwords -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A password-reset link is valid for one hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)

# --- language and time ---------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "omstallning" / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

# --- static files and uploads --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Bootstrap comes from npm at build time (package.json); it is served locally, never from a CDN.
if (BASE_DIR / "node_modules" / "bootstrap" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded documents (attachments, yttrande PDFs) live outside any public root and are served only
# through permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = "/_private-media-is-never-served-directly/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- forms ---------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- security defaults (production.py tightens further) ------------------------------------
# Django's built-in Content-Security-Policy (6.0+): scripts only from our own origin or with the
# per-request nonce; no inline scripts anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    # Violations are reported to core's rate-limited endpoint (report-to where the browser knows the
    # Reporting API; the Reporting-Endpoints header is set by core.middleware.SecurityEventMiddleware).
    "report-uri": ["/csp-rapport/"],
    "report-to": "csp-endpoint",
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- e-mail --------------------------------------------------------------------------------
# EMAIL_URL (django-environ's URL form, e.g. smtp+tls://user:password@host:587) becomes Django
# 6.1's MAILERS setting, which replaces the deprecated EMAIL_* settings.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_email_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
    "file_path": _email.get("EMAIL_FILE_PATH"),
    # Seconds before a hung SMTP connection gives up. Must stay well under the receipt claim's
    # RECEIPT_CLAIM_TIMEOUT (10 minutes): a send that outlives its claim could be sent twice.
    "timeout": env.int("EMAIL_TIMEOUT", default=30),
}
_email_backend = _email["EMAIL_BACKEND"]
_accepted = {
    "django.core.mail.backends.smtp.EmailBackend": {
        "host",
        "port",
        "username",
        "password",
        "use_tls",
        "use_ssl",
        "timeout",
    },
    "django.core.mail.backends.filebased.EmailBackend": {"file_path"},
}.get(_email_backend, set())
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {k: v for k, v in _email_options.items() if k in _accepted and v not in (None, "")},
    }
}
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Omställningsportalen <noreply@omstallning.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every API view is rate limited per client (omstallning.core.ratelimit, PORTAL_API_RATE).
    "DEFAULT_THROTTLE_CLASSES": ["omstallning.core.ratelimit.PortalAPIThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Omställningsportalen API",
    "DESCRIPTION": "Machine-to-machine interfaces of Omställningsportalen.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from drf-spectacular-sidecar (pip), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- logging -------------------------------------------------------------------------------
# Personal identity numbers never reach a log: every handler passes through the redacting filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_pii": {"()": "omstallning.core.logging.RedactPersonnummerFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_pii"]},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- portal --------------------------------------------------------------------------------
PORTAL_NAME = "Omställningsportalen"

# --- statistics (docs/statistics.md) -------------------------------------------------------
# Secret key of the pseudonym (HMAC-SHA256) that replaces the personnummer in statistics rows.
# Required in production (`check --deploy` fails on the development default); never change it
# once data exists, or the same person gets a new pseudonym.
STATISTICS_PSEUDONYM_KEY = env("STATISTICS_PSEUDONYM_KEY", default="development-only-statistics-pseudonym-key")
STATISTICS_MAX_UPLOAD_MB = env.int("STATISTICS_MAX_UPLOAD_MB", default=256)

# --- trust: log-in, sessions, rate limits, uploads (docs/security.md) ----------------------
# Sessions end after 30 minutes idle and 12 hours in total (SessionTimeoutMiddleware).
SESSION_COOKIE_AGE = 12 * 60 * 60
PORTAL_SESSION_IDLE_TIMEOUT = env.int("PORTAL_SESSION_IDLE_TIMEOUT", default=30 * 60)
PORTAL_SESSION_ABSOLUTE_TIMEOUT = SESSION_COOKIE_AGE
# Staff (every role but applicant) must pass a TOTP second factor after the password.
PORTAL_STAFF_OTP_REQUIRED = env.bool("PORTAL_STAFF_OTP_REQUIRED", default=False)
OTP_TOTP_ISSUER = PORTAL_NAME
# django-axes: five failed passwords lock the account (by username) for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Locking by username only: behind a shared proxy an address lock would lock out everyone. Each
# address is limited separately by the rate limit on the log-in view (omstallning.core.ratelimit).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Rate limits (omstallning.core.ratelimit) count in the cache; off only in the test settings.
PORTAL_RATELIMIT_ENABLED = env.bool("PORTAL_RATELIMIT_ENABLED", default=True)
PORTAL_API_RATE = env("PORTAL_API_RATE", default="600/h")
# Number of reverse proxies in front of the portal that append to X-Forwarded-For (0: none).
PORTAL_TRUSTED_PROXY_COUNT = env.int("PORTAL_TRUSTED_PROXY_COUNT", default=0)
# ClamAV (clamd): a Unix socket path or host[:port]; unset means uploads are not virus-scanned.
CLAMD_SOCKET = env("CLAMD_SOCKET", default="")
CLAMD_HOST = env("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.int("CLAMD_TIMEOUT", default=30)

# e-legitimation (BankID, Freja eID) through an OpenID Connect broker (mozilla-django-oidc).
# Unset OIDC_RP_CLIENT_ID means the broker is not configured and the button is not offered.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_DISCOVERY_ENDPOINT = env("OIDC_OP_DISCOVERY_ENDPOINT", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid profile")
OIDC_PERSONNUMMER_CLAIMS = env.list("OIDC_PERSONNUMMER_CLAIMS", default=["personal_identity_number", "ssn"])
# Levels of assurance accepted in the id token's `acr` (asked for as acr_values); empty: not checked.
OIDC_ACCEPTED_ACR = env.list("OIDC_ACCEPTED_ACR", default=[])
# The broker's end-session endpoint when its discovery document does not name one.
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
# Back-channel logout (/konto/oidc/backchannel-logout/): how old a logout token may be (seconds),
# and how many the endpoint takes per client address.
OIDC_BACKCHANNEL_LOGOUT_MAX_AGE = env.int("OIDC_BACKCHANNEL_LOGOUT_MAX_AGE", default=300)
OIDC_BACKCHANNEL_LOGOUT_RATE = env("OIDC_BACKCHANNEL_LOGOUT_RATE", default="120/m")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_CREATE_USER = True

"""Settings of the portal as the browser journeys serve it (gunicorn and a real Celery worker).

The test settings, plus: tasks go to Redis (never eager), mail goes to files the tests read
(EMAIL_URL=filemail://<dir>, the same mapping as settings/base.py), uploads go to the folder the
e2e session chose, and static files are served by WhiteNoise from the finders (no collectstatic).
"""

from omstallning.settings.test import *  # noqa: F403
from omstallning.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {
            "file_path": env.email_url("EMAIL_URL", default="filemail:///tmp/omst-e2e-mail")["EMAIL_FILE_PATH"]
        },
    }
}
PRIVATE_MEDIA_ROOT = env.path("DJANGO_PRIVATE_MEDIA_ROOT")
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

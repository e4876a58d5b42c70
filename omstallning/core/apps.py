from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Records whose deletion is always access-logged (an app may register more with
# services.register_deletion_logging). Drafts (the applicant's own space) are not records.
DELETION_LOGGED = [
    "accounts.user",
    "applications.application",
    "applications.healthdetails",
    "applications.attachment",
    "applications.decision",
    "advisors.assignment",
    "advisors.actionplan",
    "statistics.submission",
    "yttrande.yttrandecase",
    "yttrande.yttrandedocument",
]


class CoreConfig(AppConfig):
    name = "omstallning.core"
    label = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from django.apps import apps

        from .services import register_deletion_logging

        for label in DELETION_LOGGED:
            try:
                register_deletion_logging(apps.get_model(label))
            except LookupError:
                continue

        # Each app registers its retention handlers and GDPR art. 15 exporters in its own
        # `privacy.py` (docs/security.md); importing them here makes them known at start-up in
        # every process (web, worker, beat, commands).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("privacy")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class YttrandeConfig(AppConfig):
    """Yttrande till CSN: the referral, the check, the assessment, the approved PDF."""

    name = "applications.yttrande"
    label = "yttrande"
    verbose_name = _("Statements to CSN (yttranden)")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import logging

        # WeasyPrint logs every rendering step at INFO: noise in the worker's log, and it costs time.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

        from django.db.models.signals import post_save

        from .signals import application_saved, assignment_saved

        post_save.connect(application_saved, sender="applications.Application", dispatch_uid="yttrande-application")
        post_save.connect(assignment_saved, sender="advisors.Assignment", dispatch_uid="yttrande-assignment")

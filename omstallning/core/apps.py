from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "omstallning.core"
    label = "core"
    verbose_name = _("Portal core")

    def ready(self):
        from django.contrib.auth import get_user_model

        from .services import register_deletion_logging

        register_deletion_logging(get_user_model())

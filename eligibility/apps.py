from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _clear_cached_parameters(sender, **kwargs):
    from .selectors import clear_cached_parameters

    clear_cached_parameters()


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self):
        # Any save or delete of the parameter data (the admin included) clears the cached
        # parameters of eligibility.selectors.cached_current_parameters.
        for model_name in ("ParameterSet", "IncomeBaseAmount"):
            model = self.get_model(model_name)
            uid = f"eligibility-params-{model_name}"
            post_save.connect(_clear_cached_parameters, sender=model, dispatch_uid=f"{uid}-save")
            post_delete.connect(_clear_cached_parameters, sender=model, dispatch_uid=f"{uid}-delete")

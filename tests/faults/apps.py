from django.apps import AppConfig


class FaultsConfig(AppConfig):
    """A test-only app (installed by omstallning.settings.test) with a probe task for fault tests."""

    name = "tests.faults"
    label = "faults"
    default_auto_field = "django.db.models.BigAutoField"

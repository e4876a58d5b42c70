from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "omstallning.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import pre_save

        from .middleware import mark_session_start
        from .models import User
        from .services import end_sessions_of_disabled_user

        user_logged_in.connect(mark_session_start, dispatch_uid="accounts.mark_session_start")
        # One log-in page for everyone: the admin's own log-in form would bypass the per-address
        # rate limit and the e-legitimation choice, so it sends people to /konto/logga-in/.
        from django.contrib import admin

        from .views import admin_login_redirect

        admin.site.login = admin_login_redirect
        pre_save.connect(end_sessions_of_disabled_user, sender=User, dispatch_uid="accounts.end_sessions_disabled")

        # The user's session list and the security event log (docs/security.md).
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_out, user_login_failed
        from django.db.models.signals import post_save

        from . import signals

        user_logged_in.connect(signals.on_logged_in, dispatch_uid="accounts.security.logged_in")
        user_login_failed.connect(signals.on_login_failed, dispatch_uid="accounts.security.login_failed")
        user_logged_out.connect(signals.on_logged_out, dispatch_uid="accounts.security.logged_out")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="accounts.security.locked_out")
        pre_save.connect(signals.on_user_pre_save, sender=User, dispatch_uid="accounts.security.user_pre_save")
        post_save.connect(signals.on_user_post_save, sender=User, dispatch_uid="accounts.security.user_post_save")

"""Receivers that keep the session list and the security event log (connected in apps.py)."""

from .services import device_login_record, lockout_notice_queue, reauth_mark, security_event_record, session_register


def on_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_register(request=request, user=user)
        # A fresh log-in counts as a recent authentication (re-authentication window).
        reauth_mark(request)
    security_event_record("login", user=user)
    # After the log-in event: a browser the account has not used before is told to its holder.
    device_login_record(request=request, user=user)


def on_login_failed(sender, credentials=None, request=None, **kwargs):
    # The username typed is not stored: it may be someone's personnummer or a password typed in
    # the wrong field. Lock-outs (below) carry the account when it exists.
    security_event_record("login_failed")


def on_logged_out(sender, request=None, user=None, **kwargs):
    from .models import UserSession
    from .services import SESSION_SID

    sid = request.session.get(SESSION_SID) if request is not None and hasattr(request, "session") else None
    if sid:
        UserSession.objects.filter(sid=sid).delete()
    if user is not None:
        security_event_record("logout", user=user)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    from django.contrib.auth import get_user_model

    user_id = None
    if username:
        user_id = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
    security_event_record("locked_out", user_id=user_id)
    # The holder of an existing account is told (once per lock-out); an unknown username gets
    # nothing, so the notice says nothing about which usernames exist.
    if user_id is not None:
        lockout_notice_queue(user_id=user_id)


def on_user_pre_save(sender, instance, **kwargs):
    """A password, e-mail or phone that changes on an existing account is a security event,
    whoever changed it (the user, an administrator, a command)."""
    fields = ["password", "email", "phone"]
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(fields)):
        return
    old = sender.objects.filter(pk=instance.pk).values(*fields).first()
    if old is None:
        return
    instance._security_old_email = old["email"]
    changes = [
        kind
        for field, kind in (("password", "password_changed"), ("email", "email_changed"), ("phone", "phone_changed"))
        if old[field] != getattr(instance, field)
        # Setting the first password of a new or e-legitimation account is not a change.
        if not (field == "password" and (not old[field] or old[field].startswith("!")))
    ]
    raw = getattr(instance, "_password", None)
    if "password_changed" in changes and raw is not None:
        from django.contrib.auth.hashers import check_password

        if check_password(raw, old["password"]):
            changes.remove("password_changed")  # the same password again (a new salt only)
    instance._security_changes = changes


def on_user_post_save(sender, instance, created, **kwargs):
    from .services import security_notice_send

    for kind in getattr(instance, "_security_changes", ()):
        security_event_record(kind, user_id=instance.pk)
        addresses = [getattr(instance, "_security_old_email", ""), instance.email] if kind == "email_changed" else None
        security_notice_send(user=instance, kind=kind, addresses=addresses)
    instance._security_changes = []

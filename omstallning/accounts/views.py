"""Log-in, log-out and the staff second factor (TOTP). Thin: the rules are in services.py."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.core.ratelimit import rate_limit

from . import selectors
from .forms import (
    ContactDetailsForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
    ReauthPasswordForm,
    RecoveryCodeForm,
    TokenForm,
)
from .services import (
    SESSION_SID,
    contact_details_change,
    needs_second_factor,
    oidc_configured,
    password_change_finish,
    password_reset_finish,
    reauth_check,
    reauth_is_recent,
    reauth_method,
    recovery_code_use,
    recovery_codes_generate,
    security_event_record,
    security_notice_send,
    session_end,
    sessions_end_others,
    user_end_all_sessions,
)

DEVICE_NAME = "authenticator app"


@method_decorator(rate_limit(group="login", rate="20/m", key="ip", methods=("POST",)), name="dispatch")
class PortalLoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["oidc_configured"] = oidc_configured()
        return context


def admin_login_redirect(request, extra_context=None):
    """Replaces the admin site's log-in view: staff log in on the portal's page."""
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.GET.get("next") or "/admin/")


class PortalLogoutView(auth_views.LogoutView):
    """Logging out ends every session of the account, on every device."""

    def post(self, request, *args, **kwargs):
        from django.contrib.auth import BACKEND_SESSION_KEY

        from .oidc import broker_logout_url
        from .services import OIDC_BACKEND

        broker_url = None
        if request.user.is_authenticated:
            if request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND and oidc_configured():
                broker_url = broker_logout_url(request)
            user_end_all_sessions(user=request.user, by=request.user)
        response = super().post(request, *args, **kwargs)
        if broker_url:
            # A link, not a redirect: the log-out form's CSP (form-action 'self') would block a
            # redirect to the broker, and the person may want to stay logged in there.
            return render(request, "registration/logged_out_broker.html", {"broker_logout_url": broker_url})
        return response


def _next_url(request, default="core:dashboard"):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _finish_second_factor(request, device):
    otp_login(request, device)
    # A new session key once the second factor is given (no session fixation across the step).
    request.session.cycle_key()
    return redirect(_next_url(request))


@never_cache
@login_required
@rate_limit(group="otp-verify", rate="10/m", key="user", methods=("POST",))
def otp_verify(request):
    if not needs_second_factor(request.user, request=request):
        raise Http404("no second factor for this account")
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_enrol")
    using_recovery = request.method == "POST" and "recovery_code" in request.POST
    form = TokenForm(request.POST if request.method == "POST" and not using_recovery else None)
    recovery_form = RecoveryCodeForm(request.POST if using_recovery else None)
    if using_recovery and recovery_form.is_valid():
        device = recovery_code_use(user=request.user, code=recovery_form.cleaned_data["recovery_code"])
        if device is not None:
            messages.warning(
                request,
                _(
                    "You logged in with a recovery code; it cannot be used again. "
                    "Create new codes on the security page if few are left."
                ),
            )
            return _finish_second_factor(request, device)
        security_event_record("otp_failed", user=request.user, kind="recovery")
        recovery_form.add_error("recovery_code", _("The recovery code is wrong or already used."))
    elif request.method == "POST" and not using_recovery and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            return _finish_second_factor(request, device)
        security_event_record("otp_failed", user=request.user, kind="totp")
        form.add_error("token", _("The code is wrong or too old. Enter the code the app shows now."))
    return render(
        request,
        "registration/otp_verify.html",
        {"form": form, "recovery_form": recovery_form, "next": _next_url(request, "")},
    )


@never_cache
@login_required
@rate_limit(group="otp-enrol", rate="10/m", key="user", methods=("POST",))
def otp_enrol(request):
    """First log-in of a staff member: connect an authenticator app (TOTP) to the account."""
    if not needs_second_factor(request.user, request=request):
        raise Http404("no second factor for this account")
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:otp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            security_event_record("otp_enrolled", user=request.user)
            security_notice_send(user=request.user, kind="otp_enrolled")
            messages.success(request, _("The authenticator app is now connected to your account."))
            next_url = _next_url(request)
            _finish_second_factor(request, device)
            # Recovery codes for a lost phone: shown once, here, right after the app is connected.
            codes = recovery_codes_generate(user=request.user, notify=False)  # the enrolment notice covers it
            return _recovery_codes_page(request, codes, next_url)
        security_event_record("otp_failed", user=request.user, kind="enrolment")
        form.add_error("token", _("The code is wrong or too old. Enter the code the app shows now."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "registration/otp_enrol.html",
        {"form": form, "qr_data_uri": qr, "secret": secret, "next": _next_url(request, "")},
    )


def _recovery_codes_page(request, codes, next_url):
    from django.shortcuts import resolve_url

    response = render(request, "registration/recovery_codes.html", {"codes": codes, "next_url": resolve_url(next_url)})
    response["Cache-Control"] = "no-store"
    return response


# --- the account's security page: sessions, contact details, recovery codes ---------------------


def _reauth_redirect(request, next_url):
    from django.urls import reverse
    from django.utils.http import urlencode

    return redirect(f"{reverse('accounts:reauth')}?{urlencode({'next': next_url})}")


@never_cache
@login_required
def security_page(request):
    """Mina sidor → Security: the user's own sessions (end one or all others), contact details and
    recovery codes."""
    current_sid = request.session.get(SESSION_SID)
    if request.method == "POST":
        if "end_others" in request.POST:
            count = sessions_end_others(user=request.user, current_sid=current_sid)
            messages.success(request, _("Other sessions ended: %(count)d.") % {"count": count})
        elif request.POST.get("end_session"):
            if session_end(user=request.user, sid=request.POST["end_session"], current_sid=current_sid):
                messages.success(request, _("The session has been ended."))
            else:
                messages.error(request, _("That session was not found. It may already have ended."))
        return redirect("accounts:security")
    return render(
        request,
        "registration/security.html",
        {
            "sessions": selectors.sessions_for_user(request.user),
            "known_devices": selectors.known_devices_for_user(request.user),
            "current_sid": current_sid,
            "recovery_codes_left": selectors.recovery_codes_left(request.user),
            "reauth_method": reauth_method(request.user),
        },
    )


@never_cache
@login_required
@rate_limit(group="reauth", rate="10/m", key="user", methods=("POST",))
def reauth(request):
    """Confirm who you are before a sensitive change: the password, or the TOTP code for staff with
    an authenticator app; e-legitimation users log in again with e-legitimation."""
    from django.urls import reverse

    next_url = _next_url(request, "accounts:security")
    method = reauth_method(request.user)
    if method == "e-legitimation":
        if oidc_configured():
            from django.utils.http import urlencode

            return redirect(f"{reverse('accounts:oidc_start')}?{urlencode({'next': request.GET.get('next', '')})}")
        messages.error(request, _("Your account has no password. Log in with e-legitimation to make this change."))
        return redirect("accounts:security")
    form = (TokenForm if method == "totp" else ReauthPasswordForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        field = "token" if method == "totp" else "password"
        if reauth_check(request=request, secret=form.cleaned_data[field]):
            return redirect(next_url)
        form.add_error(
            field,
            _("The code is wrong or too old. Enter the code the app shows now.")
            if method == "totp"
            else _("The password is wrong."),
        )
    return render(
        request, "registration/reauth.html", {"form": form, "method": method, "next": _next_url(request, "")}
    )


@never_cache
@login_required
def contact_details(request):
    """Change the e-mail address and phone number, after a recent re-authentication."""
    if not reauth_is_recent(request):
        return _reauth_redirect(request, request.get_full_path())
    user = request.user
    form = ContactDetailsForm(request.POST or None, initial={"email": user.email, "phone": user.phone})
    if request.method == "POST" and form.is_valid():
        changed = contact_details_change(user=user, email=form.cleaned_data["email"], phone=form.cleaned_data["phone"])
        if changed:
            messages.success(request, _("Your contact details have been saved."))
        return redirect("accounts:security")
    return render(request, "registration/contact_details.html", {"form": form})


@never_cache
@login_required
@require_POST
def recovery_codes_renew(request):
    """New recovery codes (the old ones stop working), after a recent re-authentication."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        raise Http404("no authenticator app")
    if not reauth_is_recent(request):
        messages.info(request, _("Confirm who you are, then create the new codes."))
        return _reauth_redirect(request, "/konto/sakerhet/")
    codes = recovery_codes_generate(user=request.user)
    return _recovery_codes_page(request, codes, "accounts:security")


# --- password: change (the old password is the re-authentication) and reset by e-mail ------------


@method_decorator(
    [never_cache, rate_limit(group="password-change", rate="10/h", key="user", methods=("POST",))], name="dispatch"
)
class PortalPasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: old password, new password twice (AUTH_PASSWORD_VALIDATORS). The current
    session stays, every other session of the account ends; the event and the e-mail notice come
    from the user's save receivers."""

    template_name = "registration/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("accounts:security")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.has_usable_password():
            messages.info(request, _("Your account has no password: you log in with e-legitimation."))
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        ended = password_change_finish(request=self.request, user=form.user)
        messages.success(
            self.request,
            _("Your password has been changed. Other sessions ended: %(count)d.") % {"count": ended},
        )
        return response

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            security_event_record("reauth_failed", user=self.request.user, method="password_change")
        return super().form_invalid(form)


def _reset_address_key(request) -> str:
    """The rate limit of reset requests counts per address typed (hashed before it is a cache key)."""
    return "password-reset:" + request.POST.get("email", "").strip().lower()


@method_decorator(
    [
        rate_limit(group="password-reset-ip", rate="30/h", key="ip", methods=("POST",)),
        rate_limit(group="password-reset", rate="5/h", key=_reset_address_key, methods=("POST",)),
    ],
    name="dispatch",
)
class PortalPasswordResetView(auth_views.PasswordResetView):
    """Asks for the e-mail address and always answers with the same page (no account
    enumeration); a link goes only to an active account with a usable password."""

    template_name = "registration/password_reset.html"
    form_class = PortalPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")


class PortalPasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"


@method_decorator(
    rate_limit(group="password-reset-confirm", rate="30/h", key="ip", methods=("POST",)), name="dispatch"
)
class PortalPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view: the token in the link is checked, moved into the session (the address bar
    then shows no token) and works once. Setting the password ends every session and does not log
    the user in."""

    template_name = "registration/password_reset_new.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        password_reset_finish(user=form.user)
        return response


class PortalPasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_finished.html"

"""Log-in, log-out and the staff second factor (TOTP). Thin: the rules are in services.py."""

import base64

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from omstallning.core.ratelimit import rate_limit

from .forms import LoginForm, TokenForm
from .services import needs_second_factor, oidc_configured, user_end_all_sessions

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
        if request.user.is_authenticated:
            user_end_all_sessions(user=request.user, by=request.user)
        return super().post(request, *args, **kwargs)


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
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            return _finish_second_factor(request, device)
        form.add_error("token", _("The code is wrong or too old. Enter the code the app shows now."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next_url(request, "")})


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
            messages.success(request, _("The authenticator app is now connected to your account."))
            return _finish_second_factor(request, device)
        form.add_error("token", _("The code is wrong or too old. Enter the code the app shows now."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "registration/otp_enrol.html",
        {"form": form, "qr_data_uri": qr, "secret": secret, "next": _next_url(request, "")},
    )

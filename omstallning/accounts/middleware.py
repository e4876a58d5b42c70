"""Session lifetime and the staff second factor.

* ``SessionTimeoutMiddleware`` ends a signed-in session after ``PORTAL_SESSION_IDLE_TIMEOUT``
  seconds without a request (30 minutes) and ``PORTAL_SESSION_ABSOLUTE_TIMEOUT`` seconds after
  the log-in (12 hours), whatever the activity. It also sets the device cookie chosen at a log-in
  (new-device notice, ``services.device_login_record``) on the response.
* ``StaffSecondFactorMiddleware``: when ``PORTAL_STAFF_OTP_REQUIRED`` is on, a staff member who
  has given the password but not yet a TOTP code reaches only the verification and enrolment pages
  (and log-out); everything else redirects there.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .services import device_cookie_set, needs_second_factor, session_follow_key, session_touch

SESSION_AUTH_TIME = "_portal_auth_time"
SESSION_LAST_SEEN = "_portal_last_seen"
# Writing the last-seen time on every request would save the session every time; a minute of
# slack keeps the idle limit exact to within a minute.
LAST_SEEN_GRANULARITY = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(SESSION_AUTH_TIME)
            last_seen = session.get(SESSION_LAST_SEEN, started)
            if started is None:
                # A session from before this middleware, or one made by force_login in a test.
                session[SESSION_AUTH_TIME] = session[SESSION_LAST_SEEN] = now
            elif (
                now - started > settings.PORTAL_SESSION_ABSOLUTE_TIMEOUT
                or now - last_seen > settings.PORTAL_SESSION_IDLE_TIMEOUT
            ):
                logout(request)
                messages.info(request, _("You were logged out because the session ended. Log in again."))
                login_url = reverse(settings.LOGIN_URL)
                return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
            elif now - last_seen >= LAST_SEEN_GRANULARITY:
                if not session_touch(request=request):
                    # The user ended this session from another device (Mina sidor → sessions).
                    logout(request)
                    login_url = reverse(settings.LOGIN_URL)
                    return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.get_full_path()})}")
                session[SESSION_LAST_SEEN] = now
        response = self.get_response(request)
        session_follow_key(request=request)
        # A log-in during this request chose the browser's device id: the cookie goes out here.
        device_cookie_set(request=request, response=response)
        return response


def mark_session_start(sender, request, user, **kwargs):
    """user_logged_in receiver: the absolute and idle clocks start at the log-in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_AUTH_TIME] = now
        request.session[SESSION_LAST_SEEN] = now


# Paths a staff member may reach between the password and the TOTP code.
_OPEN_PREFIXES = ("/static/", "/halsa/", "/i18n/", "/jsi18n/")


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PORTAL_STAFF_OTP_REQUIRED:
            user = getattr(request, "user", None)
            if (
                user is not None
                and user.is_authenticated
                and not user.is_verified()
                and needs_second_factor(user, request=request)
            ):
                allowed = {
                    reverse("accounts:otp_verify"),
                    reverse("accounts:otp_enrol"),
                    reverse("accounts:logout"),
                }
                if request.path not in allowed and not request.path.startswith(_OPEN_PREFIXES):
                    target = "accounts:otp_verify" if user_has_confirmed_device(user) else "accounts:otp_enrol"
                    url = reverse(target)
                    if request.method == "GET":
                        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
                    return HttpResponseRedirect(url)
        return self.get_response(request)


def user_has_confirmed_device(user) -> bool:
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)

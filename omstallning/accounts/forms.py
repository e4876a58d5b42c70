from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Username or password is wrong. Check both and try again. Letters must match in upper and lower case."
        ),
        "inactive": _("This account is disabled. Contact the administrator."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")


class TokenForm(forms.Form):
    """The six digits from the authenticator app."""

    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter the six-digit code from the authenticator app"),
            "min_length": _("The code has six digits"),
            "max_length": _("The code has six digits"),
        },
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code has six digits"), code="format")
        return token


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes given at enrolment (eight letters and digits; each works once)."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
        error_messages={"required": _("Enter one of your recovery codes")},
    )

    def clean_recovery_code(self):
        code = "".join(self.cleaned_data["recovery_code"].split()).replace("-", "").lower()
        if not code.isalnum() or len(code) != 8:
            raise forms.ValidationError(_("A recovery code has eight letters and digits"), code="format")
        return code


class ReauthPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )


class ContactDetailsForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address in the form name@example.se")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        allowed = set("0123456789+-() ")
        if phone and (not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 6):
            raise forms.ValidationError(_("Enter a phone number with digits only, e.g. 070-123 45 67"), code="format")
        return phone


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, then the new one twice, AUTH_PASSWORD_VALIDATORS) with the
    portal's labels and messages."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = _("Your current password")
        self.fields["old_password"].error_messages["required"] = _("Enter your current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].error_messages["required"] = _("Enter the new password again")
        self.error_messages = {
            **self.error_messages,
            "password_incorrect": _("The current password is wrong."),
            "password_mismatch": _("The two new passwords are not the same."),
        }


class PortalSetPasswordForm(SetPasswordForm):
    """The new password after a reset link (Django's form, AUTH_PASSWORD_VALIDATORS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password1"].error_messages["required"] = _("Enter a new password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password2"].error_messages["required"] = _("Enter the new password again")
        self.error_messages = {
            **self.error_messages,
            "password_mismatch": _("The two new passwords are not the same."),
        }


class PortalPasswordResetForm(PasswordResetForm):
    """Asks for the e-mail address. `save` finds the accounts that may get a link (Django's rule:
    active, a usable password, the same address) and hands them to the service; the view answers
    the same whether or not any was found."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address"),
            "invalid": _("Enter an e-mail address in the form name@example.se"),
        },
    )

    def save(self, *, request=None, use_https=False, domain_override=None, **kwargs):
        from django.utils.translation import get_language

        from .services import password_reset_request

        return password_reset_request(
            users=list(self.get_users(self.cleaned_data["email"])),
            domain=domain_override or request.get_host(),
            use_https=use_https,
            language=get_language() or "sv",
        )

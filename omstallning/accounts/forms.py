from django import forms
from django.contrib.auth.forms import AuthenticationForm
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

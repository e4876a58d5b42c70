from django import forms
from django.utils.translation import gettext_lazy as _

from .validation import parse_period


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Period (month)"))
        kwargs.setdefault("help_text", _("The reported month, written YYYY-MM, for example 2026-03."))
        kwargs.setdefault("max_length", 7)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value and not self.required:
            return None
        try:
            return parse_period(value)
        except ValueError:
            raise forms.ValidationError(_("Write the month as YYYY-MM, for example 2026-03."), code="period") from None


class UploadForm(forms.Form):
    period = PeriodField(widget=forms.TextInput(attrs={"placeholder": "2026-03", "inputmode": "numeric"}))
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("One row per person whose case was open during the month; format v1."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the new key"), max_length=100, help_text=_("For example: case system"))


class DashboardFilterForm(forms.Form):
    period_from = PeriodField(label=_("From month"), required=False, help_text="")
    period_to = PeriodField(label=_("To month"), required=False, help_text="")
    service = forms.ChoiceField(label=_("Service"), required=False)
    organisation = forms.TypedChoiceField(label=_("Organisation"), required=False, coerce=int, empty_value=None)
    sex = forms.ChoiceField(
        label=_("Legal sex"), required=False, choices=[("", _("All")), ("F", _("Female")), ("M", _("Male"))]
    )
    age_band = forms.ChoiceField(label=_("Age band"), required=False)

    def __init__(self, *args, organisations=(), services=(), age_bands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("All")), *services]
        self.fields["organisation"].choices = [("", _("All")), *[(o.pk, o.name) for o in organisations]]
        self.fields["age_band"].choices = [("", _("All")), *age_bands]

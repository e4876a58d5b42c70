from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Assessment, YttrandeCase


class AssessmentForm(forms.ModelForm):
    strengthens = forms.TypedChoiceField(
        label=_("Conclusion"),
        choices=[
            ("true", _("The education strengthens the person's future position on the labour market")),
            ("false", _("The education does not strengthen the person's future position on the labour market")),
        ],
        coerce=lambda v: v == "true",
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Assessment
        fields = [
            "conversation_on",
            "occupation",
            "target_occupation",
            "region",
            "shortage_occupation",
            "labour_market_needs",
            "strengthens",
            "reasons",
        ]
        widgets = {
            "conversation_on": forms.DateInput(attrs={"type": "date"}),
            "labour_market_needs": forms.Textarea(attrs={"rows": 4}),
            "reasons": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "occupation": _("The person's current or previous occupation."),
            "labour_market_needs": _("What the labour market needs, e.g. forecasts for the target occupation."),
            "reasons": _(
                "How the education relates to the person's position and to the labour market's needs (R-2.1)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conversation_on"].initial = timezone.localdate()
        if self.instance.pk:
            self.initial["strengthens"] = "true" if self.instance.strengthens else "false"


class ReferralAdminForm(forms.ModelForm):
    """The staff form for a referral (the same fields as CSN's API)."""

    class Meta:
        model = YttrandeCase
        fields = [
            "personnummer",
            "person_name",
            "csn_reference",
            "education_name",
            "education_provider",
            "education_start",
            "education_weeks",
            "education_pace",
            "situation",
            "employer_org_number",
            "kollektivavtal",
        ]

    def clean_personnummer(self):
        from .services import normalize_personnummer

        try:
            normalized, _birth = normalize_personnummer(self.cleaned_data["personnummer"])
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["personnummer"]) from None
        return normalized

    def clean_employer_org_number(self):
        from omstallning.core.identity import normalize_orgnr

        value = (self.cleaned_data.get("employer_org_number") or "").strip()
        if not value:
            return ""
        try:
            return normalize_orgnr(value)
        except ValueError:
            raise ValidationError(_("Enter a valid organisation number (NNNNNN-NNNN).")) from None


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40)

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RegistrationAttachment, RegistrationCase
from .selectors import normalize_employer_org_number
from .tabular import MAX_UPLOAD_BYTES

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_EXTENSIONS = (".pdf", ".docx", ".xlsx", ".odt", ".ods", ".txt", ".csv", ".png", ".jpg", ".jpeg")


class OrgNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("label", _("Organisation number"))
        kwargs.setdefault("help_text", _("Ten digits, NNNNNN-NNNN."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        normalized = normalize_employer_org_number(value)
        if normalized is None:
            raise forms.ValidationError(_("Enter a valid organisation number (NNNNNN-NNNN)."), code="orgnr")
        return normalized


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class LookupForm(forms.Form):
    orgnr = OrgNumberField(
        label=_("Your current or latest employer's organisation number"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(),
        help_text=_("The day your employment ended, or today if you are still employed."),
    )


def _check_size(upload, limit):
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_large"
        )
    return upload


class TableUploadForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def clean_file(self):
        upload = _check_size(self.cleaned_data["file"], MAX_UPLOAD_BYTES)
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Upload a CSV or XLSX file."), code="type")
        return upload


class CompensationUploadForm(TableUploadForm):
    year = forms.IntegerField(label=_("Year of the fees"), min_value=2022, max_value=2100)

    field_order = ["year", "file"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name of the token"), max_length=100)


class RegistrationCaseForm(forms.ModelForm):
    org_number = OrgNumberField(required=False)

    class Meta:
        model = RegistrationCase
        fields = [
            "name",
            "org_number",
            "website",
            "contact_name",
            "contact_phone",
            "contact_email",
            "contact_address",
            "principal",
            "board_members",
            "ceo",
            "administration_company",
            "covered_group",
            "prerequisite_a",
            "prerequisite_b",
            "prerequisite_c",
            "prerequisite_d",
            "prerequisite_e",
            "correspondence",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "contact_address",
                "board_members",
                "covered_group",
                "prerequisite_a",
                "prerequisite_b",
                "prerequisite_c",
                "prerequisite_d",
                "prerequisite_e",
                "correspondence",
            )
        }


class AttachmentForm(forms.Form):
    topic = forms.ChoiceField(label=_("Prerequisite"), choices=RegistrationAttachment.Topic.choices)
    file = forms.FileField(label=_("Attachment"))

    def clean_file(self):
        upload = _check_size(self.cleaned_data["file"], ATTACHMENT_MAX_BYTES)
        if not upload.name.lower().endswith(ATTACHMENT_EXTENSIONS):
            raise forms.ValidationError(
                _("Allowed file types: %(types)s.") % {"types": ", ".join(ATTACHMENT_EXTENSIONS)}, code="type"
            )
        return upload


class CompletionForm(forms.Form):
    what = forms.CharField(label=_("What must be completed"), widget=forms.Textarea)


class RegisterForm(forms.Form):
    registered_from = forms.DateField(label=_("Registered from"), widget=DateInput())
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)


class RefuseForm(forms.Form):
    reasons = forms.CharField(label=_("Reasons for refusal"), widget=forms.Textarea)
    decision_number = forms.CharField(label=_("Decision number"), max_length=50, required=False)


class DeregisterForm(forms.Form):
    deregistered_on = forms.DateField(
        label=_("Deregistered on"), widget=DateInput(), help_text=_("The first day it is no longer registered.")
    )
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea, required=False)


class CompensationDecisionForm(forms.Form):
    decision_number = forms.CharField(label=_("Decision number"), max_length=50)
    exceptions = forms.CharField(
        label=_("Row exceptions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One refused employer per line: organisation number; reason."),
    )

    def clean_exceptions(self):
        result = {}
        for n, line in enumerate(self.cleaned_data["exceptions"].splitlines(), start=1):
            if not line.strip():
                continue
            orgnr, _sep, reason = line.partition(";")
            if not reason.strip():
                raise forms.ValidationError(_("Line %(n)s: give a reason after “;”.") % {"n": n})
            result[orgnr.strip()] = reason.strip()
        return result


class IndividualCompensationForm(forms.Form):
    """An employer's individual application (enskild ansökan, KK's form), registered by a case officer."""

    organisation = forms.ModelChoiceField(label=_("Transition organisation"), queryset=None)
    year = forms.IntegerField(label=_("Year of the fees"), min_value=2022, max_value=2100)
    employer_org_number = OrgNumberField(label=_("Employer's organisation number"))
    fees_paid = forms.CharField(label=_("Fees paid (kronor)"), max_length=30)
    payroll_base = forms.CharField(label=_("Payroll base (kronor)"), max_length=30)
    filed_on = forms.DateField(label=_("Received on"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        from .models import Organisation

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")

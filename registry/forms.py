from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CompensationApplication, RegistrationAttachment, RegistrationCase
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
    authority_checked = forms.BooleanField(
        label=_("I have checked that the signatory may act for the employer"),
        required=False,
        help_text=_("Authorised signatory according to Bolagsverket, or a power of attorney from one."),
    )

    def __init__(self, *args, ask_authority: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_authority:  # only an individual application filed online by the employer
            del self.fields["authority_checked"]

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


def legal_entity_org_number(value: str) -> str:
    """NNNNNN-NNNN of a legal person (core identity helpers: format and Luhn; the third digit is
    2 or more, so that a personnummer is never taken for an organisation's number)."""
    from omstallning.core.identity import normalize_orgnr

    try:
        normalized = normalize_orgnr(value)
    except ValueError:
        raise forms.ValidationError(_("Enter a valid organisation number (NNNNNN-NNNN)."), code="orgnr") from None
    if normalized[2] < "2":
        raise forms.ValidationError(
            _("Enter the organisation number of a legal person, not a personal identity number."), code="orgnr_person"
        )
    return normalized


class RepresentativeSignupForm(forms.Form):
    """A representative of an organisation creates an account to apply for registration."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=150,
        help_text=_("You log in with your e-mail address."),
        widget=forms.EmailInput({"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
        help_text=_("At least 12 characters; not only digits and not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )
    organisation_name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisation number"), max_length=13, help_text=_("Ten digits, NNNNNN-NNNN.")
    )
    authorised = forms.BooleanField(
        label=_("I represent the organisation and may apply on its behalf."),
        error_messages={"required": _("Confirm that you represent the organisation.")},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_org_number(self):
        return legal_entity_org_number(self.cleaned_data["org_number"])

    def clean(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.password_validation import validate_password

        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords are not the same."))
        elif password1:
            User = get_user_model()
            probe = User(
                username=cleaned.get("email") or "",
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                validate_password(password1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class EmployerCompensationForm(forms.Form):
    """An employer's own individual application for state compensation (enskild ansökan)."""

    organisation = forms.ModelChoiceField(
        label=_("Transition organisation the fees were paid to"), queryset=None, empty_label=_("Choose")
    )
    year = forms.IntegerField(label=_("Year of the fees"), min_value=2022, max_value=2100)
    employer_org_number = OrgNumberField(label=_("Employer's organisation number"))
    employer_name = forms.CharField(label=_("Employer's name"), max_length=200)
    fees_paid = forms.CharField(
        label=_("Fees paid in the year (kronor)"), max_length=30, help_text=_("For example 12345 or 12345,50.")
    )
    payroll_base = forms.CharField(
        label=_("Payroll base for employer contributions in the year (kronor)"),
        max_length=30,
        help_text=_("The total cash remuneration reported to Skatteverket (socialavgiftslagen 2000:980)."),
    )
    signatory_name = forms.CharField(label=_("Your name"), max_length=200)
    signatory_capacity = forms.ChoiceField(
        label=_("You sign as"),
        choices=CompensationApplication.SignatoryCapacity.choices,
        widget=forms.RadioSelect,
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    declaration = forms.BooleanField(
        label=_(
            "I declare that the information is true, that the employer paid these fees to the organisation, "
            "and that I may sign for the employer."
        ),
        error_messages={"required": _("Confirm the declaration to file the application.")},
    )

    def __init__(self, *args, **kwargs):
        from .selectors import organisations_ever_registered

        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_ever_registered()

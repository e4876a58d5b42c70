"""The applicant's form steps and the case officer's workflow forms."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AttachmentKind, MeetingPreference, Service, Situation, SkippableKind

try:  # the project's own identity numbers (omstallning/core/identity.py)
    from omstallning.core.identity import normalize_orgnr, parse_personnummer
except ImportError:  # pragma: no cover - fallback while identity.py is not there
    from stdnum.se import orgnr as _orgnr
    from stdnum.se import personnummer as _pnr

    def parse_personnummer(value, on_date=None):
        class _P:
            normalized = _pnr.format(value).replace("+", "-")

        if not _pnr.is_valid(value):
            raise ValueError("personnummer.checksum", "invalid")
        return _P()

    def normalize_orgnr(value):
        if not _orgnr.is_valid(value):
            raise ValueError("orgnr", "invalid")
        return _orgnr.format(value)


YES_NO = [("yes", _("Yes")), ("no", _("No"))]
LANGUAGES = [
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("fi", _("Finnish")),
    ("ar", _("Arabic")),
    ("other", _("Another language")),
]
PACES = [("100", _("Full time (100 %)")), ("75", "75 %"), ("50", "50 %"), ("25", "25 %")]


def normalize_personnummer(value: str) -> str:
    try:
        return parse_personnummer(value.strip()).normalized.replace("-", "")
    except ValueError as exc:
        code = getattr(exc, "code", "")
        if code == "personnummer.checksum":
            raise ValidationError(_("The check digit does not match. Check the number."), "checksum") from exc
        raise ValidationError(_("Write the number as YYYYMMDD-NNNN."), "format") from exc


class StepForm(forms.Form):
    """A step whose cleaned data is stored as JSON in the draft."""

    def to_json(self) -> dict:
        data = {}
        for key, value in self.cleaned_data.items():
            if isinstance(value, datetime.date):
                value = value.isoformat()
            data[key] = value
        return data


class AboutYouForm(StepForm):
    personnummer = forms.CharField(
        label=_("Personal identity number"), max_length=13, help_text=_("12 digits, YYYYMMDD-NNNN")
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    phone = forms.CharField(label=_("Phone number"), max_length=30)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGES)
    meeting_preference = forms.ChoiceField(
        label=_("How do you want to meet your advisor?"), choices=MeetingPreference.choices, widget=forms.RadioSelect
    )
    municipality = forms.CharField(
        label=_("Municipality"), max_length=100, help_text=_("The municipality (kommun) where you want to meet")
    )

    def __init__(self, *args, locked_personnummer: str | None = None, **kwargs):
        self.locked_personnummer = locked_personnummer
        super().__init__(*args, **kwargs)
        if locked_personnummer:
            field = self.fields["personnummer"]
            field.disabled = True
            field.initial = locked_personnummer
            field.help_text = _("From your e-identification; it cannot be changed here.")

    def clean_personnummer(self):
        if self.locked_personnummer:
            return self.locked_personnummer
        return normalize_personnummer(self.cleaned_data["personnummer"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        digits = phone.replace(" ", "").replace("-", "").lstrip("+")
        if not digits.isdigit() or len(digits) < 7:
            raise ValidationError(_("Write digits only, for example 070-123 45 67."), "phone")
        return phone


class EmploymentForm(StepForm):
    employer_name = forms.CharField(label=_("Employer's name"), max_length=200, required=False)
    employer_org_number = forms.CharField(
        label=_("Employer's organisation number"), max_length=13, required=False, help_text=_("NNNNNN-NNNN")
    )
    active_in_sweden = forms.ChoiceField(
        label=_("Is the employer active in Sweden?"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    registered_with_skatteverket = forms.ChoiceField(
        label=_("Is the employer registered as an employer with Skatteverket?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    kollektivavtal = forms.ChoiceField(
        label=_("Does the employer have a collective agreement (kollektivavtal)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    finances_registered_organisation = forms.ChoiceField(
        label=_("Does the employer pay for a registered transition organisation (for example TRR or TSL)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    situation = forms.ChoiceField(label=_("Your situation"), choices=Situation.choices, widget=forms.RadioSelect)
    employment_end_date = forms.DateField(
        label=_("Last day of employment"),
        required=False,
        help_text=_("YYYY-MM-DD; it may lie in the future"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    was_ceo = forms.ChoiceField(
        label=_("Were you the managing director (VD)?"), choices=YES_NO, widget=forms.RadioSelect
    )
    employed_by_spouse = forms.ChoiceField(
        label=_("Did you work in your spouse's or registered partner's business?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    EMPLOYER_FIELDS = (
        "employer_name",
        "employer_org_number",
        "active_in_sweden",
        "registered_with_skatteverket",
        "kollektivavtal",
        "finances_registered_organisation",
    )

    def clean_employer_org_number(self):
        value = self.cleaned_data["employer_org_number"].strip()
        if not value:
            return ""
        try:
            return normalize_orgnr(value)
        except ValueError as exc:
            raise ValidationError(
                _("The number is not valid (check digit). Write it as NNNNNN-NNNN."),
                "orgnr",
            ) from exc

    def clean(self):
        data = super().clean()
        situation = data.get("situation")
        if situation and situation != Situation.EGENFORETAGARE:
            for name in self.EMPLOYER_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(
                        name,
                        ValidationError(_("Answer this question."), "required"),
                    )
        needs_end = situation in (
            Situation.UPPSAGD_ARBETSBRIST,
            Situation.UPPSAGD_SJUKDOM,
            Situation.TIDSBEGRANSAD,
            Situation.EGEN_UPPSAGNING,
        )
        if needs_end and not data.get("employment_end_date") and "employment_end_date" not in self.errors:
            self.add_error(
                "employment_end_date",
                ValidationError(_("Give the date your employment ends or ended."), "required"),
            )
        return data


FRAME_MONTHS = 24
# D6: each skippable month that does not qualify extends the frame one month further back, so the
# grid offers earlier months too (filled in only by those who marked months with a benefit).
EXTRA_MONTHS = 12


def frame_months(today: datetime.date, count: int = FRAME_MONTHS) -> list[str]:
    """The 24 complete calendar months before the current month (D2), newest first."""
    year, month = today.year, today.month
    labels = []
    for _i in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        labels.append(f"{year:04d}-{month:02d}")
    return labels


class WorkHistoryForm(StepForm):
    """One row per month: hours, income and, for a skippable month, its kind."""

    def __init__(self, *args, months: list[str], **kwargs):
        self.months = months
        initial = kwargs.pop("initial", None) or {}
        rows = {r["month"]: r for r in initial.get("months", [])}
        flat = {}
        for label in months:
            row = rows.get(label, {})
            flat[f"hours_{label}"] = row.get("hours")
            flat[f"income_{label}"] = row.get("income")
            flat[f"skip_{label}"] = row.get("skippable_kind", "")
        super().__init__(*args, initial=flat, **kwargs)
        for label in months:
            self.fields[f"hours_{label}"] = forms.DecimalField(
                label=_("Hours worked in %(month)s") % {"month": label},
                required=False,
                min_value=0,
                max_value=744,
                decimal_places=2,
            )
            self.fields[f"income_{label}"] = forms.DecimalField(
                label=_("Income in %(month)s (SEK)") % {"month": label},
                required=False,
                min_value=0,
                max_value=10_000_000,
                decimal_places=2,
            )
            self.fields[f"skip_{label}"] = forms.ChoiceField(
                label=_("Benefit in %(month)s") % {"month": label},
                choices=[("", _("None"))] + list(SkippableKind.choices),
                required=False,
            )

    def _rows(self, labels):
        for label in labels:
            yield label, self[f"hours_{label}"], self[f"income_{label}"], self[f"skip_{label}"]

    def rows(self):
        return self._rows(self.months[:FRAME_MONTHS])

    def extra_rows(self):
        return self._rows(self.months[FRAME_MONTHS:])

    def to_json(self) -> dict:
        months = []
        for index, label in enumerate(self.months):
            hours = self.cleaned_data.get(f"hours_{label}")
            income = self.cleaned_data.get(f"income_{label}")
            kind = self.cleaned_data.get(f"skip_{label}") or ""
            if index >= FRAME_MONTHS and hours is None and income is None and not kind:
                continue
            months.append(
                {
                    "month": label,
                    "hours": None if hours is None else format(hours.normalize(), "f"),
                    "income": None if income is None else format(income.normalize(), "f"),
                    "skippable_kind": kind,
                }
            )
        return {"months": months}


class HealthForm(forms.Form):
    special_needs = forms.ChoiceField(
        label=_("Do you have special needs for support because of illness?"), choices=YES_NO, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Describe your needs"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_("Only the case officer handling your application can read this."),
    )

    def clean(self):
        data = super().clean()
        if data.get("special_needs") == "yes" and not data.get("description", "").strip():
            self.add_error("description", ValidationError(_("Tell us what support you need."), "required"))
        return data


class EducationForm(StepForm):
    education_name = forms.CharField(label=_("Name of the education"), max_length=200)
    provider = forms.CharField(label=_("School or education provider"), max_length=200)
    start_date = forms.DateField(
        label=_("Start date"), help_text=_("YYYY-MM-DD"), widget=forms.DateInput(attrs={"type": "date"})
    )
    length_weeks = forms.IntegerField(label=_("Length in weeks"), min_value=1, max_value=260)
    pace = forms.ChoiceField(label=_("Study pace"), choices=PACES)
    csn_reference = forms.CharField(
        label=_("CSN case reference"), max_length=40, required=False, help_text=_("If you have one")
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of document"),
        choices=[c for c in AttachmentKind.choices if c[0] != AttachmentKind.COMPLETION],
    )
    file = forms.FileField(label=_("File"), help_text=_("PDF, JPEG or PNG, at most 10 MB"))


class SubmitForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I confirm that the information I have given is correct and complete."),
        error_messages={"required": _("Tick the box to confirm your information.")},
    )


class ChooseServiceForm(forms.Form):
    service = forms.ChoiceField(
        label=_("What do you want to apply for?"), choices=Service.choices, widget=forms.RadioSelect
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return super().clean(data, initial)


class CompletionAnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    files = MultipleFileField(
        label=_("Documents"), required=False, help_text=_("PDF, JPEG or PNG, at most 10 MB each")
    )


# --- case officer forms (admin) ---------------------------------------------------------------
class TransitionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))


class GrantForm(TransitionForm):
    service = forms.ChoiceField(label=_("Service granted"), choices=Service.choices)


class RefuseForm(TransitionForm):
    failed_rules = forms.CharField(
        label=_("Failed rules"), required=False, help_text=_("Rule IDs separated by commas, for example R-1.17")
    )

    def clean_failed_rules(self):
        return [r.strip() for r in self.cleaned_data["failed_rules"].split(",") if r.strip()]


class CompletionRequestForm(TransitionForm):
    reply_due = forms.DateField(label=_("Answer by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_reply_due(self):
        value = self.cleaned_data.get("reply_due")
        if value and value < timezone.localdate():
            raise ValidationError(_("The date must not lie in the past."))
        return value

"""The public pre-check form ("Kan jag få stöd?"). Server-side only; nothing is stored."""

from __future__ import annotations

import datetime
from decimal import Decimal
from html import escape

from django import forms
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .rules.dates import days_in_month

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

SERVICE_CHOICES = [
    ("radgivning", _("Counselling (rådgivning): my employment ends or has ended")),
    (
        "forstarkt_stod",
        _("Counselling with enhanced support: I was dismissed and have special needs because of illness"),
    ),
    ("vagledning", _("Guidance (vägledning): I am employed")),
    ("yttrande", _("A statement (yttrande) to CSN for transition study support")),
]
SITUATION_CHOICES = [
    ("uppsagd_arbetsbrist", _("Dismissed because of redundancy (arbetsbrist)")),
    ("uppsagd_sjukdom", _("Dismissed because of illness")),
    ("tidsbegransad", _("My fixed-term employment ends or has ended")),
    ("anstalld", _("Employed")),
    ("egenforetagare", _("Self-employed")),
    ("egen_uppsagning", _("I resigned")),
]
EMPLOYER_FACTS = [
    ("active_in_sweden", _("Is the employer active in Sweden?")),
    ("registered_with_skatteverket", _("Is the employer registered with Skatteverket?")),
    ("kollektivavtal", _("Does the employer have a collective agreement (kollektivavtal)?")),
    (
        "finances_registered_organisation",
        _("Does the employer pay fees to a registered transition organisation (for example TRR, TSL or Omstella)?"),
    ),
]


def frame_months(today: datetime.date, count: int = 24) -> list[datetime.date]:
    """The first day of each of the ``count`` months before ``today``'s month, oldest first."""
    idx = today.year * 12 + today.month - 1
    return [datetime.date((i) // 12, i % 12 + 1, 1) for i in range(idx - count, idx)]


class PrecheckForm(forms.Form):
    service = forms.ChoiceField(
        label=_("What do you want to apply for?"), choices=SERVICE_CHOICES, widget=forms.RadioSelect
    )
    situation = forms.ChoiceField(
        label=_("What is your situation?"), choices=SITUATION_CHOICES, widget=forms.RadioSelect
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        help_text=_("For example 1980-05-10."),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    employment_end_date = forms.DateField(
        label=_("Last day of employment"),
        required=False,
        help_text=_("If your employment ends or has ended. It may be in the future."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    was_ceo = forms.BooleanField(label=_("I was the managing director (VD) at my latest workplace"), required=False)
    employed_by_spouse = forms.BooleanField(
        label=_("I worked for a self-employed spouse or registered partner"), required=False
    )
    illness_special_needs = forms.BooleanField(
        label=_("I have special needs because of illness (for enhanced support)"), required=False
    )
    same_every_month = forms.BooleanField(
        label=_("Same every month: use the hours and income below for all 24 months"), required=False
    )
    same_hours = forms.DecimalField(
        label=_("Hours worked each month"), required=False, min_value=0, max_value=744, decimal_places=2
    )
    same_income = forms.DecimalField(
        label=_("Income each month (SEK)"), required=False, min_value=0, decimal_places=2, max_digits=12
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.months = frame_months(today)
        for fact, label in EMPLOYER_FACTS:
            self.fields[fact] = forms.ChoiceField(
                label=label, choices=YES_NO, widget=forms.RadioSelect, required=False
            )
        self.grid = []
        for first in self.months:
            key = f"{first.year}_{first.month:02d}"
            name = formats.date_format(first, "YEAR_MONTH_FORMAT")
            days = days_in_month(first.year, first.month)
            self.fields[f"hours_{key}"] = forms.DecimalField(
                label=_("Hours worked in %(month)s") % {"month": name},
                required=False,
                min_value=0,
                max_value=24 * days,
                decimal_places=2,
                widget=forms.NumberInput(
                    attrs={"step": "any", "inputmode": "decimal", "class": "form-control form-control-sm"}
                ),
            )
            self.fields[f"income_{key}"] = forms.DecimalField(
                label=_("Income in %(month)s (SEK)") % {"month": name},
                required=False,
                min_value=0,
                decimal_places=2,
                max_digits=12,
                widget=forms.NumberInput(
                    attrs={"step": "any", "inputmode": "decimal", "class": "form-control form-control-sm"}
                ),
            )
            self.fields[f"skip_{key}"] = forms.BooleanField(
                label=_("Parental or sickness benefit in %(month)s") % {"month": name}, required=False
            )
            self.grid.append((first, name, key))
        for field in self.fields.values():
            field.error_messages.setdefault("required", _("This field is required."))

    # --- plain values for the hand-written template (no crispy-forms, no widget templates) ---
    # The page is public and must stay cheap under load (issue #10): rendering its fields through
    # crispy-forms cost most of the request. These give the template each field's label, id,
    # value, attributes and errors, with the markup of the Bootstrap 5 pack it replaces
    # (``eligibility/_field.html``).
    def grid_rows(self):
        """(month name, hours, income, benefit) per month, each a :func:`field_view`."""
        return [
            (
                name,
                field_view(self[f"hours_{key}"], grid=True),
                field_view(self[f"income_{key}"], grid=True),
                field_view(self[f"skip_{key}"]),
            )
            for _, name, key in self.grid
        ]

    def employer_fields(self):
        return [field_view(self[fact]) for fact, _ in EMPLOYER_FACTS]

    def top_fields(self):
        return [field_view(self[name]) for name in ("service", "situation", "birth_date", "employment_end_date")]

    def exclusion_fields(self):
        return [field_view(self[name]) for name in ("was_ceo", "employed_by_spouse", "illness_special_needs")]

    def same_fields(self):
        return {name: field_view(self[name]) for name in ("same_every_month", "same_hours", "same_income")}

    def error_summary(self):
        """(link target, message) for every field error, in field order (the error summary)."""
        if not self.is_bound:
            return []
        errors = self.errors
        out = []
        for name in self.fields:
            if name in errors:
                bf = self[name]
                target = f"{bf.auto_id}_0" if isinstance(bf.field.widget, forms.RadioSelect) else bf.auto_id
                out.extend((target, error) for error in errors[name])
        return out

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value and value > self.today:
            raise forms.ValidationError(_("The date of birth must be today or earlier."), code="future")
        return value

    def clean(self):
        data = super().clean()
        situation = data.get("situation")
        if situation and situation != "egenforetagare":
            for fact, _label in EMPLOYER_FACTS:
                if not data.get(fact):
                    self.add_error(fact, forms.ValidationError(_("Answer yes or no."), code="required"))
        if data.get("same_every_month") and data.get("same_hours") is None and data.get("same_income") is None:
            self.add_error("same_hours", _("Enter hours or income to use for every month."))
        return data

    def full_clean(self):
        super().full_clean()
        # Each message names its field, next to the field and in the error summary (GOV.UK style).
        if self._errors:
            for name, errors in self._errors.items():
                if name == forms.forms.NON_FIELD_ERRORS or name not in self.fields:
                    continue
                label = str(self.fields[name].label)
                errors.data = [
                    forms.ValidationError(f"{label}: {msg}")
                    if not str(msg).startswith(label)
                    else forms.ValidationError(msg)
                    for msg in errors
                ]

    def to_case(self) -> dict:
        """The cleaned form as a case in the eligibility-cli.md format."""
        data = self.cleaned_data
        situation = data["situation"]
        employer = None
        if situation != "egenforetagare" or all(data.get(f) for f, _ in EMPLOYER_FACTS):
            employer = {fact: data.get(fact) == "yes" for fact, _ in EMPLOYER_FACTS}
        months = []
        same = data.get("same_every_month")
        for first, _name, key in self.grid:
            hours = data.get("same_hours") if same else data.get(f"hours_{key}")
            income = data.get("same_income") if same else data.get(f"income_{key}")
            skip = bool(data.get(f"skip_{key}"))
            if hours is None and income is None and not skip:
                continue
            months.append(
                {
                    "month": f"{first.year}-{first.month:02d}",
                    "hours": _plain(hours),
                    "income": _plain(income),
                    "skippable": skip,
                }
            )
        end = data.get("employment_end_date")
        return {
            "id": "precheck",
            "ruleset": "ooo",
            "service": data["service"],
            "application_date": self.today.isoformat(),
            "birth_date": data["birth_date"].isoformat(),
            "situation": situation,
            "employment_end_date": end.isoformat() if end else None,
            "employer": employer,
            "was_ceo": data.get("was_ceo", False),
            "employed_by_spouse": data.get("employed_by_spouse", False),
            "illness_special_needs": data.get("illness_special_needs", False),
            "months": months,
        }


_INPUT_CLASSES = {"DateInput": "dateinput", "NumberInput": "numberinput", "TextInput": "textinput"}


def field_view(bf: forms.BoundField, *, grid: bool = False) -> dict:
    """What the template needs to write one field by hand, with the attributes that
    crispy-forms' Bootstrap 5 pack gave it: ``kind`` (radio, checkbox or input), ``id``, ``name``,
    ``label``, ``required``, ``errors``, ``error_id``, ``help_text``, ``help_id`` and, for an
    input, ``attrs`` (escaped, ready to print), for a checkbox ``checked``, for radio buttons
    ``options`` [{"value", "label", "id", "checked"}]. ``grid``: an input of the month grid (its
    own classes, always a value, no max)."""
    field = bf.field
    widget = field.widget
    auto_id = bf.auto_id
    errors = list(bf.errors) if bf.form.is_bound else []
    view = {
        "id": auto_id,
        "name": bf.html_name,
        "label": bf.label,
        "required": field.required,
        "errors": errors,
        "error_id": f"{auto_id}_error",
        "help_text": field.help_text,
        "help_id": f"{auto_id}_helptext",
    }
    value = bf.value()
    if isinstance(widget, forms.RadioSelect):
        current = "" if value is None else str(value)
        view["kind"] = "radio"
        view["options"] = [
            {"value": choice, "label": label, "id": f"{auto_id}_{i}", "checked": str(choice) == current}
            for i, (choice, label) in enumerate(field.choices)
        ]
    elif isinstance(widget, forms.CheckboxInput):
        view["kind"] = "checkbox"
        view["checked"] = widget.check_test(value)
    else:
        attrs = dict(widget.attrs)
        input_type = attrs.pop("type", widget.input_type)
        css = [
            "" if grid else _INPUT_CLASSES.get(type(widget).__name__, ""),
            attrs.pop("class", "form-control"),
        ]
        if grid:
            attrs.pop("max", None)
        if "form-control" not in css[1]:
            css.append("form-control")
        if errors:
            css.append("is-invalid")
        shown = widget.format_value(value)
        if grid and shown is None:
            shown = ""
        described = [view["help_id"]] if field.help_text else []
        if errors:
            described.append(view["error_id"])
        final = {"type": input_type, "name": bf.html_name}
        if shown is not None:
            final["value"] = shown
        final.update(attrs)
        final["class"] = " ".join(c for c in css if c)
        if field.required:
            final["required"] = True
        if errors:
            final["aria-invalid"] = "true"
        if described:
            final["aria-describedby"] = " ".join(described)
        final["id"] = auto_id
        view["kind"] = "input"
        view["attrs"] = _attrs(final)
    return view


def _attrs(attrs: dict) -> str:
    """' name="value" …' with the values escaped (as ``flatatt``; True gives a bare name)."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {name}")
        elif value is not False and value is not None:
            out.append(f' {name}="{escape(str(value))}"')
    return mark_safe("".join(out))  # noqa: S308 - every value is escaped above


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else str(value)

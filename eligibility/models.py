"""Eligibility data: the admin-editable policy parameters, the inkomstbasbelopp table and stored
evaluations. The rule code (``eligibility.rules``) never reads these models; the selector
``eligibility.selectors.current_parameters`` turns them into a plain ``Parameters``."""

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .rules import params as rule_params


class ParameterSet(models.Model):
    """One version of every policy setting of decisions.md (defaults loaded by a data migration).

    The current set is the active one with the highest version. Evaluations copy the values they
    were made with, so editing a set never changes a stored decision.
    """

    HOURS_METHODS = [
        (rule_params.HOURS_METHOD_DAYS, _("Hours ≥ hours per week × days in month / 7")),
        (rule_params.HOURS_METHOD_FIXED_WEEKS, _("Hours ≥ hours per week × fixed weeks per month")),
    ]
    COMBINE_MODES = [
        (rule_params.COMBINE_STRICT, _("Strict: 12 months within one route")),
        (rule_params.COMBINE_PER_MONTH_EITHER, _("Per month: hours or income")),
    ]
    AGE_METHODS = [
        (rule_params.AGE_CALENDAR_YEAR, _("Calendar year (year of request − year of birth)")),
        (rule_params.AGE_EXACT, _("Exact age on the request date")),
    ]
    CIKO_IBB_YEARS = [
        (rule_params.CIKO_IBB_END_YEAR, _("Year the employment ended")),
        (rule_params.CIKO_IBB_APPLICATION_YEAR, _("Year of the application")),
    ]

    version = models.PositiveIntegerField(_("version"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True, help_text=_("Where the values come from (decision, rule IDs)."))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    max_age = models.PositiveSmallIntegerField(_("maximum age (R-1.12)"), default=64)
    frame_months = models.PositiveSmallIntegerField(_("frame in months (R-1.21)"), default=24)
    required_months = models.PositiveSmallIntegerField(_("qualifying months required (R-1.17)"), default=12)
    hours_per_week = models.DecimalField(_("hours per week (R-1.20)"), max_digits=6, decimal_places=3, default=16)
    hours_method = models.CharField(
        _("hours method (R-1.20)"), max_length=20, choices=HOURS_METHODS, default=rule_params.HOURS_METHOD_DAYS
    )
    weeks_per_month = models.DecimalField(
        _("weeks per month (fixed method)"), max_digits=5, decimal_places=3, default=Decimal("4.33")
    )
    income_share = models.DecimalField(
        _("share of the inkomstbasbelopp (R-1.18)"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.25"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    combine_mode = models.CharField(
        _("combining routes (R-1.22)"), max_length=20, choices=COMBINE_MODES, default=rule_params.COMBINE_STRICT
    )
    skippable_cap = models.PositiveSmallIntegerField(
        _("maximum skippable months (R-1.19a)"), null=True, blank=True, help_text=_("Empty: no cap.")
    )
    skippable_applies_to_income = models.BooleanField(
        _("skippable months extend the income route (R-1.19b)"), default=False
    )
    earliest_end_date = models.DateField(_("earliest end of employment (R-1.15)"), default=datetime.date(2022, 10, 1))
    application_window_days = models.PositiveIntegerField(
        _("earliest application, days before the end date (R-1.31)"),
        null=True,
        blank=True,
        help_text=_("Empty: no window."),
    )
    yttrande_min_age = models.PositiveSmallIntegerField(_("yttrande minimum age (R-1.40)"), default=27)
    yttrande_max_age = models.PositiveSmallIntegerField(_("yttrande maximum age (R-1.40)"), default=62)
    yttrande_age_method = models.CharField(
        _("yttrande age counting (R-1.43)"), max_length=20, choices=AGE_METHODS, default=rule_params.AGE_CALENDAR_YEAR
    )
    contact_deadline_days = models.PositiveSmallIntegerField(_("contact deadline in days (R-4.4)"), default=7)
    priority_ending_first = models.BooleanField(
        _("ending employments first when funds are short (R-1.5)"), default=True
    )
    vagledning_max_months = models.PositiveSmallIntegerField(_("vägledning maximum months (R-1.34)"), default=3)
    support_max_months = models.PositiveSmallIntegerField(_("support maximum months (R-1.35)"), default=12)

    ciko_max_age = models.PositiveSmallIntegerField(_("CIKO maximum age (C-1)"), default=68)
    ciko_application_months = models.PositiveSmallIntegerField(_("CIKO application window, months (C-1)"), default=18)
    ciko_min_rate = models.DecimalField(
        _("CIKO minimum employment rate (C-2)"), max_digits=5, decimal_places=4, default=Decimal("0.4")
    )
    ciko_continuous_months = models.PositiveSmallIntegerField(_("CIKO continuous months (C-2)"), default=12)
    ciko_continuous_months_fixed_term = models.PositiveSmallIntegerField(
        _("CIKO continuous months, fixed term (C-3)"), default=24
    )
    ciko_ose_min_age = models.PositiveSmallIntegerField(_("CIKO OSE minimum age (C-4)"), default=40)
    ciko_ose_months = models.PositiveSmallIntegerField(_("CIKO OSE months required (C-4)"), default=50)
    ciko_ose_lookback_years = models.PositiveSmallIntegerField(_("CIKO OSE look-back years (C-4)"), default=5)
    ciko_days_per_month = models.PositiveSmallIntegerField(_("CIKO days per month (C-8)"), default=30)
    ciko_ose_share = models.DecimalField(
        _("CIKO OSE share of the inkomstbasbelopp (C-5)"), max_digits=5, decimal_places=4, default=Decimal("0.5")
    )
    ciko_ose_ibb_year = models.CharField(
        _("CIKO OSE inkomstbasbelopp year (C-5)"),
        max_length=20,
        choices=CIKO_IBB_YEARS,
        default=rule_params.CIKO_IBB_END_YEAR,
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("parameter set")
        verbose_name_plural = _("parameter sets")

    def __str__(self):
        return _("Parameters v%(version)s") % {"version": self.version}

    #: model fields that map one to one onto ``Parameters`` fields
    @classmethod
    def parameter_field_names(cls) -> list[str]:
        names = {f.name for f in dataclasses.fields(rule_params.Parameters)} - {"ibb"}
        return [f.name for f in cls._meta.concrete_fields if f.name in names]

    def clean(self):
        if self.yttrande_min_age > self.yttrande_max_age:
            raise ValidationError({"yttrande_max_age": _("The maximum age must not be below the minimum age.")})


class IncomeBaseAmount(models.Model):
    """Inkomstbasbelopp per year (rules.md §3): data with its source, never a constant in code."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CONFIRMED_2ND = "confirmed_2nd", _("Confirmed by a secondary source")
        UNCERTAIN = "uncertain", _("Uncertain")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.PositiveIntegerField(_("amount (SEK)"))
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("inkomstbasbelopp")
        verbose_name_plural = _("inkomstbasbelopp")

    def __str__(self):
        return f"{self.year}: {self.amount} kr"


class Evaluation(models.Model):
    """One run of the engine, with everything needed to show and re-run it exactly."""

    ruleset = models.CharField(_("rule set"), max_length=10)
    ruleset_version = models.CharField(_("rule set version"), max_length=40)
    service = models.CharField(_("service"), max_length=40, blank=True)
    eligible = models.BooleanField(_("eligible"), default=False)
    error = models.TextField(_("input error"), blank=True)
    parameter_set = models.ForeignKey(
        ParameterSet, verbose_name=_("parameter set"), null=True, blank=True, on_delete=models.SET_NULL
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    input = models.JSONField(_("input"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self):
        return _("Evaluation %(pk)s (%(ruleset)s %(service)s)") % {
            "pk": self.pk,
            "ruleset": self.ruleset,
            "service": self.service,
        }

    def as_dict(self) -> dict:
        return dict(self.result)

"""Forms of the advisor's workspace and the applicant's plan page. Rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Contact, Goal, MeetingMode, Outcome, Place, PlanVersion


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Contact.Kind.choices, initial=Contact.Kind.CONTACT)
    occurred_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=DateTimeLocalInput(),
        help_text=_("A meeting with a future date is a planned meeting."),
        error_messages={"required": _("Enter the date and time."), "invalid": _("Enter a valid date and time.")},
    )
    mode = forms.ChoiceField(label=_("Digital or physical"), choices=MeetingMode.choices, widget=forms.RadioSelect)
    place = forms.ChoiceField(
        label=_("Place (physical meetings)"), choices=[("", "—"), *Place.choices], required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600, required=False)
    notes = forms.CharField(
        label=_("Short notes"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class NeedsAssessmentForm(forms.Form):
    needs = forms.CharField(label=_("Needs"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    wishes = forms.CharField(label=_("Wishes"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class PlanForm(forms.Form):
    goal = forms.ChoiceField(label=_("Goal"), choices=[("", "—"), *Goal.choices])
    goal_description = forms.CharField(
        label=_("The goal in the person's own words"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    change_note = forms.CharField(label=_("What changed (optional)"), max_length=200, required=False)


class ActivityForm(forms.Form):
    id = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Activity"), max_length=200, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput(), required=False)
    who = forms.ChoiceField(label=_("Who"), choices=PlanVersion.Who.choices, initial=PlanVersion.Who.APPLICANT)
    status = forms.ChoiceField(label=_("Status"), choices=PlanVersion.Status.choices, initial="planned")

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("due_date"):
            self.add_error("due_date", _("Give a due date for the activity."))
        return data


ActivityFormSet = forms.formset_factory(ActivityForm, extra=3)


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Outcome.choices])
    closed_on = forms.DateField(label=_("Date"), widget=DateInput())


class AdvisorSettingsForm(forms.Form):
    advisor = forms.IntegerField(widget=forms.HiddenInput)
    active = forms.BooleanField(label=_("Active"), required=False)
    forstarkt_stod = forms.BooleanField(label=_("Qualified for förstärkt stöd"), required=False)
    languages = forms.CharField(label=_("Languages"), max_length=100, help_text=_("Language codes, e.g. sv, en, ar."))

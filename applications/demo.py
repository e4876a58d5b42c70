"""Demo data: a few applications for sara.sokande in different states (idempotent)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .forms import frame_months
from .models import Application, Draft, Service


def _data(service, *, situation="uppsagd_arbetsbrist", end_days=30, kollektivavtal="no", user=None):
    today = timezone.localdate()
    data = {
        "about": {
            "personnummer": user.personnummer or "",
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": "070-123 45 67",
            "preferred_language": "sv",
            "meeting_preference": "digital",
            "municipality": "Uppsala",
        },
        "employment": {
            "employer_name": "Demo Handel AB",
            "employer_org_number": "556036-0793",
            "active_in_sweden": "yes",
            "registered_with_skatteverket": "yes",
            "kollektivavtal": kollektivavtal,
            "finances_registered_organisation": "no",
            "situation": situation,
            "employment_end_date": (today + datetime.timedelta(days=end_days)).isoformat() if end_days else None,
            "was_ceo": "no",
            "employed_by_spouse": "no",
        },
    }
    if service != Service.YTTRANDE:
        data["work_history"] = {
            "months": [{"month": m, "hours": "150", "income": None, "skippable_kind": ""} for m in frame_months(today)]
        }
    if service == Service.YTTRANDE:
        data["education"] = {
            "education_name": "Undersköterskeutbildning",
            "provider": "Komvux Uppsala",
            "start_date": (today + datetime.timedelta(days=60)).isoformat(),
            "length_weeks": 40,
            "pace": "100",
            "csn_reference": "",
        }
    return data


def _submit(user, service, **kwargs):
    draft = Draft.objects.create(applicant=user, service=service, data=_data(service, user=user, **kwargs))
    return services.application_submit(token=draft.token, by=user).application


def seed(*, stdout=None):
    User = get_user_model()
    sara = User.objects.filter(username="sara.sokande").first()
    hanna = User.objects.filter(username="hanna.handlaggare").first()
    if sara is None or hanna is None:
        return
    if Application.objects.filter(applicant=sara).exists():
        if stdout:
            stdout.write("applications: demo applications already there")
        return
    with transaction.atomic():
        _submit(sara, Service.RADGIVNING)
        waiting = _submit(sara, Service.VAGLEDNING, situation="anstalld", end_days=None)
        services.application_request_completion(
            application_id=waiting.pk,
            message="Skicka gärna ditt anställningsavtal så att vi kan se anställningens omfattning.",
            reply_due=timezone.localdate() + datetime.timedelta(days=14),
            by=hanna,
        )
        granted = _submit(sara, Service.RADGIVNING, end_days=10)
        services.application_grant(
            application_id=granted.pk, service=Service.RADGIVNING, reason="Villkoren är uppfyllda.", by=hanna
        )
        refused = _submit(sara, Service.RADGIVNING, kollektivavtal="yes")
        services.application_refuse(
            application_id=refused.pk,
            reason="Arbetsgivaren har kollektivavtal; vänd dig till din omställningsorganisation.",
            by=hanna,
        )
        Draft.objects.create(
            applicant=sara, service=Service.YTTRANDE, data={"about": _data(Service.YTTRANDE, user=sara)["about"]}
        )
    if stdout:
        stdout.write("applications: 4 demo applications and 1 draft for sara.sokande")

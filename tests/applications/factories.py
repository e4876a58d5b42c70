"""Factories and helpers for the applications tests."""

import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.forms import frame_months
from applications.models import Application, Draft, Service
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

PERSONNUMMER = "198005100006"  # valid check digit, synthetic
ORGNR = "556036-0793"

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def pdf_upload(name="intyg.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def about_data(**overrides):
    data = {
        "personnummer": PERSONNUMMER,
        "first_name": "Sara",
        "last_name": "Sökande",
        "email": "sara@example.org",
        "phone": "070-123 45 67",
        "preferred_language": "sv",
        "meeting_preference": "digital",
        "municipality": "Uppsala",
    }
    return {**data, **overrides}


def employment_data(**overrides):
    end = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    data = {
        "employer_name": "Exempel AB",
        "employer_org_number": ORGNR,
        "active_in_sweden": "yes",
        "registered_with_skatteverket": "yes",
        "kollektivavtal": "no",
        "finances_registered_organisation": "no",
        "situation": "uppsagd_arbetsbrist",
        "employment_end_date": end,
        "was_ceo": "no",
        "employed_by_spouse": "no",
    }
    return {**data, **overrides}


def work_history_data(hours="160", income=None, months=24):
    return {
        "months": [
            {"month": m, "hours": hours, "income": income, "skippable_kind": ""}
            for m in frame_months(timezone.localdate())[:months]
        ]
    }


def complete_data(service=Service.RADGIVNING, **steps):
    data = {"about": about_data(), "employment": employment_data()}
    if service != Service.YTTRANDE:
        data["work_history"] = work_history_data()
    if service == Service.FORSTARKT_STOD:
        data["health"] = {"completed": True}
    if service == Service.YTTRANDE:
        data["education"] = {
            "education_name": "Undersköterska",
            "provider": "Komvux Uppsala",
            "start_date": "2027-01-10",
            "length_weeks": 40,
            "pace": "100",
            "csn_reference": "",
        }
    data.update(steps)
    return data


class ApplicantFactory(UserFactory):
    personnummer = factory.Sequence(lambda n: None)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        if create:
            self.groups.add(Group.objects.get(name=(extracted or Role.APPLICANT).value))


class DraftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Draft

    applicant = factory.SubFactory(ApplicantFactory)
    service = Service.RADGIVNING
    data = factory.LazyAttribute(lambda d: complete_data(d.service))


def submitted_application(applicant=None, service=Service.RADGIVNING, data=None) -> Application:
    draft = DraftFactory(
        applicant=applicant or ApplicantFactory(), service=service, data=data or complete_data(service)
    )
    return services.application_submit(token=draft.token, by=draft.applicant).application


def officer():
    return UserFactory(role=Role.CASE_OFFICER)


__all__ = ["io"]

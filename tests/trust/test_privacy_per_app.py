"""Each app's privacy.py: retention handlers per record type and GDPR art. 15 exporters, found by
core's autodiscovery. The export of the demo applicant holds every section and only her data; the
nightly job deletes or anonymises per rule and logs counts only."""

import datetime as dt
import json
import logging

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from omstallning.core import services
from omstallning.core.models import AccessLog, RetentionRule
from omstallning.core.tasks import apply_retention_schedule

pytestmark = pytest.mark.django_db

SARA_PNR = "198503159827"
EXPECTED_TYPES = {
    "accounts.user",
    "accounts.usersession",
    "accounts.securityevent",
    "applications.draft",
    "applications.application",
    "applications.attachment",
    "applications.healthdetails",
    "advisors.assignment",
    "advisors.actionplan",
    "advisors.contact",
    "yttrande.yttrandecase",
    "yttrande.yttrandedocument",
    "registry.registrationcase",
    "registry.registrationattachment",
    "statistics.submission",
}
EXPECTED_SECTIONS = {"applications", "application_drafts", "advisors", "yttrande", "registry", "statistics"}


def test_every_app_registers_its_record_types_and_sections_at_start_up():
    assert set(services.retention_record_types()) >= EXPECTED_TYPES
    assert set(services.personal_data_sections()) >= EXPECTED_SECTIONS


@pytest.fixture
def demo(db):
    """The demo data, plus a plan and a contact on Sara's granted case and an yttrande case of hers."""
    from django.contrib.auth import get_user_model

    from advisors import services as advisor_services
    from advisors.models import Assignment
    from applications.yttrande import services as yttrande_services
    from applications.yttrande.models import Source

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    User = get_user_model()
    sara = User.objects.get(username="sara.sokande")
    rasmus = User.objects.get(username="rasmus.radgivare")
    hanna = User.objects.get(username="hanna.handlaggare")
    assignment = Assignment.objects.filter(application__applicant=sara).select_related("application").first()
    assert assignment is not None, "the demo gives Sara's granted case an advisor"
    advisor_services.plan_save(
        assignment=assignment,
        goal="nytt_arbete",
        goal_description="Arbete som elektriker i Västerås",
        activities=[
            {
                "title": "Skriva CV",
                "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
                "who": "applicant",
                "status": "planned",
            }
        ],
        by=rasmus,
    )
    advisor_services.contact_record(
        assignment=assignment,
        kind="contact",
        occurred_at=timezone.now(),
        mode="digital",
        notes="Första samtalet, Sara vill byta bransch",
        by=rasmus,
    )
    case, _created = yttrande_services.case_receive_referral(
        data=yttrande_services.ReferralData(
            personnummer=f"{SARA_PNR[:8]}-{SARA_PNR[8:]}",
            person_name="Sara Sökande",
            csn_reference="CSN-SARA-1",
            education_name="Elinstallation",
            education_provider="Yrkeshögskolan Demo",
            education_start=timezone.localdate() + dt.timedelta(days=40),
            education_weeks=40,
        ),
        source=Source.STAFF,
        by=hanna,
    )
    return {"sara": sara, "assignment": assignment, "yttrande": case}


def test_the_demo_applicants_export_has_every_section_and_no_one_elses_data(client, demo):
    from applications.models import Application
    from applications.yttrande.models import YttrandeCase

    sara = demo["sara"]
    client.force_login(sara)
    response = client.get("/mina-sidor/mina-uppgifter/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert set(data) >= EXPECTED_SECTIONS
    assert data["account"]["personnummer"] == SARA_PNR
    own = set(Application.objects.filter(applicant=sara).values_list("reference", flat=True))
    assert {a["reference"] for a in data["applications"]} == own and own
    assert data["application_drafts"], "the demo draft is exported"
    advisors = data["advisors"]
    assert len(advisors) == 1
    assert advisors[0]["plan"][0]["goal_description"] == "Arbete som elektriker i Västerås"
    assert advisors[0]["contacts"][0]["notes"] == "Första samtalet, Sara vill byta bransch"
    assert [c["reference"] for c in data["yttrande"]] == [demo["yttrande"].reference]

    body = response.content.decode()
    # Nobody else's cases: the demo's other yttrande people and other applicants' references.
    for other in YttrandeCase.objects.exclude(pk=demo["yttrande"].pk):
        assert other.personnummer not in body
        assert other.person_name not in body
        assert other.reference not in body
    for reference in Application.objects.exclude(applicant=sara).values_list("reference", flat=True):
        assert reference not in body
    assert AccessLog.objects.filter(action="export", object_type="accounts.user", object_id=str(sara.pk)).exists()


def test_another_applicant_gets_nothing_of_saras(client, demo):
    from tests.factories import UserFactory

    other = UserFactory(username="olle", role="applicant", personnummer="199001012384")
    client.force_login(other)
    data = json.loads(client.get("/mina-sidor/mina-uppgifter/").content)
    assert data["applications"] == [] and data["advisors"] == [] and data["yttrande"] == []
    assert SARA_PNR not in json.dumps(data)


def _finish(application, when):
    from applications.models import Application

    Application.objects.filter(pk=application.pk).update(status="closed", closed_at=when)


def test_the_nightly_job_deletes_and_anonymises_per_rule_and_logs_counts_only(demo, caplog):
    from advisors.models import Assignment, Contact, PlanVersion
    from applications.models import Application, Attachment, Draft
    from applications.yttrande.models import YttrandeCase
    from eligibility.models import Evaluation

    sara = demo["sara"]
    now = timezone.now() + dt.timedelta(days=3 * 365)
    old = timezone.now() - dt.timedelta(days=10)
    # Sara's granted case is closed, its assignment too; the yttrande case was sent.
    assignment = demo["assignment"]
    Assignment.objects.filter(pk=assignment.pk).update(closed_on=old.date(), outcome="new_job")
    _finish(assignment.application, old)
    YttrandeCase.objects.filter(pk=demo["yttrande"].pk).update(status="sent", received_at=old)
    refused_ids = list(Application.objects.filter(applicant=sara, status="refused").values_list("pk", flat=True))
    refused = Application.objects.filter(pk__in=refused_ids, evaluation__isnull=False)
    refused_evaluations = list(refused.values_list("evaluation_id", flat=True))
    assert refused_evaluations  # the demo's refused case has its stored evaluation
    Application.objects.filter(pk__in=refused_ids).update(decided_at=old)
    open_ids = list(
        Application.objects.filter(applicant=sara)
        .exclude(status__in=["closed", "refused"])
        .values_list("pk", flat=True)
    )
    for record_type, action in [
        ("advisors.contact", "anonymise"),
        ("advisors.actionplan", "anonymise"),
        ("applications.application", "delete"),
        ("applications.draft", "delete"),
        ("yttrande.yttrandecase", "anonymise"),
    ]:
        RetentionRule.objects.create(record_type=record_type, retention_days=365, action=action)

    with time_machine.travel(now, tick=False), caplog.at_level(logging.INFO):
        counts = apply_retention_schedule.delay().get()

    # The closed case is still referred to by its assignment (no assignment rule): kept, while
    # the refused one, referred to by nothing, is deleted with its attachments.
    assert Application.objects.filter(pk=assignment.application_id).exists()
    assert counts["applications.application"] == len(refused_ids)
    assert not Application.objects.filter(pk__in=refused_ids).exists()
    assert not Attachment.objects.filter(application_id__in=refused_ids).exists()
    assert Application.history.filter(id__in=refused_ids).count() == 0
    # Their stored evaluations (the input holds the personnummer or birth date) are gone too.
    assert not Evaluation.objects.filter(pk__in=refused_evaluations).exists()
    # Open cases are never touched.
    assert Application.objects.filter(pk__in=open_ids).count() == len(open_ids)
    assert counts["applications.draft"] >= 1
    assert not Draft.objects.filter(applicant=sara).exists()
    assert counts["advisors.contact"] == 1
    assert Contact.objects.get(assignment=assignment).notes == ""
    assert PlanVersion.objects.get(plan__assignment=assignment).goal_description == ""
    case = YttrandeCase.objects.get(pk=demo["yttrande"].pk)
    assert counts["yttrande.yttrandecase"] == 1
    assert case.personnummer == "" and case.person_name == "" and case.applicant_id is None
    # Only counts reach the log: no names, personnummer or references.
    assert "retention: yttrande.yttrandecase anonymise: 1 records" in caplog.text
    assert "Sara" not in caplog.text and SARA_PNR not in caplog.text
    assert demo["yttrande"].reference not in caplog.text
    # The deletions are in the access log without a user (the job did them).
    assert AccessLog.objects.filter(
        action="delete", object_type="applications.application", object_id=str(refused_ids[0]), user=None
    ).exists()

    # Idempotent: the next night finds nothing more to do.
    with time_machine.travel(now, tick=False):
        again = apply_retention_schedule.delay().get()
    assert again["applications.application"] == 0
    assert again["yttrande.yttrandecase"] == 0
    assert again["advisors.contact"] == 0

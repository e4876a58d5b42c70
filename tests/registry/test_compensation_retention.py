"""Retention (gallringsplan) of applications for state compensation: the personal data of an
individual application an employer filed online (who signed it, the contact e-mail) are emptied
by ``anonymise`` and removed with the application by ``delete``, history included, once the
period from the decision has run; undecided and recent applications are untouched."""

import datetime

import pytest
import time_machine

from omstallning.core import services as core_services
from omstallning.core.models import RetentionRule
from registry import services
from registry.models import CompensationApplication, CompensationRow
from registry.privacy import compensation_application_retention

from .factories import EMPLOYER_B
from .test_employer_compensation import ON_FILING_DAY, employer_user, file_individual, officer, org  # noqa: F401

pytestmark = pytest.mark.django_db

DECIDED_AT = datetime.datetime(2024, 10, 1, 10, 0, tzinfo=datetime.UTC)
LATER = datetime.datetime(2035, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def applications(org, employer_user, officer):  # noqa: F811
    """One decided individual application (2023) and one still undecided (another employer)."""
    with time_machine.travel(ON_FILING_DAY, tick=False):
        decided = file_individual(org, employer_user, year=2023).application
        waiting = file_individual(org, employer_user, orgnr=EMPLOYER_B).application
    with time_machine.travel(DECIDED_AT, tick=False):
        services.compensation_decide(
            application=decided, decision_number="E-1", exceptions={}, authority_checked=True, by=officer
        )
    return decided, waiting


def _personal(app_id) -> set[tuple[str, str]]:
    values = {
        tuple(v)
        for v in CompensationApplication.history.filter(id=app_id).values_list("signatory_name", "contact_email")
    }
    values |= set(CompensationApplication.objects.filter(pk=app_id).values_list("signatory_name", "contact_email"))
    return values - {("", "")}


def test_the_record_type_is_registered():
    assert "registry.compensationapplication" in core_services.retention_record_types()


def test_anonymise_empties_the_signatory_and_contact_e_mail_with_their_history(applications):
    decided, waiting = applications
    assert _personal(decided.pk) and _personal(waiting.pk)
    # before the period has run nothing changes
    assert compensation_application_retention(cutoff=DECIDED_AT, action="anonymise") == 0
    assert _personal(decided.pk)
    assert compensation_application_retention(cutoff=LATER, action="anonymise") == 1
    decided.refresh_from_db()
    assert (decided.signatory_name, decided.contact_email) == ("", "")
    assert not _personal(decided.pk)
    # the decision itself stays: organisation, year, amounts, number, capacity
    assert (decided.state, decided.total_granted, decided.decision_number, decided.year) == (
        "decided",
        15_000,
        "E-1",
        2023,
    )
    assert decided.rows.count() == 1
    # the undecided application keeps its data
    waiting.refresh_from_db()
    assert (waiting.signatory_name, waiting.contact_email) == ("Vera Direktör", "vd@exempel.example")
    # a second run has nothing left to do
    assert compensation_application_retention(cutoff=LATER, action="anonymise") == 0


def test_delete_removes_the_decided_application_with_its_rows_and_history(applications):
    decided, waiting = applications
    assert compensation_application_retention(cutoff=DECIDED_AT, action="delete") == 0
    assert compensation_application_retention(cutoff=LATER, action="delete") == 1
    assert not CompensationApplication.objects.filter(pk=decided.pk).exists()
    assert not CompensationRow.objects.filter(application_id=decided.pk).exists()
    assert not CompensationApplication.history.filter(id=decided.pk).exists()
    assert CompensationApplication.objects.filter(pk=waiting.pk).exists() and _personal(waiting.pk)


def test_the_nightly_job_applies_a_rule_for_it(applications):
    decided, _waiting = applications
    RetentionRule.objects.create(
        record_type="registry.compensationapplication", retention_days=365, action="anonymise", is_active=True
    )
    counts = core_services.retention_apply(now=DECIDED_AT + datetime.timedelta(days=366))
    assert counts["registry.compensationapplication"] == 1
    decided.refresh_from_db()
    assert decided.signatory_name == "" and decided.contact_email == ""

"""The assessment, approval, the rendered document (immutable, idempotent) and corrections."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from applications.yttrande import services
from applications.yttrande.models import CaseStatus, YttrandeDocument
from applications.yttrande.tasks import render_yttrande_document, sweep_yttrande
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, YttrandeCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(role=Role.CASE_OFFICER, first_name="Hanna", last_name="Handläggare")


@pytest.fixture
def case():
    return YttrandeCaseFactory(advisor__user__first_name="Rasmus", advisor__user__last_name="Rådgivare")


def record(case, **overrides):
    return services.assessment_record(case=case, by=case.advisor.user, **{**ASSESSMENT, **overrides})


def pdf_text(document) -> str:
    data = services.document_read(document)
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())


def test_only_the_assigned_advisor_records_the_assessment(case):
    other = UserFactory(role=Role.ADVISOR)
    with pytest.raises(PermissionDenied):
        services.assessment_record(case=case, by=other, **ASSESSMENT)
    record(case)
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT_RECORDED
    assert case.assessment.reasons == ASSESSMENT["reasons"]


def test_the_assessment_needs_its_reasons_and_conclusion(case):
    with pytest.raises(ValidationError) as exc:
        record(case, reasons=" ", strengthens=None)
    assert {"reasons", "strengthens"} <= set(exc.value.message_dict)
    case.refresh_from_db()
    assert case.status == CaseStatus.CONVERSATION


def test_approval_renders_the_pdf_once_and_stores_it_with_its_sha256(
    case, officer, django_capture_on_commit_callbacks
):
    record(case)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.case_approve(case=case, by=officer)
    document.refresh_from_db()
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED
    assert document.is_rendered and document.version == 1 and document.refers_to is None
    data = services.document_path(document).read_bytes()
    assert hashlib.sha256(data).hexdigest() == document.sha256
    text = pdf_text(document)
    assert case.reference in text
    assert "Åsa Öberg" in text
    assert case.personnummer in text
    assert "Undersköterska, vård och omsorg" in text
    assert "Utbildningen stärker personens framtida ställning" in text
    assert "Hanna Handläggare" in text and "Rasmus Rådgivare" in text
    assert services.format_verification_code(document.verification_code) in text

    # Idempotent per (case, version): running the task again renders nothing new.
    rendered_at, sha = document.rendered_at, document.sha256
    render_yttrande_document.delay(document.pk)
    sweep_yttrande.delay()
    document.refresh_from_db()
    assert (document.rendered_at, document.sha256) == (rendered_at, sha)
    assert hashlib.sha256(services.document_path(document).read_bytes()).hexdigest() == sha


def test_only_case_officers_approve(case):
    record(case)
    with pytest.raises(PermissionDenied):
        services.case_approve(case=case, by=case.advisor.user)


def test_a_case_without_an_assessment_cannot_be_approved(case, officer):
    with pytest.raises(ValidationError):
        services.case_approve(case=case, by=officer)
    assert not YttrandeDocument.objects.exists()


def test_a_correction_is_a_new_version_that_refers_to_the_first(case, officer, django_capture_on_commit_callbacks):
    record(case)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.case_approve(case=case, by=officer)
    first.refresh_from_db()
    first_bytes = services.document_read(first)

    services.case_reopen_for_correction(case=case, by=officer)
    record(case, strengthens=False, reasons="Målyrket är inte jämförbart med personens nuvarande yrke.")
    with django_capture_on_commit_callbacks(execute=True):
        second = services.case_approve(case=case, by=officer)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.version == 2 and second.refers_to == first
    assert second.verification_code != first.verification_code
    assert services.document_read(first) == first_bytes  # the first file is untouched
    text = pdf_text(second)
    assert "ersätter version 1" in text
    assert "Utbildningen stärker inte" in text


def test_a_tampered_file_is_detected(case, officer, django_capture_on_commit_callbacks):
    record(case)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.case_approve(case=case, by=officer)
    document.refresh_from_db()
    path = services.document_path(document)
    path.chmod(0o640)
    path.write_bytes(path.read_bytes() + b"%tampered")
    with pytest.raises(ValueError):
        services.document_read(document)


def test_verification_codes_are_random_and_forgiving_to_type():
    codes = {services.new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    typed = services.format_verification_code(code).lower()
    assert services.normalize_verification_code(typed) == code
    assert services.normalize_verification_code("ABCD") is None

"""Every write of the yttrande app: referrals, the responsibility check, the advisor, the
assessment, approval, rendering, sending, and the CSN API clients.

Each function checks who may do it, validates, writes in one transaction (history via
simple-history) and enqueues tasks on commit with ids only.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from omstallning.accounts.roles import Role
from omstallning.core.identity import parse_personnummer

from .models import (
    STUDY_PACES,
    ApiClient,
    Assessment,
    CaseStatus,
    CheckOutcome,
    ReferenceCounter,
    Referral,
    Situation,
    Source,
    YttrandeCase,
    YttrandeDocument,
    education_key,
)

logger = logging.getLogger(__name__)

ORGANISATION_NAME = "Den offentliga omställningsorganisationen"
# Crockford's base32 without the look-alikes I, L, O and U: easy to read from paper and type in.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 100 bits of randomness
_CODE_TRANSLATION = str.maketrans({"O": "0", "I": "1", "L": "1"})


# --- helpers ---------------------------------------------------------------------------------
def normalize_personnummer(value: str, *, on_date: datetime.date | None = None) -> tuple[str, datetime.date]:
    """("YYYYMMDD-NNNN", birth date), or ValidationError naming the field ``personnummer``."""
    try:
        pnr = parse_personnummer(value or "", on_date=on_date)
    except ValueError:
        raise ValidationError(
            {"personnummer": _("Enter a valid personal identity number (YYYYMMDD-NNNN).")}, code="invalid"
        ) from None
    return pnr.normalized, pnr.birth_date


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_verification_code(value: str) -> str | None:
    """The stored form of a typed code (hyphens, spaces and case ignored), or None if malformed."""
    code = "".join((value or "").split()).replace("-", "").upper().translate(_CODE_TRANSLATION)
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def format_verification_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _next_reference(now: datetime.datetime) -> str:
    year = timezone.localdate(now).year
    counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"YTT-{year}-{counter.last:06d}"


def _is_officer(user) -> bool:
    return user is not None and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.ADMINISTRATOR))


def _require_officer(user):
    if not _is_officer(user):
        raise PermissionDenied


def _applicant_for(personnummer: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(personnummer=personnummer.replace("-", "")).first()


def _orgnr(value: str) -> str:
    from omstallning.core.identity import normalize_orgnr

    value = (value or "").strip()
    return normalize_orgnr(value) if value else ""


# --- referrals -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReferralData:
    personnummer: str
    person_name: str
    csn_reference: str
    education_name: str
    education_provider: str
    education_start: datetime.date
    education_weeks: int
    education_pace: int = 100
    situation: str = ""
    employer_org_number: str = ""
    kollektivavtal: bool | None = None


def validate_referral(data: ReferralData, *, require_csn_reference: bool = True) -> tuple[str, datetime.date]:
    """Every problem at once, each under its field's name (ValidationError with a dict)."""
    errors: dict[str, list[str]] = {}
    pnr = birth = None
    try:
        pnr, birth = normalize_personnummer(data.personnummer)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    required = {
        "person_name": _("Enter the person's name."),
        "csn_reference": _("Enter CSN's case reference."),
        "education_name": _("Enter the name of the education."),
        "education_provider": _("Enter the education provider."),
    }
    if not require_csn_reference:  # the applicant may not know CSN's reference yet
        required.pop("csn_reference")
    for field, message in required.items():
        if not (getattr(data, field) or "").strip():
            errors[field] = [message]
    if not isinstance(data.education_start, datetime.date):
        errors["education_start"] = [_("Enter the start date of the education.")]
    if not isinstance(data.education_weeks, int) or not 1 <= data.education_weeks <= 520:
        errors["education_weeks"] = [_("Enter the length of the education in weeks (1–520).")]
    if data.education_pace not in dict(STUDY_PACES):
        errors["education_pace"] = [_("The study pace must be 20, 40, 50, 60, 75 or 100 percent.")]
    if data.situation and data.situation not in Situation.values:
        errors["situation"] = [_("Choose one of the listed situations.")]
    if data.employer_org_number:
        from omstallning.core.identity import validate_orgnr

        if not validate_orgnr(data.employer_org_number):
            errors["employer_org_number"] = [_("Enter a valid organisation number (NNNNNN-NNNN).")]
    if errors:
        raise ValidationError(errors)
    return pnr, birth


def case_receive_referral(
    *,
    data: ReferralData,
    source: str,
    api_client: ApiClient | None = None,
    by=None,
    application=None,
) -> tuple[YttrandeCase, bool]:
    """Registers a referral. Returns (case, created).

    A second referral for the same person and the same education returns the existing case and
    creates none (R-2.4: the yttrande already given still applies).
    """
    if source == Source.STAFF:
        _require_officer(by)
    elif source == Source.CSN_API and api_client is None:
        raise PermissionDenied
    pnr, birth = validate_referral(data, require_csn_reference=source != Source.APPLICANT)
    key = education_key(data.education_name, data.education_provider)
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                # FOR UPDATE, not NO KEY UPDATE: the case's application (a unique column) may be set below
                case = YttrandeCase.objects.select_for_update().filter(personnummer=pnr, education_key=key).first()
                created = case is None
                if created:
                    case = YttrandeCase.objects.create(
                        reference=_next_reference(now),
                        source=source,
                        received_at=now,
                        person_name=data.person_name.strip(),
                        personnummer=pnr,
                        birth_date=birth,
                        applicant=_applicant_for(pnr),
                        csn_reference=data.csn_reference.strip(),
                        education_name=data.education_name.strip(),
                        education_provider=data.education_provider.strip(),
                        education_start=data.education_start,
                        education_weeks=data.education_weeks,
                        education_pace=data.education_pace,
                        education_key=key,
                        situation=data.situation,
                        employer_org_number=_orgnr(data.employer_org_number),
                        kollektivavtal=data.kollektivavtal,
                        application=application,
                        api_client=api_client,
                    )
                elif application is not None and case.application_id is None:
                    case.application = application
                    case.save(update_fields=["application"])
                Referral.objects.create(
                    case=case,
                    source=source,
                    csn_reference=data.csn_reference.strip(),
                    api_client=api_client,
                    received_by=by,
                    received_at=now,
                    created_case=created,
                )
                if created:
                    case_check_responsibility(case=case)
                logger.info("yttrande: referral from %s -> case %s (created=%s)", source, case.pk, created)
                return case, created
        except IntegrityError:
            # A concurrent referral for the same person and education won the insert; read it.
            continue
    raise RuntimeError("yttrande: could not register the referral")


# --- the responsibility check (R-1.40, D10, D11) ---------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    outcome: str
    reasons: list[dict]
    responsible_organisation: str


def _registry_organisation(org_number: str, on_date: datetime.date):
    """The registered organisation the employer is affiliated with, or None (also when the
    registry is not available)."""
    if not org_number:
        return None
    try:
        from registry.selectors import organisation_for_employer
    except ImportError:  # pragma: no cover - the registry is part of the project
        return None
    try:
        return organisation_for_employer(org_number=org_number, on_date=on_date)
    except ValueError:
        return None


def check_responsibility(case: YttrandeCase, *, on_date: datetime.date | None = None) -> CheckResult:
    """Whether the public organisation may write this yttrande, and who else is responsible."""
    from eligibility.rules.engine import evaluate

    on_date = on_date or timezone.localdate(case.received_at)
    organisation = _registry_organisation(case.employer_org_number, on_date)
    affiliated = organisation is not None
    situation = case.situation or "anstalld"
    employer = None
    if situation != Situation.EGENFORETAGARE:
        employer = {
            "active_in_sweden": True,
            "registered_with_skatteverket": True,
            "kollektivavtal": bool(case.kollektivavtal) or affiliated,
            "finances_registered_organisation": affiliated,
        }
    result = evaluate(
        {
            "id": case.reference,
            "service": "yttrande",
            "application_date": on_date.isoformat(),
            "birth_date": case.birth_date.isoformat(),
            "situation": situation,
            "employer": employer,
        }
    )
    reasons = [
        {"rule": r["rule"], "passed": r["passed"], "text": r["text"], "text_en": r.get("text_en", "")}
        for r in result["reasons"]
    ]
    if not result["eligible"]:
        if affiliated:
            responsible = organisation.name
        elif case.kollektivavtal:
            responsible = _("the transition organisation of the employer's collective agreement")
        else:
            responsible = ""
        return CheckResult(CheckOutcome.NOT_RESPONSIBLE, reasons, responsible)
    # The age passed. Without the situation, or for an employee without a known answer on the
    # collective agreement, the check cannot be completed yet: a case officer completes it.
    unknown = []
    if not case.situation:
        unknown.append(_("the person's situation is not known"))
    if situation != Situation.EGENFORETAGARE and case.kollektivavtal is None and not affiliated:
        unknown.append(_("it is not known whether the employer has a collective agreement"))
    if unknown:
        reasons.append({"rule": "R-1.40", "passed": None, "text": "; ".join(unknown), "text_en": ""})
        return CheckResult(CheckOutcome.INCOMPLETE, reasons, "")
    return CheckResult(CheckOutcome.RESPONSIBLE, reasons, ORGANISATION_NAME)


def case_check_responsibility(*, case: YttrandeCase, by=None) -> YttrandeCase:
    """Runs the check and moves the case: conversation (and an advisor), not responsible, or
    waiting in responsible_check for a case officer to complete the details."""
    if by is not None:
        _require_officer(by)
    if case.status not in (CaseStatus.REFERRAL_RECEIVED, CaseStatus.RESPONSIBLE_CHECK, CaseStatus.NOT_RESPONSIBLE):
        raise ValidationError(_("The check can only be run before the conversation."))
    result = check_responsibility(case)
    case.check_outcome = result.outcome
    case.check_reasons = result.reasons
    case.responsible_organisation = result.responsible_organisation
    case.checked_at = timezone.now()
    case.status = {
        CheckOutcome.RESPONSIBLE: CaseStatus.CONVERSATION,
        CheckOutcome.NOT_RESPONSIBLE: CaseStatus.NOT_RESPONSIBLE,
    }.get(result.outcome, CaseStatus.RESPONSIBLE_CHECK)
    case.save(update_fields=["check_outcome", "check_reasons", "responsible_organisation", "checked_at", "status"])
    if case.status == CaseStatus.CONVERSATION:
        _enqueue_assignment(case)
    return case


def case_confirm_responsible(*, case: YttrandeCase, by) -> YttrandeCase:
    """A case officer confirms that the public organisation is responsible (after completing what
    the referral lacked); the case goes on to the conversation."""
    _require_officer(by)
    with transaction.atomic():
        case = YttrandeCase.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.status != CaseStatus.RESPONSIBLE_CHECK:
            raise ValidationError(_("Only a case waiting for the check can be confirmed."))
        case.status = CaseStatus.CONVERSATION
        case.check_outcome = CheckOutcome.RESPONSIBLE
        case.responsible_organisation = ORGANISATION_NAME
        case.checked_at = timezone.now()
        case.save(update_fields=["status", "check_outcome", "responsible_organisation", "checked_at"])
        _enqueue_assignment(case)
    return case


# --- the advisor -----------------------------------------------------------------------------
def _enqueue_assignment(case: YttrandeCase):
    from .tasks import assign_yttrande_advisor

    assign_yttrande_advisor.delay_on_commit(case.pk)


def _choose_advisor(case: YttrandeCase):
    """The advisor: the one already assigned to the linked application, otherwise the advisors
    app's cascade (a digital conversation, in Swedish, for the service "yttrande")."""
    from advisors.models import Advisor, Assignment

    if case.application_id:
        # The application is assigned by the advisors app once it is granted; the yttrande
        # follows that assignment (the sweep looks again until there is one).
        assignment = Assignment.objects.filter(application_id=case.application_id).select_related("advisor").first()
        return assignment.advisor if assignment is not None else None
    from advisors.assignment import Need, choose_advisor
    from advisors.services import supplier_options

    need = Need(service="yttrande", municipality="", meeting="digital", language="sv")
    choice = choose_advisor(need, supplier_options(lock=True))
    if choice is None:
        return None
    return Advisor.objects.get(pk=choice.advisor_id)


def case_assign_advisor(*, case_id: int) -> YttrandeCase | None:
    """Idempotent: a case that has an advisor keeps it."""
    with transaction.atomic():
        case = YttrandeCase.objects.select_for_update(no_key=True).filter(pk=case_id).first()
        if case is None or case.advisor_id is not None or case.status != CaseStatus.CONVERSATION:
            return case
        advisor = _choose_advisor(case)
        if advisor is None:
            if case.application_id:
                logger.info("yttrande: case %s waits for its application's assignment", case.pk)
            else:
                logger.warning("yttrande: no advisor available for case %s", case.pk)
            return case
        case.advisor = advisor
        case.assigned_at = timezone.now()
        case.save(update_fields=["advisor", "assigned_at"])
        logger.info("yttrande: case %s assigned to advisor %s", case.pk, advisor.pk)
        return case


# --- from the applicant's application form ---------------------------------------------------
def _yes_no(value) -> bool | None:
    if value in (True, "yes", "true", "1", 1):
        return True
    if value in (False, "no", "false", "0", 0):
        return False
    return None


def case_from_application(*, application_id: int) -> YttrandeCase | None:
    """The yttrande case of an application for "yttrande till CSN" (idempotent).

    The application's submitted snapshot gives the person, the planned education and the
    employment details. When the same person already has a case for the same education (e.g.
    CSN referred them first), the application is linked to that case (R-2.4).
    """
    from applications.models import Application, Service

    application = Application.objects.select_related("applicant").filter(pk=application_id).first()
    if application is None or application.service != Service.YTTRANDE:
        return None
    existing = YttrandeCase.objects.filter(application=application).first()
    if existing is not None:
        return existing
    steps = (application.snapshot or {}).get("steps", {})
    about, education, employment = steps.get("about", {}), steps.get("education", {}), steps.get("employment", {})
    applicant = application.applicant
    name = " ".join(p for p in (about.get("first_name"), about.get("last_name")) if p) or applicant.get_full_name()
    try:
        start = datetime.date.fromisoformat(str(education.get("start_date") or ""))
    except ValueError:
        start = None
    try:
        weeks = int(education.get("length_weeks"))
    except (TypeError, ValueError):
        weeks = 0
    try:
        pace = int(education.get("pace") or 100)
    except (TypeError, ValueError):
        pace = 0
    data = ReferralData(
        personnummer=about.get("personnummer") or applicant.personnummer or "",
        person_name=name,
        csn_reference=education.get("csn_reference") or "",
        education_name=education.get("education_name") or "",
        education_provider=education.get("provider") or "",
        education_start=start,
        education_weeks=weeks,
        education_pace=pace,
        situation=employment.get("situation") if employment.get("situation") in Situation.values else "",
        employer_org_number=employment.get("employer_org_number") or "",
        kollektivavtal=_yes_no(employment.get("kollektivavtal")),
    )
    try:
        case, _created = case_receive_referral(data=data, source=Source.APPLICANT, application=application)
    except ValidationError as exc:
        logger.warning(
            "yttrande: application %s could not become a case (fields: %s)",
            application.pk,
            ", ".join(sorted(exc.message_dict)),
        )
        return None
    if case.applicant_id is None:
        YttrandeCase.objects.filter(pk=case.pk, applicant__isnull=True).update(applicant=applicant)
    return case


# --- the assessment --------------------------------------------------------------------------
ASSESSMENT_FIELDS = (
    "conversation_on",
    "occupation",
    "target_occupation",
    "region",
    "shortage_occupation",
    "labour_market_needs",
    "strengthens",
    "reasons",
)


def can_record_assessment(case: YttrandeCase, user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and case.advisor_id is not None
        and case.advisor.user_id == user.pk
        and user.has_role(Role.ADVISOR)
    )


def assessment_record(*, case: YttrandeCase, by, **values) -> Assessment:
    """The assigned advisor records (or, until approval, revises) the assessment."""
    if not can_record_assessment(case, by):
        raise PermissionDenied
    unknown = set(values) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    errors = {}
    for field in ("occupation", "target_occupation", "region", "reasons"):
        if not str(values.get(field) or "").strip():
            errors[field] = [_("This field is required.")]
    if values.get("strengthens") not in (True, False):
        errors["strengthens"] = [_("Choose whether the education strengthens the person's position.")]
    if not isinstance(values.get("conversation_on"), datetime.date):
        errors["conversation_on"] = [_("Enter the date of the conversation.")]
    elif values["conversation_on"] > timezone.localdate():
        errors["conversation_on"] = [_("The conversation cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        case = YttrandeCase.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.status not in (CaseStatus.CONVERSATION, CaseStatus.ASSESSMENT_RECORDED):
            raise ValidationError(_("The assessment can no longer be changed."))
        assessment, _created = Assessment.objects.update_or_create(
            case=case, defaults={**values, "recorded_by": by, "recorded_at": timezone.now()}
        )
        case.status = CaseStatus.ASSESSMENT_RECORDED
        case.save(update_fields=["status"])
    return assessment


# --- approval, rendering and sending ---------------------------------------------------------
def _display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def _content(case: YttrandeCase, assessment: Assessment, *, version, code, issued_at, by, replaces) -> dict:
    return {
        "reference": case.reference,
        "version": version,
        "person_name": case.person_name,
        "personnummer": case.personnummer,
        "csn_reference": case.csn_reference,
        "education_name": case.education_name,
        "education_provider": case.education_provider,
        "education_start": case.education_start.isoformat(),
        "education_weeks": case.education_weeks,
        "education_pace": case.education_pace,
        "occupation": assessment.occupation,
        "target_occupation": assessment.target_occupation,
        "region": assessment.region,
        "shortage_occupation": assessment.shortage_occupation,
        "labour_market_needs": assessment.labour_market_needs,
        "strengthens": assessment.strengthens,
        "reasons": assessment.reasons,
        "advisor_name": _display_name(assessment.recorded_by),
        "issued_on": timezone.localdate(issued_at).isoformat(),
        "organisation": ORGANISATION_NAME,
        "approved_by": _display_name(by),
        "verification_code": format_verification_code(code),
        "verification_path": f"/verifiera/{format_verification_code(code)}/",
        "replaces_version": replaces,
    }


def case_approve(*, case: YttrandeCase, by) -> YttrandeDocument:
    """A case officer approves the assessment: the next version of the yttrande is issued (its
    content frozen now) and rendered into a PDF by a task after the commit."""
    _require_officer(by)
    with transaction.atomic():
        case = YttrandeCase.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.status != CaseStatus.ASSESSMENT_RECORDED:
            raise ValidationError(_("Only a case with a recorded assessment can be approved."))
        assessment = Assessment.objects.select_related("recorded_by").get(case=case)
        previous = case.documents.order_by("-version").first()
        version = previous.version + 1 if previous else 1
        code = new_verification_code()
        issued_at = timezone.now()
        document = YttrandeDocument.objects.create(
            case=case,
            version=version,
            refers_to=previous,
            verification_code=code,
            approved_by=by,
            issued_at=issued_at,
            content=_content(
                case,
                assessment,
                version=version,
                code=code,
                issued_at=issued_at,
                by=by,
                replaces=previous.version if previous else None,
            ),
        )
        case.status = CaseStatus.APPROVED
        case.save(update_fields=["status"])
        from .tasks import render_yttrande_document

        render_yttrande_document.delay_on_commit(document.pk)
    logger.info("yttrande: case %s approved, document %s (v%s)", case.pk, document.pk, version)
    return document


def case_reopen_for_correction(*, case: YttrandeCase, by) -> YttrandeCase:
    """A case officer reopens an issued yttrande for correction: the advisor may revise the
    assessment, and the next approval issues a new version that refers to this one."""
    _require_officer(by)
    with transaction.atomic():
        case = YttrandeCase.objects.select_for_update(no_key=True).get(pk=case.pk)
        if case.status not in (CaseStatus.APPROVED, CaseStatus.SENT):
            raise ValidationError(_("Only an issued yttrande can be corrected."))
        case.status = CaseStatus.ASSESSMENT_RECORDED
        case.save(update_fields=["status"])
    return case


def document_path(document: YttrandeDocument) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / document.file_path


def _pdf_data(content: dict):
    from .pdf import YttrandePdfData

    values = dict(content)
    values["education_start"] = datetime.date.fromisoformat(values["education_start"])
    values["issued_on"] = datetime.date.fromisoformat(values["issued_on"])
    return YttrandePdfData(**values)


def document_render(*, document_id: int) -> YttrandeDocument | None:
    """Renders the document's PDF once (idempotent per case and version).

    The file name is fixed per (case, version); a rendered document is never rendered again. A
    render interrupted before the commit leaves at most an unreferenced file, which the next
    attempt replaces atomically.
    """
    from .pdf import render_yttrande_pdf

    with transaction.atomic():
        document = YttrandeDocument.objects.select_for_update(no_key=True).filter(pk=document_id).first()
        if document is None or document.is_rendered:
            return document
        pdf = render_yttrande_pdf(_pdf_data(document.content))
        relative = f"yttranden/{document.case_id}/v{document.version}.pdf"
        target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
        with open(tmp, "xb") as fh:
            fh.write(pdf)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        os.chmod(target, 0o440)
        document.file_path = relative
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size = len(pdf)
        document.rendered_at = timezone.now()
        document.save(update_fields=["file_path", "sha256", "size", "rendered_at"])
    logger.info("yttrande: document %s rendered (%s bytes)", document.pk, document.size)
    return document


def document_read(document: YttrandeDocument) -> bytes:
    """The stored bytes, checked against the recorded SHA-256."""
    data = document_path(document).read_bytes()
    if hashlib.sha256(data).hexdigest() != document.sha256:
        logger.error("yttrande: document %s does not match its SHA-256", document.pk)
        raise ValueError("stored yttrande does not match its checksum")
    return data


def document_mark_sent(*, document: YttrandeDocument, api_client: ApiClient) -> YttrandeDocument:
    """Sending, for now, is the CSN client fetching the PDF: the first fetch marks it sent."""
    with transaction.atomic():
        document = YttrandeDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
        if document.sent_to_csn_at is None:
            document.sent_to_csn_at = timezone.now()
            document.save(update_fields=["sent_to_csn_at"])
            YttrandeCase.objects.filter(pk=document.case_id, status=CaseStatus.APPROVED).update(status=CaseStatus.SENT)
            logger.info("yttrande: document %s fetched by API client %s", document.pk, api_client.pk)
    return document


# --- API clients -----------------------------------------------------------------------------
def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_client_create(*, name: str, expires_at: datetime.datetime | None = None, by) -> tuple[ApiClient, str]:
    """A new client and its token. The token is returned once and only its SHA-256 is kept."""
    _require_officer(by)
    token = secrets.token_urlsafe(32)
    client = ApiClient.objects.create(
        name=name, token_hash=hash_token(token), token_prefix=token[:8], expires_at=expires_at
    )
    return client, token


def api_client_rotate(*, client: ApiClient, by) -> str:
    _require_officer(by)
    token = secrets.token_urlsafe(32)
    client.token_hash = hash_token(token)
    client.token_prefix = token[:8]
    client.revoked_at = None
    client.save(update_fields=["token_hash", "token_prefix", "revoked_at"])
    return token


def api_client_revoke(*, client: ApiClient, by) -> ApiClient:
    _require_officer(by)
    if client.revoked_at is None:
        client.revoked_at = timezone.now()
        client.save(update_fields=["revoked_at"])
    return client


class TokenRejected(Exception):
    def __init__(self, reason: str, client: ApiClient | None = None):
        super().__init__(reason)
        self.reason = reason
        self.client = client


def api_client_authenticate(token: str, *, remote_addr: str = "") -> ApiClient:
    """The client whose token this is, or TokenRejected (logged, without the token)."""
    client = ApiClient.objects.filter(token_hash=hash_token(token)).first() if token else None
    now = timezone.now()
    reason = None
    if client is None:
        reason = "unknown"
    elif client.revoked_at is not None:
        reason = "revoked"
    elif client.expires_at is not None and client.expires_at <= now:
        reason = "expired"
    if reason:
        logger.warning(
            "yttrande API: rejected token (%s)%s from %s",
            reason,
            f" of client {client.pk}" if client else "",
            remote_addr or "?",
        )
        raise TokenRejected(reason, client)
    if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client

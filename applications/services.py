"""Every write of the applications app: drafts, attachments, submission and the case workflow.

Functions are named `<entity>_<action>(*, ..., by)`. They check permission, validate, write the
case history and enqueue tasks on commit. `application_transition` is the only place that changes
an application's status, and it follows the table in `workflow.py`.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import importlib
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from omstallning.accounts.roles import Role
from omstallning.core.uploads import ScannerUnavailable, UploadRejected, check_pdf, scan_upload

from . import workflow
from .models import (
    Application,
    Attachment,
    AttachmentKind,
    CaseEvent,
    Decision,
    Draft,
    HealthDetails,
    Message,
    MessageDirection,
    Outcome,
    Priority,
    ReceiptClaim,
    Service,
    Situation,
    Status,
)

logger = logging.getLogger(__name__)

ADVISOR_TASK = "advisors.tasks.assign_advisor"
DRAFT_RETENTION_DAYS = 30
DRAFT_REMINDER_DAYS_BEFORE = 7


def handling_days() -> int:
    return getattr(settings, "APPLICATIONS_HANDLING_DAYS", 14)


class ConcurrentDecision(Exception):
    """Another officer changed the case first; the caller must reload and try again."""


class TransitionNotAllowed(Exception):
    """The case's status does not allow this transition."""


# --- drafts --------------------------------------------------------------------------------
def draft_create(*, service: str, by) -> Draft:
    if service not in Service.values:
        raise ValidationError({"service": _("Choose a service.")})
    return Draft.objects.create(applicant=by, service=service)


def draft_save_step(*, draft: Draft, step: str, data: dict[str, Any], by) -> Draft:
    """Stores one step's cleaned data (JSON-safe) and marks the draft active.

    Saving the employment step also looks the employer up in the registry once, here, so that
    the submit does not have to (it only repeats the lookup if the day or the number changed).
    """
    if draft.applicant_id != by.pk:
        raise PermissionDenied
    draft.data = {**draft.data, step: data}
    if step == "employment":
        registry = _registry_entry(data.get("employer_org_number") or "", timezone.localdate())
        if registry is None:
            draft.data.pop(REGISTRY_KEY, None)
        else:
            draft.data[REGISTRY_KEY] = registry
    draft.last_activity_at = timezone.now()
    draft.reminder_sent_at = None
    draft.save(update_fields=["data", "last_activity_at", "reminder_sent_at"])
    return draft


def draft_touch(*, draft: Draft) -> None:
    Draft.objects.filter(pk=draft.pk).update(last_activity_at=timezone.now(), reminder_sent_at=None)


def health_details_save(*, draft: Draft, special_needs: bool, description: str, by) -> HealthDetails:
    """Health details are stored apart from the draft's JSON (sensitive personal data)."""
    if draft.applicant_id != by.pk:
        raise PermissionDenied
    with transaction.atomic():
        health, _created = HealthDetails.objects.update_or_create(
            draft=draft, defaults={"special_needs": special_needs, "description": description}
        )
        draft_save_step(draft=draft, step="health", data={"completed": True}, by=by)
    return health


def draft_delete(*, draft: Draft, by) -> None:
    if draft.applicant_id != by.pk:
        raise PermissionDenied
    for attachment in draft.attachments.filter(application__isnull=True):
        attachment_delete(attachment=attachment, by=by)
    draft.delete()


def drafts_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Daily: remind owners of drafts inactive for 23 days, delete drafts inactive for 30 days."""
    now = now or timezone.now()
    purge_before = now - datetime.timedelta(days=DRAFT_RETENTION_DAYS)
    remind_before = now - datetime.timedelta(days=DRAFT_RETENTION_DAYS - DRAFT_REMINDER_DAYS_BEFORE)
    purged = 0
    for draft in Draft.objects.filter(last_activity_at__lt=purge_before).select_related("applicant"):
        with transaction.atomic():
            for attachment in draft.attachments.filter(application__isnull=True):
                attachment.file.delete(save=False)
                attachment.delete()
            draft.delete()
        purged += 1
    reminded = 0
    candidates = Draft.objects.filter(
        last_activity_at__lt=remind_before, last_activity_at__gte=purge_before, reminder_sent_at__isnull=True
    ).select_related("applicant")
    for draft in candidates:
        # Claim the reminder first so that a second run never sends it twice.
        claimed = Draft.objects.filter(pk=draft.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now)
        if not claimed:
            continue
        _send_mail(
            draft.applicant,
            "applications/email/draft_reminder",
            {"draft": draft, "delete_on": (draft.last_activity_at + datetime.timedelta(days=DRAFT_RETENTION_DAYS))},
        )
        reminded += 1
    logger.info("draft sweep: %s reminded, %s deleted", reminded, purged)
    return {"reminded": reminded, "purged": purged}


# --- attachments ---------------------------------------------------------------------------
_SIGNATURES = (
    (b"%PDF-", "application/pdf", {"pdf"}),
    (b"\xff\xd8\xff", "image/jpeg", {"jpg", "jpeg"}),
    (b"\x89PNG\r\n\x1a\n", "image/png", {"png"}),
)


def sniff_content_type(head: bytes) -> str | None:
    """The content type from the file's first bytes (magic numbers), or None if not allowed."""
    for magic, content_type, _exts in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def validate_upload(upload) -> str:
    """Checks size, extension and content. Returns the sniffed content type."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed_exts = {e for _m, _c, exts in _SIGNATURES for e in exts}
    if ext not in allowed_exts:
        raise ValidationError(_("The file “%(name)s” must be a PDF, JPEG or PNG file.") % {"name": name}, "type")
    if upload.size > Attachment.MAX_SIZE:
        raise ValidationError(_("The file “%(name)s” is larger than 10 MB.") % {"name": name}, "size")
    if upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name}, "empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(_("The file “%(name)s” is not a PDF, JPEG or PNG file.") % {"name": name}, "content")
    expected_exts = next(exts for _m, c, exts in _SIGNATURES if c == content_type)
    if ext not in expected_exts:
        raise ValidationError(
            _("The content of the file “%(name)s” does not match its extension.") % {"name": name}, "mismatch"
        )
    if content_type == "application/pdf":
        try:
            check_pdf(upload)  # active content, password protection, streams that cannot be inspected
        except UploadRejected as exc:
            if exc.code == "pdf_active_content":
                message = _(
                    "The file “%(name)s” contains scripts or embedded programs. Save it as a plain PDF and try again."
                )
                raise ValidationError(message % {"name": name}, "active_content") from exc
            if exc.code == "pdf_encrypted":
                message = _(
                    "The file “%(name)s” is protected by a password, so the case officer cannot open it. "
                    "Save it without a password and try again."
                )
                raise ValidationError(message % {"name": name}, "encrypted") from exc
            message = _("The file “%(name)s” cannot be accepted: %(reason)s")
            raise ValidationError(message % {"name": name, "reason": exc.message}, "pdf") from exc
        finally:
            upload.seek(0)
    try:
        scan_upload(upload)  # ClamAV through clamd when configured (omstallning.core.uploads)
    except UploadRejected as exc:
        raise ValidationError(exc.message, "virus") from exc
    except ScannerUnavailable as exc:
        message = _("The file could not be checked for viruses just now. Try again later.")
        raise ValidationError(message, "scan") from exc
    finally:
        upload.seek(0)
    return content_type


def attachment_add(
    *, upload, kind: str, by, draft: Draft | None = None, application: Application | None = None, message=None
) -> Attachment:
    if draft is not None and draft.applicant_id != by.pk:
        raise PermissionDenied
    if application is not None and application.applicant_id != by.pk:
        raise PermissionDenied
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": _("Choose what kind of document this is.")})
    content_type = validate_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        owner=by,
        draft=draft,
        application=application,
        message=message,
        kind=kind,
        original_name=(upload.name or "")[:200],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    if draft is not None:
        draft_touch(draft=draft)
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> None:
    if attachment.owner_id != by.pk or attachment.application_id is not None:
        raise PermissionDenied
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- submission ----------------------------------------------------------------------------
def _yes(value) -> bool:
    return value in (True, "yes", "true", "1", 1)


def eligibility_case(*, draft_data: dict, service: str, application_date: datetime.date, special_needs: bool) -> dict:
    """The draft as a case in the eligibility CLI's input format (eligibility-cli.md)."""
    about = draft_data.get("about", {})
    emp = draft_data.get("employment", {})
    history = draft_data.get("work_history", {})
    situation = emp.get("situation")
    employer = None
    if situation != Situation.EGENFORETAGARE or emp.get("active_in_sweden") not in (None, ""):
        employer = {
            key: _yes(emp.get(key))
            for key in (
                "active_in_sweden",
                "registered_with_skatteverket",
                "kollektivavtal",
                "finances_registered_organisation",
            )
        }
    months = []
    for row in history.get("months", []):
        entry = {"month": row["month"], "skippable": bool(row.get("skippable_kind"))}
        if row.get("hours") not in (None, ""):
            entry["hours"] = row["hours"]
        if row.get("income") not in (None, ""):
            entry["income"] = row["income"]
        months.append(entry)
    case = {
        "ruleset": "ooo",
        "service": service,
        "application_date": application_date.isoformat(),
        "personnummer": about.get("personnummer"),
        "situation": situation,
        "employment_end_date": emp.get("employment_end_date") or None,
        "employer": employer,
        "was_ceo": _yes(emp.get("was_ceo")),
        "employed_by_spouse": _yes(emp.get("employed_by_spouse")),
        "illness_special_needs": bool(special_needs),
        "months": months,
    }
    return case


def _evaluate(case: dict):
    """Runs the engine and stores the evaluation (rule set version, parameters, input, result)."""
    from eligibility.services import evaluation_create

    evaluation = evaluation_create(case=case)
    return dict(evaluation.result or {}), evaluation


def _next_reference(year: int) -> str:
    """The next diarienummer of the year, in one statement (the row lock serialises submits)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO applications_referencecounter (year, last) VALUES (%s, 1) "
            "ON CONFLICT (year) DO UPDATE SET last = applications_referencecounter.last + 1 RETURNING last",
            [year],
        )
        last = cursor.fetchone()[0]
    return f"OOO-{year}-{last:06d}"


def priority_for(situation: str | None, end_date) -> int:
    """D13: employment that ends or has ended comes first."""
    if situation in (Situation.ANSTALLD, Situation.EGENFORETAGARE) and not end_date:
        return Priority.EMPLOYED
    return Priority.ENDING


# Keys of Draft.data that are not form steps: the registry lookup made when the employment step
# was saved. They are left out of the submitted snapshot's steps.
REGISTRY_KEY = "_registry"


def _registry_entry(org_number: str, on_date: datetime.date) -> dict | None:
    """The registry lookup of the employer as kept in the draft (JSON): the organisation's name or
    None (the public organisation). None without a number, or when the lookup failed: the registry
    is a help for the officer, never a reason to lose a step or a submit."""
    if not org_number:
        return None
    try:
        lookup = importlib.import_module("registry.selectors").organisation_for_employer
    except (ImportError, AttributeError):
        return None
    try:
        organisation = lookup(org_number=org_number, on_date=on_date)
    except Exception:
        logger.exception("registry lookup failed")
        return None
    return {
        "org_number": org_number,
        "on": on_date.isoformat(),
        "organisation": str(organisation) if organisation is not None else None,
    }


def _registry_organisation(draft_data: dict, org_number: str, on_date: datetime.date) -> str | None:
    """The name of the employer's registered organisation on `on_date`: the lookup stored with the
    employment step if it was made for this number on this day, else a lookup now."""
    stored = draft_data.get(REGISTRY_KEY)
    fresh = isinstance(stored, dict) and stored.get("org_number") == org_number
    if not (fresh and stored.get("on") == on_date.isoformat()):
        stored = _registry_entry(org_number, on_date) or {}
    return stored.get("organisation")


@dataclass
class SubmitResult:
    application: Application
    created: bool


def application_submit(*, token, by) -> SubmitResult:
    """Turns the draft with this token into an application, exactly once.

    A second submit of the same draft (two tabs, back button, double click) finds the draft gone
    and returns the application made by the first; the unique `source_token` guarantees it.
    """
    try:
        with transaction.atomic():
            draft = _locked_draft(token, by)
            if draft is None:
                existing = Application.objects.filter(source_token=token, applicant=by).first()
                if existing is None:
                    raise Draft.DoesNotExist
                return SubmitResult(existing, False)
            application = _submit_draft(draft, by, health=draft.health_row)
    except IntegrityError:
        existing = Application.objects.filter(source_token=token, applicant=by).first()
        if existing is None:
            raise
        return SubmitResult(existing, False)
    return SubmitResult(application, True)


def _locked_draft(token, by) -> Draft | None:
    """One statement: the applicant's draft with this token, row-locked (FOR UPDATE OF the draft
    only), with its health details and attachments joined in, or None. Sets on the draft
    `health_row` = (id, special_needs) or None, and `attachment_rows` = [(id, original name, kind,
    sha256, size)] in upload order (one result row per attachment, at least one row).

    Raw SQL through Draft.objects.raw (the fields' converters still run): the ORM's
    select_for_update + select_related + first() cost ~0.5 ms of CPU to build, several times the
    statement itself, and the attachments were a statement of their own.

    An attachment uploaded in the very moment of the submit (while the submit waits for the
    draft's row lock) is not in the joined rows; the draft's DELETE then fails on the attachment's
    foreign key at commit and the whole submit is rolled back, nothing half-done."""
    from django.db import connection

    features = connection.features
    lock = ""
    if features.has_select_for_update:
        lock = " FOR UPDATE OF d" if features.has_select_for_update_of else " FOR UPDATE"
    columns = ", ".join(f"d.{f.column}" for f in Draft._meta.concrete_fields)
    sql = (
        f"SELECT {columns}, h.id AS health_id_, h.special_needs AS health_special_needs_, "  # noqa: S608
        "a.id AS att_id_, a.original_name AS att_name_, a.kind AS att_kind_, a.sha256 AS att_sha256_, "
        "a.size AS att_size_ "
        f"FROM {Draft._meta.db_table} d "
        f"LEFT JOIN {HealthDetails._meta.db_table} h ON h.draft_id = d.id "
        f"LEFT JOIN {Attachment._meta.db_table} a ON a.draft_id = d.id "
        f"WHERE d.token = %s AND d.applicant_id = %s ORDER BY a.uploaded_at, a.id{lock}"
    )
    token = Draft._meta.get_field("token").get_db_prep_value(token, connection)
    rows = list(Draft.objects.raw(sql, [token, by.pk]))
    if not rows:
        return None
    draft = rows[0]
    draft.health_row = None
    if draft.health_id_ is not None:
        draft.health_row = (draft.health_id_, bool(draft.health_special_needs_))
    draft.attachment_rows = [
        (r.att_id_, r.att_name_, r.att_kind_, r.att_sha256_, r.att_size_) for r in rows if r.att_id_ is not None
    ]
    return draft


def missing_steps(draft: Draft) -> list[str]:
    from .steps import steps_for

    return [s.key for s in steps_for(draft.service) if s.required and s.key not in draft.data]


def _submit_draft(draft: Draft, by, *, health: tuple[int, bool] | None) -> Application:
    """The submit's writes, inside application_submit's transaction, with the draft row locked.

    The statements: the stored evaluation, the reference number, the application with its history
    row, the attachments (and health details) moved over, the case event and the draft deleted
    (the draft, its health details and attachments were read by one statement, _locked_draft).
    The receipt is enqueued when the transaction commits.
    """
    missing = missing_steps(draft)
    if missing:
        raise ValidationError(_("Some steps are not filled in yet."), "incomplete", {"steps": missing})
    now = timezone.now()
    today = timezone.localdate(now)
    case = eligibility_case(
        draft_data=draft.data,
        service=draft.service,
        application_date=today,
        special_needs=bool(health and health[1]),  # joined by application_submit's query
    )
    result, evaluation = _evaluate(case)
    if "error" in result:
        raise ValidationError(_("The application could not be checked: %(error)s") % {"error": result["error"]})
    about = draft.data.get("about", {})
    emp = draft.data.get("employment", {})
    end_date = emp.get("employment_end_date") or None
    attachments = draft.attachment_rows  # joined by application_submit's query
    organisation = None
    if emp.get("employer_org_number"):
        organisation = _registry_organisation(draft.data, emp["employer_org_number"], today)
    snapshot = {
        "service": draft.service,
        "submitted_at": now.isoformat(),
        "steps": {key: value for key, value in draft.data.items() if key != REGISTRY_KEY},
        "health_details": "stored separately" if health else None,
        "attachments": [
            {"id": pk, "name": name, "kind": kind, "sha256": sha256, "size": size}
            for pk, name, kind, sha256, size in attachments
        ],
        "registry_organisation": organisation,
    }
    application = Application(
        reference=_next_reference(today.year),
        source_token=draft.token,
        applicant=by,
        service=draft.service,
        status=Status.SUBMITTED,
        priority=priority_for(emp.get("situation"), end_date),
        situation=emp.get("situation") or "",
        employment_end_date=end_date,
        municipality=about.get("municipality", ""),
        meeting_preference=about.get("meeting_preference") or "digital",
        preferred_language=about.get("preferred_language", ""),
        employer_name=emp.get("employer_name", ""),
        employer_org_number=emp.get("employer_org_number", ""),
        submitted_at=now,
        due_at=now + datetime.timedelta(days=handling_days()),
        snapshot=snapshot,
        eligibility_input=case,
        eligibility_result=result,
        eligible=result.get("eligible"),
        evaluation=evaluation,
    )
    application.skip_history_when_saving = True  # the history row is written below, by hand
    application.save(force_insert=True)
    del application.skip_history_when_saving
    _history_created(application, by=by, at=now)
    if attachments:
        Attachment.objects.filter(pk__in=[row[0] for row in attachments]).update(application=application, draft=None)
    if health is not None:
        HealthDetails.objects.filter(pk=health[0]).update(draft=None, application=application, updated_at=now)
    event = {"application_id": application.pk, "at": now, "actor_id": by.pk, "action": "submit"}
    _insert_row(CaseEvent, {**event, "from_status": "", "to_status": Status.SUBMITTED, "reason": ""})
    _delete_submitted_draft(draft)
    # Queued only once the submit is committed (never for a rolled-back one), and robustly: see
    # _enqueue_receipt.
    transaction.on_commit(functools.partial(_enqueue_receipt, application.pk))
    return application


@functools.cache
def _history_model_and_fields():
    """The historical model of Application and the attnames it copies (simple-history's tracked
    fields: every concrete field but the excluded JSON ones). Looked up once: each access to
    `Application.history` builds a new manager class (inspect.getmembers)."""
    model = Application.history.model
    tracked = {f.attname for f in model._meta.concrete_fields}
    return model, [f.attname for f in Application._meta.concrete_fields if f.attname in tracked]


def _history_created(application: Application, *, by, at: datetime.datetime) -> None:
    """The "+" history row of a new application, as simple-history's post_save writes it (same
    fields, user and date), without the manager class it builds on every save and, when no one
    listens to simple-history's create signals, as one plain INSERT."""
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    model, fields = _history_model_and_fields()
    values = {name: getattr(application, name) for name in fields}
    values.update(history_date=at, history_type="+", history_user_id=by.pk, history_change_reason=None)
    if not (pre_create_historical_record.has_listeners(model) or post_create_historical_record.has_listeners(model)):
        _insert_row(model, values)
        return
    signal_kwargs = {"history_date": at, "history_user": by, "history_change_reason": None, "using": None}
    record = model(**values)
    pre_create_historical_record.send(sender=model, instance=application, history_instance=record, **signal_kwargs)
    record.save(force_insert=True)
    post_create_historical_record.send(sender=model, instance=application, history_instance=record, **signal_kwargs)


@functools.cache
def _insert_statement(model, names: tuple[str, ...]) -> tuple[str, tuple]:
    from django.db import connection

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    fields = tuple(by_attname[name] for name in names)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})", fields  # noqa: S608


def _insert_row(model, values: dict[str, Any]) -> None:
    """One INSERT of a row of `model` from attname -> value, every column but the auto primary key
    given (no model defaults, no save signals): for the submit's rows whose model instance
    nobody uses. Values go through the fields' get_db_prep_save, as in the ORM."""
    from django.db import connection

    missing = {f.attname for f in model._meta.concrete_fields if not f.primary_key} - values.keys()
    if missing:
        raise ValueError(f"{model.__name__}: no value for {sorted(missing)}")
    sql, fields = _insert_statement(model, tuple(values))
    params = [f.get_db_prep_save(values[f.attname], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _enqueue_receipt(application_id: int) -> None:
    """Queues the receipt e-mail; called on commit, in the web request (gunicorn sync workers).

    The publish goes through Celery's producer pool: the process keeps its broker connection
    (broker_pool_limit), so a submit does not open one. If the broker cannot be reached, the
    application is committed all the same: the applicant gets the receipt page, not an error, the
    failure is logged with the id only, and receipts_sweep queues the receipt again.
    """
    from .tasks import send_receipt

    try:
        send_receipt.delay(application_id)
    except Exception:
        logger.exception("receipt for application %s could not be queued; receipts_sweep will", application_id)


RECEIPT_SWEEP_AFTER = datetime.timedelta(minutes=10)
RECEIPT_SWEEP_WINDOW = datetime.timedelta(days=7)


def receipts_sweep(*, now: datetime.datetime | None = None) -> int:
    """Every 15 minutes (beat): queues the receipt of each application submitted in the last 7 days,
    more than 10 minutes ago, that has none yet (its publish failed). Returns how many."""
    from .tasks import send_receipt

    now = now or timezone.now()
    pending = list(
        Application.objects.filter(
            submitted_at__lt=now - RECEIPT_SWEEP_AFTER, submitted_at__gte=now - RECEIPT_SWEEP_WINDOW
        )
        .exclude(events__action="receipt_sent")
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:1000]
    )
    for application_id in pending:
        send_receipt.delay(application_id)
    logger.info("receipt sweep: %s queued", len(pending))
    return len(pending)


def _delete_submitted_draft(draft: Draft) -> None:
    """Deletes the draft whose attachments and health details have just moved to the application.

    One DELETE: Django's delete() would first look for health details and attachments to cascade
    to (two more statements) although none are left. Should one have been added meanwhile, the
    foreign key refuses the delete at commit and the whole submit is rolled back.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Draft._meta.db_table} WHERE id = %s", [draft.pk])  # noqa: S608


# A claim older than this is taken to be a crashed worker's, and the sweep's task takes it over.
# Well above the time one send_mail can take (give the SMTP mailer a timeout below it), and below
# RECEIPT_SWEEP_AFTER + the sweep's 15 minutes, so the first sweep after a crash resends.
RECEIPT_CLAIM_TIMEOUT = datetime.timedelta(minutes=10)


def application_send_receipt(*, application_id: int) -> bool:
    """Sends the receipt once, without holding a lock on the case while the mail goes out.

    1. Claim (one statement, autocommit): an upsert of the application's ReceiptClaim row that
       only takes over a claim older than RECEIPT_CLAIM_TIMEOUT and not yet sent. Two tasks (or
       the task and a sweep) at once: the second waits on the primary key for the first's
       one-statement insert and then finds a fresh claim, so only one of them sends.
    2. send_mail, with no transaction open: an officer deciding the case does not wait for SMTP.
    3. Record (one short transaction): `sent_at` and the `receipt_sent` case event.

    A send that fails releases the claim (the sweep sends later); a worker that dies between 1
    and 3 leaves a claim that the sweep's task takes over after the timeout. The one duplicate
    left is SMTP's own: a mail accepted by the server whose worker died before step 3.
    Returns True if this call sent the receipt.
    """
    application = Application.objects.select_related("applicant").filter(pk=application_id).first()
    if application is None:
        return False
    claim = _receipt_claim(application_id)
    if claim is None:
        return False
    try:
        _send_mail(application.applicant, "applications/email/receipt", {"application": application})
    except Exception:
        ReceiptClaim.objects.filter(application_id=application_id, claim=claim, sent_at__isnull=True).delete()
        raise
    with transaction.atomic():
        # Recorded by whichever sender gets here first, even one whose claim was taken over:
        # one receipt_sent event, and no third send.
        recorded = ReceiptClaim.objects.filter(application_id=application_id, sent_at__isnull=True).update(
            sent_at=timezone.now(), claim=claim
        )
        if recorded:
            CaseEvent.objects.create(application_id=application_id, action="receipt_sent")
        else:
            logger.warning("receipt for application %s was sent twice (a claim outlived its timeout)", application_id)
    return True


def _receipt_claim(application_id: int):
    """Claims the receipt: the new claim's UUID, or None when it is sent or claimed by another
    task less than RECEIPT_CLAIM_TIMEOUT ago (or the receipt_sent event predates the claims)."""
    import uuid

    from django.db import connection

    now = timezone.now()
    claim = uuid.uuid4()
    table, events = ReceiptClaim._meta.db_table, CaseEvent._meta.db_table
    sql = (
        f"INSERT INTO {table} (application_id, claim, claimed_at, sent_at) "  # noqa: S608
        "SELECT %s, %s, %s, NULL "
        f"WHERE NOT EXISTS (SELECT 1 FROM {events} WHERE application_id = %s AND action = 'receipt_sent') "
        "ON CONFLICT (application_id) DO UPDATE SET claim = excluded.claim, claimed_at = excluded.claimed_at "
        f"WHERE {table}.sent_at IS NULL AND {table}.claimed_at < %s "
        "RETURNING claim"
    )

    def prep(field, value):
        return ReceiptClaim._meta.get_field(field).get_db_prep_value(value, connection)

    params = [application_id, prep("claim", claim), prep("claimed_at", now)]
    params += [application_id, prep("claimed_at", now - RECEIPT_CLAIM_TIMEOUT)]
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
    except IntegrityError:  # the application was deleted meanwhile
        return None
    return claim if row is not None else None


def _send_mail(user, template: str, context: dict) -> None:
    if not user.email:
        return
    from django.core.mail import send_mail

    with translation.override(user.preferred_language or "sv"):
        ctx = {**context, "user": user, "portal_name": settings.PORTAL_NAME}
        subject = render_to_string(f"{template}_subject.txt", ctx).strip()
        body = render_to_string(f"{template}.txt", ctx)
    send_mail(subject, body, None, [user.email])


# --- the case workflow ---------------------------------------------------------------------
def _check_role(user, role) -> None:
    if role == Role.APPLICANT:
        return
    if not (user.has_role(role) or user.has_role(Role.ADMINISTRATOR)):
        raise PermissionDenied


def application_transition(
    *, application_id: int, name: str, by, reason: str = "", expected_version: int | None = None, **changes
) -> Application:
    """Locks the case row, checks the table and the version, changes the status, logs the event.

    Two officers deciding the same case at once: the second waits for the row lock, then finds a
    new version (or a status the table does not allow) and gets ConcurrentDecision.

    The lock is FOR NO KEY UPDATE: a transition never changes the primary key (or the other unique
    columns), so rows that only refer to the case (the receipt claim's upsert, a message, a case
    event written by another transaction) do not wait for it; a second transition still does.
    The save writes only the columns the transition changes, so the snapshot is not written and
    Application.save need not read it back to check that it is unchanged.
    """
    transition = workflow.TRANSITIONS[name]
    _check_role(by, transition.role)
    if transition.reason_required and not reason.strip():
        raise ValidationError({"reason": _("Give a reason.")})
    application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
    if transition.role == Role.APPLICANT and application.applicant_id != by.pk:
        raise PermissionDenied
    if expected_version is not None and application.version != expected_version:
        raise ConcurrentDecision(_("Another case officer changed this case while you were working on it."))
    if application.status not in transition.sources:
        if expected_version is None and application.status == transition.target:
            raise ConcurrentDecision(_("Another case officer changed this case while you were working on it."))
        raise TransitionNotAllowed(
            _("A case with status “%(status)s” cannot be changed this way.")
            % {"status": application.get_status_display()}
        )
    old = application.status
    application.status = transition.target
    application.version = application.version + 1
    written = ["status", "version"]
    if transition.role == Role.CASE_OFFICER and application.case_officer_id is None:
        application.case_officer = by
        written.append("case_officer")
    for field, value in changes.items():
        setattr(application, field, value)
        written.append(field)
    application._change_reason = name
    application.save(update_fields=written)
    CaseEvent.objects.create(
        application=application, actor=by, action=name, from_status=old, to_status=transition.target, reason=reason
    )
    return application


@transaction.atomic
def application_request_completion(
    *, application_id: int, message: str, reply_due: datetime.date | None = None, by, expected_version=None
) -> Application:
    now = timezone.now()
    application = application_transition(
        application_id=application_id,
        name="request_completion",
        by=by,
        reason=message,
        expected_version=expected_version,
        paused_at=now,
    )
    Message.objects.create(
        application=application,
        sender=by,
        direction=MessageDirection.TO_APPLICANT,
        body=message,
        is_completion_request=True,
        reply_due=reply_due,
    )
    from .tasks import notify_applicant

    notify_applicant.delay_on_commit(application.pk)
    return application


@transaction.atomic
def application_answer_completion(*, application_id: int, body: str, uploads=(), by) -> Application:
    """The applicant answers a completion request; the handling clock runs again."""
    if not body.strip() and not uploads:
        raise ValidationError({"body": _("Write an answer or attach a document.")})
    current = Application.objects.filter(pk=application_id, applicant=by).first()
    if current is None:
        raise PermissionDenied
    now = timezone.now()
    changes = {"paused_at": None}
    if current.paused_at and current.due_at:
        changes["due_at"] = current.due_at + (now - current.paused_at)
    application = application_transition(application_id=application_id, name="answer_completion", by=by, **changes)
    request = application.messages.filter(is_completion_request=True).order_by("-sent_at").first()
    reply = Message.objects.create(
        application=application,
        sender=by,
        direction=MessageDirection.TO_OFFICER,
        body=body,
        in_reply_to=request,
    )
    for upload in uploads:
        attachment_add(upload=upload, kind=AttachmentKind.COMPLETION, by=by, application=application, message=reply)
    return application


def _letter(application: Application, decision: Decision) -> str:
    with translation.override("sv"):
        reasons = [r for r in application.eligibility_result.get("reasons", []) if r["rule"] in decision.failed_rules]
        return render_to_string(
            "applications/letters/decision.txt",
            {"application": application, "decision": decision, "failed_reasons": reasons},
        )


def _enqueue_advisor_assignment(application_id: int) -> None:
    """Starts the advisors' assignment task by name (applications never imports advisors)."""
    from omstallning.celery import app

    if app.conf.task_always_eager:
        app.loader.import_default_modules()
        task = app.tasks.get(ADVISOR_TASK)
        if task is None:
            logger.info("advisor assignment task not installed; application %s waits for the sweep", application_id)
            return
        try:
            task.apply_async(args=[application_id])
        except Exception:  # the grant is committed; the advisors' sweep assigns later
            logger.exception("advisor assignment failed for application %s; the sweep will retry", application_id)
        return
    app.send_task(ADVISOR_TASK, args=[application_id])


@transaction.atomic
def application_grant(
    *, application_id: int, service: str | None = None, reason: str = "", by, expected_version=None
) -> Application:
    """Grants the case with the service actually given; the advisor assignment starts on commit."""
    now = timezone.now()
    current = Application.objects.get(pk=application_id)
    service = service or current.service
    if service not in Service.values:
        raise ValidationError({"service": _("Choose the service that is granted.")})
    application = application_transition(
        application_id=application_id,
        name="grant",
        by=by,
        reason=reason,
        expected_version=expected_version,
        granted_at=now,
        granted_service=service,
        decided_at=now,
        paused_at=None,
    )
    decision = Decision(
        application=application,
        outcome=Outcome.GRANTED,
        service=service,
        reason=reason,
        decided_by=by,
        decided_at=now,
    )
    decision.letter_text = _letter(application, decision)
    decision.save()
    from .tasks import notify_applicant

    notify_applicant.delay_on_commit(application.pk)
    transaction.on_commit(lambda: _enqueue_advisor_assignment(application.pk))
    return application


@transaction.atomic
def application_refuse(
    *, application_id: int, reason: str, failed_rules: list[str] | None = None, by, expected_version=None
) -> Application:
    now = timezone.now()
    application = application_transition(
        application_id=application_id,
        name="refuse",
        by=by,
        reason=reason,
        expected_version=expected_version,
        decided_at=now,
        paused_at=None,
    )
    if failed_rules is None:
        failed_rules = application.failed_rules
    decision = Decision(
        application=application,
        outcome=Outcome.REFUSED,
        reason=reason,
        failed_rules=list(failed_rules),
        decided_by=by,
        decided_at=now,
    )
    decision.letter_text = _letter(application, decision)
    decision.save()
    from .tasks import notify_applicant

    notify_applicant.delay_on_commit(application.pk)
    return application


@transaction.atomic
def application_close(*, application_id: int, reason: str, by, expected_version=None) -> Application:
    return application_transition(
        application_id=application_id,
        name="close",
        by=by,
        reason=reason,
        expected_version=expected_version,
        closed_at=timezone.now(),
        paused_at=None,
    )


def application_take(*, application_id: int, by) -> Application:
    """A case officer takes the case (and with it, access to the health details)."""
    _check_role(by, Role.CASE_OFFICER)
    with transaction.atomic():
        application = Application.objects.select_for_update(no_key=True).get(pk=application_id)
        application.case_officer = by
        application._change_reason = "take"
        application.save(update_fields=["case_officer"])
        CaseEvent.objects.create(application=application, actor=by, action="take")
    return application


def message_send(*, application_id: int, body: str, by) -> Message:
    """A plain message from the officer to the applicant (no change of status)."""
    _check_role(by, Role.CASE_OFFICER)
    if not body.strip():
        raise ValidationError({"body": _("Write a message.")})
    with transaction.atomic():
        application = Application.objects.get(pk=application_id)
        message = Message.objects.create(
            application=application, sender=by, direction=MessageDirection.TO_APPLICANT, body=body
        )
        CaseEvent.objects.create(application=application, actor=by, action="message")
        from .tasks import notify_applicant

        notify_applicant.delay_on_commit(application.pk)
    return message


def application_notify(*, application_id: int) -> None:
    """Tells the applicant by e-mail that there is news in Mina ärenden (no content in the mail)."""
    application = Application.objects.select_related("applicant").filter(pk=application_id).first()
    if application is not None:
        _send_mail(application.applicant, "applications/email/news", {"application": application})

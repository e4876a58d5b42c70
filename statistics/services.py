"""Writes for the statistics app: one import service for the command, the web page and the API.

submission_create(...)  stores the uploaded file under PRIVATE_MEDIA_ROOT and a Submission
                        in status `processing`; with enqueue=True it starts one Celery task.
submission_import(...)  reads, validates every cell and COPYs the rows in one transaction;
                        whole file or nothing; replaces the earlier accepted submission of
                        the same organisation and month atomically (it becomes superseded).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import logging
import secrets
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from registry.models import Organisation, OrganisationMember

from . import selectors
from .models import ApiToken, Reminder, StatRow, Submission
from .validation import (
    ErrorLog,
    FileRefused,
    Limits,
    check_header,
    csv_delimiter,
    csv_rows,
    make_row_checker,
    sniff,
    xlsx_rows,
)

logger = logging.getLogger(__name__)

MAX_ROWS = 1_000_000
COPY_COLUMNS = (
    "submission_id",
    "pseudonym",
    "birth_year",
    "legal_sex",
    "service",
    "trigger",
    "application_date",
    "decision",
    "decision_date",
    "first_contact_date",
    "outcome",
    "outcome_date",
    "yttrande_strengthens",
)
ADVISORY_LOCK_CLASS = 8_008  # pg_advisory_xact_lock(class, organisation id): one import per organisation


def limits() -> Limits:
    return Limits(
        max_bytes=settings.STATISTICS_MAX_UPLOAD_MB * 1_048_576,
        max_rows=getattr(settings, "STATISTICS_MAX_ROWS", MAX_ROWS),
        max_uncompressed=getattr(settings, "STATISTICS_MAX_UNCOMPRESSED_MB", 2048) * 1_048_576,
        max_ratio=getattr(settings, "STATISTICS_MAX_ZIP_RATIO", 100),
    )


def pseudonym_key() -> bytes:
    return settings.STATISTICS_PSEUDONYM_KEY.encode("utf-8")


# --- creating a submission ------------------------------------------------------------------
def submission_create(
    *,
    organisation: Organisation,
    period: datetime.date,
    file,
    original_name: str = "",
    source: str = Submission.Source.WEB,
    by=None,
    token: ApiToken | None = None,
    enqueue: bool = True,
) -> Submission:
    """Store the file and a `processing` Submission; enqueue the import (one task per upload).

    `file` is a Django UploadedFile / File, or a filesystem path. Raises ValidationError when the
    organisation is not registered; PermissionDenied when `by` is not one of its members."""
    if source != Submission.Source.AGENCY and not selectors.organisation_is_registered(organisation, period):
        raise ValidationError(_("The organisation is not a registered transition organisation."))
    if (
        by is not None
        and source == Submission.Source.WEB
        and not OrganisationMember.objects.filter(organisation=organisation, user=by).exists()
    ):
        raise PermissionDenied
    relative = Path("statistics") / str(organisation.pk) / f"{period:%Y-%m}-{uuid.uuid4().hex}"
    target = Path(settings.PRIVATE_MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(file, str | Path):
        shutil.copyfile(file, target)
        original_name = original_name or Path(file).name
    else:
        with open(target, "wb") as out:
            if hasattr(file, "chunks"):
                for chunk in file.chunks(1 << 20):
                    out.write(chunk)
            else:
                shutil.copyfileobj(file, out, 1 << 20)
        original_name = original_name or getattr(file, "name", "") or ""
    submission = Submission.objects.create(
        organisation=organisation,
        period=period,
        source=source,
        file_path=str(relative),
        original_name=Path(original_name).name[:255],
        file_size=target.stat().st_size,
        uploaded_by=by,
        api_token=token,
    )
    if enqueue:
        from .tasks import import_submission

        import_submission.delay_on_commit(submission.pk)
    return submission


# --- importing ------------------------------------------------------------------------------
class _Rejected(Exception):
    def __init__(self, log: ErrorLog):
        super().__init__("rejected")
        self.log = log


@dataclass
class ImportResult:
    submission: Submission
    superseded: Submission | None = None


class _PostgresSink:
    """COPY ... FROM STDIN in text format; lines are written in ~1 MB batches."""

    def __init__(self, submission_id: int):
        self.prefix = f"{submission_id}\t"
        self.cursor = connection.cursor()
        self.copy_cm = self.cursor.cursor.copy(
            f"COPY {StatRow._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"  # noqa: S608 - constants
        )
        self.copy = self.copy_cm.__enter__()
        self.buffer: list[str] = []

    def add(self, line: str):
        self.buffer.append(line)
        if len(self.buffer) >= 8_000:
            self.flush()

    def flush(self):
        if self.buffer:
            prefix = self.prefix
            self.copy.write(prefix + prefix.join(self.buffer))
            self.buffer = []

    def close(self, ok: bool):
        if ok:
            self.flush()
            self.copy_cm.__exit__(None, None, None)
        else:
            with contextlib.suppress(Exception):  # the transaction is rolled back anyway
                self.copy_cm.__exit__(_Abort, _Abort(), None)
        self.cursor.close()


class _Abort(Exception):
    pass


class _OrmSink:
    """SQLite (development): the same lines through bulk_create."""

    def __init__(self, submission_id: int):
        self.submission_id = submission_id
        self.buffer: list[StatRow] = []

    def add(self, line: str):
        v = [None if x == "\\N" else x for x in line.rstrip("\n").split("\t")]
        self.buffer.append(
            StatRow(
                submission_id=self.submission_id,
                pseudonym=v[0],
                birth_year=int(v[1]),
                legal_sex=v[2],
                service=v[3],
                trigger=v[4],
                application_date=v[5],
                decision=v[6],
                decision_date=v[7],
                first_contact_date=v[8],
                outcome=v[9],
                outcome_date=v[10],
                yttrande_strengthens=None if v[11] is None else v[11] == "t",
            )
        )
        if len(self.buffer) >= 2_000:
            self.flush()

    def flush(self):
        StatRow.objects.bulk_create(self.buffer)
        self.buffer = []

    def close(self, ok: bool):
        if ok:
            self.flush()


def _sink(submission_id: int):
    if connection.vendor == "postgresql":
        return _PostgresSink(submission_id)
    return _OrmSink(submission_id)


def _read_and_copy(submission: Submission, path: Path) -> int:
    """Validate every row of the file and stream the valid ones into the sink. Raises _Rejected
    (the caller's transaction is then rolled back) or FileRefused."""
    lim = limits()
    kind = sniff(path, lim)
    submission.file_format = kind
    progress_key = selectors.progress_key(submission.pk)

    def progress(fraction: float):
        cache.set(progress_key, min(99, int(fraction * 100)), 3600)

    rows = csv_rows(path, progress) if kind == "csv" else xlsx_rows(path, progress)
    log = ErrorLog()
    try:
        header = next(rows)
    except StopIteration:
        raise FileRefused(gettext_noop("The file is empty.")) from None
    if not check_header(header, log):
        raise _Rejected(log)
    key = pseudonym_key()
    if connection.vendor == "postgresql" and getattr(settings, "STATISTICS_FAST_PATH", True):
        from . import fastpath

        common = {"submission_id": submission.pk, "period": submission.period, "key": key, "max_rows": lim.max_rows}
        if kind == "csv":
            count = _fast(
                lambda write: fastpath.import_csv(
                    path, header, csv_delimiter(path), write=write, progress=progress, **common
                )
            )
        else:
            count = _fast(
                lambda write: fastpath.import_batches(
                    fastpath.xlsx_batches(rows, header), header, write=write, **common
                )
            )
        if count is not None:
            rows.close()
            return count
        if kind == "xlsx":  # read again from the start for the row-by-row checker
            rows.close()
            rows = xlsx_rows(path, progress)
            next(rows)
    check = make_row_checker(header, submission.period, key, log)
    sink = _sink(submission.pk)
    ok = False
    count = 0
    max_rows = lim.max_rows
    try:
        row_number = 1
        last_row = max_rows + 1
        add = sink.add
        for cells in rows:
            row_number += 1
            if row_number > last_row:
                raise FileRefused(
                    gettext_noop("The file has more than %(limit)s rows; split it or contact the agency."),
                    limit=f"{max_rows:,}".replace(",", " "),
                )
            line = check(cells, row_number)
            if line is not None:
                count += 1
                if not log.total:
                    add(line)
        if log.total:
            raise _Rejected(log)
        ok = True
    finally:
        sink.close(ok)
    return count


def _fast(run) -> int | None:
    """The column-wise fast path (statistics/fastpath.py) in a savepoint: `run(write)` validates
    the file and writes COPY CSV bytes. The row count when it vouches for the whole file, else
    None with nothing of it kept (the row-by-row checker then reads the file and decides, with
    its messages). Any other exception is a crash, as on the row-by-row path."""
    from . import fastpath

    sql = f"COPY {StatRow._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN (FORMAT csv)"  # noqa: S608
    assert fastpath.OUTPUT_COLUMNS == COPY_COLUMNS  # noqa: S101 - a programming error, not input
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            copy_cm = cursor.cursor.copy(sql)
            copy = copy_cm.__enter__()
            try:
                count = run(copy.write)
            except BaseException as exc:
                with contextlib.suppress(Exception):  # the savepoint is rolled back anyway
                    copy_cm.__exit__(type(exc), exc, None)
                raise
            copy_cm.__exit__(None, None, None)
        return count
    except fastpath.NotFast:
        return None


def submission_import(submission_id: int) -> ImportResult:
    """Import a `processing` submission (idempotent: a finished one is returned unchanged)."""
    submission = Submission.objects.select_related("organisation").get(pk=submission_id)
    if submission.status != Submission.Status.PROCESSING:
        return ImportResult(submission)
    path = Path(settings.PRIVATE_MEDIA_ROOT) / submission.file_path
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_CLASS, submission.organisation_id]
                    )
            submission = Submission.objects.select_for_update().select_related("organisation").get(pk=submission_id)
            if submission.status != Submission.Status.PROCESSING:
                return ImportResult(submission)
            previous = (
                Submission.objects.select_for_update()
                .filter(
                    organisation_id=submission.organisation_id,
                    period=submission.period,
                    status=Submission.Status.ACCEPTED,
                )
                .first()
            )
            rows = _read_and_copy(submission, path)
            if previous is not None:
                previous.status = Submission.Status.SUPERSEDED
                previous.save(update_fields=["status"])
            submission.status = Submission.Status.ACCEPTED
            submission.row_count = rows
            submission.supersedes = previous
            submission.progress = 100
            submission.finished_at = timezone.now()
            submission.save(
                update_fields=["status", "row_count", "supersedes", "progress", "finished_at", "file_format"]
            )
    except _Rejected as exc:
        return ImportResult(_reject(submission_id, exc.log.items, exc.log.total, submission.file_format))
    except FileRefused as exc:
        log = ErrorLog()
        log.add(None, None, exc.msgid, **exc.params)
        return ImportResult(_reject(submission_id, log.items, 1, submission.file_format))
    except Exception:
        logger.exception("statistics import of submission %s failed", submission_id)
        log = ErrorLog()
        log.add(None, None, gettext_noop("The import failed because of an internal error. Please upload again."))
        _reject(submission_id, log.items, 1, submission.file_format)
        raise
    finally:
        cache.delete(selectors.progress_key(submission_id))
    logger.info("statistics submission %s accepted (%s rows)", submission.pk, submission.row_count)
    return ImportResult(submission, previous)


def _reject(submission_id: int, items: list, total: int, file_format: str) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().get(pk=submission_id)
        if submission.status == Submission.Status.PROCESSING:
            submission.status = Submission.Status.REJECTED
            submission.errors = items
            submission.error_count = total
            submission.progress = 100
            submission.file_format = file_format or ""
            submission.finished_at = timezone.now()
            submission.save()
    logger.info("statistics submission %s rejected (%s errors)", submission_id, total)
    return submission


# --- API tokens -----------------------------------------------------------------------------
TOKEN_PREFIX = "omst_"  # noqa: S105 - a visible marker, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _require_admin(organisation: Organisation, by) -> None:
    if not OrganisationMember.objects.filter(organisation=organisation, user=by, is_admin=True).exists():
        raise PermissionDenied


def api_token_create(*, organisation: Organisation, name: str, by) -> tuple[ApiToken, str]:
    """Returns the token and the raw key, which is shown once and never stored."""
    _require_admin(organisation, by)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw), created_by=by
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    _require_admin(token.organisation, by)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


# --- reminders ------------------------------------------------------------------------------
def reminder_send(*, organisation: Organisation, period: datetime.date, by) -> Reminder:
    """Records a reminder and e-mails it (in a task) to the organisation's members."""
    from omstallning.accounts.roles import Role

    if not by.has_role(Role.ANALYST) and not by.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    recipients = OrganisationMember.objects.filter(organisation=organisation).exclude(user__email="").count()
    reminder = Reminder.objects.create(organisation=organisation, period=period, sent_by=by, recipients=recipients)
    from .tasks import send_reminder

    send_reminder.delay_on_commit(reminder.pk)
    return reminder


def reminder_deliver(reminder_id: int) -> int:
    reminder = Reminder.objects.select_related("organisation").get(pk=reminder_id)
    emails = sorted(
        set(
            OrganisationMember.objects.filter(organisation=reminder.organisation)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not emails:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"organisation": reminder.organisation, "period": f"{reminder.period:%Y-%m}"}
        subject = render_to_string("statistics/email/reminder_subject.txt", context).strip()
        body = render_to_string("statistics/email/reminder_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    return len(emails)

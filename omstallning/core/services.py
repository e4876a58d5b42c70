"""Cross-cutting services other apps call: the access log, the retention schedule and the
GDPR article 15 export. See docs/security.md for how an app plugs in.

Access log::

    from omstallning.core.services import access_log_record
    access_log_record(user=request.user, obj_or_type=application, action="view")
    access_log_record(user=request.user, obj_or_type=Application, action="search")

    # in an AppConfig.ready(): deletions of these models are logged automatically
    from omstallning.core.services import register_deletion_logging
    register_deletion_logging(Application, Attachment)

Retention (gallringsplan)::

    from omstallning.core.services import register_retention_handler

    @register_retention_handler("applications.application")
    def purge_applications(*, cutoff, action):   # action is "delete" or "anonymise"
        ...                                      # act on records older than cutoff
        return number_of_records_handled

GDPR article 15 export::

    from omstallning.core.services import register_personal_data_exporter

    @register_personal_data_exporter("applications")
    def export_applications(user):               # JSON-serialisable data about `user`
        return [...]
"""

import datetime
import logging
from collections.abc import Callable

from django.db import models, transaction
from django.db.models.signals import pre_delete
from django.utils import timezone

from .models import AccessLog, RetentionRule

logger = logging.getLogger(__name__)

# --- access log ------------------------------------------------------------------------------


def _type_and_id(obj_or_type) -> tuple[str, str]:
    if isinstance(obj_or_type, str):
        return obj_or_type.lower(), ""
    if isinstance(obj_or_type, type) and issubclass(obj_or_type, models.Model):
        return obj_or_type._meta.label_lower, ""
    if isinstance(obj_or_type, models.Model):
        return obj_or_type._meta.label_lower, str(obj_or_type.pk if obj_or_type.pk is not None else "")
    raise TypeError("obj_or_type must be a model instance, a model class or 'app_label.model'")


def access_log_record(*, user, obj_or_type, action: str, object_id=None) -> AccessLog:
    """Records that `user` did `action` (view, search, export, delete) on a record.

    `obj_or_type` is a model instance (type and id taken from it), a model class or an
    ``"app_label.model"`` string (with `object_id` when known). Never pass personal data: the
    search terms themselves are not logged, only that a search was made on this record type."""
    if action not in AccessLog.Action.values:
        raise ValueError(f"unknown access-log action {action!r}")
    object_type, obj_id = _type_and_id(obj_or_type)
    if object_id is not None:
        obj_id = str(object_id)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AccessLog.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        object_type=object_type,
        object_id=obj_id,
        action=action,
    )


_deletion_logged: set[str] = set()


def _current_user():
    """The user of the request being handled, if any (simple_history's request middleware keeps
    the request); None for tasks and commands (e.g. the retention job)."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _log_deletion(sender, instance, **kwargs):
    access_log_record(user=_current_user(), obj_or_type=instance, action=AccessLog.Action.DELETE)


def register_deletion_logging(*model_classes) -> None:
    """Every deletion of these models (admin, services, cascades, retention) is access-logged."""
    for model in model_classes:
        label = model._meta.label_lower
        if label in _deletion_logged:
            continue
        pre_delete.connect(_log_deletion, sender=model, dispatch_uid=f"core.access_log.delete.{label}")
        _deletion_logged.add(label)


# --- retention (gallringsplan) --------------------------------------------------------------

RetentionHandler = Callable[..., int]
_retention_handlers: dict[str, RetentionHandler] = {}


def register_retention_handler(record_type: str):
    """Decorator: the function applies the retention rule of `record_type` ("app_label.model").
    It is called as ``handler(cutoff=datetime, action="delete"|"anonymise")``, acts on the records
    older than `cutoff` and returns how many it handled."""

    def decorator(func: RetentionHandler) -> RetentionHandler:
        _retention_handlers[record_type.lower()] = func
        return func

    return decorator


def retention_record_types() -> list[str]:
    return sorted(_retention_handlers)


def retention_apply(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Applies every active retention rule that has a handler; returns counts per record type.
    Each record type runs in its own transaction, so one failing handler does not undo the others.
    Only counts are logged."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for rule in RetentionRule.objects.filter(is_active=True).order_by("record_type"):
        handler = _retention_handlers.get(rule.record_type)
        if handler is None:
            logger.warning("retention: no handler registered for %s; rule skipped", rule.record_type)
            continue
        cutoff = now - datetime.timedelta(days=rule.retention_days)
        try:
            with transaction.atomic():
                count = int(handler(cutoff=cutoff, action=rule.action))
        except Exception:
            logger.exception("retention: handler for %s failed; nothing changed for it", rule.record_type)
            continue
        counts[rule.record_type] = count
        logger.info("retention: %s %s: %d records", rule.record_type, rule.action, count)
    return counts


# --- GDPR article 15: everything held about a person ------------------------------------------

PersonalDataExporter = Callable[..., object]
_exporters: dict[str, PersonalDataExporter] = {}


def register_personal_data_exporter(section: str):
    """Decorator: ``func(user)`` returns JSON-serialisable data about `user` for the export's
    `section` (e.g. "applications")."""

    def decorator(func: PersonalDataExporter) -> PersonalDataExporter:
        _exporters[section] = func
        return func

    return decorator


def _account_data(user) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": user.phone,
        "personnummer": user.personnummer,
        "preferred_language": user.preferred_language,
        "roles": [str(role) for role in user.roles],
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
    }


def personal_data_export(*, user) -> dict:
    """Everything the portal holds about `user`, as one JSON-serialisable dict."""
    data = {
        "generated_at": timezone.now().isoformat(),
        "controller": "Kammarkollegiet, Den offentliga omställningsorganisationen",
        "account": _account_data(user),
    }
    for section in sorted(_exporters):
        data[section] = _exporters[section](user)
    access_log_record(user=user, obj_or_type=user, action=AccessLog.Action.EXPORT)
    return data


def personal_data_sections() -> list[str]:
    return sorted(_exporters)


# --- helpers for the apps' privacy modules ----------------------------------------------------


def private_file_delete_on_commit(relative_path: str) -> None:
    """Deletes a file under PRIVATE_MEDIA_ROOT once the surrounding transaction commits (a rolled
    back retention run keeps the file). Paths outside the root are refused."""
    if not relative_path:
        return
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    target = (root / relative_path).resolve()
    if root not in target.parents:
        raise ValueError("path outside PRIVATE_MEDIA_ROOT")

    def _delete():
        target.unlink(missing_ok=True)

    transaction.on_commit(_delete)


def iso(value):
    """A date/datetime as ISO 8601, None stays None (for exporters)."""
    return value.isoformat() if value is not None else None


# --- downloads --------------------------------------------------------------------------------


def safe_download_name(filename: str, *, default: str = "download") -> str:
    """A file name fit for a Content-Disposition header: no path, no control characters, no
    quotes or separators, at most 150 characters (the extension kept)."""
    import os
    import unicodedata

    name = os.path.basename(str(filename or "").replace("\\", "/"))
    name = unicodedata.normalize("NFC", name)
    name = "".join("_" if (unicodedata.category(c).startswith("C") or c in '"/\\;:*?<>|') else c for c in name)
    name = name.strip(" .") or default
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: 150 - len(ext) - 1]}.{ext}" if dot and len(ext) <= 10 else name[:150]
    return name


def attachment_response(content, *, filename: str, content_type: str):
    """A download whose name Django encodes per RFC 6266/5987 (``filename*=utf-8''…``, the same
    code as ``FileResponse(as_attachment=True, filename=…)``) after `safe_download_name` removed
    what does not belong in a header. `content` is bytes (an HttpResponse) or an open binary file
    (a FileResponse, streamed)."""
    from django.http import FileResponse, HttpResponse
    from django.utils.http import content_disposition_header

    name = safe_download_name(filename)
    if isinstance(content, bytes | bytearray):
        response = HttpResponse(bytes(content), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    return FileResponse(content, as_attachment=True, filename=name, content_type=content_type)

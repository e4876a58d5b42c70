"""Every write of the registry: registration cases, affiliations, API tokens, state compensation.

Functions are named `<entity>_<action>(*, ..., by)`; they check permission, validate, write the
audit trail (RegistrationEvent rows and django-simple-history) and run in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from omstallning.accounts.roles import Role

from . import workflow
from .models import (
    AffiliationUpload,
    ApiToken,
    CompensationApplication,
    CompensationRow,
    EmployerAffiliation,
    Organisation,
    OrganisationMember,
    RegistrationCase,
    RegistrationEvent,
    RegistrationPeriod,
)
from .selectors import normalize_employer_org_number, registered_during
from .tabular import Table, TableError, column_index, parse_amount_ore, parse_date

try:  # COPY goes straight to psycopg, whose errors Django does not wrap
    from psycopg.errors import IntegrityError as PsycopgIntegrityError
except ImportError:  # pragma: no cover - SQLite-only installs
    PsycopgIntegrityError = IntegrityError

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def today() -> datetime.date:
    return timezone.now().astimezone(STOCKHOLM).date()


def is_officer(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.has_role(Role.CASE_OFFICER) or user.has_role(Role.ADMINISTRATOR) or user.is_superuser)
    )


def _require_officer(user) -> None:
    if not is_officer(user):
        raise PermissionDenied(_("Only case officers may do this."))


def _require_member(user, organisation: Organisation) -> None:
    if not OrganisationMember.objects.filter(user=user, organisation=organisation).exists():
        raise PermissionDenied(_("You do not act for this organisation."))


# --- registration cases ---------------------------------------------------------------------

REQUIRED_FOR_SUBMISSION = [
    "name",
    "org_number",
    "contact_name",
    "contact_email",
    "principal",
    "board_members",
    "ceo",
    "covered_group",
    "prerequisite_a",
    "prerequisite_b",
    "prerequisite_c",
    "prerequisite_d",
    "prerequisite_e",
    "correspondence",
]


def _transition(case: RegistrationCase, action: str, by, note: str = "") -> None:
    """Move `case` by `action` (workflow.TRANSITIONS) and write the audit event."""
    try:
        target = workflow.target_state(action, case.state)
    except workflow.TransitionNotAllowed:
        raise ValidationError(
            _("This cannot be done to a case in the state “%(state)s”.") % {"state": case.get_state_display()}
        ) from None
    RegistrationEvent.objects.create(case=case, from_state=case.state, to_state=target, by=by, note=note)
    case.state = target


def _locked(case: RegistrationCase) -> RegistrationCase:
    return RegistrationCase.objects.select_for_update().get(pk=case.pk)


def registration_case_create(*, by) -> RegistrationCase:
    return RegistrationCase.objects.create(applicant=by)


def registration_case_update(*, case: RegistrationCase, data: dict, by) -> RegistrationCase:
    """Save the applicant's draft (any subset of the fields); allowed while editable."""
    if case.applicant_id != by.pk:
        raise PermissionDenied
    if case.state not in workflow.EDITABLE_STATES:
        raise ValidationError(_("The application can no longer be changed."))
    if data.get("org_number"):
        normalized = normalize_employer_org_number(data["org_number"])
        if normalized is None:
            raise ValidationError({"org_number": _("Enter a valid organisation number (NNNNNN-NNNN).")})
        data = {**data, "org_number": normalized}
    for name, value in data.items():
        setattr(case, name, value)
    case.save()
    return case


# --- organisation sign-up with e-mail verification (issue #7) ------------------------------------

SIGNUP_VERIFICATION_SECONDS = 24 * 3600
_SIGNUP_SALT = "registry.signup-verification"


class _SignupTokenGenerator:
    """A one-time token for the verification link, in the manner of Django's
    PasswordResetTokenGenerator but with its own salt and lifetime: a TimestampSigner signs the
    user's id and a hash of the account's state (active flag, password hash, last log-in), so the
    link stops working once it has been followed (the account is then active) or after
    SIGNUP_VERIFICATION_SECONDS. The token holds no address or name."""

    @staticmethod
    def _state(user) -> str:
        from django.utils.crypto import salted_hmac

        login = "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None).isoformat()
        value = f"{user.pk}{user.is_active}{user.password}{login}"
        return salted_hmac(_SIGNUP_SALT, value, algorithm="sha256").hexdigest()[:20]

    def make_token(self, user) -> str:
        from django.core.signing import TimestampSigner
        from django.utils.http import int_to_base36

        return TimestampSigner(salt=_SIGNUP_SALT, sep=".").sign(f"{int_to_base36(user.pk)}-{self._state(user)}")

    def user_for_token(self, token: str):
        """The inactive account the token was made for, or None (bad, used or expired token)."""
        from django.contrib.auth import get_user_model
        from django.core.signing import BadSignature, TimestampSigner
        from django.utils.crypto import constant_time_compare
        from django.utils.http import base36_to_int

        try:
            value = TimestampSigner(salt=_SIGNUP_SALT, sep=".").unsign(token, max_age=SIGNUP_VERIFICATION_SECONDS)
            uid36, state = value.split("-", 1)
            pk = base36_to_int(uid36)
        except (BadSignature, ValueError):
            return None
        user = get_user_model().objects.filter(pk=pk, is_active=False).first()
        if user is None or not constant_time_compare(state, self._state(user)):
            return None
        return user


signup_token_generator = _SignupTokenGenerator()


SIGNUP_MAIL_TEMPLATES = ("signup_verify", "signup_taken")


class _SignupRehearsal(Exception):
    """Rolls back the taken-address path's rehearsal of a new account."""


def signup_mail_send(*, template: str, user_id: int, site_url: str) -> bool:
    """Sends one sign-up mail (run by the task registry.tasks.send_signup_mail, which gets the
    account id only). ``signup_verify``: the verification link, made here, to an account that
    is still waiting for it (inactive, marked PendingSignup); ``signup_taken``: "someone tried to
    sign up with your address" to the owner of the address. Returns whether a mail was sent;
    nothing is sent for an account that is gone, already confirmed or has no address. A failure
    is logged with the account id only (never the address)."""
    import logging

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from .models import PendingSignup

    if template not in SIGNUP_MAIL_TEMPLATES:
        raise ValueError(template)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    site_url = site_url.rstrip("/")
    if template == "signup_verify":
        if user.is_active or not PendingSignup.objects.filter(user_id=user.pk).exists():
            return False
        token = signup_token_generator.make_token(user)
        context = {
            "url": site_url + reverse("registry:signup_verify", kwargs={"token": token}),
            "hours": SIGNUP_VERIFICATION_SECONDS // 3600,
            "days": SIGNUP_VERIFICATION_SECONDS // 86400 + _signup_cleanup_margin_days(),
        }
    else:
        context = {
            "login_url": site_url + reverse("accounts:login"),
            "reset_url": site_url + reverse("accounts:password_reset"),
        }
    with translation.override(settings.LANGUAGE_CODE):
        subject = "".join(render_to_string(f"registry/mail/{template}_subject.txt", context).splitlines())
        body = render_to_string(f"registry/mail/{template}.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except Exception:
        logging.getLogger("omstallning.security").exception(
            "registry sign-up mail %s (user_id=%s) could not be sent", template, user.pk
        )
        return False
    return True


def _queue_signup_mail(*, template: str, user_id: int | None, site_url: str) -> None:
    """Both sign-up paths queue exactly one task after the transaction commits (the task gets the
    account id, never the address), so the request does the same work whether or not the
    address was taken."""
    from .tasks import send_signup_mail

    send_signup_mail.delay_on_commit(template, user_id, site_url)


def representative_sign_up(
    *,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    organisation_name: str,
    org_number: str,
    site_url: str,
) -> RegistrationCase | None:
    """A representative of an organisation signs up (role: organisation reporter) and gets a
    registration application draft with the organisation's name and number and the contact
    person filled in. The account is created inactive, marked as an unconfirmed sign-up
    (PendingSignup), and a verification link (valid 24 h, one time) is mailed to the address by
    a task; following it activates the account (see representative_sign_up_verify). An account
    never confirmed is deleted by unverified_signups_sweep. The password must already have passed
    Django's validators (the form); the e-mail address, lower case, is the username. All or
    nothing.

    When the address already belongs to an account nothing is created and the owner of the
    address is told by mail that someone tried to sign up with it; the caller answers the same
    way in both cases (no account enumeration). Both paths also do the same work, so that the
    time of the answer does not tell either: the taken path makes the same account and draft
    under a throwaway address (hashing the given password) and rolls them back, and both queue
    one mail task with an account id (docs/registry.md has the figures). Returns the draft, or
    None when the address was taken."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from .models import PendingSignup

    User = get_user_model()
    email = email.strip().lower()
    normalized = normalize_employer_org_number(org_number)
    if normalized is None:
        raise ValidationError({"org_number": _("Enter a valid organisation number (NNNNNN-NNNN).")})

    def _create(address):
        user = User(
            username=address,
            email=address,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            is_active=False,
        )
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=Role.ORGANISATION_REPORTER.value))
        case = RegistrationCase.objects.create(
            applicant=user,
            name=organisation_name.strip(),
            org_number=normalized,
            contact_name=f"{user.first_name} {user.last_name}".strip(),
            contact_email=address,
        )
        PendingSignup.objects.create(user=user, case=case)
        return case

    def _taken(owner, *, rehearse: bool = True):
        if rehearse:
            # The same work as a new account (hashing the given password, the same rows written)
            # under a throwaway address, rolled back: the answer takes about as long either way.
            try:
                with transaction.atomic():
                    _create(f"signup-rehearsal-{secrets.token_hex(12)}@invalid")
                    raise _SignupRehearsal
            except (_SignupRehearsal, DatabaseError):
                pass
        _queue_signup_mail(template="signup_taken", user_id=owner.pk if owner else None, site_url=site_url)
        return None

    owner = User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by("pk").first()
    if owner is not None:
        return _taken(owner)
    try:
        with transaction.atomic():
            case = _create(email)
            _queue_signup_mail(template="signup_verify", user_id=case.applicant_id, site_url=site_url)
            return case
    except IntegrityError:  # the same address signed up at the same moment (the work is done)
        return _taken(User.objects.filter(username__iexact=email).first(), rehearse=False)


def representative_sign_up_verify(*, token: str):
    """Follows a verification link: activates the inactive account the token was made for,
    removes its unconfirmed-sign-up mark and returns the user, or None when the token is bad,
    used or expired. The caller logs the person in and leads them to the draft."""
    from django.contrib.auth import get_user_model

    from .models import PendingSignup

    user = signup_token_generator.user_for_token(token)
    if user is None:
        return None
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        if user.is_active:  # followed twice at the same moment
            return None
        user.is_active = True
        user.save(update_fields=["is_active"])
        PendingSignup.objects.filter(user_id=user.pk).delete()
        return user


SIGNUP_CLEANUP_MARGIN_DAYS = 7


def _signup_cleanup_margin_days() -> int:
    from django.conf import settings

    return getattr(settings, "REGISTRY_SIGNUP_CLEANUP_MARGIN_DAYS", SIGNUP_CLEANUP_MARGIN_DAYS)


def unverified_signups_sweep(*, now: datetime.datetime | None = None) -> dict:
    """Daily (beat, registry.tasks.sweep_unverified_signups): deletes the accounts made by the
    sign-up whose address was never confirmed, once the verification link has expired
    (SIGNUP_VERIFICATION_SECONDS) plus a margin (setting REGISTRY_SIGNUP_CLEANUP_MARGIN_DAYS,
    default 7 days). Only accounts with the PendingSignup mark that are still inactive and never
    logged in are touched. Each account goes in its own transaction together with what the
    sign-up made with it: the draft case (its history, events and attachments, files after the
    commit) and the mark; an account that something else now refers to (a protected reference)
    is left whole and counted as skipped. Afterwards the address can sign up again. Idempotent.
    Logs and returns counts only, never an address."""
    import logging

    from django.db.models import ProtectedError

    from .models import PendingSignup, RegistrationAttachment

    now = now or timezone.now()
    margin = datetime.timedelta(days=_signup_cleanup_margin_days())
    cutoff = now - datetime.timedelta(seconds=SIGNUP_VERIFICATION_SECONDS) - margin
    candidates = list(
        PendingSignup.objects.filter(
            created_at__lt=cutoff, user__is_active=False, user__last_login__isnull=True
        ).values_list("pk", flat=True)
    )
    deleted = skipped = 0
    for pk in candidates:
        try:
            with transaction.atomic():
                mark = (
                    PendingSignup.objects.select_for_update()
                    .select_related("user", "case")
                    .filter(pk=pk, created_at__lt=cutoff, user__is_active=False, user__last_login__isnull=True)
                    .first()
                )
                if mark is None:  # confirmed (or swept) meanwhile
                    continue
                user, case = mark.user, mark.case
                files = [
                    (a.file.storage, a.file.name)
                    for a in RegistrationAttachment.objects.filter(case__applicant=user)
                    if a.file.name
                ]
                case_ids = list(RegistrationCase.objects.filter(applicant=user).values_list("pk", flat=True))
                if any(pk_ != case.pk for pk_ in case_ids):
                    raise ProtectedError("the account has other cases", set())
                case_id = case.pk
                mark.delete()
                RegistrationEvent.objects.filter(case_id=case_id).delete()
                case.delete()  # attachments go with it (CASCADE)
                RegistrationCase.history.filter(id=case_id).delete()  # it held the address
                user.delete()
                for storage, name in files:
                    transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        except ProtectedError:
            skipped += 1
            continue
        deleted += 1
    # an account activated another way (by an administrator) is no longer an unconfirmed sign-up
    PendingSignup.objects.filter(user__is_active=True).delete()
    result = {"deleted": deleted, "skipped": skipped}
    logging.getLogger("omstallning.security").info(
        "registry: unconfirmed sign-ups swept: %(deleted)s deleted, %(skipped)s skipped", result
    )
    return result


def registration_case_missing(case: RegistrationCase) -> list[str]:
    """The fields that must be filled in before the case can be submitted."""
    return [name for name in REQUIRED_FOR_SUBMISSION if not str(getattr(case, name) or "").strip()]


@transaction.atomic
def registration_case_submit(*, case: RegistrationCase, by) -> RegistrationCase:
    case = _locked(case)
    if case.applicant_id != by.pk:
        raise PermissionDenied
    missing = registration_case_missing(case)
    if missing:
        raise ValidationError({name: _("This must be filled in before the application is sent.") for name in missing})
    _transition(case, "submit", by)
    case.submitted_at = timezone.now()
    case.save()
    return case


@transaction.atomic
def registration_case_request_completion(*, case: RegistrationCase, what: str, by) -> RegistrationCase:
    _require_officer(by)
    if not what.strip():
        raise ValidationError({"what": _("Say what must be completed.")})
    case = _locked(case)
    _transition(case, "request_completion", by, note=what)
    case.completion_request = what
    case.save()
    return case


@transaction.atomic
def registration_case_register(
    *, case: RegistrationCase, registered_from: datetime.date, decision_number: str, by
) -> RegistrationCase:
    """Register the organisation from `registered_from` (LGOK 14 §): a new registration period."""
    _require_officer(by)
    if not decision_number.strip():
        raise ValidationError({"decision_number": _("Enter the decision number.")})
    case = _locked(case)
    _require_attachments_checked(case)
    _transition(case, "register", by, note=f"{registered_from.isoformat()} {decision_number}")
    organisation = case.organisation or Organisation.objects.filter(org_number=case.org_number).first()
    if organisation is None:
        organisation = Organisation(org_number=case.org_number)
    if RegistrationPeriod.objects.filter(organisation_id=organisation.pk, deregistered_on__isnull=True).exists():
        raise ValidationError(_("The organisation is already registered."))
    if (
        organisation.pk
        and RegistrationPeriod.objects.filter(organisation=organisation, deregistered_on__gt=registered_from).exists()
    ):
        raise ValidationError({"registered_from": _("The date overlaps an earlier registration period.")})
    organisation.name = case.name
    organisation.website = case.website
    organisation.covered_group = case.covered_group
    organisation.administration_company = case.administration_company
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        raise ValidationError({"name": _("Another organisation already has this name.")}) from None
    RegistrationPeriod.objects.create(
        organisation=organisation, case=case, registered_from=registered_from, decision_number=decision_number
    )
    OrganisationMember.objects.get_or_create(
        organisation=organisation, user=case.applicant, defaults={"is_admin": True}
    )
    case.organisation = organisation
    case.decision_number = decision_number
    case.decided_at = timezone.now()
    case.save()
    return case


@transaction.atomic
def registration_case_refuse(*, case: RegistrationCase, reasons: str, decision_number: str = "", by):
    _require_officer(by)
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for the refusal.")})
    case = _locked(case)
    _require_attachments_checked(case)
    _transition(case, "refuse", by, note=reasons)
    case.refusal_reasons = reasons
    case.decision_number = decision_number
    case.decided_at = timezone.now()
    case.save()
    return case


@transaction.atomic
def registration_case_deregister(
    *, case: RegistrationCase, deregistered_on: datetime.date, decision_number: str, reason: str = "", by
) -> RegistrationCase:
    """Deregister (LGOK 15 §): the period ends; `deregistered_on` is the first day outside it."""
    _require_officer(by)
    case = _locked(case)
    _transition(case, "deregister", by, note=f"{deregistered_on.isoformat()} {decision_number} {reason}".strip())
    period = RegistrationPeriod.objects.select_for_update().get(case=case)
    if deregistered_on <= period.registered_from:
        raise ValidationError({"deregistered_on": _("The date must be after the registration date.")})
    period.deregistered_on = deregistered_on
    period.deregistration_decision_number = decision_number
    period.deregistration_reason = reason
    period.save()
    case.save()
    return case


def organisation_register_directly(
    *, organisation: Organisation, registered_from: datetime.date, decision_number: str = "", by=None
) -> RegistrationPeriod:
    """A registration period without an online case (organisations registered before the portal)."""
    period, _created = RegistrationPeriod.objects.get_or_create(
        organisation=organisation,
        registered_from=registered_from,
        defaults={"decision_number": decision_number},
    )
    return period


# --- employer affiliations -------------------------------------------------------------------

AFFILIATION_COLUMNS = {
    "org_number": ("organisationsnummer", "orgnr", "org_number", "organisation_number"),
    "name": ("namn", "name", "arbetsgivare", "employer_name"),
    "valid_from": ("giltig_fran", "giltig_från", "fran", "från", "valid_from"),
    "valid_to": ("giltig_till", "till", "valid_to"),
}


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class UploadResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    upload: AffiliationUpload | None = None
    count: int = 0


@dataclass
class AffiliationRow:
    row: int
    org_number: str
    name: str
    valid_from: datetime.date
    valid_to: datetime.date | None


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


def validate_affiliation_records(records: list[dict]) -> tuple[list[AffiliationRow], list[RowError]]:
    """Validate dicts {row, org_number, name, valid_from, valid_to} (strings); errors name row and column."""
    rows, errors = [], []
    for rec in records:
        n = rec["row"]
        bad = False
        orgnr = normalize_employer_org_number(rec.get("org_number") or "")
        if orgnr is None:
            errors.append(RowError(n, "org_number", _("Not a valid organisation number (NNNNNN-NNNN).")))
            bad = True
        name = (rec.get("name") or "").strip()
        if not name:
            errors.append(RowError(n, "name", _("The employer's name is missing.")))
            bad = True
        elif len(name) > 200:
            errors.append(RowError(n, "name", _("The name is longer than 200 characters.")))
            bad = True
        valid_from = valid_to = None
        try:
            valid_from = parse_date(rec.get("valid_from") or "")
        except ValueError:
            errors.append(RowError(n, "valid_from", _("Not a date (YYYY-MM-DD).")))
            bad = True
        if (rec.get("valid_to") or "").strip():
            try:
                valid_to = parse_date(rec["valid_to"])
            except ValueError:
                errors.append(RowError(n, "valid_to", _("Not a date (YYYY-MM-DD).")))
                bad = True
        if valid_from and valid_to and valid_to < valid_from:
            errors.append(RowError(n, "valid_to", _("The end date is before the start date.")))
            bad = True
        if not bad:
            rows.append(AffiliationRow(n, orgnr, name, valid_from, valid_to))
    # overlaps inside the list itself
    by_orgnr: dict[str, list[AffiliationRow]] = {}
    for r in rows:
        by_orgnr.setdefault(r.org_number, []).append(r)
    for group in by_orgnr.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda r: r.valid_from)
        for prev, cur in zip(group, group[1:], strict=False):
            if _overlaps(prev.valid_from, prev.valid_to, cur.valid_from, cur.valid_to):
                errors.append(
                    RowError(
                        cur.row,
                        "valid_from",
                        _("The dates overlap row %(other)s for the same employer.") % {"other": prev.row},
                    )
                )
    return rows, errors


def _cross_organisation_overlaps(organisation: Organisation, rows: list[AffiliationRow]) -> list[RowError]:
    """Rows that overlap another organisation's affiliation for the same employer (R-5.2 a)."""
    errors = []
    orgnrs = sorted({r.org_number for r in rows})
    others: dict[str, list] = {}
    for start in range(0, len(orgnrs), 5000):
        chunk = orgnrs[start : start + 5000]
        for aff in (
            EmployerAffiliation.objects.filter(employer_org_number__in=chunk)
            .exclude(organisation=organisation)
            .select_related("organisation")
            .only("employer_org_number", "valid_from", "valid_to", "organisation__name")
        ):
            others.setdefault(aff.employer_org_number, []).append(aff)
    for r in rows:
        for aff in others.get(r.org_number, ()):
            if _overlaps(r.valid_from, r.valid_to, aff.valid_from, aff.valid_to):
                errors.append(
                    RowError(
                        r.row,
                        "org_number",
                        _(
                            "%(employer)s is already affiliated with %(other)s from %(from)s to %(to)s; "
                            "it cannot be affiliated with %(this)s on overlapping dates."
                        )
                        % {
                            "employer": r.org_number,
                            "other": aff.organisation.name,
                            "from": aff.valid_from.isoformat(),
                            "to": aff.valid_to.isoformat() if aff.valid_to else "…",
                            "this": organisation.name,
                        },
                    )
                )
                break
    return errors


def affiliations_records_from_table(table: Table) -> tuple[list[dict], list[RowError]]:
    idx = {key: column_index(table.header, aliases) for key, aliases in AFFILIATION_COLUMNS.items()}
    missing = [key for key in ("org_number", "name", "valid_from") if idx[key] is None]
    if missing:
        return [], [
            RowError(
                1,
                key,
                _("The column is missing (expected one of: %(names)s).")
                % {"names": ", ".join(AFFILIATION_COLUMNS[key])},
            )
            for key in missing
        ]

    def cell(row, key):
        i = idx[key]
        return row[i] if i is not None and i < len(row) else ""

    records = [
        {"row": n, **{key: cell(row, key) for key in AFFILIATION_COLUMNS}}
        for n, row in enumerate(table.rows, start=2)
        if any(c.strip() for c in row)
    ]
    return records, []


def affiliations_replace(
    *, organisation: Organisation, records: list[dict], source: str, file_name: str = "", by
) -> UploadResult:
    """Replace the organisation's whole employer list with `records`: all of it, or nothing."""
    _require_member(by, organisation)
    rows, errors = validate_affiliation_records(records)
    if not errors:
        errors = _cross_organisation_overlaps(organisation, rows)
    if errors:
        errors.sort(key=lambda e: (e.row, e.column))
        return UploadResult(ok=False, errors=errors)
    try:
        with transaction.atomic():
            upload = AffiliationUpload.objects.create(
                organisation=organisation, uploaded_by=by, source=source, file_name=file_name, row_count=len(rows)
            )
            EmployerAffiliation.objects.filter(organisation=organisation).delete()
            _store_affiliations(organisation, upload, rows)
    except (IntegrityError, PsycopgIntegrityError):
        # the exclusion constraint caught an overlap written concurrently by another organisation
        return UploadResult(
            ok=False,
            errors=[RowError(0, "org_number", _("Another organisation changed its list meanwhile; try again."))],
        )
    return UploadResult(ok=True, upload=upload, count=len(rows))


def _store_affiliations(organisation: Organisation, upload: AffiliationUpload, rows: list[AffiliationRow]) -> None:
    """Insert the list: COPY on Postgres (large lists), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        EmployerAffiliation.objects.bulk_create(
            [
                EmployerAffiliation(
                    organisation=organisation,
                    employer_org_number=r.org_number,
                    employer_name=r.name,
                    valid_from=r.valid_from,
                    valid_to=r.valid_to,
                    upload=upload,
                )
                for r in rows
            ],
            batch_size=5000,
        )
        return
    table = EmployerAffiliation._meta.db_table
    columns = "organisation_id, employer_org_number, employer_name, valid_from, valid_to, upload_id"
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row((organisation.pk, r.org_number, r.name, r.valid_from, r.valid_to, upload.pk))


def affiliations_upload(*, organisation: Organisation, file_name: str, data: bytes, by) -> UploadResult:
    """An uploaded CSV or XLSX file with the columns organisationsnummer, namn, giltig_fran, giltig_till."""
    _require_member(by, organisation)
    from .tabular import read_table

    try:
        table = read_table(file_name, data)
    except TableError as exc:
        return UploadResult(ok=False, errors=[RowError(0, "file", str(exc))])
    records, errors = affiliations_records_from_table(table)
    if errors:
        return UploadResult(ok=False, errors=errors)
    return affiliations_replace(
        organisation=organisation, records=records, source=table.kind, file_name=file_name, by=by
    )


# --- API tokens --------------------------------------------------------------------------------


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, organisation: Organisation, name: str, by) -> tuple[ApiToken, str]:
    """A new token; the raw key is returned once and only its sha256 is stored."""
    _require_member(by, organisation)
    raw = "omst_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation, name=name or "API", key_hash=hash_key(raw), prefix=raw[:12], created_by=by
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, by) -> None:
    _require_member(by, token.organisation)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])


# --- state compensation (R-5.10 to) ---------------------------------------------------

COMPENSATION_START = datetime.date(2022, 10, 1)
CAP_NUMERATOR, CAP_DENOMINATOR = 15, 10_000  # 0.15 % (R-5.11)

COMPENSATION_COLUMNS = {
    "org_number": ("organisationsnummer", "orgnr", "org_number"),
    "fees_paid": ("avgifter", "betalda_avgifter", "fees_paid", "fees"),
    "payroll_base": ("lonesumma", "lönesumma", "underlag", "payroll_base"),
}

COMPENSATION_LOCK_KEY = 5_011  # pg_advisory_xact_lock(key, year)
REFUSAL_NOT_AFFILIATED = "not_affiliated"
REFUSAL_DUPLICATE = "duplicate"
REFUSAL_OFFICER = "officer_exception"


def compensation_amount_sek(fees_paid_ore: int, payroll_base_ore: int) -> int:
    """min(fees paid, 0.15 % of the payroll base) in whole kronor, rounded down; integers only."""
    cap_ore = payroll_base_ore * CAP_NUMERATOR // CAP_DENOMINATOR
    return min(fees_paid_ore, cap_ore) // 100


def application_deadline(year: int) -> datetime.date:
    """Applications for year N are due by 30 September of N + 1 (R-5.13)."""
    return datetime.date(year + 1, 9, 30)


class CompensationRefused(ValidationError):
    pass


@dataclass
class CompensationResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    application: CompensationApplication | None = None


def compensation_records_from_table(table: Table) -> tuple[list[tuple], list[RowError]]:
    idx = {key: column_index(table.header, aliases) for key, aliases in COMPENSATION_COLUMNS.items()}
    missing = [key for key, i in idx.items() if i is None]
    if missing:
        return [], [
            RowError(
                1,
                key,
                _("The column is missing (expected one of: %(names)s).")
                % {"names": ", ".join(COMPENSATION_COLUMNS[key])},
            )
            for key in missing
        ]
    io_, if_, ip = idx["org_number"], idx["fees_paid"], idx["payroll_base"]
    width = max(io_, if_, ip) + 1
    records = []
    for n, row in enumerate(table.rows, start=2):
        if len(row) < width:
            if not any(c.strip() for c in row):
                continue
            row = row + [""] * (width - len(row))
        records.append((n, row[io_], row[if_], row[ip]))
    return records, []


def _validate_compensation_rows(records: list[tuple]) -> tuple[list[tuple], list[RowError]]:
    """(row, orgnr, fees_ore, payroll_ore) per valid record, and the row errors."""
    parsed, errors = [], []
    append, err = parsed.append, errors.append
    for n, orgnr_text, fees_text, payroll_text in records:
        orgnr = normalize_employer_org_number(orgnr_text)
        if orgnr is None:
            err(RowError(n, "org_number", _("Not a valid organisation number (NNNNNN-NNNN).")))
        try:
            fees = parse_amount_ore(fees_text)
        except ValueError:
            err(RowError(n, "fees_paid", _("Not an amount in kronor (for example 12345 or 12345,50).")))
            fees = None
        try:
            payroll = parse_amount_ore(payroll_text)
        except ValueError:
            err(RowError(n, "payroll_base", _("Not an amount in kronor (for example 12345 or 12345,50).")))
            payroll = None
        if orgnr is not None and fees is not None and payroll is not None:
            append((n, orgnr, fees, payroll))
    return parsed, errors


def _affiliated_during(organisation: Organisation, year: int) -> set[str]:
    start = max(datetime.date(year, 1, 1), COMPENSATION_START)
    end = datetime.date(year, 12, 31)
    return set(
        EmployerAffiliation.objects.filter(organisation=organisation, valid_from__lte=end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .values_list("employer_org_number", flat=True)
    )


def _already_claimed(year: int, orgnrs: set[str]) -> set[str]:
    claimed = set(
        CompensationRow.objects.filter(year=year, status=CompensationRow.Status.ACCEPTED).values_list(
            "employer_org_number", flat=True
        )
    )
    return claimed & orgnrs


STORED_COLUMNS = (
    "application_id",
    "row_number",
    "employer_org_number",
    "year",
    "fees_paid_ore",
    "payroll_base_ore",
    "computed_sek",
    "status",
    "refusal_code",
    "refusal_note",
)


def _store_rows(rows: list[tuple]) -> None:
    """Insert many rows (tuples in STORED_COLUMNS order): COPY on Postgres, bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        CompensationRow.objects.bulk_create(
            [CompensationRow(**dict(zip(STORED_COLUMNS, row, strict=True))) for row in rows], batch_size=2000
        )
        return
    table = CompensationRow._meta.db_table
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(STORED_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def compensation_file(
    *,
    organisation: Organisation,
    year: int,
    records: list[tuple],
    by,
    kind: str = CompensationApplication.Kind.COLLECTIVE,
    file_name: str = "",
    filed_on: datetime.date | None = None,
) -> CompensationResult:
    """File an application for year `year`; `records` are (row, orgnr, fees, payroll base) strings.

    Malformed rows refuse the whole file (row errors). Valid rows are computed; an employer that
    was not affiliated with the organisation during the year, or that is already claimed for the
    year (in an earlier application or earlier in this file), gets a refused row.
    """
    if not is_officer(by):  # an individual application may be registered by a case officer
        _require_member(by, organisation)
    return _compensation_file(
        organisation=organisation, year=year, records=records, by=by, kind=kind, file_name=file_name, filed_on=filed_on
    )


def _compensation_file(
    *,
    organisation: Organisation,
    year: int,
    records: list[tuple],
    by,
    kind: str,
    file_name: str = "",
    filed_on: datetime.date | None = None,
    details: dict | None = None,
) -> CompensationResult:
    """The checks and the computation shared by every path (collective, individual by an officer,
    individual by the employer online); the caller has checked who may file."""
    filed_on = filed_on or today()
    if year < COMPENSATION_START.year or datetime.date(year, 12, 31) >= filed_on:
        return CompensationResult(
            ok=False, errors=[RowError(0, "year", _("Compensation can be applied for completed years from 2022."))]
        )
    if filed_on > application_deadline(year):
        return CompensationResult(
            ok=False,
            errors=[
                RowError(
                    0,
                    "year",
                    _("Applications for %(year)s had to be filed by %(deadline)s.")
                    % {"year": year, "deadline": application_deadline(year).isoformat()},
                )
            ],
        )
    if not registered_during(
        organisation, max(datetime.date(year, 1, 1), COMPENSATION_START), datetime.date(year, 12, 31)
    ):
        return CompensationResult(
            ok=False,
            errors=[RowError(0, "year", _("The organisation was not registered during %(year)s.") % {"year": year})],
        )
    if kind == CompensationApplication.Kind.INDIVIDUAL and len(records) != 1:
        return CompensationResult(ok=False, errors=[RowError(0, "file", _("An individual application has one row."))])
    parsed, errors = _validate_compensation_rows(records)
    if errors:
        return CompensationResult(ok=False, errors=errors)
    if not parsed:
        return CompensationResult(ok=False, errors=[RowError(0, "file", _("The file has no rows."))])

    with transaction.atomic():
        # filings for the same year are serialised, so that two of them cannot both claim one
        # employer (the partial unique index is the last line of defence)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COMPENSATION_LOCK_KEY, year])
        affiliated = _affiliated_during(organisation, year)
        claimed = _already_claimed(year, {p[1] for p in parsed})
        application = CompensationApplication.objects.create(
            organisation=organisation,
            kind=kind,
            year=year,
            filed_by=by,
            filed_on=filed_on,
            file_name=file_name,
            **(details or {}),
        )
        app_id = application.pk
        rows = []
        seen = set()
        total = refused = 0
        accepted_status, refused_status = str(CompensationRow.Status.ACCEPTED), str(CompensationRow.Status.REFUSED)
        append = rows.append
        for n, orgnr, fees, payroll in parsed:
            computed = min(fees, payroll * CAP_NUMERATOR // CAP_DENOMINATOR) // 100
            if orgnr not in affiliated:
                refused += 1
                append((app_id, n, orgnr, year, fees, payroll, computed, refused_status, REFUSAL_NOT_AFFILIATED, ""))
            elif orgnr in claimed or orgnr in seen:
                refused += 1
                append((app_id, n, orgnr, year, fees, payroll, computed, refused_status, REFUSAL_DUPLICATE, ""))
            else:
                seen.add(orgnr)
                total += computed
                append((app_id, n, orgnr, year, fees, payroll, computed, accepted_status, "", ""))
        _store_rows(rows)
        application.row_count = len(rows)
        application.refused_count = refused
        application.total_computed = total
        application.save(update_fields=["row_count", "refused_count", "total_computed"])
    return CompensationResult(ok=True, application=application)


def compensation_file_individual(
    *,
    organisation: Organisation,
    year: int,
    employer_org_number: str,
    employer_name: str,
    fees_paid: str,
    payroll_base: str,
    signatory_name: str,
    signatory_capacity: str,
    contact_email: str,
    declaration: bool,
    by,
    filed_on: datetime.date | None = None,
) -> CompensationResult:
    """An employer's individual application (enskild ansökan, R-5.12) filed online.

    Who the employer is: a signed-in user states the employer's organisationsnummer, signs as the
    employer's authorised signatory (firmatecknare) or with a power of attorney, and declares that
    the figures are true. The portal cannot check that authority online, so a case officer checks
    it (against Bolagsverket, or the power of attorney) before deciding: compensation_decide
    refuses to decide an employer-filed application until the officer has confirmed the check.

    The computation and the refusals are those of the collective path (_compensation_file): the
    year must be complete and within the deadline, the organisation registered during the year;
    an employer not affiliated with the organisation during the year, or already claimed for the
    year, gets a refused row.
    """
    if not getattr(by, "is_authenticated", False) or not by.is_active:
        raise PermissionDenied
    errors = []
    if not declaration:
        errors.append(RowError(0, "declaration", _("Confirm the declaration to file the application.")))
    if not signatory_name.strip():
        errors.append(RowError(0, "signatory_name", _("Give the name of the person who signs.")))
    if signatory_capacity not in CompensationApplication.SignatoryCapacity.values:
        errors.append(RowError(0, "signatory_capacity", _("Say in what capacity you sign for the employer.")))
    if not employer_name.strip():
        errors.append(RowError(0, "employer_name", _("The employer's name is missing.")))
    normalized = normalize_employer_org_number(employer_org_number or "")
    if normalized is None:
        errors.append(RowError(0, "employer_org_number", _("Not a valid organisation number (NNNNNN-NNNN).")))
    if errors:
        return CompensationResult(ok=False, errors=errors)
    return _compensation_file(
        organisation=organisation,
        year=year,
        records=[(1, normalized, fees_paid, payroll_base)],
        by=by,
        kind=CompensationApplication.Kind.INDIVIDUAL,
        filed_on=filed_on,
        details={
            "employer_org_number": normalized,
            "employer_name": employer_name.strip()[:200],
            "signatory_name": signatory_name.strip()[:200],
            "signatory_capacity": signatory_capacity,
            "contact_email": contact_email.strip(),
            "declared_at": timezone.now(),
        },
    )


def compensation_upload(
    *, organisation: Organisation, year: int, file_name: str, data: bytes, by, filed_on=None
) -> CompensationResult:
    from .tabular import read_table

    try:
        table = read_table(file_name, data)
    except TableError as exc:
        return CompensationResult(ok=False, errors=[RowError(0, "file", str(exc))])
    records, errors = compensation_records_from_table(table)
    if errors:
        return CompensationResult(ok=False, errors=errors)
    return compensation_file(
        organisation=organisation, year=year, records=records, by=by, file_name=file_name, filed_on=filed_on
    )


@transaction.atomic
def compensation_decide(
    *,
    application: CompensationApplication,
    decision_number: str,
    exceptions: dict[str, str],
    by,
    authority_checked: bool = False,
) -> CompensationApplication:
    """Decide the application as a whole; `exceptions` {orgnr: reason} refuses those rows.

    An individual application filed online by the employer is decided only once the officer has
    checked that the signatory may act for the employer (`authority_checked`)."""
    _require_officer(by)
    application = CompensationApplication.objects.select_for_update().get(pk=application.pk)
    if application.state != CompensationApplication.State.SUBMITTED:
        raise ValidationError(_("The application is already decided."))
    if application.filed_by_employer and application.authority_checked_at is None:
        if not authority_checked:
            raise ValidationError(
                {
                    "authority_checked": _(
                        "Check that the signatory may act for the employer (authorised signatory or power of "
                        "attorney) before deciding."
                    )
                }
            )
        application.authority_checked_by = by
        application.authority_checked_at = timezone.now()
    if not decision_number.strip():
        raise ValidationError({"decision_number": _("Enter the decision number.")})
    normalized = {}
    for orgnr, reason in exceptions.items():
        n = normalize_employer_org_number(orgnr)
        if n is None:
            raise ValidationError(
                {"exceptions": _("%(value)s is not a valid organisation number.") % {"value": orgnr}}
            )
        normalized[n] = reason
    if normalized:
        rows = application.rows.filter(
            employer_org_number__in=list(normalized), status=CompensationRow.Status.ACCEPTED
        )
        found = {r.employer_org_number: r for r in rows}
        unknown = sorted(set(normalized) - set(found))
        if unknown:
            raise ValidationError(
                {"exceptions": _("Not an accepted row of this application: %(list)s") % {"list": ", ".join(unknown)}}
            )
        for orgnr, row in found.items():
            row.status = CompensationRow.Status.REFUSED
            row.refusal_code = REFUSAL_OFFICER
            row.refusal_note = normalized[orgnr]
        CompensationRow.objects.bulk_update(found.values(), ["status", "refusal_code", "refusal_note"])
    accepted = application.rows.filter(status=CompensationRow.Status.ACCEPTED)
    application.total_granted = sum(accepted.values_list("computed_sek", flat=True))
    application.refused_count = application.rows.filter(status=CompensationRow.Status.REFUSED).count()
    application.state = CompensationApplication.State.DECIDED
    application.decision_number = decision_number
    application.decided_by = by
    application.decided_at = timezone.now()
    application.save()
    return application


# --- registration attachments ------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# extension -> the content type the file's own bytes must show (content sniffing, never the
# browser's Content-Type header)
ATTACHMENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "txt": "text/plain",
    "csv": "text/csv",
}
# first bytes of binary formats that must never pass as text
_BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0")
_IMAGE_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff"}
# parts of an office document that hold macros (VBA in OOXML; Basic and scripts in OpenDocument)
_MACRO_FILES = ("vbaproject.bin", "vbadata.xml")
_MACRO_FOLDERS = ("basic/", "scripts/")


def _attachment_error(name: str, code: str) -> ValidationError:
    messages_ = {
        "type": _("The file “%(name)s” must be a PDF, Word, Excel, OpenDocument, text, CSV, PNG or JPEG file."),
        "size": _("The file “%(name)s” is larger than 10 MB."),
        "empty": _("The file “%(name)s” is empty."),
        "mismatch": _("The content of the file “%(name)s” does not match its extension."),
        "macros": _("The file “%(name)s” contains macros. Save it without macros and try again."),
    }
    return ValidationError(messages_[code] % {"name": name}, code)


def _sniff_office(upload, ext: str, name: str) -> bool:
    """The zip parts of an OOXML or OpenDocument file are what the extension says; macros raise."""
    import zipfile

    with zipfile.ZipFile(upload) as archive:
        names = [n.lower() for n in archive.namelist()]
        if any(n.endswith(_MACRO_FILES) or n.startswith(_MACRO_FOLDERS) for n in names):
            raise _attachment_error(name, "macros")
        if ext in ("docx", "xlsx"):
            folder = "word/" if ext == "docx" else "xl/"
            return "[content_types].xml" in names and any(n.startswith(folder) for n in names)
        if "mimetype" not in names:
            return False
        return archive.read("mimetype").strip().decode("ascii", "replace") == ATTACHMENT_TYPES[ext]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def validate_registration_attachment(upload) -> str:
    """The cheap checks, in the request, so that the applicant gets an immediate error: the
    extension, the size, and the type sniffed from the first bytes (PDF, PNG, JPEG, a zip for
    OOXML and OpenDocument, text without binary content). Returns the content type; raises
    ValidationError with a clear message. The expensive checks run afterwards in a task
    (registration_attachment_scan)."""
    name = getattr(upload, "name", "") or ""
    ext = _extension(name)
    if ext not in ATTACHMENT_TYPES:
        raise _attachment_error(name, "type")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise _attachment_error(name, "size")
    if not upload.size:
        raise _attachment_error(name, "empty")
    upload.seek(0)
    head = upload.read(8)
    try:
        if ext == "pdf" and not head.startswith(b"%PDF-"):
            raise _attachment_error(name, "mismatch")
        if ext in _IMAGE_MAGIC and not head.startswith(_IMAGE_MAGIC[ext]):
            raise _attachment_error(name, "mismatch")
        if ext in ("docx", "xlsx", "odt", "ods") and not head.startswith(b"PK\x03\x04"):
            raise _attachment_error(name, "mismatch")
        if ext in ("txt", "csv"):
            upload.seek(0)
            if head.startswith(_BINARY_MAGIC) or b"\0" in upload.read():
                raise _attachment_error(name, "mismatch")
    finally:
        upload.seek(0)
    return ATTACHMENT_TYPES[ext]


def check_registration_attachment_content(file, name: str) -> None:
    """The expensive checks of a stored attachment (run by the task): no active content in a
    PDF (core.uploads.check_pdf); no zip bomb, no macros, and the parts the extension promises
    in an office file; then the virus scan when ClamAV is configured. Raises UploadRejected or
    ValidationError (with a code) when the file is refused, ScannerUnavailable when ClamAV is
    configured but does not answer."""
    from omstallning.core.uploads import check_pdf, check_zip_archive, scan_upload

    ext = _extension(name)
    file.seek(0)
    try:
        if ext == "pdf":
            check_pdf(file)
        elif ext in ("docx", "xlsx", "odt", "ods"):
            check_zip_archive(file, max_uncompressed=100 * 1024 * 1024)
            if not _sniff_office(file, ext, name):
                raise _attachment_error(name, "mismatch")
        scan_upload(file)
    finally:
        file.seek(0)


def attachment_refusal_message(attachment) -> str:
    """What the applicant reads about a refused attachment (translated when shown)."""
    reasons = {
        "virus": _("It contains a virus or other malicious code."),
        "pdf_active_content": _(
            "The PDF contains scripts, embedded files or other active content. Save it as a plain PDF and try again."
        ),
        "pdf_encrypted": _("Password-protected files are not accepted."),
        "zip_encrypted": _("Password-protected files are not accepted."),
        "pdf_invalid": _("The content of the file does not match its extension."),
        "mismatch": _("The content of the file does not match its extension."),
        "zip_invalid": _("The content of the file does not match its extension."),
        "macros": _("It contains macros. Save it without macros and try again."),
        "zip_too_large": _("It unpacks to too much data or is compressed suspiciously hard."),
        "zip_ratio": _("It unpacks to too much data or is compressed suspiciously hard."),
        "zip_too_many_files": _("It unpacks to too much data or is compressed suspiciously hard."),
    }
    reason = reasons.get(attachment.refusal_code, _("It did not pass the safety check."))
    return _("The file “%(name)s” was not accepted and has been deleted. %(reason)s") % {
        "name": attachment.original_name,
        "reason": reason,
    }


def registration_attachment_add(*, case: RegistrationCase, topic: str, upload, by):
    """Attach a document to the applicant's case while it can be edited. The cheap checks
    (validate_registration_attachment) run before anything is stored; the file is then stored
    with the status "pending" and the task registry.tasks.scan_registration_attachment (queued
    after the commit, with the attachment's id) runs the expensive ones. If the row cannot be
    written, the stored file is removed again, so nothing is half-saved."""
    from .models import RegistrationAttachment
    from .tasks import scan_registration_attachment

    if case.applicant_id != by.pk:
        raise PermissionDenied
    if case.state not in workflow.EDITABLE_STATES:
        raise ValidationError(_("The application can no longer be changed."))
    if topic not in RegistrationAttachment.Topic.values:
        raise ValidationError({"topic": _("Choose which prerequisite the document supports.")})
    validate_registration_attachment(upload)
    attachment = RegistrationAttachment(case=case, topic=topic, original_name=(upload.name or "")[:255])
    attachment.file.save("upload", upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            scan_registration_attachment.delay_on_commit(attachment.pk)
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def registration_attachment_scan(*, attachment_id: int) -> str:
    """Runs the expensive checks on a pending attachment (the task's work) and sets its status:
    "clean", or "refused" with the reason's code, the file then deleted from storage after the
    commit (the row stays, so that the applicant's page can say what happened). Idempotent: an
    attachment that is no longer pending (or gone) is left as it is. ScannerUnavailable
    propagates (the task retries later) and the attachment stays pending. Logs the id, status
    and code only (never the file's name)."""
    import logging

    from omstallning.core.uploads import UploadRejected

    from .models import RegistrationAttachment

    attachment = RegistrationAttachment.objects.filter(pk=attachment_id).first()
    if attachment is None:
        return "gone"
    if attachment.status != RegistrationAttachment.Status.PENDING:
        return attachment.status
    code = ""
    try:
        with attachment.file.open("rb") as fh:
            check_registration_attachment_content(fh, attachment.original_name)
    except UploadRejected as exc:
        code = exc.code
    except ValidationError as exc:
        code = exc.code or "refused"
    except (FileNotFoundError, ValueError):  # the stored file is missing
        code = "missing"
    with transaction.atomic():
        attachment = RegistrationAttachment.objects.select_for_update().filter(pk=attachment_id).first()
        if attachment is None or attachment.status != RegistrationAttachment.Status.PENDING:
            return attachment.status if attachment else "gone"
        attachment.checked_at = timezone.now()
        if code:
            attachment.status = RegistrationAttachment.Status.REFUSED
            attachment.refusal_code = code[:40]
            storage, name = attachment.file.storage, attachment.file.name
            attachment.file = ""
            if name:
                transaction.on_commit(lambda: storage.delete(name))
        else:
            attachment.status = RegistrationAttachment.Status.CLEAN
        attachment.save(update_fields=["status", "refusal_code", "file", "checked_at"])
    logging.getLogger("omstallning.uploads").info(
        "registry attachment %s checked: %s %s", attachment_id, attachment.status, code
    )
    return attachment.status


ATTACHMENT_RESCAN_AFTER = datetime.timedelta(minutes=10)


def pending_attachments_requeue(*, now: datetime.datetime | None = None) -> int:
    """Queues the check again for attachments still pending some minutes after the upload (the
    broker was unreachable, or ClamAV stayed down past the task's retries). Idempotent."""
    from .models import RegistrationAttachment
    from .tasks import scan_registration_attachment

    cutoff = (now or timezone.now()) - ATTACHMENT_RESCAN_AFTER
    ids = list(
        RegistrationAttachment.objects.filter(
            status=RegistrationAttachment.Status.PENDING, uploaded_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        scan_registration_attachment.delay(pk)
    return len(ids)


def registration_attachment_remove(*, attachment, by) -> None:
    """The applicant removes an attachment while the application can be edited (a refused one
    too: its notice goes with it). The file is deleted from storage after the commit."""
    case = attachment.case
    if case.applicant_id != by.pk:
        raise PermissionDenied
    if case.state not in workflow.EDITABLE_STATES:
        raise ValidationError(_("The application can no longer be changed."))
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        attachment.delete()
        if name:
            transaction.on_commit(lambda: storage.delete(name))


def _require_attachments_checked(case: RegistrationCase) -> None:
    """A case is decided only when every attachment has been checked and found clean."""
    from .models import RegistrationAttachment

    unchecked = case.attachments.exclude(status=RegistrationAttachment.Status.CLEAN)
    if unchecked.filter(status=RegistrationAttachment.Status.PENDING).exists():
        raise ValidationError(
            _("An attachment is still being checked for viruses and active content. Decide when it is done.")
        )
    if unchecked.exists():
        raise ValidationError(
            _(
                "An attachment was refused by the safety check. Request completion so that the applicant "
                "removes it and attaches a new file, then decide."
            )
        )

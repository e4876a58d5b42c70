"""Sign-up accounts whose address was never confirmed are deleted by a daily task once the
verification link (24 h) has expired plus a margin (REGISTRY_SIGNUP_CLEANUP_MARGIN_DAYS, default
7 days), together with the draft the sign-up made; then the address can sign up again. Only
accounts marked by the sign-up are touched: a confirmed account, or an inactive account made
otherwise, never is. The log line holds counts only."""

import datetime
import logging

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile

from omstallning.accounts.roles import Role
from registry import services, tasks
from registry.models import PendingSignup, RegistrationAttachment, RegistrationCase
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=datetime.UTC)
EMAIL = "karin.ek@fonden.example"


def sign_up(email=EMAIL):
    return services.representative_sign_up(
        first_name="Karin",
        last_name="Ek",
        email=email,
        password="grön-tallskog-7-vinter",
        organisation_name="Trygghetsfonden Exempel",
        org_number="802000-0009",
        site_url="https://portal.example/",
    )


def sweep_at(when):
    with time_machine.travel(when, tick=False):
        return tasks.sweep_unverified_signups()


@pytest.fixture
def signed_up():
    with time_machine.travel(START, tick=False):
        case = sign_up()
    return case


def test_the_sign_up_marks_the_account_and_the_draft(signed_up):
    mark = PendingSignup.objects.get()
    assert (mark.user_id, mark.case_id, mark.created_at) == (signed_up.applicant_id, signed_up.pk, START)


def test_kept_6_days_after_the_link_expired_deleted_after_7(signed_up):
    user_id = signed_up.applicant_id
    link_expired = START + datetime.timedelta(hours=24)
    assert sweep_at(link_expired + datetime.timedelta(days=6)) == {"deleted": 0, "skipped": 0}
    assert get_user_model().objects.filter(pk=user_id).exists()
    assert sweep_at(link_expired + datetime.timedelta(days=7, seconds=-1)) == {"deleted": 0, "skipped": 0}
    assert sweep_at(link_expired + datetime.timedelta(days=7, minutes=1)) == {"deleted": 1, "skipped": 0}
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert not RegistrationCase.objects.exists()
    assert not PendingSignup.objects.exists()
    # nothing of the draft is left in its history either (it held the address)
    assert not RegistrationCase.history.filter(id=signed_up.pk).exists()
    # a second run finds nothing
    assert sweep_at(link_expired + datetime.timedelta(days=8)) == {"deleted": 0, "skipped": 0}


def test_the_margin_is_a_setting(signed_up, settings):
    settings.REGISTRY_SIGNUP_CLEANUP_MARGIN_DAYS = 1
    assert sweep_at(START + datetime.timedelta(days=1, hours=23)) == {"deleted": 0, "skipped": 0}
    assert sweep_at(START + datetime.timedelta(days=2, minutes=1)) == {"deleted": 1, "skipped": 0}


def test_a_confirmed_account_is_never_deleted(signed_up, django_capture_on_commit_callbacks):
    user = signed_up.applicant
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        token = services.signup_token_generator.make_token(user)
        assert services.representative_sign_up_verify(token=token) is not None
    assert not PendingSignup.objects.exists()
    assert sweep_at(START + datetime.timedelta(days=60)) == {"deleted": 0, "skipped": 0}
    user.refresh_from_db()
    assert user.is_active and RegistrationCase.objects.filter(applicant=user).exists()


def test_an_account_that_logged_in_or_was_activated_otherwise_is_kept(signed_up):
    user = signed_up.applicant
    get_user_model().objects.filter(pk=user.pk).update(last_login=START + datetime.timedelta(hours=2))
    assert sweep_at(START + datetime.timedelta(days=60)) == {"deleted": 0, "skipped": 0}
    get_user_model().objects.filter(pk=user.pk).update(last_login=None, is_active=True)
    assert sweep_at(START + datetime.timedelta(days=60)) == {"deleted": 0, "skipped": 0}
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_other_inactive_accounts_are_never_touched():
    with time_machine.travel(START, tick=False):
        deactivated = UserFactory(role=Role.ORGANISATION_REPORTER, is_active=False, email=EMAIL, username=EMAIL)
        RegistrationCase.objects.create(applicant=deactivated, name="X", contact_email=EMAIL)
    assert sweep_at(START + datetime.timedelta(days=60)) == {"deleted": 0, "skipped": 0}
    assert get_user_model().objects.filter(pk=deactivated.pk).exists()


def test_the_address_can_sign_up_again_afterwards(signed_up, django_capture_on_commit_callbacks):
    later = START + datetime.timedelta(days=9)
    sweep_at(later)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        case = sign_up()
    assert case is not None and case.applicant.email == EMAIL and not case.applicant.is_active
    # the new account gets a verification link, not "someone tried to sign up with your address"
    assert [m.to for m in mail.outbox] == [[EMAIL]]
    assert "/bekrafta/" in mail.outbox[0].body


def test_the_attachments_files_go_too(signed_up, settings):
    attachment = RegistrationAttachment(case=signed_up, topic="a", original_name="stadgar.pdf")
    attachment.file.save("upload", ContentFile(b"%PDF-1.4\n"), save=True)
    path = settings.PRIVATE_MEDIA_ROOT / attachment.file.name
    assert path.exists()
    with time_machine.travel(START + datetime.timedelta(days=9), tick=False):
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            assert tasks.sweep_unverified_signups() == {"deleted": 1, "skipped": 0}
    assert not RegistrationAttachment.objects.exists() and not path.exists()


def test_an_account_something_else_refers_to_is_left_whole(signed_up):
    # the account now has a second case (not made by the sign-up): nothing is half-deleted
    other = RegistrationCase.objects.create(applicant=signed_up.applicant, name="Another")
    assert sweep_at(START + datetime.timedelta(days=9)) == {"deleted": 0, "skipped": 1}
    assert get_user_model().objects.filter(pk=signed_up.applicant_id).exists()
    assert RegistrationCase.objects.filter(pk__in=[signed_up.pk, other.pk]).count() == 2
    assert PendingSignup.objects.filter(case=signed_up).exists()


def test_the_log_line_has_counts_only(signed_up, caplog):
    with caplog.at_level(logging.INFO, logger="omstallning.security"):
        sweep_at(START + datetime.timedelta(days=9))
    text = caplog.text
    assert "1 deleted, 0 skipped" in text
    assert "karin" not in text.lower() and "fonden" not in text.lower()


def test_the_verification_mail_says_when_the_account_goes(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up()
    assert "tas bort efter 8 dagar" in mailoutbox[0].body


def test_the_mark_of_an_account_activated_otherwise_is_removed(signed_up):
    get_user_model().objects.filter(pk=signed_up.applicant_id).update(is_active=True)
    sweep_at(START + datetime.timedelta(days=1))
    assert not PendingSignup.objects.exists()
    assert get_user_model().objects.filter(pk=signed_up.applicant_id).exists()

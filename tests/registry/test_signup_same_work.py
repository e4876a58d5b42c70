"""The sign-up does the same expensive work whether or not the address already has an account,
so that the time of the answer does not tell (no account enumeration by timing): the password
is hashed exactly once on both paths, and both queue exactly one mail task after the commit,
which gets an account id and never the address. (A timing test would be flaky; the difference
measured by hand is in docs/registry.md.)"""

import pytest
from django.contrib.auth.hashers import get_hasher

from registry import services, tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "karin.ek@fonden.example"
PASSWORD = "grön-tallskog-7-vinter"


def sign_up(email):
    return services.representative_sign_up(
        first_name="Karin",
        last_name="Ek",
        email=email,
        password=PASSWORD,
        organisation_name="Trygghetsfonden Exempel",
        org_number="802000-0009",
        site_url="https://portal.example/",
    )


@pytest.fixture
def spies(monkeypatch):
    hasher = type(get_hasher("default"))
    hashed, queued = [], []
    real_encode = hasher.encode

    def encode(self, password, salt, *args, **kwargs):
        hashed.append(password)
        return real_encode(self, password, salt, *args, **kwargs)

    monkeypatch.setattr(hasher, "encode", encode)
    monkeypatch.setattr(tasks.send_signup_mail, "delay_on_commit", lambda *args: queued.append(args))
    return hashed, queued


def test_a_taken_address_hashes_the_given_password_too(spies):
    UserFactory(username="someone", email=EMAIL)
    hashed, queued = spies
    hashed.clear()
    assert sign_up(EMAIL.upper()) is None
    assert hashed == [PASSWORD]
    assert len(queued) == 1 and queued[0][0] == "signup_taken"


def test_a_free_address_hashes_once_and_queues_one_task(spies):
    hashed, queued = spies
    assert sign_up(EMAIL) is not None
    assert hashed == [PASSWORD]
    assert len(queued) == 1 and queued[0][0] == "signup_verify"


def test_the_tasks_get_an_id_and_never_the_address(spies):
    owner = UserFactory(username="someone", email=EMAIL)
    hashed, queued = spies
    sign_up(EMAIL)
    case = sign_up("ny.person@fonden.example")
    assert queued == [
        ("signup_taken", owner.pk, "https://portal.example/"),
        ("signup_verify", case.applicant_id, "https://portal.example/"),
    ]


def test_an_address_known_only_as_a_username_without_e_mail_queues_a_task_that_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(username=EMAIL, email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert sign_up(EMAIL) is None
    assert len(callbacks) == 1 and mailoutbox == []


def test_the_verification_mail_is_not_sent_once_the_account_is_confirmed(mailoutbox):
    case = sign_up(EMAIL)
    token = services.signup_token_generator.make_token(case.applicant)
    services.representative_sign_up_verify(token=token)
    assert tasks.send_signup_mail("signup_verify", case.applicant_id, "https://portal.example/") is False
    assert mailoutbox == []


def test_the_taken_path_s_rehearsal_leaves_nothing_behind(django_capture_on_commit_callbacks, mailoutbox):
    from django.contrib.auth import get_user_model

    from registry.models import PendingSignup, RegistrationCase

    UserFactory(username="someone", email=EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(EMAIL) is None
    assert get_user_model().objects.count() == 1
    assert not RegistrationCase.objects.exists() and not RegistrationCase.history.exists()
    assert not PendingSignup.objects.exists()
    assert [m.to for m in mailoutbox] == [[EMAIL]]  # only the owner's notice, no verification link

"""The yttrande services lock a case or document FOR NO KEY UPDATE where they change no key column,
so rows referring to it (an assessment, a document, a referral) written elsewhere do not wait;
receiving a referral keeps FOR UPDATE because it may set the case's application (a unique column)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.yttrande import services
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import ASSESSMENT, YttrandeCaseFactory

pytestmark = pytest.mark.django_db


def _locks(captured):
    return [q["sql"] for q in captured if " FOR " in q["sql"] and q["sql"].startswith("SELECT")]


def test_assessment_approval_correction_and_rendering_take_no_key_locks(django_capture_on_commit_callbacks):
    case = YttrandeCaseFactory()
    officer = UserFactory(role=Role.CASE_OFFICER)
    with CaptureQueriesContext(connection) as captured:
        services.assessment_record(case=case, by=case.advisor.user, **ASSESSMENT)
        with django_capture_on_commit_callbacks(execute=True):
            document = services.case_approve(case=case, by=officer)
        services.case_reopen_for_correction(case=case, by=officer)
    locks = _locks(captured.captured_queries)
    case_locks = [q for q in locks if 'FROM "yttrande_yttrandecase"' in q]
    document_locks = [q for q in locks if 'FROM "yttrande_yttrandedocument"' in q]
    assert len(case_locks) == 3 and document_locks, locks
    assert all(q.endswith("FOR NO KEY UPDATE") for q in case_locks + document_locks), locks
    document.refresh_from_db()
    assert document.is_rendered


def test_receiving_a_referral_keeps_for_update():
    from applications.yttrande.models import Source

    from .factories import referral

    officer = UserFactory(role=Role.CASE_OFFICER)
    services.case_receive_referral(data=referral(), source=Source.STAFF, by=officer)
    with CaptureQueriesContext(connection) as captured:
        services.case_receive_referral(data=referral(csn_reference="CSN-2"), source=Source.STAFF, by=officer)
    case_locks = [q for q in _locks(captured.captured_queries) if 'FROM "yttrande_yttrandecase"' in q]
    assert len(case_locks) == 1 and case_locks[0].endswith(" FOR UPDATE"), case_locks

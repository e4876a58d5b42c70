"""Two referrals for the same person and education at the same moment make one case (R-2.4)."""

import threading

import pytest
from django.db import connection

from applications.yttrande import services
from applications.yttrande.models import Referral, Source, YttrandeCase
from omstallning.accounts.roles import Role
from tests.factories import UserFactory

from .factories import referral

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs Postgres row locks and real concurrency")
def test_simultaneous_referrals_make_one_case():
    officer = UserFactory(role=Role.CASE_OFFICER)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def refer(i):
        try:
            barrier.wait()
            case, created = services.case_receive_referral(
                data=referral(csn_reference=f"CSN-{i}"), source=Source.STAFF, by=officer
            )
            results.append((case.pk, created))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert YttrandeCase.objects.count() == 1
    assert len({pk for pk, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Referral.objects.count() == 4

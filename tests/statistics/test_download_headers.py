"""statistics downloads (the error CSV of a submission, the evaluator's CSV and Parquet exports)
name their file through omstallning.core.services.safe_download_name and Django's
content_disposition_header, like every other download of the portal."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from omstallning.accounts.roles import Role
from statistics import dashboard, views
from statistics.models import Submission
from tests.factories import UserFactory

from .factories import MemberFactory

# 00:30 in Stockholm on 24 November is still 23 November in UTC: the name uses the local date
FROZEN = datetime.datetime(2026, 11, 23, 23, 30, tzinfo=datetime.UTC)


@pytest.fixture
def names_given(monkeypatch):
    """Records the names passed to the core helper by the statistics views."""
    seen = []

    def spy(module):
        original = module.safe_download_name

        def recording(filename, **kwargs):
            seen.append(filename)
            return original(filename, **kwargs)

        monkeypatch.setattr(module, "safe_download_name", recording)

    spy(views)
    spy(dashboard)
    return seen


@pytest.mark.django_db
def test_the_error_csv_download_header(client, names_given):
    member = MemberFactory(user=UserFactory(role=Role.ORGANISATION_REPORTER))
    sub = Submission.objects.create(
        organisation=member.organisation, period="2026-03-01", status=Submission.Status.REJECTED, errors=[]
    )
    client.force_login(member.user)
    response = client.get(reverse("statistics:submission-errors-csv", args=[member.organisation.pk, sub.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="fel-2026-03-{sub.pk}.csv"'
    assert names_given == [f"fel-2026-03-{sub.pk}.csv"]


@pytest.mark.django_db
@time_machine.travel(FROZEN, tick=False)
@pytest.mark.parametrize(
    ("url_name", "filename"),
    [
        ("statistics:export", "omstallning-statistik-20261124.csv"),
        ("statistics:export-parquet", "omstallning-statistik-20261124.parquet"),
    ],
)
def test_the_export_download_headers(client, names_given, url_name, filename):
    client.force_login(UserFactory(role=Role.ANALYST))
    response = client.get(reverse(url_name), {"period_from": "2026-03", "period_to": "2026-03"})
    assert response.status_code == 200 and response.streaming
    b"".join(response.streaming_content)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert names_given == [filename]

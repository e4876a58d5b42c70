"""The reporters' page: upload, progress/status, errors table and CSV, history; members only."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from omstallning.accounts.roles import Role
from statistics.models import StatRow, Submission
from tests.factories import UserFactory

from .factories import MemberFactory, OrganisationFactory, csv_text, good_rows


@pytest.fixture
def member(db):
    return MemberFactory(user=UserFactory(role=Role.ORGANISATION_REPORTER))


def upload(client, org, text, period="2026-03", capture=None):
    url = reverse("statistics:organisation", args=[org.pk])
    data = {"period": period, "file": SimpleUploadedFile("rapport.csv", text.encode(), "text/csv")}
    with capture(execute=True):
        return client.post(url, data)


@pytest.mark.django_db
def test_upload_accepted_and_in_history(client, member, django_capture_on_commit_callbacks):
    client.force_login(member.user)
    assert client.get(reverse("statistics:submissions")).url == reverse(
        "statistics:organisation", args=[member.organisation.pk]
    )
    response = upload(client, member.organisation, csv_text(good_rows(20)), capture=django_capture_on_commit_callbacks)
    sub = Submission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("statistics:submission", args=[member.organisation.pk, sub.pk])
    assert (sub.status, sub.uploaded_by, sub.source) == ("accepted", member.user, "web")
    page = client.get(response.url).content.decode()
    assert "Rapporten godkändes: 20 rader." in page
    history = client.get(reverse("statistics:organisation", args=[member.organisation.pk])).content.decode()
    assert "2026-03" in history and "Godkänd" in history
    status = client.get(reverse("statistics:submission-status", args=[member.organisation.pk, sub.pk])).json()
    assert status["finished"] and status["status"] == "accepted" and status["progress"] == 100


@pytest.mark.django_db
def test_rejected_upload_shows_error_table_and_csv(client, member, django_capture_on_commit_callbacks):
    client.force_login(member.user)
    rows = good_rows(5)
    rows[1]["service"] = "radgivnin"
    response = upload(client, member.organisation, csv_text(rows), capture=django_capture_on_commit_callbacks)
    page = client.get(response.url).content.decode()
    assert 'id="error-table"' in page and "okänd tjänst &#x27;radgivnin&#x27;" in page
    sub = Submission.objects.get()
    got = client.get(reverse("statistics:submission-errors-csv", args=[member.organisation.pk, sub.pk]))
    table = list(
        csv.reader(
            io.StringIO(b"".join(got).decode("utf-8-sig") if got.streaming else got.content.decode("utf-8-sig"))
        )
    )
    assert table == [["rad", "kolumn", "meddelande"], ["3", "service", "okänd tjänst 'radgivnin'"]]
    assert not StatRow.objects.exists()


@pytest.mark.django_db
def test_processing_page_polls_and_reloads_without_js(client, member):
    client.force_login(member.user)
    sub = Submission.objects.create(organisation=member.organisation, period="2026-03-01")
    page = client.get(reverse("statistics:submission", args=[member.organisation.pk, sub.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page
    assert "data-status-url" in page and "statistics/submissions.js" in page
    status = client.get(reverse("statistics:submission-status", args=[member.organisation.pk, sub.pk])).json()
    assert status["finished"] is False and status["status"] == "processing"


@pytest.mark.django_db
def test_bad_form_names_the_field(client, member):
    client.force_login(member.user)
    response = client.post(reverse("statistics:organisation", args=[member.organisation.pk]), {"period": "mars"})
    page = response.content.decode()
    assert response.status_code == 200 and "ÅÅÅÅ-MM" in page or "YYYY-MM" in page
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_non_members_get_404(client, member):
    other_org = OrganisationFactory()
    sub = Submission.objects.create(organisation=member.organisation, period="2026-03-01")
    outsider = UserFactory(role=Role.ORGANISATION_REPORTER)
    client.force_login(outsider)
    for url in [
        reverse("statistics:organisation", args=[member.organisation.pk]),
        reverse("statistics:submission", args=[member.organisation.pk, sub.pk]),
        reverse("statistics:submission-status", args=[member.organisation.pk, sub.pk]),
        reverse("statistics:submission-errors-csv", args=[member.organisation.pk, sub.pk]),
        reverse("statistics:tokens", args=[member.organisation.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # a member of one organisation cannot reach another organisation's submission through its own id
    client.force_login(member.user)
    assert client.get(reverse("statistics:submission", args=[other_org.pk, sub.pk])).status_code == 404
    assert client.get(reverse("statistics:tokens", args=[member.organisation.pk])).status_code == 404  # not admin


@pytest.mark.django_db
def test_error_csv_cannot_carry_a_formula(client, member, django_capture_on_commit_callbacks):
    client.force_login(member.user)
    text = csv_text(good_rows(2)).replace("yttrande_strengthens", "=HYPERLINK(1)", 1)
    upload(client, member.organisation, text, capture=django_capture_on_commit_callbacks)
    sub = Submission.objects.get()
    got = client.get(reverse("statistics:submission-errors-csv", args=[member.organisation.pk, sub.pk]))
    cells = [c for row in csv.reader(io.StringIO(got.content.decode("utf-8-sig"))) for c in row]
    assert "'=hyperlink(1)" in cells
    assert not any(c.startswith("=") for c in cells)

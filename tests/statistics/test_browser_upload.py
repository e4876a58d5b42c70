"""In a real browser: upload a file with an error, see the error table, fix the file, upload again."""

import pytest

from omstallning.accounts.roles import Role
from tests.conftest import browser_login
from tests.factories import TEST_PASSWORD, UserFactory

from .factories import MemberFactory, csv_text, good_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_error_fix_and_upload_again(page, live_server, tmp_path):
    user = UserFactory(username="rapportor", role=Role.ORGANISATION_REPORTER)
    member = MemberFactory(user=user)
    rows = good_rows(12)
    rows[4]["service"] = "radgivnin"
    bad = tmp_path / "mars.csv"
    bad.write_text(csv_text(rows), encoding="utf-8")

    browser_login(page, live_server, "rapportor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/statistik/rapporter/")
    assert member.organisation.name in page.locator("h1").inner_text()
    page.fill("input[name=period]", "2026-03")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form[data-upload-form] button[type=submit]")

    table = page.locator("#error-table")
    table.wait_for()
    cells = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells == ["6", "service", "okänd tjänst 'radgivnin'"]
    assert "Filen avvisades" in page.locator("[data-error-summary]").inner_text()
    with page.expect_download() as download:
        page.click("text=Ladda ner felen som CSV")
    with open(download.value.path(), encoding="utf-8-sig") as fh:
        assert "radgivnin" in fh.read()

    rows[4]["service"] = "radgivning"
    bad.write_text(csv_text(rows), encoding="utf-8")
    page.click("text=Alla inlämningar")
    page.fill("input[name=period]", "2026-03")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form[data-upload-form] button[type=submit]")
    page.locator("text=Rapporten godkändes: 12 rader.").wait_for()
    page.click("text=Alla inlämningar")
    statuses = page.locator("table tbody tr td:nth-child(4)").all_inner_texts()
    assert statuses == ["Godkänd", "Avvisad"]


def test_large_file_goes_through_the_progress_upload(page, live_server, tmp_path):
    user = UserFactory(username="stor", role=Role.ORGANISATION_REPORTER)
    MemberFactory(user=user)
    big = tmp_path / "stor.csv"
    big.write_text(csv_text(good_rows(12_000)), encoding="utf-8")
    assert big.stat().st_size > 1_048_576  # the script takes over above 1 MB
    browser_login(page, live_server, "stor", TEST_PASSWORD)
    page.goto(f"{live_server.url}/statistik/rapporter/")
    page.fill("input[name=period]", "2026-03")
    page.set_input_files("input[name=file]", str(big))
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        page.click("form[data-upload-form] button[type=submit]")
    page.locator("text=Rapporten godkändes: 12000 rader.").wait_for(timeout=60_000)
    assert "/inlamningar/" in page.url

"""Journey 6: the organisation reporter uploads a month's statistics; the real worker imports the
file; the analyst sees the month in the dashboard."""

import datetime

from tests.e2e.journeys import E2E, wait_until

pytestmark = E2E


def test_reporter_uploads_and_analyst_sees_it(demo, e2e, browser_page, shots, tmp_path):
    from registry.models import Organisation
    from statistics import synthetic
    from statistics.models import StatRow, Submission

    organisation = Organisation.objects.get(name="Demo Omställningsorganisation")
    today = datetime.date.today()
    period = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    rows = list(synthetic.rows(40, period, seed=4242))
    path = synthetic.write_csv(tmp_path / f"rapport-{period:%Y-%m}.csv", rows)

    reporter = browser_page("olof.rapportor")
    reporter.goto(f"{e2e.url}/statistik/rapporter/")
    if "/statistik/rapporter/" in reporter.url and reporter.locator("input[name=file]").count() == 0:
        reporter.click(f"main a:has-text('{organisation.name}')")
    reporter.fill("input[name=period]", f"{period:%Y-%m}")
    reporter.set_input_files("input[name=file]", str(path))
    shots(reporter, "upload")
    reporter.click("form[data-upload-form] button[type=submit]")
    submission = wait_until(
        lambda: Submission.objects.filter(organisation=organisation, period=period, status="accepted").first(),
        timeout=60,
        message="the worker's import of the upload",
    )
    assert StatRow.objects.filter(submission=submission).count() == len(rows)
    reporter.locator(f"text=Rapporten godkändes: {len(rows)} rader.").wait_for(timeout=30_000)
    shots(reporter, "accepted")

    analyst = browser_page("anna.analytiker")
    analyst.goto(f"{e2e.url}/statistik/oversikt/")
    table = analyst.locator("#dashboard-table")
    row = table.locator("tbody tr", has_text=f"{period:%Y-%m}").filter(has_text=organisation.name)
    assert row.count() == 1, table.inner_text()
    persons = len({r["personnummer"].replace("-", "") for r in rows})
    assert str(persons) in row.inner_text()
    shots(analyst, "dashboard")

"""Benchmark of state compensation (issue 7, R-5.14): a collective application of 100,000 rows.

Sets up one registered organisation with 100,000 affiliated employers (COPY, not timed), then
times `compensation_upload()` end to end on a 100,000-row CSV file: read, validate every cell
(organisationsnummer with Luhn, amounts), check affiliation during year N and earlier claims,
compute min(fees, 0.15 % of the payroll base) in integer öre, and store the rows with COPY, in one
transaction. 2 % of the rows are refused (not affiliated) and 1 % are duplicates. Also the same
file as XLSX (python-calamine). Target: ≤ 10 s for 100,000 rows. Then the decision of the CSV
application and its decision letter as PDF (WeasyPrint; at most 500 refused employers listed).

Usage: python bench/compensation.py [ROWS]
"""

import datetime
import os
import sys
import time

from _registry_setup import backend_cpu_seconds, bench_database, copy_affiliations, orgnr, table

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000


def main():
    with bench_database("compensation") as connection:
        from omstallning.accounts.models import User
        from registry import services
        from registry.models import CompensationRow, Organisation, OrganisationMember, RegistrationPeriod

        org = Organisation.objects.create(name="Bench-organisationen")
        other = Organisation.objects.create(name="Bench-organisationen 2")
        for o in (org, other):
            RegistrationPeriod.objects.create(organisation=o, registered_from=datetime.date(2022, 12, 31))
        user = User.objects.create(username="bench-reporter")
        OrganisationMember.objects.create(organisation=org, user=user)
        OrganisationMember.objects.create(organisation=other, user=user)
        affiliated = int(ROWS * 0.98)
        copy_affiliations(
            connection,
            ((org.pk, orgnr(i), f"Arbetsgivare {i}", datetime.date(2022, 10, 1), None) for i in range(affiliated)),
        )
        lines = ["organisationsnummer;avgifter;lonesumma"]
        for i in range(ROWS):
            employer = orgnr(i) if i % 100 else orgnr(max(i - 1, 0))  # 1 % duplicates
            lines.append(f"{employer};{10_000 + i % 50_000},{i % 100:02d};{5_000_000 + 37 * i}")
        data = ("\n".join(lines) + "\n").encode()

        b0 = backend_cpu_seconds(connection)
        t0, c0 = time.perf_counter(), time.process_time()
        result = services.compensation_upload(
            organisation=org,
            year=2023,
            file_name="kollektiv.csv",
            data=data,
            by=user,
            filed_on=datetime.date(2024, 9, 1),
        )
        csv_s, csv_cpu = time.perf_counter() - t0, time.process_time() - c0
        b1 = backend_cpu_seconds(connection)
        server_cpu = f"{b1 - b0:.2f}" if b0 is not None and b1 is not None else "n/a"
        assert result.ok, result.errors[:5]
        app = result.application
        stored = CompensationRow.objects.filter(application=app).count()

        # the parsing/validation/computation alone (no database), for the split
        from registry.services import _validate_compensation_rows, compensation_records_from_table
        from registry.tabular import read_table

        t0 = time.perf_counter()
        records, _errors = compensation_records_from_table(read_table("k.csv", data))
        parsed, _errors = _validate_compensation_rows(records)
        for _n, _o, fees, payroll in parsed:
            services.compensation_amount_sek(fees, payroll)
        pure_s = time.perf_counter() - t0

        # the same rows as XLSX, for the other organisation's employers (none affiliated: all refused rows)
        sys.path.insert(0, str(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
        from tests.registry.xlsx import build_xlsx

        xlsx = build_xlsx([line.split(";") for line in lines])
        t0 = time.perf_counter()
        xresult = services.compensation_upload(
            organisation=other,
            year=2023,
            file_name="kollektiv.xlsx",
            data=xlsx,
            by=user,
            filed_on=datetime.date(2024, 9, 1),
        )
        xlsx_s = time.perf_counter() - t0
        assert xresult.ok, xresult.errors[:5]

        # the decision and its letter as PDF (WeasyPrint): the collective decision lists at most
        # 500 refused employers; the first render also loads fonts, so it is timed on its own
        from registry.pdf import compensation_decision_pdf

        officer = User.objects.create(username="bench-officer", is_superuser=True)
        t0 = time.perf_counter()
        decided = services.compensation_decide(application=app, decision_number="B-1", exceptions={}, by=officer)
        decide_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        first_pdf = compensation_decision_pdf(decided)
        first_pdf_s = time.perf_counter() - t0
        pdf_times, pdf_cpu = [], 0.0
        for _ in range(5):
            t0, c0 = time.perf_counter(), time.process_time()
            pdf = compensation_decision_pdf(decided)
            pdf_times.append(time.perf_counter() - t0)
            pdf_cpu += time.process_time() - c0
        import io

        import pypdf

        pdf_pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        assert first_pdf.startswith(b"%PDF-")

        print(f"rows: {ROWS:,}; stored {stored:,}; refused {app.refused_count:,}; total {app.total_computed:,} kr")
        print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
        table(
            [
                (
                    "CSV end to end: read, validate, compute, COPY (s)",
                    f"{csv_s:.2f}",
                    "≤ 10",
                    "OK" if csv_s <= 10 else "MISS",
                ),
                ("  CPU time of this process in it (s)", f"{csv_cpu:.2f}", "", ""),
                ("  CPU time of the Postgres backend in it (s)", server_cpu, "", ""),
                ("  of which read + validate + compute, no DB (s)", f"{pure_s:.2f}", "", ""),
                (
                    "  rows per second (CSV end to end)",
                    f"{ROWS / csv_s:,.0f}",
                    "≥ 10,000",
                    "OK" if ROWS / csv_s >= 10_000 else "MISS",
                ),
                (
                    f"XLSX end to end ({len(xlsx) / 1e6:.1f} MB, calamine) (s)",
                    f"{xlsx_s:.2f}",
                    "≤ 10",
                    "OK" if xlsx_s <= 10 else "MISS",
                ),
                ("decision of the whole application (s)", f"{decide_s:.2f}", "", ""),
                ("decision letter PDF, first render in the process (s)", f"{first_pdf_s:.2f}", "", ""),
                (
                    f"decision letter PDF ({pdf_pages} pages), median of 5 (s)",
                    f"{sorted(pdf_times)[2]:.2f}",
                    "",
                    "",
                ),
                ("  CPU time per PDF (s, process_time)", f"{pdf_cpu / 5:.2f}", "", ""),
            ]
        )


if __name__ == "__main__":
    main()

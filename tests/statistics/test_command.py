"""python manage.py import_statistics, exactly as statistics-v1.md says."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from statistics.models import StatRow, Submission

from .factories import OrganisationFactory, csv_text, good_rows, write


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command("import_statistics", *args, stdout=out)
        code = 0
    except CommandError as exc:
        code = exc.returncode
    return code, json.loads(out.getvalue())


@pytest.mark.django_db
def test_accepted_then_superseded(tmp_path):
    org = OrganisationFactory(org_number="802000-0009")
    path = write(tmp_path, csv_text(good_rows(25)))
    code, out = run("--organisation", "802000-0009", "--period", "2026-03", str(path))
    assert code == 0
    sub = Submission.objects.get()
    assert out == {"status": "accepted", "submission": sub.pk, "rows": 25, "superseded": None}
    assert sub.source == Submission.Source.COMMAND and sub.organisation == org
    code, out2 = run("--organisation", "8020000009", "--period", "2026-03", str(path))
    assert code == 0 and out2["superseded"] == sub.pk and out2["rows"] == 25


@pytest.mark.django_db
def test_rejected_with_errors(tmp_path):
    OrganisationFactory(org_number="802000-0009")
    rows = good_rows(5)
    rows[2]["service"] = "radgivnin"
    code, out = run("--organisation", "802000-0009", "--period", "2026-03", str(write(tmp_path, csv_text(rows))))
    assert code == 1
    assert out == {
        "status": "rejected",
        "error_count": 1,
        "errors": [{"row": 4, "column": "service", "message": "okänd tjänst 'radgivnin'"}],
    }
    assert not StatRow.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("orgnr", ["999999-9999", "abc", "802000-000"])
def test_unknown_organisation_is_rejected_with_one_message(tmp_path, orgnr):
    OrganisationFactory(org_number="802000-0009")
    code, out = run("--organisation", orgnr, "--period", "2026-03", str(write(tmp_path, csv_text(good_rows(2)))))
    assert code == 1
    assert out["status"] == "rejected" and out["error_count"] == 1
    assert out["errors"][0]["row"] is None and "organisation" in out["errors"][0]["message"]
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_period_mismatch_and_bad_period(tmp_path):
    OrganisationFactory(org_number="802000-0009")
    path = str(write(tmp_path, csv_text(good_rows(2))))
    code, out = run("--organisation", "802000-0009", "--period", "2026-13", path)
    assert code == 1 and "ÅÅÅÅ-MM" in out["errors"][0]["message"]
    code, out = run("--organisation", "802000-0009", "--period", "2026-04", path)
    assert code == 1 and out["error_count"] == 2 and {e["column"] for e in out["errors"]} == {"period"}


def test_the_real_process_exits_1_with_json(tmp_path):
    import os
    import subprocess
    import sys

    path = write(tmp_path, "")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "omstallning.settings.test"}
    proc = subprocess.run(
        [sys.executable, "manage.py", "import_statistics", "--organisation", "x", "--period", "2026-03", str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["status"] == "rejected"


@pytest.mark.django_db
def test_unregistered_organisation_is_rejected(tmp_path):
    OrganisationFactory(org_number="802000-0009", registered=False)
    path = str(write(tmp_path, csv_text(good_rows(2))))
    code, out = run("--organisation", "802000-0009", "--period", "2026-03", path)
    assert code == 1 and out["error_count"] == 1 and not Submission.objects.exists()

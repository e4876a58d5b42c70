"""python manage.py import_statistics --organisation ORGNR --period YYYY-MM FILE

Runs the same import service as the web page and the API, synchronously. Prints one JSON object
on standard output; exit 0 when accepted, 1 when not (docs/statistics.md, statistics-v1.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from statistics import selectors, services
from statistics.models import Submission
from statistics.validation import parse_period, render_errors


class Command(BaseCommand):
    help = "Imports a monthly statistics report (format v1) for a registered transition organisation."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="organisationsnummer, NNNNNN-NNNN or NNNNNNNNNN")
        parser.add_argument("--period", required=True, help="the reported month, YYYY-MM")
        parser.add_argument("file", help="the report, CSV or XLSX")

    def _reject(self, message: str):
        self.stdout.write(
            json.dumps(
                {
                    "status": "rejected",
                    "error_count": 1,
                    "errors": [{"row": None, "column": None, "message": message}],
                },
                ensure_ascii=False,
            )
        )
        raise CommandError(message, returncode=1)

    def handle(self, *args, **options):
        organisation = selectors.organisation_by_number(options["organisation"])
        if organisation is None or not selectors.organisation_is_registered(organisation):
            self._reject(
                gettext("Unknown or unregistered organisation: %(orgnr)s") % {"orgnr": options["organisation"]}
            )
        try:
            period = parse_period(options["period"])
        except ValueError:
            self._reject(gettext("The period must be written YYYY-MM."))
        path = Path(options["file"])
        if not path.is_file():
            self._reject(gettext("The file %(name)s does not exist.") % {"name": path.name})
        submission = services.submission_create(
            organisation=organisation, period=period, file=path, source=Submission.Source.COMMAND, enqueue=False
        )
        result = services.submission_import(submission.pk)
        submission = result.submission
        if submission.status == Submission.Status.ACCEPTED:
            payload = {
                "status": "accepted",
                "submission": submission.pk,
                "rows": submission.row_count,
                "superseded": result.superseded.pk if result.superseded else None,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        payload = {
            "status": "rejected",
            "error_count": submission.error_count,
            "errors": render_errors(submission.errors),
        }
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
        raise CommandError(gettext("The file was rejected."), returncode=1)

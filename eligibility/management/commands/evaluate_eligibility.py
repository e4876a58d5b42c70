"""python manage.py evaluate_eligibility FILE (or - for standard input), per eligibility-cli.md.

Prints a JSON array with one result per case, in input order. A case that cannot be evaluated
gets {"id", "error"}; the others are still evaluated and the command then exits with status 1.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from eligibility.rules import InputError, evaluate, parse_case
from eligibility.selectors import current_parameters


class Command(BaseCommand):
    help = "Evaluate eligibility cases from a JSON file (or - for standard input) and print the results as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a JSON file with one case or an array of cases, or - for stdin")
        parser.add_argument(
            "--lang",
            choices=["sv", "en"],
            default="sv",
            help="language of the explanation texts (default: sv)",
        )

    def handle(self, *args, **options):
        path = options["file"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from None
        cases = data if isinstance(data, list) else [data]
        params = current_parameters()
        english = options["lang"] == "en"
        results = []
        errors = 0
        append = results.append
        for raw in cases:
            try:
                case = parse_case(raw, params)
            except InputError as exc:
                errors += 1
                append({"id": raw.get("id") if isinstance(raw, dict) else None, "error": str(exc)})
                continue
            result = evaluate(case, params)
            for reason in result["reasons"]:
                text_en = reason.pop("text_en")
                if english:
                    reason["text"] = text_en
            append(result)
        self.stdout.write(json.dumps(results, ensure_ascii=False))
        if errors:
            raise CommandError(f"{errors} of {len(cases)} case(s) could not be evaluated", returncode=1)

"""The permission matrix (docs/permissions.md) walked for real: every named URL of the project,
requested with GET by anonymous and by each role (and every URL that points at other people's
objects also with POST, which must be refused and change nothing), ids filled with objects that belong to *other*
people (another applicant's application, draft, attachment, plan and yttrande PDF, another
organisation's submissions and tokens, another advisor's client), answer exactly as the table says.

The table in docs/permissions.md is the data: a new view is added by adding its row there (the
test fails for a named URL without a row). `TRUST_PRINT_MATRIX=1` prints the observed table.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from omstallning.accounts.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
COLUMNS = ["anonymous", *[r.value for r in Role]]
# Named URLs that are not pages of the portal: Django's own helpers and the admin (the admin's
# pages are listed by name in the table's admin rows; its hundreds of generated URLs are not).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language", "javascript-catalog"}
MISSING_INT = 987654
MISSING_STR = "finns-inte"


def read_matrix() -> dict[str, dict[str, str]]:
    text = DOC.read_text()
    block = text.split("<!-- matrix:start -->")[1].split("<!-- matrix:end -->")[0]
    rows = [line for line in block.strip().splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    assert header[1:] == COLUMNS, f"matrix header must be: url name | {' | '.join(COLUMNS)}"
    matrix = {}
    for line in rows[2:]:
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        matrix[cells[0]] = dict(zip(COLUMNS, cells[1:], strict=True))
    return matrix


def named_urls():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                if ns in SKIPPED_NAMESPACES:
                    continue
                yield from walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name not in SKIPPED_NAMES:
                    yield name, pattern

    return dict(walk(get_resolver().url_patterns))


class World:
    """One user per role plus objects that belong to other people."""

    def __init__(self):
        self.users = {role: UserFactory(username=f"matrix-{role.value}", role=role) for role in Role}
        self.kwargs = {}
        self._build()

    def _try(self, name, builder):
        from django.db import transaction

        try:
            with transaction.atomic():
                builder()
        except Exception as exc:  # an app's factory changed: the ids stay "missing" and the doc says so
            self.kwargs.setdefault("_errors", []).append(f"{name}: {type(exc).__name__}: {exc}")

    def _build(self):
        self._try("applications", self._applications)
        self._try("advisors", self._advisors)
        self._try("registry", self._registry)
        self._try("statistics", self._statistics)
        self._try("yttrande", self._yttrande)

    def _applications(self):
        from tests.applications.factories import ApplicantFactory, DraftFactory, submitted_application

        other = ApplicantFactory(username="matrix-other-applicant")
        application = submitted_application(applicant=other)
        draft = DraftFactory(applicant=other)
        self.kwargs["applications:case"] = {"pk": application.pk}
        self.kwargs["applications:receipt"] = {"pk": application.pk}
        self.kwargs["applications:draft_remove"] = {"pk": draft.pk}
        self.kwargs["applications:step"] = {"pk": draft.pk, "slug": "om-dig"}
        attachment = application.attachments.first() if hasattr(application, "attachments") else None
        if attachment is None:
            from applications.models import Attachment

            attachment = Attachment.objects.filter(owner=other).first()
        if attachment is not None:
            self.kwargs["applications:attachment"] = {"pk": attachment.pk}
            self.kwargs["applications:attachment_remove"] = {"pk": draft.pk, "attachment_pk": attachment.pk}
        self.kwargs["advisors:applicant_plan"] = {"application_id": application.pk}
        self.kwargs["advisors:applicant_plan_version"] = {"application_id": application.pk, "number": 1}

    def _advisors(self):
        from tests.advisors.factories import AdvisorFactory, SupplierFactory
        from tests.advisors.sweep_helpers import assigned

        # Another supplier with another coordinator and advisor, who get the client.
        supplier = SupplierFactory(
            rank=900,
            municipalities=["Stockholm", "0180"],
            regions=["14"],
            coordinator=UserFactory(role=Role.SUPPLIER_COORDINATOR),
        )
        AdvisorFactory(supplier=supplier)
        assignment = assigned(reference="OOO-2026-987001")
        for name in ["client", "contact_new", "needs", "plan_edit", "close"]:
            self.kwargs[f"advisors:{name}"] = {"pk": assignment.pk}
        self.kwargs["advisors:plan_version"] = {"pk": assignment.pk, "number": 1}

    def _registry(self):
        from tests.registry.factories import member_of, registered_organisation

        mine = registered_organisation(name="Matrix egen organisation")
        reporter = self.users[Role.ORGANISATION_REPORTER]
        from registry.models import OrganisationMember

        OrganisationMember.objects.create(organisation=mine, user=reporter, is_admin=True)
        other = registered_organisation(name="Matrix annan organisation")
        member_of(other)
        self.other_org = other
        self.kwargs["registry:organisation"] = {"pk": other.pk}
        for name in ["affiliations", "affiliations_csv", "token_create", "compensation"]:
            self.kwargs[f"registry:{name}"] = {"org_id": other.pk}
        for name in ["token_revoke", "compensation_detail", "compensation_payout", "compensation_letter"]:
            self.kwargs[f"registry:{name}"] = {"org_id": other.pk, "pk": MISSING_INT}

    def _statistics(self):
        from statistics.models import Submission

        other = getattr(self, "other_org", None)
        if other is None:
            return
        submission = Submission.objects.create(organisation=other, period="2026-03-01")
        for name in ["organisation", "tokens"]:
            self.kwargs[f"statistics:{name}"] = {"organisation_id": other.pk}
        for name in ["submission", "submission-status", "submission-errors-csv"]:
            self.kwargs[f"statistics:{name}"] = {"organisation_id": other.pk, "submission_id": submission.pk}
        self.kwargs["statistics:token-revoke"] = {"organisation_id": other.pk, "token_id": MISSING_INT}
        self.kwargs["statistics:api-submission"] = {"pk": submission.pk}

    def _yttrande(self):
        from tests.yttrande.factories import YttrandeCaseFactory

        case = YttrandeCaseFactory()
        self.kwargs["yttrande:advisor_assessment"] = {"reference": case.reference}
        self.kwargs["yttrande:api_case"] = {"reference": case.reference}
        self.kwargs["yttrande:api_pdf"] = {"reference": case.reference}
        self.kwargs["yttrande:my_yttrande_pdf"] = {"reference": case.reference, "version": 1}

    def url_for(self, name, pattern):
        from django.urls import reverse

        kwargs = dict(self.kwargs.get(name, {}))
        for key, converter in pattern.pattern.converters.items():
            if key not in kwargs:
                kwargs[key] = MISSING_INT if type(converter).__name__ == "IntConverter" else MISSING_STR
        return reverse(name, kwargs=kwargs or None)


def observe(client, world, url, column):
    client.logout()
    if column != "anonymous":
        client.force_login(world.users[Role(column)])
    response = client.get(url)
    status = response.status_code
    if status == 302 and "/konto/logga-in/" in response.get("Location", ""):
        return "login"
    return str(status)


@pytest.fixture
def world(db, settings):
    settings.PORTAL_RATELIMIT_ENABLED = False
    return World()


def test_every_named_url_has_a_row_and_every_row_a_url():
    matrix = read_matrix()
    urls = named_urls()
    missing = sorted(set(urls) - {n for n in matrix if not n.startswith("admin:")})
    assert not missing, "add these URL names to docs/permissions.md: " + ", ".join(missing)
    from django.urls import NoReverseMatch, reverse

    stale = []
    for name in matrix:
        if name.startswith("admin:"):
            try:
                reverse(name)
            except NoReverseMatch:
                stale.append(name)
        elif name not in urls:
            stale.append(name)
    assert not stale, "rows without a URL in docs/permissions.md: " + ", ".join(stale)


def test_the_matrix(client, world):
    matrix = read_matrix()
    urls = named_urls()
    observed, wrong = {}, []
    for name, expected in matrix.items():
        if name.startswith("admin:"):
            from django.urls import reverse

            url = reverse(name)
        elif name in urls:
            url = world.url_for(name, urls[name])
        else:
            continue
        observed[name] = {}
        for column in COLUMNS:
            got = observe(client, world, url, column)
            observed[name][column] = got
            allowed = set(re.split(r"\s*/\s*", expected[column]))
            if got not in allowed:
                wrong.append(f"{name} ({url}) as {column}: expected {expected[column]}, got {got}")
    if os.environ.get("TRUST_PRINT_MATRIX"):
        print("\n| url name | " + " | ".join(COLUMNS) + " |")
        print("|---" * (len(COLUMNS) + 1) + "|")
        for name, cells in observed.items():
            print(f"| `{name}` | " + " | ".join(cells[c] for c in COLUMNS) + " |")
        print(world.kwargs.get("_errors"))
    assert not world.kwargs.get("_errors"), world.kwargs.get("_errors")
    assert not wrong, "\n".join(wrong)


# Views that accept POST on their own objects; POSTing to another person's object must be refused.
POST_ALLOWED = {"login", "401", "403", "404", "405"}


def _object_counts():
    from django.apps import apps

    labels = [
        "applications.Application",
        "applications.Draft",
        "applications.Attachment",
        "applications.Message",
        "advisors.Assignment",
        "advisors.Contact",
        "advisors.NeedsAssessment",
        "advisors.PlanVersion",
        "registry.ApiToken",
        "registry.CompensationApplication",
        "statistics.Submission",
        "statistics.ApiToken",
        "yttrande.Assessment",
    ]
    counts = {}
    for label in labels:
        try:
            counts[label] = apps.get_model(label).objects.count()
        except LookupError:
            continue
    return counts


def test_posting_to_other_peoples_objects_is_refused_and_changes_nothing(client, world):
    """The indirect-reference cases with the unsafe method: every URL whose ids belong to other
    people, POSTed by anonymous and by every role, answers login / 401 / 403 / 404 / 405 and leaves
    every record as it was. Public pages (GET 200 for anonymous in the table) are not walked."""
    urls = named_urls()
    matrix = read_matrix()
    before = _object_counts()
    wrong = []
    for name in list(world.kwargs):
        if name.startswith("_") or name not in urls or matrix.get(name, {}).get("anonymous") == "200":
            continue
        url = world.url_for(name, urls[name])
        for column in COLUMNS:
            client.logout()
            if column != "anonymous":
                client.force_login(world.users[Role(column)])
            response = client.post(url, {})
            status = response.status_code
            got = "login" if status == 302 and "/konto/logga-in/" in response.get("Location", "") else str(status)
            if got not in POST_ALLOWED:
                wrong.append(f"POST {name} ({url}) as {column}: got {got}")
    assert not wrong, "\n".join(wrong)
    assert _object_counts() == before

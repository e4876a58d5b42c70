"""Cross-site request forgery: a POST that carries the session cookie but no CSRF token changes
nothing, on every named URL of the portal, sent by anonymous and by every role, and on the
sender's own objects (the applicant's own draft, the reporter's own organisation) as well as other
people's. Django's CSRF check runs before any view, so the answer is 403 whoever owns the object.

The only URLs that take a POST without a token are the ones no browser session can use: the
machine APIs under /api/ (Django REST framework views, authenticated by a token in the
Authorization header; a session alone gets 401, or 400/405 from the public lookup and the schema)
and those listed in CSRF_EXEMPT with the reason. The walk checks that they answer a cookie-only
POST with a refusal too, and that nothing changed."""

import pytest
from django.test import Client

from omstallning.accounts.roles import Role

from .test_permission_matrix import COLUMNS, _object_counts, named_urls, world  # noqa: F401 (world: the fixture)

pytestmark = pytest.mark.django_db

#: URL name -> why it takes no CSRF token (and what it answers a POST with a session cookie only)
CSRF_EXEMPT = {
    "accounts:oidc_backchannel_logout": "the broker posts a signed logout token, no cookie (404: OIDC off)",
    "core:csp_report": "browsers post CSP reports without cookies or tokens (400: not a report)",
}
EXEMPT_ANSWERS = {"400", "401", "403", "404", "405", "429"}


def _post(client, url):
    response = client.post(url, {})
    return str(response.status_code)


def test_no_post_without_a_csrf_token_gets_through(world):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    urls = named_urls()
    before = _object_counts()
    wrong, exempt_seen, urls_of = [], set(), {}
    for name, pattern in sorted(urls.items()):
        url = urls_of[name] = world.url_for(name, pattern)
        for column in COLUMNS:
            client.logout()
            if column != "anonymous":
                client.force_login(world.users[Role(column)])
            got = _post(client, url)
            if name in CSRF_EXEMPT or url.startswith("/api/"):
                if got == "403":
                    continue
                exempt_seen.add(name)
                if got not in EXEMPT_ANSWERS:
                    wrong.append(f"POST {name} ({url}) as {column}: exempt, but got {got}")
            elif got != "403":
                wrong.append(f"POST {name} ({url}) as {column}: got {got}, not the CSRF refusal")
    assert not wrong, "\n".join(wrong)
    assert all(name in CSRF_EXEMPT or urls_of[name].startswith("/api/") for name in exempt_seen)
    assert _object_counts() == before


def test_own_objects_too(world):  # noqa: F811
    """The owner's own draft and organisation, where the views themselves would say yes."""
    from django.urls import reverse

    from applications.models import Draft
    from registry.models import ApiToken, OrganisationMember
    from tests.applications.factories import DraftFactory

    applicant = world.users[Role.APPLICANT]
    reporter = world.users[Role.ORGANISATION_REPORTER]
    draft = DraftFactory(applicant=applicant)
    own_org = OrganisationMember.objects.filter(user=reporter).values_list("organisation_id", flat=True).first()
    assert own_org is not None
    cases = [
        (applicant, reverse("applications:draft_remove", kwargs={"pk": draft.pk})),
        (applicant, reverse("applications:step", kwargs={"pk": draft.pk, "slug": "om-dig"})),
        (applicant, reverse("applications:submit")),
        (reporter, reverse("registry:token_create", kwargs={"org_id": own_org})),
    ]
    client = Client(enforce_csrf_checks=True)
    tokens = ApiToken.objects.count()
    for user, url in cases:
        client.force_login(user)
        assert _post(client, url) == "403", url
        # the same POST with the token from a page of the portal is not refused by the CSRF check
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert ApiToken.objects.count() == tokens
    ok = Client()  # Django's test client without enforce_csrf_checks: the view itself answers
    ok.force_login(applicant)
    assert ok.post(reverse("applications:draft_remove", kwargs={"pk": draft.pk})).status_code in (200, 302)
    assert not Draft.objects.filter(pk=draft.pk).exists()  # so the 403 above was the CSRF check

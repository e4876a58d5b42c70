"""My pages links the employer's state compensation pages for every signed-in user, with a short
explanation tied to the link (aria-describedby), in Swedish by default."""

import re

import pytest
from django.urls import reverse

from omstallning.accounts.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.ORGANISATION_REPORTER, Role.CASE_OFFICER])
def test_my_pages_link_the_employer_compensation_pages(client, user_factory, role):
    client.force_login(user_factory(role=role) if role else user_factory())
    page = client.get("/mina-sidor/")
    assert page.status_code == 200
    html = page.content.decode()
    link = re.search(
        r'<a href="([^"]+)" aria-describedby="([^"]+)" data-testid="dashboard-employer-compensation">([^<]+)</a>', html
    )
    assert link, "the link is on My pages"
    assert link.group(1) == reverse("registry:employer_compensation")
    assert link.group(3) == "Statlig ersättning för era avgifter"
    help_text = re.search(rf'id="{link.group(2)}">([^<]+)<', html)
    assert help_text and help_text.group(1).startswith("För arbetsgivare")
    assert client.get(link.group(1)).status_code == 200

"""Factories and file helpers for the statistics tests."""

import datetime

import factory

from registry.models import Organisation, OrganisationMember, RegistrationPeriod
from statistics import synthetic
from statistics.validation import COLUMNS
from tests.factories import UserFactory

PERIOD = datetime.date(2026, 3, 1)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Omställningsorganisation {n}")
    org_number = factory.Sequence(lambda n: f"80{n:04d}-0000")

    @factory.post_generation
    def registered(self, create, extracted, **kwargs):
        """Registered since 2023 unless OrganisationFactory(registered=False)."""
        if create and extracted is not False:
            RegistrationPeriod.objects.create(organisation=self, registered_from=datetime.date(2023, 1, 1))


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationMember

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    is_admin = False


def good_rows(n=5, period=PERIOD, seed=7):
    return list(synthetic.rows(n, period, seed=seed))


def csv_text(rows, *, delimiter=",", columns=COLUMNS):
    lines = [delimiter.join(columns)]
    for row in rows:
        lines.append(delimiter.join(row.get(c, "") for c in columns))
    return "\n".join(lines) + "\n"


def write(tmp_path, text, name="rapport.csv", encoding="utf-8"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding=encoding)
    return path

import datetime

import factory

from omstallning.accounts.roles import Role
from registry.models import EmployerAffiliation, Organisation, OrganisationMember, RegistrationPeriod
from tests.factories import UserFactory

# valid organisationsnummer (Luhn), for employers in tests
EMPLOYER_A = "556036-0793"
EMPLOYER_B = "556677-8899"
EMPLOYER_C = "556012-5790"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Omställningsorganisation {n}")
    org_number = None


class RegistrationPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistrationPeriod

    organisation = factory.SubFactory(OrganisationFactory)
    registered_from = datetime.date(2022, 12, 31)
    decision_number = factory.Sequence(lambda n: f"KK-{n}")


def registered_organisation(name=None, registered_from=datetime.date(2022, 12, 31), deregistered_on=None):
    org = OrganisationFactory(**({"name": name} if name else {}))
    RegistrationPeriodFactory(organisation=org, registered_from=registered_from, deregistered_on=deregistered_on)
    return org


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmployerAffiliation

    organisation = factory.SubFactory(OrganisationFactory)
    employer_org_number = EMPLOYER_A
    employer_name = "Exempel AB"
    valid_from = datetime.date(2023, 1, 1)
    valid_to = None


def member_of(org, **kwargs):
    user = UserFactory(role=Role.ORGANISATION_REPORTER, **kwargs)
    OrganisationMember.objects.create(organisation=org, user=user, is_admin=True)
    return user

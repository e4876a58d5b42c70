"""Factories and helpers for the yttrande tests."""

import datetime

import factory

from advisors.models import Advisor, Supplier
from applications.yttrande import services
from applications.yttrande.models import ApiClient, CaseStatus, Source, YttrandeCase, education_key
from omstallning.accounts.roles import Role
from tests.factories import UserFactory


def luhn_digit(nine: str) -> str:
    total = 0
    for i, ch in enumerate(nine):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def make_personnummer(birth: datetime.date, serial: str = "238") -> str:
    """A valid personnummer YYYYMMDD-NNNC for a birth date (Luhn check digit computed)."""
    short = f"{birth:%y%m%d}{serial}"
    return f"{birth:%Y%m%d}-{serial}{luhn_digit(short)}"


class ApiClientFactory(factory.django.DjangoModelFactory):
    """ApiClientFactory(token="...") stores the token's SHA-256 (the token itself is never stored)."""

    class Meta:
        model = ApiClient
        exclude = ["token"]

    name = factory.Sequence(lambda n: f"CSN {n}")
    token = factory.Sequence(lambda n: f"test-token-{n:04d}-abcdefghijklmnopqrstuvwxyz")
    token_hash = factory.LazyAttribute(lambda o: services.hash_token(o.token))
    token_prefix = factory.LazyAttribute(lambda o: o.token[:8])


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Leverantör {n}")
    rank = factory.Sequence(lambda n: n + 1)
    capacity = 100
    services = ["radgivning", "vagledning", "yttrande"]
    languages = ["sv"]
    national_digital = True


class AdvisorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisor

    user = factory.SubFactory(UserFactory, role=Role.ADVISOR)
    supplier = factory.SubFactory(SupplierFactory)
    languages = ["sv"]


class YttrandeCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YttrandeCase

    reference = factory.Sequence(lambda n: f"YTT-2026-{n + 1:06d}")
    source = Source.STAFF
    status = CaseStatus.CONVERSATION
    person_name = "Åsa Öberg"
    birth_date = datetime.date(1985, 8, 20)
    personnummer = factory.LazyAttributeSequence(lambda o, n: make_personnummer(o.birth_date, f"{200 + n % 700:03d}"))
    csn_reference = factory.Sequence(lambda n: f"CSN-2026-{n:05d}")
    education_name = "Undersköterska, vård och omsorg"
    education_provider = "Komvux Göteborg"
    education_start = datetime.date(2027, 1, 12)
    education_weeks = 40
    education_pace = 100
    education_key = factory.LazyAttribute(lambda o: education_key(o.education_name, o.education_provider))
    situation = "uppsagd_arbetsbrist"
    kollektivavtal = False
    advisor = factory.SubFactory(AdvisorFactory)


def referral(**overrides) -> services.ReferralData:
    values = {
        "personnummer": make_personnummer(datetime.date(1985, 8, 20)),
        "person_name": "Åsa Öberg",
        "csn_reference": "CSN-2026-12345",
        "education_name": "Undersköterska, vård och omsorg",
        "education_provider": "Komvux Göteborg",
        "education_start": datetime.date(2027, 1, 12),
        "education_weeks": 40,
        "education_pace": 100,
        "situation": "uppsagd_arbetsbrist",
        "employer_org_number": "",
        "kollektivavtal": False,
    }
    values.update(overrides)
    return services.ReferralData(**values)


ASSESSMENT = {
    "conversation_on": datetime.date(2026, 11, 20),
    "occupation": "Butikssäljare",
    "target_occupation": "Undersköterska",
    "region": "Västra Götaland",
    "shortage_occupation": True,
    "labour_market_needs": "Arbetsförmedlingen bedömer att efterfrågan på undersköterskor är stor i regionen.",
    "strengthens": True,
    "reasons": "Utbildningen leder till ett bristyrke där personens erfarenhet av kundmöten är värdefull.",
}

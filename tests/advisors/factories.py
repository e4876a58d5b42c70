"""Factories for the advisors' tests (factory_boy)."""

import uuid

import factory
from django.utils import timezone

from advisors.models import Advisor, Supplier, SupplierArea
from applications.models import Application
from omstallning.accounts.roles import Role
from tests.factories import UserFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Leverantör {n} AB")
    rank = factory.Sequence(lambda n: n + 1)
    capacity = 50
    services = factory.LazyFunction(lambda: ["radgivning", "forstarkt_stod", "vagledning", "yttrande"])
    languages = factory.LazyFunction(lambda: ["sv", "en"])

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        for code in extracted or ():
            SupplierArea.objects.create(supplier=self, kind=SupplierArea.Kind.MUNICIPALITY, code=code)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        for code in extracted or ():
            SupplierArea.objects.create(supplier=self, kind=SupplierArea.Kind.REGION, code=code)

    @factory.post_generation
    def coordinator(self, create, extracted, **kwargs):
        if extracted:
            self.coordinators.add(extracted)


class AdvisorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisor

    user = factory.SubFactory(UserFactory, role=Role.ADVISOR)
    supplier = factory.SubFactory(SupplierFactory)
    forstarkt_stod = True
    languages = factory.LazyFunction(lambda: ["sv", "en"])


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A granted application (the state the advisors work with)."""

    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"OOO-2026-{n + 1:06d}")
    source_token = factory.LazyFunction(uuid.uuid4)
    applicant = factory.SubFactory(UserFactory, role=Role.APPLICANT)
    service = "radgivning"
    status = "granted"
    municipality = "Stockholm"
    meeting_preference = "physical"
    preferred_language = "sv"
    granted_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyAttribute(lambda o: o.granted_at)
    granted_service = factory.LazyAttribute(lambda o: o.service if o.status == "granted" else "")
    case_officer = factory.SubFactory(UserFactory, role=Role.CASE_OFFICER)

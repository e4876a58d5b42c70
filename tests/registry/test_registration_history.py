"""The register answers "registered on date X" for any date, across registration periods."""

import datetime

import pytest

from registry import demo
from registry.models import Organisation
from registry.selectors import organisation_registered_on, registered_organisations

from .factories import RegistrationPeriodFactory, registered_organisation

D = datetime.date


@pytest.mark.django_db
def test_registered_on_dates_before_inside_and_after_a_period():
    org = registered_organisation(registered_from=D(2023, 3, 1), deregistered_on=D(2024, 6, 1))
    assert not organisation_registered_on(org, D(2023, 2, 28))
    assert organisation_registered_on(org, D(2023, 3, 1))
    assert organisation_registered_on(org, D(2024, 5, 31))
    assert not organisation_registered_on(org, D(2024, 6, 1))  # the deregistration day is outside


@pytest.mark.django_db
def test_second_period_after_a_gap():
    org = registered_organisation(registered_from=D(2023, 1, 1), deregistered_on=D(2023, 7, 1))
    RegistrationPeriodFactory(organisation=org, registered_from=D(2024, 1, 1))
    assert organisation_registered_on(org, D(2023, 6, 30))
    assert not organisation_registered_on(org, D(2023, 10, 1))
    assert organisation_registered_on(org, D(2030, 1, 1))


@pytest.mark.django_db
def test_registered_organisations_on_a_date():
    early = registered_organisation("Tidig", registered_from=D(2022, 12, 31))
    late = registered_organisation("Sen", registered_from=D(2023, 5, 1))
    gone = registered_organisation("Borta", registered_from=D(2022, 12, 31), deregistered_on=D(2023, 2, 1))
    assert set(registered_organisations(D(2023, 1, 15))) == {early, gone}
    assert set(registered_organisations(D(2023, 6, 1))) == {early, late}


@pytest.mark.django_db
def test_demo_seed_registers_the_known_organisations_idempotently():
    demo.seed()
    demo.seed()
    on_2022 = {o.name for o in registered_organisations(D(2022, 12, 31))}
    assert {"TRR Trygghetsrådet", "Trygghetsfonden TSL", "Trygghetsrådet TRS", "Trygghetsstiftelsen"} <= on_2022
    assert {"Omställningsfonden", "CIKO"} <= on_2022
    assert "Omstella" not in on_2022
    assert "Omstella" in {o.name for o in registered_organisations(D(2023, 12, 31))}
    demo_org = Organisation.objects.get(org_number="802000-0009")
    assert demo_org.is_demo and organisation_registered_on(demo_org, D(2024, 1, 1))
    assert Organisation.objects.filter(is_demo=True).count() == 8
    assert demo_org.affiliations.exists()

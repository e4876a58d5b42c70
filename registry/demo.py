"""Demo data for the registry: the registered transition organisations known today (marked as demo
data, with registration dates from rules.md §5.3), the demo organisation with its reporter, and a
few demo employers affiliated with them. Idempotent."""

import datetime

from django.contrib.auth import get_user_model

from .models import EmployerAffiliation, Organisation, OrganisationMember, RegistrationPeriod

# name, registered from, website, covered group, administration company. The exact registration
# dates are not public in rules.md: "registered by 2022-12-31" is shown as 2022-12-31 and Omstella
# ("registered during 2023", compensation from 2023-01-01) as 2023-01-01.
KNOWN_ORGANISATIONS = [
    (
        "TRR Trygghetsrådet",
        datetime.date(2022, 12, 31),
        "https://www.trr.se/",
        "Salaried employees (tjänstemän) in the private sector",
        "Fora",
    ),
    (
        "Trygghetsfonden TSL",
        datetime.date(2022, 12, 31),
        "https://www.tsl.se/",
        "Blue-collar workers (arbetare) in the private sector",
        "Fora",
    ),
    (
        "Trygghetsrådet TRS",
        datetime.date(2022, 12, 31),
        "https://www.trs.se/",
        "Employees of employers in the Arbetsgivaralliansen and Fremia areas",
        "Fora",
    ),
    (
        "Trygghetsstiftelsen",
        datetime.date(2022, 12, 31),
        "https://www.trygghetsstiftelsen.se/",
        "Employees in the state sector",
        "SPV",
    ),
    (
        "Omställningsfonden",
        datetime.date(2022, 12, 31),
        "https://www.omstallningsfonden.se/",
        "Employees of municipalities, regions and Sobona employers",
        "Omställningsfonden",
    ),
    (
        "CIKO",
        datetime.date(2022, 12, 31),
        "https://ciko.se/",
        "Employees of Fremia (KFO) employers with kollektivavtal",
        "CIKO",
    ),
    (
        "Omstella",
        datetime.date(2023, 1, 1),
        "https://www.omstella.se/",
        "Employees of employers that joined through an adoption agreement (hängavtal)",
        "CIKO",
    ),
]
DEMO_ORGANISATION = ("Demo Omställningsorganisation", "802000-0009")

# employer (valid organisationsnummer), name, organisation, valid from, valid to
DEMO_AFFILIATIONS = [
    ("556036-0793", "Demo Verkstad AB", "Demo Omställningsorganisation", datetime.date(2023, 1, 1), None),
    ("556677-8899", "Exempelbolaget Handel AB", "Trygghetsfonden TSL", datetime.date(2022, 10, 1), None),
    ("556012-5790", "Testkonsult AB", "TRR Trygghetsrådet", datetime.date(2022, 10, 1), datetime.date(2024, 12, 31)),
    ("556012-5790", "Testkonsult AB", "Omstella", datetime.date(2025, 1, 1), None),
]


def seed(*, stdout=None):
    by_name = {}
    for name, registered_from, website, covered, admin_company in KNOWN_ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"is_demo": True})
        changed = False
        for attr, value in (
            ("website", website),
            ("covered_group", covered),
            ("administration_company", admin_company),
        ):
            if not getattr(org, attr):
                setattr(org, attr, value)
                changed = True
        if changed:
            org.save()
        if not org.registration_periods.exists():
            RegistrationPeriod.objects.create(
                organisation=org, registered_from=registered_from, decision_number="DEMO"
            )
        by_name[name] = org
    demo, _ = Organisation.objects.get_or_create(
        name=DEMO_ORGANISATION[0], defaults={"org_number": DEMO_ORGANISATION[1], "is_demo": True}
    )
    if not demo.covered_group:
        demo.covered_group = "Demo: employees of the demo employers"
        demo.save()
    if not demo.registration_periods.exists():
        RegistrationPeriod.objects.create(
            organisation=demo, registered_from=datetime.date(2023, 1, 1), decision_number="DEMO-1"
        )
    by_name[demo.name] = demo
    reporter = get_user_model().objects.filter(username="olof.rapportor").first()
    if reporter is not None:
        OrganisationMember.objects.get_or_create(organisation=demo, user=reporter, defaults={"is_admin": True})
    for orgnr, employer, org_name, valid_from, valid_to in DEMO_AFFILIATIONS:
        EmployerAffiliation.objects.get_or_create(
            employer_org_number=orgnr,
            valid_from=valid_from,
            defaults={
                "employer_name": employer,
                "organisation": by_name[org_name],
                "valid_to": valid_to,
            },
        )
    if stdout is not None:
        stdout.write(f"Registry: {len(by_name)} registered organisations, demo affiliations.")

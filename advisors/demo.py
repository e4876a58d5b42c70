"""Demo data for the advisors: a supplier with lena.samordnare as coordinator and rasmus.radgivare
as advisor, covering Stockholm, Göteborg and national digital meetings. Idempotent."""

from django.contrib.auth import get_user_model

from .models import Advisor, Supplier, SupplierArea

DEMO_SUPPLIER = "Demo Rådgivning AB (demodata)"


def seed(*, stdout=None):
    User = get_user_model()
    supplier, _created = Supplier.objects.get_or_create(
        name=DEMO_SUPPLIER,
        defaults={
            "organisation_number": "556000-0000",
            "rank": (Supplier.objects.order_by("-rank").values_list("rank", flat=True).first() or 0) + 1,
            "capacity": 200,
            "services": ["radgivning", "forstarkt_stod", "vagledning", "yttrande"],
            "languages": ["sv", "en"],
            "national_digital": True,
        },
    )
    for kind, code, name in (
        (SupplierArea.Kind.MUNICIPALITY, "0180", "Stockholm"),
        (SupplierArea.Kind.MUNICIPALITY, "1480", "Göteborg"),
        (SupplierArea.Kind.REGION, "01", "Stockholms län"),
    ):
        SupplierArea.objects.get_or_create(supplier=supplier, kind=kind, code=code, defaults={"name": name})
    coordinator = User.objects.filter(username="lena.samordnare").first()
    if coordinator is not None:
        supplier.coordinators.add(coordinator)
    advisor_user = User.objects.filter(username="rasmus.radgivare").first()
    if advisor_user is not None:
        Advisor.objects.get_or_create(
            user=advisor_user, defaults={"supplier": supplier, "forstarkt_stod": True, "languages": ["sv", "en"]}
        )
    # Demo cases granted before this supplier existed (applications' demo runs first) get their
    # advisor now instead of at the next sweep.
    from . import selectors, services

    assigned = 0
    for application_id in selectors.granted_without_assignment_ids(limit=100):
        if services.assignment_create_for_application(application_id=application_id) is not None:
            assigned += 1
    if stdout is not None:
        stdout.write(
            f"advisors: demo supplier “{supplier.name}” with coordinator and advisor; "
            f"{assigned} granted case(s) assigned"
        )

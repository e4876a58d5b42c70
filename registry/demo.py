"""Demo data for the registry: the registered transition organisations known today (names only,
marked as demo data) and one demo organisation with a reporter user."""

from django.contrib.auth import get_user_model

from .models import Organisation, OrganisationMember

KNOWN_ORGANISATIONS = [
    "TRR Trygghetsrådet",
    "Trygghetsfonden TSL",
    "Trygghetsrådet TRS",
    "Trygghetsstiftelsen",
    "Omställningsfonden",
    "CIKO",
    "Omstella",
]
DEMO_ORGANISATION = ("Demo Omställningsorganisation", "802000-0009")


def seed(*, stdout=None):
    for name in KNOWN_ORGANISATIONS:
        Organisation.objects.get_or_create(name=name, defaults={"is_demo": True})
    demo, _ = Organisation.objects.get_or_create(
        name=DEMO_ORGANISATION[0], defaults={"org_number": DEMO_ORGANISATION[1], "is_demo": True}
    )
    reporter = get_user_model().objects.filter(username="olof.rapportor").first()
    if reporter is not None:
        OrganisationMember.objects.get_or_create(organisation=demo, user=reporter, defaults={"is_admin": True})

"""Loads demo data: one user per role, then each app's own demo data (its `demo.seed()`).

Idempotent: running it again changes nothing that is already there (passwords of the demo users
are reset to the documented demo password). The credentials are printed only when DEBUG is on.
"""

from importlib import import_module, util

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from omstallning.accounts.roles import STAFF_ROLES, Role

DEMO_PASSWORD = "demo-losenord-2026"

# username, first name, last name, role, personnummer. The applicant's number is a test number
# (födelsenummer 980-999 are never given to real people), born 1985: of working age, so her demo
# applications pass the age rule.
DEMO_USERS = [
    ("sara.sokande", "Sara", "Sökande", Role.APPLICANT, "198503159827"),
    ("hanna.handlaggare", "Hanna", "Handläggare", Role.CASE_OFFICER, None),
    ("rasmus.radgivare", "Rasmus", "Rådgivare", Role.ADVISOR, None),
    ("lena.samordnare", "Lena", "Samordnare", Role.SUPPLIER_COORDINATOR, None),
    ("olof.rapportor", "Olof", "Rapportör", Role.ORGANISATION_REPORTER, None),
    ("anna.analytiker", "Anna", "Analytiker", Role.ANALYST, None),
    ("admin", "Ada", "Administratör", Role.ADMINISTRATOR, None),
]


def seed_users():
    User = get_user_model()
    users = {}
    for username, first, last, role, pnr in DEMO_USERS:
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.omstallning.example"},
        )
        user.is_staff = role in STAFF_ROLES
        user.is_superuser = role == Role.ADMINISTRATOR
        if pnr and user.personnummer != pnr:
            user.personnummer = pnr
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(Group.objects.get_or_create(name=str(role))[0])
        users[role] = user
    return users


class Command(BaseCommand):
    help = "Loads demo users for every role and the apps' demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_users()
            for config in apps.get_app_configs():
                module_name = f"{config.name}.demo"
                if config.name.startswith("django.") or util.find_spec(module_name) is None:
                    continue
                import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if settings.DEBUG:
            self.stdout.write("")
            self.stdout.write("Demo users (only shown in DEBUG), password for all: " + DEMO_PASSWORD)
            for username, _first, _last, role, _pnr in DEMO_USERS:
                self.stdout.write(f"  {role.value:<24} {username}")

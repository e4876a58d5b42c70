"""Seeds the bench database (run by bench/load.py inside Django): the demo data, N applicants,
and for the saturation scenario a stock of complete drafts per applicant, copied from one draft
that was filled in through the real form (Django's test client), so that each submit request in
the bench submits a real, complete draft."""

import datetime
import json
import sys
import uuid

import django

django.setup()  # before the models are imported: this script runs on its own

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from applications.forms import frame_months  # noqa: E402
from applications.models import Draft  # noqa: E402
from omstallning.accounts.roles import Role  # noqa: E402

PASSWORD = "bench-losenord-2026"


def personnummer(i: int) -> str:
    """A valid, unique personnummer (Luhn check digit) for bench applicant i."""
    from stdnum import luhn

    body = f"{70 + i % 30:02d}{1 + i % 12:02d}{1 + i % 28:02d}{100 + i % 900:03d}"
    return f"19{body}{luhn.calc_check_digit(body)}"


def fill_one(client: Client) -> dict:
    response = client.post("/ansok/", {"service": "radgivning"})
    step_url = response["Location"]
    draft_id = int(step_url.strip("/").split("/")[1])
    base = f"/ansok/{draft_id}"
    about = {
        "first_name": "Bench",
        "last_name": "Sökande",
        "email": "bench@example.invalid",
        "phone": "070-000 00 00",
        "preferred_language": "sv",
        "meeting_preference": "digital",
        "municipality": "Sundsvall",
        "next": "1",
    }
    employment = {
        "employer_name": "Exempelbolaget AB",
        "employer_org_number": "556036-0793",
        "active_in_sweden": "yes",
        "registered_with_skatteverket": "yes",
        "kollektivavtal": "no",
        "finances_registered_organisation": "no",
        "situation": "uppsagd_arbetsbrist",
        "employment_end_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "was_ceo": "no",
        "employed_by_spouse": "no",
        "next": "1",
    }
    history = {"next": "1"}
    for label in frame_months(timezone.localdate()):
        history[f"hours_{label}"] = "165"
        history[f"income_{label}"] = "32000"
    for slug, data in (("om-dig", about), ("anstallning", employment), ("arbetshistorik", history)):
        r = client.post(f"{base}/{slug}/", data)
        if r.status_code != 302:
            raise SystemExit(f"seeding: step {slug} was refused ({r.status_code})")
    return {"about": about, "employment": employment, "history": history, "draft_id": draft_id}


def main(users: int, drafts_per_user: int, stock_users: int) -> None:
    call_command("seed_demo", verbosity=0)
    User = get_user_model()
    group = Group.objects.get(name=str(Role.APPLICANT))
    accounts = []
    with transaction.atomic():
        for i in range(users):
            user, _ = User.objects.get_or_create(username=f"bench.{i:03d}", defaults={"first_name": "Bench"})
            user.personnummer = personnummer(i)
            user.email = f"bench.{i:03d}@example.invalid"
            user.set_password(PASSWORD)
            user.save()
            user.groups.add(group)
            accounts.append(user)
    client = Client()
    client.force_login(accounts[0])
    form = fill_one(client)
    template = Draft.objects.get(pk=form["draft_id"])
    Draft.objects.filter(applicant__username__startswith="bench.").exclude(pk=template.pk).delete()
    now = timezone.now()
    stock = [
        Draft(applicant=user, service=template.service, data=template.data, token=uuid.uuid4(), last_activity_at=now)
        for user in accounts[:stock_users]
        for _ in range(drafts_per_user)
    ]
    Draft.objects.bulk_create(stock, batch_size=2000)
    template.delete()
    tokens = {}
    for draft in Draft.objects.filter(applicant__username__startswith="bench.").values("applicant__username", "token"):
        tokens.setdefault(draft["applicant__username"], []).append(str(draft["token"]))
    users = [u.username for u in accounts]
    print(json.dumps({"password": PASSWORD, "form": form, "tokens": tokens, "users": users}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))

"""Demo data for yttranden (idempotent): a CSN API client with a documented demo token, a case
waiting for rasmus.radgivare's assessment and one issued by hanna.handlaggare."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from . import services
from .models import ApiClient, CaseStatus, Source

# Only for demo databases (seed_demo is never run in production).
DEMO_TOKEN = "demo-csn-token-2026-not-for-production"  # noqa: S105


def _pnr(birth: datetime.date, serial: str) -> str:
    digits = f"{birth:%y%m%d}{serial}"
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return f"{birth:%Y%m%d}-{serial}{(10 - total % 10) % 10}"


def seed(*, stdout=None):
    User = get_user_model()
    officer = User.objects.filter(username="hanna.handlaggare").first()
    advisor = User.objects.filter(username="rasmus.radgivare").first()
    if officer is None:
        return
    ApiClient.objects.get_or_create(
        name="CSN (demo)",
        defaults={"token_hash": services.hash_token(DEMO_TOKEN), "token_prefix": DEMO_TOKEN[:8]},
    )
    start = timezone.localdate() + datetime.timedelta(days=60)
    people = [
        ("Kim Karlsson", _pnr(datetime.date(1984, 3, 14), "123"), "Undersköterska, vård och omsorg", "Komvux Uppsala"),
        ("Alex Andersson", _pnr(datetime.date(1979, 9, 2), "456"), "Elektriker", "Yrkeshögskolan Mälardalen"),
    ]
    cases = []
    for name, pnr, education, provider in people:
        case, _created = services.case_receive_referral(
            data=services.ReferralData(
                personnummer=pnr,
                person_name=name,
                csn_reference=f"CSN-DEMO-{pnr[2:8]}",
                education_name=education,
                education_provider=provider,
                education_start=start,
                education_weeks=40,
                education_pace=100,
                situation="uppsagd_arbetsbrist",
                kollektivavtal=False,
            ),
            source=Source.STAFF,
            by=officer,
        )
        services.case_assign_advisor(case_id=case.pk)
        case.refresh_from_db()
        cases.append(case)
    issued = cases[1]
    if advisor is not None and issued.advisor_id and issued.advisor.user_id == advisor.pk:
        if issued.status == CaseStatus.CONVERSATION:
            services.assessment_record(
                case=issued,
                by=advisor,
                conversation_on=timezone.localdate() - datetime.timedelta(days=2),
                occupation="Lagerarbetare",
                target_occupation="Elektriker",
                region="Västmanland",
                shortage_occupation=True,
                labour_market_needs="Arbetsförmedlingen bedömer att bristen på elektriker består i regionen.",
                strengthens=True,
                reasons="Utbildningen ger behörighet till ett bristyrke, och erfarenheten från lager och logistik "
                "är användbar i installationsarbete.",
            )
        issued.refresh_from_db()
        if issued.status == CaseStatus.ASSESSMENT_RECORDED:
            services.case_approve(case=issued, by=officer)
    if stdout is not None:
        stdout.write(f"yttrande: {len(cases)} demo cases; CSN demo API client")
        if settings.DEBUG:
            stdout.write(f"  CSN demo API token (only shown in DEBUG): {DEMO_TOKEN}")

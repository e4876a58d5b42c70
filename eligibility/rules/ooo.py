# ruff: noqa: E501  (explanation sentences are kept whole so they can be read and translated)
"""Rule set ``ooo``: the public transition organisation (rules.md §1, decisions.md D1–D15).

One small function per rule. Each returns ``(rule_id, passed, texts, args)``: the explanation is
rendered only when asked, by ``texts(*args) -> (text_sv, text_en)`` (the engine's ``evaluate`` does
so; ``decide`` gives the reason codes without building any text). The texts name the fact and the
limit. No Django imports.
"""

from __future__ import annotations

from functools import cache, lru_cache

from .case import Case, InputError, masks_for, thresholds_for
from .dates import age_on, birthday, month_label
from .params import AGE_CALENDAR_YEAR, COMBINE_PER_MONTH_EITHER, Parameters
from .text import en_num, pair, pct, sv_num

RULESET = "ooo"
RULESET_VERSION = "ooo-2026.1"

ENDING = ("uppsagd_arbetsbrist", "uppsagd_sjukdom", "tidsbegransad")
DISMISSED = ("uppsagd_arbetsbrist", "uppsagd_sjukdom")
ALLOWED_SITUATIONS = {
    "radgivning": ENDING,
    "forstarkt_stod": DISMISSED,
    "vagledning": ("anstalld",),
    "yttrande": ("anstalld", "uppsagd_arbetsbrist", "uppsagd_sjukdom", "tidsbegransad", "egenforetagare"),
}
SITUATION_SV = {
    "uppsagd_arbetsbrist": "uppsagd på grund av arbetsbrist",
    "uppsagd_sjukdom": "uppsagd på grund av sjukdom",
    "tidsbegransad": "tidsbegränsat anställd och anställningen upphör",
    "anstalld": "anställd",
    "egenforetagare": "egenföretagare",
    "egen_uppsagning": "uppsagd på egen begäran",
}
SITUATION_EN = {
    "uppsagd_arbetsbrist": "dismissed because of redundancy",
    "uppsagd_sjukdom": "dismissed because of illness",
    "tidsbegransad": "in a fixed-term employment that is ending",
    "anstalld": "employed",
    "egenforetagare": "self-employed",
    "egen_uppsagning": "leaving at your own request",
}
SERVICE_SV = {
    "radgivning": "rådgivning",
    "forstarkt_stod": "rådgivning med förstärkt stöd",
    "vagledning": "vägledning",
    "yttrande": "yttrande till CSN",
}
SERVICE_EN = {
    "radgivning": "counselling",
    "forstarkt_stod": "counselling with enhanced support",
    "vagledning": "guidance",
    "yttrande": "a statement to CSN",
}
ALLOWED_SV = {
    "radgivning": "den som är uppsagd på grund av arbetsbrist eller sjukdom eller vars tidsbegränsade anställning upphör",
    "forstarkt_stod": "den som är uppsagd på grund av arbetsbrist eller sjukdom",
    "vagledning": "den som har en anställning",
    "yttrande": "anställda, uppsagda och egenföretagare",
}
ALLOWED_EN = {
    "radgivning": "people dismissed because of redundancy or illness, or whose fixed-term employment is ending",
    "forstarkt_stod": "people dismissed because of redundancy or illness",
    "vagledning": "people who are employed",
    "yttrande": "employees, dismissed employees and the self-employed",
}


def r_1_10_situation(case: Case, p: Parameters):
    """R-1.10: the situation must be one the service is for (egen_uppsagning is judged by R-1.11)."""
    return _r_1_10(case.service, case.situation)


@cache
def _r_1_10(service: str, situation: str):
    allowed = ALLOWED_SITUATIONS[service]
    ok = situation in allowed or (situation == "egen_uppsagning" and service in ("radgivning", "forstarkt_stod"))
    if ok:
        sv = f"Du har angett att du är {SITUATION_SV[situation]}. {SERVICE_SV[service].capitalize()} är till för {ALLOWED_SV[service]}."
        en = f"You said you are {SITUATION_EN[situation]}. {SERVICE_EN[service].capitalize()} is for {ALLOWED_EN[service]}."
    else:
        sv = f"Du har angett att du är {SITUATION_SV[situation]}, men {SERVICE_SV[service]} är bara till för {ALLOWED_SV[service]}."
        en = (
            f"You said you are {SITUATION_EN[situation]}, but {SERVICE_EN[service]} is only for {ALLOWED_EN[service]}."
        )
    return ("R-1.10", ok, pair, (sv, en))


_R_1_11_FAIL = (
    "R-1.11",
    False,
    pair,
    (
        "Du har sagt upp dig själv. Stödet kräver att anställningen upphör på arbetsgivarens initiativ.",
        "You resigned. The support requires the employment to end on the employer's initiative.",
    ),
)
_R_1_11_PASS = (
    "R-1.11",
    True,
    pair,
    (
        "Anställningen upphör inte genom att du sagt upp dig själv.",
        "The employment does not end because you resigned.",
    ),
)


def r_1_11_employer_initiative(case: Case, p: Parameters):
    """R-1.11: the employment must end on the employer's initiative, not by resignation."""
    return _R_1_11_FAIL if case.situation == "egen_uppsagning" else _R_1_11_PASS


def r_1_12_age(case: Case, p: Parameters):
    """R-1.12 / D1: eligible while the application date is before the (max_age + 1)th birthday."""
    age = age_on(case.birth_date, case.application_date)
    return ("R-1.12", age <= p.max_age, _r_1_12_texts, (case, p, age))


def _r_1_12_texts(case: Case, p: Parameters, age: int):
    limit = p.max_age
    app = case.application_date.isoformat()
    if age <= limit:
        sv = f"Du var {age} år när ansökan kom in ({app}). Gränsen är högst {limit} år."
        en = f"You were {age} when the application was received ({app}). The limit is {limit} or younger."
    else:
        turned = birthday(case.birth_date, limit + 1).isoformat()
        sv = f"Du var {age} år när ansökan kom in ({app}); du fyllde {limit + 1} år {turned}. Gränsen är högst {limit} år."
        en = f"You were {age} when the application was received ({app}); you turned {limit + 1} on {turned}. The limit is {limit} or younger."
    return sv, en


def r_1_13_employer(case: Case, p: Parameters):
    """R-1.13: employer active in Sweden, registered with Skatteverket, no kollektivavtal, not financing
    a registered omställningsorganisation."""
    return _r_1_13(case.employer)


@cache
def _r_1_13(e):
    if e is None:
        return _lazy(
            "R-1.13",
            False,
            "Ingen arbetsgivare har angetts. Stödet gäller den som arbetar eller har arbetat hos en arbetsgivare.",
            "No employer was given. The support is for people who work or have worked for an employer.",
        )
    sv, en = [], []
    if not e.active_in_sweden:
        sv.append("arbetsgivaren är inte verksam i Sverige")
        en.append("the employer is not active in Sweden")
    if not e.registered_with_skatteverket:
        sv.append("arbetsgivaren är inte registrerad hos Skatteverket")
        en.append("the employer is not registered with Skatteverket")
    if e.kollektivavtal:
        sv.append("arbetsgivaren har kollektivavtal, så du hör till en omställningsorganisation via avtalet")
        en.append("the employer has a collective agreement, so you belong to a transition organisation through it")
    if e.finances_registered_organisation:
        sv.append("arbetsgivaren finansierar en registrerad omställningsorganisation, som du ska vända dig till")
        en.append("the employer finances a registered transition organisation, which you should turn to")
    if not sv:
        return _lazy(
            "R-1.13",
            True,
            "Arbetsgivaren är verksam i Sverige, registrerad hos Skatteverket, saknar kollektivavtal och finansierar ingen registrerad omställningsorganisation.",
            "The employer is active in Sweden, registered with Skatteverket, has no collective agreement and does not finance a registered transition organisation.",
        )
    return _lazy(
        "R-1.13",
        False,
        "Villkoren för arbetsgivaren är inte uppfyllda: " + "; ".join(sv) + ".",
        "The employer conditions are not met: " + "; ".join(en) + ".",
    )


def r_1_15_end_date(case: Case, p: Parameters):
    """R-1.15 / D9: an end date is given, on or after the earliest end date (2022-10-01), within the window."""
    end = case.employment_end_date
    ok = end is not None and end >= p.earliest_end_date
    if ok and p.application_window_days is not None:
        from datetime import timedelta

        ok = case.application_date >= end - timedelta(days=p.application_window_days)
    return ("R-1.15", ok, _r_1_15_texts, (case, p))


def _r_1_15_texts(case: Case, p: Parameters):
    return _r_1_15(case, p)[2:]


def _r_1_15(case: Case, p: Parameters):
    """R-1.15 with its texts (rendered only when asked)."""
    end = case.employment_end_date
    earliest = p.earliest_end_date.isoformat()
    if end is None:
        return (
            "R-1.15",
            False,
            "Du har inte angett när anställningen upphör. Det datumet krävs när anställningen upphör eller har upphört.",
            "You did not give the date your employment ends. It is required when the employment ends or has ended.",
        )
    e = end.isoformat()
    if end < p.earliest_end_date:
        return (
            "R-1.15",
            False,
            f"Anställningen upphörde {e}. Stödet gäller anställningar som upphör {earliest} eller senare.",
            f"The employment ended on {e}. The support covers employments that end on {earliest} or later.",
        )
    window = p.application_window_days
    if window is not None:
        from datetime import timedelta

        first = end - timedelta(days=window)
        if case.application_date < first:
            return (
                "R-1.15",
                False,
                f"Anställningen upphör {e}. Du kan ansöka tidigast {window} dagar före, alltså från {first.isoformat()}.",
                f"The employment ends on {e}. You can apply at the earliest {window} days before, that is from {first.isoformat()}.",
            )
    return (
        "R-1.15",
        True,
        f"Anställningen upphör eller upphörde {e}, vilket är {earliest} eller senare.",
        f"The employment ends or ended on {e}, which is {earliest} or later.",
    )


def r_1_16_exclusions(case: Case, p: Parameters):
    """R-1.16: not CEO at the latest workplace, not employed by a self-employed spouse or partner."""
    return _r_1_16(case.was_ceo, case.employed_by_spouse)


@cache
def _r_1_16(was_ceo: bool, employed_by_spouse: bool):
    sv, en = [], []
    if was_ceo:
        sv.append("du var verkställande direktör på din senaste arbetsplats")
        en.append("you were the managing director (CEO) at your latest workplace")
    if employed_by_spouse:
        sv.append("du arbetade hos en egenföretagare som är din make, maka eller registrerade partner")
        en.append("you worked for a self-employed spouse or registered partner")
    if not sv:
        return _lazy(
            "R-1.16",
            True,
            "Du var inte verkställande direktör och arbetade inte hos din make, maka eller registrerade partner.",
            "You were not the managing director and did not work for your spouse or registered partner.",
        )
    return _lazy(
        "R-1.16",
        False,
        "Du omfattas inte: " + " och ".join(sv) + ".",
        "You are not covered: " + " and ".join(en) + ".",
    )


_R_1_33_PASS = (
    "R-1.33",
    True,
    pair,
    (
        "Du har angett särskilda behov på grund av sjukdom, vilket förstärkt stöd kräver.",
        "You said you have special needs caused by illness, which enhanced support requires.",
    ),
)
_R_1_33_FAIL = (
    "R-1.33",
    False,
    pair,
    (
        "Förstärkt stöd kräver särskilda behov på grund av sjukdom, och det har du inte angett.",
        "Enhanced support requires special needs caused by illness, which you did not indicate.",
    ),
)


def r_1_33_illness_needs(case: Case, p: Parameters):
    """R-1.33: förstärkt stöd requires special needs caused by illness."""
    return _R_1_33_PASS if case.illness_special_needs else _R_1_33_FAIL


def _lazy(rule: str, passed: bool, sv: str, en: str):
    """A rule result whose texts are already made (constant or cached)."""
    return (rule, passed, pair, (sv, en))


# ---------------------------------------------------------------------------------------------
# the work requirement


_TEXTS_CACHE: dict[int, tuple] = {}


def _param_texts(p: Parameters) -> tuple:
    """(hours per week sv, en, income share %) of a parameter set, cached by identity."""
    entry = _TEXTS_CACHE.get(id(p))
    if entry is None or entry[0] is not p:
        entry = (p, (sv_num(p.hours_per_week), en_num(p.hours_per_week), pct(p.income_share)))
        if len(_TEXTS_CACHE) > 64:
            _TEXTS_CACHE.clear()
        _TEXTS_CACHE[id(p)] = entry
    return entry[1]


def work_requirement_counts(case: Case, p: Parameters) -> tuple:
    """Count qualifying months per route (R-1.17 … R-1.22, D2–D6) with plain ints, no dates.

    Returns ``(route, months on hours, months on income, months on either or None, first month
    of the hours frame, last month, first month of the income frame, months skipped)``.

    Works on the case's bit masks (bit ``k``: the ``k``-th month before the application month),
    so a count is a ``bit_count`` of the frame. A month not listed neither qualifies nor may be
    skipped. Skipping (D6): going back month by month, a skippable month that does not qualify
    and lies inside the (growing) frame is skipped, up to the cap, and the frame grows by one;
    months added by the growth may be skippable too.
    """
    th = thresholds_for(p)
    if case.mask_key is th.key or case.mask_key == th.key:
        hmask, imask = case.hmask, case.imask
    else:  # parsed with other thresholds
        if not case.income_years <= th.ithr.keys():
            missing = min(case.income_years - th.ithr.keys())
            raise InputError("months", f"no inkomstbasbelopp for {missing} in the table")
        hmask, imask = masks_for(case, th)
    frame = p.frame_months
    smask = case.smask
    skipped = skipped_i = 0
    if smask:
        cap = p.skippable_cap
        skipped = _skipped(hmask, smask, frame, cap)
        if p.skippable_applies_to_income:
            skipped_i = _skipped(imask, smask, frame, cap)
    # Skipped months do not qualify, so counting over the extended frame is exact.
    h_in = hmask & ((1 << (frame + skipped)) - 1)
    i_in = imask & ((1 << (frame + skipped_i)) - 1)
    count_h = h_in.bit_count()
    count_i = i_in.bit_count()
    need = p.required_months
    count_either = None
    if p.combine_mode == COMBINE_PER_MONTH_EITHER:
        count_either = (h_in | i_in).bit_count()
    if count_h >= need:
        route = "hours"
    elif count_i >= need:
        route = "income"
    elif count_either is not None and count_either >= need:
        route = "either"
    else:
        route = None
    app = case.application_month
    labels = _LABELS
    last = labels[app - 1]
    return (
        route,
        count_h,
        count_i,
        count_either,
        labels[app - frame - skipped],
        last,
        labels[app - frame - skipped_i],
        skipped,
    )


def work_requirement(case: Case, p: Parameters) -> dict:
    """:func:`work_requirement_counts` as a dict (route, counts, frames, skipped months)."""
    route, h, i, either, f0, f1, i0, skipped = work_requirement_counts(case, p)
    return {
        "route": route,
        "qualifying_months_hours": h,
        "qualifying_months_income": i,
        "qualifying_months_either": either,
        "frame": [f0, f1],
        "income_frame": [i0, f1],
        "skipped_months": skipped,
    }


def _skipped(qualifying: int, skippable: int, frame: int, cap: int | None) -> int:
    """How many months the frame grows by (D6), from the qualifying and skippable bit masks."""
    end = frame
    skipped = 0
    rest = skippable
    while rest:
        low = rest & -rest
        pos = low.bit_length() - 1
        if pos >= end or (cap is not None and skipped >= cap):
            break
        if not qualifying & low:
            skipped += 1
            end += 1
        rest ^= low
    return skipped


class _Labels(dict):
    def __missing__(self, idx):
        label = month_label(idx)
        if len(self) < 100_000:
            self[idx] = label
        return label


_LABELS = _Labels()


def r_1_17_work(case: Case, p: Parameters, wr: tuple):
    """R-1.17: at least 12 qualifying months in the frame, on hours (R-1.20) or income (R-1.18).
    ``wr`` is the tuple of :func:`work_requirement_counts`."""
    route, h, i, either, f0, f1, i0, skipped = wr
    return (
        "R-1.17",
        route is not None,
        _r_1_17_text,
        (p.required_months, h, i, either, f0, f1, i0, skipped, route, _param_texts(p)),
    )


@lru_cache(maxsize=65536)
def _r_1_17_text(need, h, i, either, f0, f1, i0, skipped, route, texts):
    hpw, hpw_en, share = texts
    ext_sv = (
        f" (ramtiden förlängd bakåt med {skipped} månader med föräldrapenning, sjukpenning e.d.)" if skipped else ""
    )
    ext_en = (
        f" (the frame extended back by {skipped} months with parental or sickness benefit etc.)" if skipped else ""
    )
    facts_sv = (
        f"{h} månader med i snitt minst {hpw} timmar i veckan under {f0}–{f1}{ext_sv}, "
        f"och {i} månader med inkomst på minst {share} % av inkomstbasbeloppet för året under {i0}–{f1}"
    )
    facts_en = (
        f"{h} months with on average at least {hpw_en} hours a week in {f0} to {f1}{ext_en}, "
        f"and {i} months with income of at least {share}% of that year's income base amount in {i0} to {f1}"
    )
    if route is not None:
        if route == "either":
            e = either
            sv = f"Arbetsvillkoret är uppfyllt: {e} månader uppfyller timmar eller inkomst ({facts_sv}). Minst {need} månader krävs."
            en = f"The work requirement is met: {e} months qualify on hours or income ({facts_en}). At least {need} months are required."
        else:
            sv = f"Arbetsvillkoret är uppfyllt: {facts_sv}. Minst {need} månader krävs på ett av sätten."
            en = (
                f"The work requirement is met: {facts_en}. At least {need} months are required in one of the two ways."
            )
        return sv, en
    if either is not None:
        e = either
        sv = f"Arbetsvillkoret är inte uppfyllt: {e} månader uppfyller timmar eller inkomst ({facts_sv}). Minst {need} månader krävs."
        en = f"The work requirement is not met: {e} months qualify on hours or income ({facts_en}). At least {need} months are required."
    else:
        sv = f"Arbetsvillkoret är inte uppfyllt: {facts_sv}. Minst {need} månader krävs på ett av sätten; timmar och inkomst läggs inte ihop."
        en = f"The work requirement is not met: {facts_en}. At least {need} months are required in one of the two ways; hours and income are not added together."
    return sv, en


# ---------------------------------------------------------------------------------------------
# yttrande


def r_1_40_yttrande(case: Case, p: Parameters):
    """R-1.40 / D10 / D11: situation, age 27–62 (calendar year by default), no kollektivavtal and no
    affiliation to a registered organisation. No work requirement (R-1.41)."""
    if p.yttrande_age_method == AGE_CALENDAR_YEAR:
        age = case.application_date.year - case.birth_date.year
    else:
        age = age_on(case.birth_date, case.application_date)
    e = case.employer
    ok = (
        case.situation in ALLOWED_SITUATIONS["yttrande"]
        and p.yttrande_min_age <= age <= p.yttrande_max_age
        and (e is None or not (e.kollektivavtal or e.finances_registered_organisation))
    )
    return ("R-1.40", ok, _r_1_40_texts, (case, p))


def _r_1_40_texts(case: Case, p: Parameters):
    return _r_1_40(case, p)[2:]


def _r_1_40(case: Case, p: Parameters):
    """R-1.40 / D10 / D11: situation, age 27–62 (calendar year by default), no kollektivavtal and no
    affiliation to a registered organisation. No work requirement (R-1.41)."""
    sv, en = [], []
    lo, hi = p.yttrande_min_age, p.yttrande_max_age
    if p.yttrande_age_method == AGE_CALENDAR_YEAR:
        age = case.application_date.year - case.birth_date.year
        age_sv = f"du fyller {age} år under {case.application_date.year}"
        age_en = f"you turn {age} in {case.application_date.year}"
    else:
        age = age_on(case.birth_date, case.application_date)
        age_sv = f"du var {age} år när ansökan kom in"
        age_en = f"you were {age} when the application was received"
    if case.situation not in ALLOWED_SITUATIONS["yttrande"]:
        sv.append(
            f"yttrande ges till {ALLOWED_SV['yttrande']}, men du har angett att du är {SITUATION_SV[case.situation]}"
        )
        en.append(f"statements are for {ALLOWED_EN['yttrande']}, but you said you are {SITUATION_EN[case.situation]}")
    if not lo <= age <= hi:
        sv.append(f"{age_sv}, och åldern ska vara {lo}–{hi} år")
        en.append(f"{age_en}, and the age must be {lo} to {hi}")
    e = case.employer
    if e is not None:
        if e.kollektivavtal:
            sv.append("arbetsgivaren har kollektivavtal")
            en.append("the employer has a collective agreement")
        if e.finances_registered_organisation:
            sv.append(
                "arbetsgivaren är ansluten till en registrerad omställningsorganisation, som ska skriva yttrandet"
            )
            en.append(
                "the employer is affiliated to a registered transition organisation, which should write the statement"
            )
    if sv:
        return (
            "R-1.40",
            False,
            "Den offentliga omställningsorganisationen kan inte skriva yttrandet: " + "; ".join(sv) + ".",
            "The public transition organisation cannot write the statement: " + "; ".join(en) + ".",
        )
    return (
        "R-1.40",
        True,
        f"Villkoren för yttrande är uppfyllda: {age_sv} (gräns {lo}–{hi} år), och du omfattas inte av kollektivavtal eller någon registrerad omställningsorganisation.",
        f"The conditions for a statement are met: {age_en} (limit {lo} to {hi}), and you are not covered by a collective agreement or a registered transition organisation.",
    )


def evaluate_ooo(case: Case, p: Parameters) -> tuple[list, tuple | None]:
    """Run the rules the service tests (decisions.md, "Situations and the rules tested per service").

    Returns the lazy rule results and the :func:`work_requirement_counts` tuple (None where the
    work requirement is not tested)."""
    service = case.service
    if service == "yttrande":
        return [r_1_40_yttrande(case, p)], None
    wr = work_requirement_counts(case, p)
    if service == "vagledning":
        results = [
            r_1_10_situation(case, p),
            r_1_12_age(case, p),
            r_1_13_employer(case, p),
            r_1_16_exclusions(case, p),
            r_1_17_work(case, p, wr),
        ]
    else:
        results = [
            r_1_10_situation(case, p),
            r_1_11_employer_initiative(case, p),
            r_1_12_age(case, p),
            r_1_13_employer(case, p),
            r_1_15_end_date(case, p),
            r_1_16_exclusions(case, p),
            r_1_17_work(case, p, wr),
        ]
        if service == "forstarkt_stod":
            results.append(r_1_33_illness_needs(case, p))
    return results, wr


__all__ = ["RULESET", "RULESET_VERSION", "evaluate_ooo", "work_requirement", "work_requirement_counts"]

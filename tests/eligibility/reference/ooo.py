# ruff: noqa: E501  (explanation sentences are kept whole so they can be read and translated)
"""Rule set ``ooo``: the public transition organisation (rules.md §1, decisions.md D1–D15).

One small function per rule. Each returns ``(rule_id, passed, text_sv, text_en)``; the texts name
the fact and the limit. No Django imports.
"""

from __future__ import annotations

from functools import cache, lru_cache
from operator import ge, or_

from eligibility.rules.dates import age_on, birthday, month_label
from eligibility.rules.params import (
    AGE_CALENDAR_YEAR,
    COMBINE_PER_MONTH_EITHER,
    HOURS_METHOD_DAYS,
    HOURS_SCALE,
    Parameters,
)
from eligibility.rules.text import en_num, pct, sv_num

from .case import Case, InputError

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
    return ("R-1.10", ok, sv, en)


def r_1_11_employer_initiative(case: Case, p: Parameters):
    """R-1.11: the employment must end on the employer's initiative, not by resignation."""
    if case.situation == "egen_uppsagning":
        return (
            "R-1.11",
            False,
            "Du har sagt upp dig själv. Stödet kräver att anställningen upphör på arbetsgivarens initiativ.",
            "You resigned. The support requires the employment to end on the employer's initiative.",
        )
    return (
        "R-1.11",
        True,
        "Anställningen upphör inte genom att du sagt upp dig själv.",
        "The employment does not end because you resigned.",
    )


def r_1_12_age(case: Case, p: Parameters):
    """R-1.12 / D1: eligible while the application date is before the (max_age + 1)th birthday."""
    age = age_on(case.birth_date, case.application_date)
    limit = p.max_age
    ok = age <= limit
    app = case.application_date.isoformat()
    if ok:
        sv = f"Du var {age} år när ansökan kom in ({app}). Gränsen är högst {limit} år."
        en = f"You were {age} when the application was received ({app}). The limit is {limit} or younger."
    else:
        turned = birthday(case.birth_date, limit + 1).isoformat()
        sv = f"Du var {age} år när ansökan kom in ({app}); du fyllde {limit + 1} år {turned}. Gränsen är högst {limit} år."
        en = f"You were {age} when the application was received ({app}); you turned {limit + 1} on {turned}. The limit is {limit} or younger."
    return ("R-1.12", ok, sv, en)


def r_1_13_employer(case: Case, p: Parameters):
    """R-1.13: employer active in Sweden, registered with Skatteverket, no kollektivavtal, not financing
    a registered omställningsorganisation."""
    return _r_1_13(case.employer)


@cache
def _r_1_13(e):
    if e is None:
        return (
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
        return (
            "R-1.13",
            True,
            "Arbetsgivaren är verksam i Sverige, registrerad hos Skatteverket, saknar kollektivavtal och finansierar ingen registrerad omställningsorganisation.",
            "The employer is active in Sweden, registered with Skatteverket, has no collective agreement and does not finance a registered transition organisation.",
        )
    return (
        "R-1.13",
        False,
        "Villkoren för arbetsgivaren är inte uppfyllda: " + "; ".join(sv) + ".",
        "The employer conditions are not met: " + "; ".join(en) + ".",
    )


def r_1_15_end_date(case: Case, p: Parameters):
    """R-1.15 / D9: an end date is given, on or after the earliest end date (2022-10-01), within the window."""
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
        return (
            "R-1.16",
            True,
            "Du var inte verkställande direktör och arbetade inte hos din make, maka eller registrerade partner.",
            "You were not the managing director and did not work for your spouse or registered partner.",
        )
    return (
        "R-1.16",
        False,
        "Du omfattas inte: " + " och ".join(sv) + ".",
        "You are not covered: " + " and ".join(en) + ".",
    )


def r_1_33_illness_needs(case: Case, p: Parameters):
    """R-1.33: förstärkt stöd requires special needs caused by illness."""
    if case.illness_special_needs:
        return (
            "R-1.33",
            True,
            "Du har angett särskilda behov på grund av sjukdom, vilket förstärkt stöd kräver.",
            "You said you have special needs caused by illness, which enhanced support requires.",
        )
    return (
        "R-1.33",
        False,
        "Förstärkt stöd kräver särskilda behov på grund av sjukdom, och det har du inte angett.",
        "Enhanced support requires special needs caused by illness, which you did not indicate.",
    )


# ---------------------------------------------------------------------------------------------
# the work requirement


_DERIVED_CACHE: dict[int, tuple] = {}


def _derived(p: Parameters) -> tuple:
    """Per-parameter-set values for the hot loop, cached by identity (parameters are frozen):
    (p, hours threshold by month length, income threshold by year, integer weekly limit or None,
    parameter texts)."""
    entry = _DERIVED_CACHE.get(id(p))
    if entry is None or entry[0] is not p:
        texts = (sv_num(p.hours_per_week), en_num(p.hours_per_week), pct(p.income_share))
        weekly = None
        if p.hours_method == HOURS_METHOD_DAYS:
            limit = p.hours_per_week * HOURS_SCALE
            if limit.denominator == 1:
                weekly = limit.numerator
        entry = (p, p.hours_threshold_by_days, p.income_threshold_by_year, weekly, texts)
        if len(_DERIVED_CACHE) > 64:
            _DERIVED_CACHE.clear()
        _DERIVED_CACHE[id(p)] = entry
    return entry


def work_requirement(case: Case, p: Parameters) -> dict:
    """Count qualifying months per route (R-1.17 … R-1.22, D2–D6) with plain ints, no dates.

    The month columns run from the month before the application month backwards; months beyond
    their end are not listed, so they neither qualify nor may be skipped. Without skippable months
    the counts are C-level ``map`` reductions over slices; otherwise an explicit walk extends the
    hours frame.
    """
    _, hthr, ithr, weekly_limit, _ = _derived(p)
    seqs = case.seqs
    app = case.application_month
    frame = p.frame_months
    either = p.combine_mode == COMBINE_PER_MONTH_EITHER
    if not seqs.income_years <= ithr.keys():
        missing = min(seqs.income_years - ithr.keys())
        raise InputError("months", f"no inkomstbasbelopp for {missing} in the table")

    # The hours frame grows by one month per skipped month, so at most by the number of
    # skippable months; without any, a slice of the frame suffices.
    skips = seqs.skip_positions
    span = frame + len(skips)
    if weekly_limit is not None:
        h_all = [w >= weekly_limit for w in seqs.weekly[:span]]
    elif p.hours_method != HOURS_METHOD_DAYS:
        limit = hthr[30]  # the same for every month length
        h_all = [h >= limit for h in seqs.hours[:span]]
    else:
        h_all = [m[0] is not None and m[0] >= hthr[m[3]] for m in seqs.seq[:span]]
    ispan = span if p.skippable_applies_to_income else frame
    thresholds = []
    for year, run in seqs.year_runs:
        thresholds += [ithr.get(year, _NEVER)] * run
        if len(thresholds) >= ispan:
            break
    i_all = list(map(ge, seqs.income[:ispan], thresholds))
    cap = p.skippable_cap
    skipped = _skipped(h_all, skips, frame, cap) if skips else 0
    skipped_i = _skipped(i_all, skips, frame, cap) if skips and p.skippable_applies_to_income else 0
    # Skipped months do not qualify, so counting over the extended frame is exact.
    h_flags = h_all[: frame + skipped]
    i_flags = i_all[: frame + skipped_i]
    count_h = h_flags.count(True)
    count_i = i_flags.count(True)
    count_either = None
    if either:
        n = min(len(h_flags), len(i_flags))
        count_either = (
            list(map(or_, h_flags[:n], i_flags[:n])).count(True) + h_flags[n:].count(True) + i_flags[n:].count(True)
        )

    need = p.required_months
    if count_h >= need:
        route = "hours"
    elif count_i >= need:
        route = "income"
    elif either and count_either >= need:
        route = "either"
    else:
        route = None
    last = _LABELS[app - 1]
    return {
        "route": route,
        "qualifying_months_hours": count_h,
        "qualifying_months_income": count_i,
        "qualifying_months_either": count_either,
        "frame": [_LABELS[app - frame - skipped], last],
        "income_frame": [_LABELS[app - frame - skipped_i], last],
        "skipped_months": skipped,
    }


_NEVER = 1 << 62


def _skipped(flags: list, skip_positions: tuple, frame: int, cap: int | None) -> int:
    """How many months the frame grows by (D6): going back month by month, a skippable month that
    does not qualify and lies inside the (growing) frame is skipped, up to the cap, and the frame
    grows by one; months added by the growth may be skippable too. ``skip_positions`` are the
    offsets of the skippable months, ascending."""
    end = frame
    skipped = 0
    for pos in skip_positions:
        if pos >= end or (cap is not None and skipped >= cap):
            break
        if not flags[pos]:
            skipped += 1
            end += 1
    return skipped


class _Labels(dict):
    def __missing__(self, idx):
        label = month_label(idx)
        if len(self) < 100_000:
            self[idx] = label
        return label


_LABELS = _Labels()


def r_1_17_work(case: Case, p: Parameters, wr: dict):
    """R-1.17: at least 12 qualifying months in the frame, on hours (R-1.20) or income (R-1.18)."""
    f0, f1 = wr["frame"]
    return _r_1_17_text(
        p.required_months,
        wr["qualifying_months_hours"],
        wr["qualifying_months_income"],
        wr["qualifying_months_either"],
        f0,
        f1,
        wr["income_frame"][0],
        wr["skipped_months"],
        wr["route"],
        _derived(p)[4],
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
        return ("R-1.17", True, sv, en)
    if either is not None:
        e = either
        sv = f"Arbetsvillkoret är inte uppfyllt: {e} månader uppfyller timmar eller inkomst ({facts_sv}). Minst {need} månader krävs."
        en = f"The work requirement is not met: {e} months qualify on hours or income ({facts_en}). At least {need} months are required."
    else:
        sv = f"Arbetsvillkoret är inte uppfyllt: {facts_sv}. Minst {need} månader krävs på ett av sätten; timmar och inkomst läggs inte ihop."
        en = f"The work requirement is not met: {facts_en}. At least {need} months are required in one of the two ways; hours and income are not added together."
    return ("R-1.17", False, sv, en)


# ---------------------------------------------------------------------------------------------
# yttrande


def r_1_40_yttrande(case: Case, p: Parameters):
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


def evaluate_ooo(case: Case, p: Parameters) -> tuple[list, dict | None]:
    """Run the rules the service tests (decisions.md, "Situations and the rules tested per service")."""
    service = case.service
    if service == "yttrande":
        return [r_1_40_yttrande(case, p)], None
    results = [r_1_10_situation(case, p)]
    if service != "vagledning":
        results.append(r_1_11_employer_initiative(case, p))
    results.append(r_1_12_age(case, p))
    results.append(r_1_13_employer(case, p))
    if service != "vagledning":
        results.append(r_1_15_end_date(case, p))
    results.append(r_1_16_exclusions(case, p))
    wr = work_requirement(case, p)
    results.append(r_1_17_work(case, p, wr))
    if service == "forstarkt_stod":
        results.append(r_1_33_illness_needs(case, p))
    return results, wr


__all__ = ["RULESET", "RULESET_VERSION", "evaluate_ooo", "work_requirement"]

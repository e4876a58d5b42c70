# ruff: noqa: E501  (explanation sentences are kept whole so they can be read and translated)
"""Rule set ``ciko``: the KFO–LO transition agreement as in seed 004 (rules.md §7, decisions.md C-D1–C-D4).

One small function per rule, each returning ``(rule_id, passed, text_sv, text_en)``. No Django imports.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from eligibility.rules.dates import add_months, add_years, age_on, birthday
from eligibility.rules.params import CIKO_IBB_END_YEAR, Parameters
from eligibility.rules.text import en_int, en_num, pct, sv_int, sv_num

from .case import Case

RULESET = "ciko"
RULESET_VERSION = "ciko-2026.1"

BASIC_SITUATIONS = ("uppsagd_arbetsbrist", "uppsagd_sjukdom", "tidsbegransad")
_ONE_DAY = datetime.timedelta(days=1)


def c_1_basic(case: Case, p: Parameters):
    """C-1 / C-D1: kollektivavtal; ended by redundancy, illness or end of fixed term; age <= 68 on the
    application date; application within 18 calendar months after the end of employment."""
    sv, en = [], []
    e = case.employer
    if e is None or not e.kollektivavtal:
        sv.append("arbetsplatsen har inte kollektivavtal")
        en.append("the workplace has no collective agreement")
    if case.situation not in BASIC_SITUATIONS:
        sv.append(
            "anställningen har inte upphört på grund av arbetsbrist, sjukdom eller att en tidsbegränsad anställning tagit slut"
        )
        en.append("the employment did not end because of redundancy, illness or the end of a fixed term")
    age = age_on(case.birth_date, case.application_date)
    if age > p.ciko_max_age:
        sv.append(f"du var {age} år när ansökan kom in, och gränsen är högst {p.ciko_max_age} år")
        en.append(f"you were {age} when applying, and the limit is {p.ciko_max_age} or younger")
    end = case.employment_end_date
    months = p.ciko_application_months
    if end is None:
        sv.append("datum när anställningen upphörde saknas")
        en.append("the date the employment ended is missing")
    else:
        last = add_months(end, months)
        if case.application_date > last:
            sv.append(
                f"ansökan kom in {case.application_date.isoformat()}, men måste komma in inom {months} månader "
                f"efter att anställningen upphörde {end.isoformat()}, alltså senast {last.isoformat()}"
            )
            en.append(
                f"the application came in on {case.application_date.isoformat()}, but must come in within {months} months "
                f"of the employment ending on {end.isoformat()}, that is by {last.isoformat()}"
            )
    if sv:
        return (
            "C-1",
            False,
            "Grundvillkoren är inte uppfyllda: " + "; ".join(sv) + ".",
            "The basic conditions are not met: " + "; ".join(en) + ".",
        )
    return (
        "C-1",
        True,
        f"Grundvillkoren är uppfyllda: kollektivavtal finns, anställningen upphörde {end.isoformat()} av ett godtagbart skäl, "
        f"du var {age} år (högst {p.ciko_max_age}) och ansökan kom in inom {months} månader.",
        f"The basic conditions are met: there is a collective agreement, the employment ended on {end.isoformat()} for an accepted reason, "
        f"you were {age} (at most {p.ciko_max_age}) and the application came in within {months} months.",
    )


def continuous_start(case: Case, p: Parameters) -> datetime.date | None:
    """Start of the unbroken run of KFO-affiliated employments (each >= min rate) that reaches the end
    date; each employment starts no later than the day after the previous one ends (C-D2)."""
    end = case.employment_end_date
    if end is None:
        return None
    spans = [(x.start, x.end) for x in case.employments if x.kfo_affiliated and x.rate >= p.ciko_min_rate]
    covering = [s for s, e in spans if s <= end <= e]
    if not covering:
        return None
    start = min(covering)
    changed = True
    while changed:
        changed = False
        for s, e in spans:
            if s < start and e + _ONE_DAY >= start:
                start = s
                changed = True
    return start


def c_2_3_continuous(case: Case, p: Parameters):
    """C-2 (12 months, redundancy or illness) / C-3 (24 months, fixed term ended): continuous employment."""
    fixed = case.situation == "tidsbegransad"
    rule = "C-3" if fixed else "C-2"
    n = p.ciko_continuous_months_fixed_term if fixed else p.ciko_continuous_months
    rate = pct(p.ciko_min_rate)
    end = case.employment_end_date
    if end is None:
        return (
            rule,
            False,
            "Datum när anställningen upphörde saknas, så sammanhängande anställning kan inte prövas.",
            "The end date of the employment is missing, so continuous employment cannot be assessed.",
        )
    latest_start = add_months(end, -n) + _ONE_DAY
    start = continuous_start(case, p)
    if start is None:
        return (
            rule,
            False,
            f"Ingen anställning hos KFO-anslutna arbetsgivare med minst {rate} % sysselsättningsgrad pågick när anställningen upphörde {end.isoformat()}. Minst {n} månaders sammanhängande anställning krävs.",
            f"No employment with KFO-affiliated employers at an employment rate of at least {rate}% was running when the employment ended on {end.isoformat()}. At least {n} months of continuous employment are required.",
        )
    ok = start <= latest_start
    verb_sv = "uppfyller" if ok else "uppfyller inte"
    verb_en = "meets" if ok else "does not meet"
    return (
        rule,
        ok,
        f"Sammanhängande anställning hos KFO-anslutna arbetsgivare med minst {rate} % från {start.isoformat()} till {end.isoformat()} "
        f"{verb_sv} kravet på minst {n} månader (den måste ha börjat senast {latest_start.isoformat()}).",
        f"Continuous employment with KFO-affiliated employers at {rate}% or more from {start.isoformat()} to {end.isoformat()} "
        f"{verb_en} the requirement of at least {n} months (it must have started by {latest_start.isoformat()}).",
    )


def affiliated_days(case: Case, p: Parameters) -> int:
    """Days of KFO-affiliated employment (any rate) within [end − 5 years + 1 day, end], each day once."""
    end = case.employment_end_date
    window_start = add_years(end, -p.ciko_ose_lookback_years) + _ONE_DAY
    spans = sorted((max(x.start, window_start), min(x.end, end)) for x in case.employments if x.kfo_affiliated)
    total = 0
    cur_s = cur_e = None
    for s, e in spans:
        if s > e:
            continue
        if cur_e is not None and s <= cur_e + _ONE_DAY:
            if e > cur_e:
                cur_e = e
            continue
        if cur_e is not None:
            total += (cur_e - cur_s).days + 1
        cur_s, cur_e = s, e
    if cur_e is not None:
        total += (cur_e - cur_s).days + 1
    return total


def c_4_ose(case: Case, p: Parameters):
    """C-4 / C-D3: 40 or older on the last day of employment and >= 50 months (30 days each) of
    KFO-affiliated employment in the 5 years before the end."""
    end = case.employment_end_date
    if end is None:
        return ("C-4", False, "Datum när anställningen upphörde saknas.", "The end date of the employment is missing.")
    sv, en = [], []
    age = age_on(case.birth_date, end)
    if age < p.ciko_ose_min_age:
        sv.append(
            f"du var {age} år sista anställningsdagen {end.isoformat()} och måste ha fyllt {p.ciko_ose_min_age} "
            f"(det gör du {birthday(case.birth_date, p.ciko_ose_min_age).isoformat()})"
        )
        en.append(
            f"you were {age} on your last day of employment {end.isoformat()} and must be {p.ciko_ose_min_age} or older"
        )
    days = affiliated_days(case, p)
    per = p.ciko_days_per_month
    months = Fraction(days, per)
    need = p.ciko_ose_months
    years = p.ciko_ose_lookback_years
    m_sv, m_en = sv_num(months, 1), en_num(months, 1)
    if months < need:
        sv.append(
            f"du hade {sv_int(days)} dagar ({m_sv} månader à {per} dagar) hos KFO-anslutna arbetsgivare de senaste {years} åren, och minst {need} månader krävs"
        )
        en.append(
            f"you had {days} days ({m_en} months of {per} days) with KFO-affiliated employers in the last {years} years, and at least {need} months are required"
        )
    if sv:
        return (
            "C-4",
            False,
            "Villkoren för omställningsersättning är inte uppfyllda: " + "; ".join(sv) + ".",
            "The conditions for transition compensation are not met: " + "; ".join(en) + ".",
        )
    return (
        "C-4",
        True,
        f"Du var {age} år sista anställningsdagen (minst {p.ciko_ose_min_age}) och hade {sv_int(days)} dagar ({m_sv} månader à {per} dagar) "
        f"hos KFO-anslutna arbetsgivare de senaste {years} åren (minst {need} månader).",
        f"You were {age} on your last day of employment (at least {p.ciko_ose_min_age}) and had {days} days ({m_en} months of {per} days) "
        f"with KFO-affiliated employers in the last {years} years (at least {need} months).",
    )


def ose_amount(case: Case, p: Parameters) -> tuple[int, int]:
    """C-5 / C-D4: round(share × IBB(year) × employment rate), halves up. Returns (amount, year)."""
    year = case.employment_end_date.year if p.ciko_ose_ibb_year == CIKO_IBB_END_YEAR else case.application_date.year
    exact = p.ciko_ose_share * p.ibb[year] * case.employment_rate
    return int((exact + Fraction(1, 2)) // 1), year


def c_5_amount(case: Case, p: Parameters):
    amount, year = ose_amount(case, p)
    share = pct(p.ciko_ose_share)
    rate = pct(case.employment_rate)
    ibb = p.ibb[year]
    return (
        "C-5",
        True,
        f"Omställningsersättningen är {share} % av inkomstbasbeloppet för {year} ({sv_int(ibb)} kr) gånger sysselsättningsgraden {rate.replace('.', ',')} %: {sv_int(amount)} kr, som betalas ut en gång.",
        f"The transition compensation is {share}% of the income base amount for {year} (SEK {en_int(ibb)}) times the employment rate {rate}%: SEK {en_int(amount)}, paid once.",
    )


def evaluate_ciko(case: Case, p: Parameters) -> tuple[list, int | None]:
    results = [c_1_basic(case, p)]
    if case.service == "omstallningsstod":
        results.append(c_2_3_continuous(case, p))
        return results, None
    results.append(c_4_ose(case, p))
    if all(r[1] for r in results):
        results.append(c_5_amount(case, p))
        return results, ose_amount(case, p)[0]
    return results, None

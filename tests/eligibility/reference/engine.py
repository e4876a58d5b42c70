"""Entry points: :func:`evaluate` (one case) and :func:`evaluate_data` (a JSON case, errors as data)."""

from __future__ import annotations

from typing import Any

from eligibility.rules.params import DEFAULT_PARAMETERS, Parameters

from . import ciko, ooo
from .case import Case, InputError, parse_case

RULESET_VERSIONS = {ooo.RULESET: ooo.RULESET_VERSION, ciko.RULESET: ciko.RULESET_VERSION}


def evaluate(case: Case | dict, params: Parameters = DEFAULT_PARAMETERS) -> dict[str, Any]:
    """Evaluate one case and return the output object of ``eligibility-cli.md``.

    ``case`` is a :class:`Case` from :func:`parse_case` or a raw JSON dict (parsed here, which may
    raise :class:`InputError`). Each reason carries ``text`` (Swedish) and ``text_en`` (English).
    """
    if not isinstance(case, Case):
        case = parse_case(case, params)
    wr = None
    amount = None
    if case.ruleset == "ooo":
        results, wr = ooo.evaluate_ooo(case, params)
    else:
        results, amount = ciko.evaluate_ciko(case, params)
    eligible = True
    reasons = []
    for rule, passed, sv, en in results:
        if not passed:
            eligible = False
        reasons.append({"rule": rule, "passed": passed, "text": sv, "text_en": en})
    out = {
        "id": case.id,
        "ruleset": case.ruleset,
        "service": case.service,
        "eligible": eligible,
        "reasons": reasons,
    }
    if wr is not None:
        out["work_requirement"] = {
            "route": wr["route"],
            "qualifying_months_hours": wr["qualifying_months_hours"],
            "qualifying_months_income": wr["qualifying_months_income"],
            "frame": wr["frame"],
        }
    out["amount_sek"] = amount
    return out


def evaluate_data(data: Any, params: Parameters = DEFAULT_PARAMETERS) -> dict[str, Any]:
    """Like :func:`evaluate` for a raw JSON case, but a malformed case yields ``{"id", "error"}``."""
    try:
        case = parse_case(data, params)
    except InputError as exc:
        return {"id": data.get("id") if isinstance(data, dict) else None, "error": str(exc)}
    return evaluate(case, params)


def failed_rules(result: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in result.get("reasons", ()) if not r["passed"]]

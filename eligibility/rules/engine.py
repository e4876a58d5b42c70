"""Entry points: :func:`evaluate` (one case, with texts), :func:`decide` (reason codes only, the hot
path), :func:`evaluate_data` (a JSON case, errors as data) and :func:`evaluate_many` (a batch of
JSON cases, as the command prints them).

The rules return lazy results ``(rule, passed, texts, args)``; :func:`decide` stops there, and
:func:`render` turns a decision into the output object of ``eligibility-cli.md`` by calling
``texts(*args)`` for each rule. ``evaluate`` is ``render(decide(...))``, so both give the same
outcome by construction.
"""

from __future__ import annotations

from typing import Any

from . import ciko, ooo
from .case import Case, InputError, parse_case
from .params import DEFAULT_PARAMETERS, Parameters

RULESET_VERSIONS = {ooo.RULESET: ooo.RULESET_VERSION, ciko.RULESET: ciko.RULESET_VERSION}


def decide(case: Case, params: Parameters = DEFAULT_PARAMETERS) -> tuple:
    """Evaluate a parsed case without making any text.

    Returns ``(case, eligible, results, work_requirement, amount_sek)``: ``results`` are the lazy
    rule results (``r[0]`` the rule ID, ``r[1]`` passed; see :func:`reason_codes`),
    ``work_requirement`` the tuple of :func:`ooo.work_requirement_counts` or None.
    """
    if case.ruleset == "ooo":
        results, wr = ooo.evaluate_ooo(case, params)
        amount = None
    else:
        results, amount = ciko.evaluate_ciko(case, params)
        wr = None
    eligible = True
    for r in results:
        if not r[1]:
            eligible = False
            break
    return case, eligible, results, wr, amount


def reason_codes(decision: tuple) -> list[tuple[str, bool]]:
    """``[(rule ID, passed), …]`` of a :func:`decide` result."""
    return [(r[0], r[1]) for r in decision[2]]


def render(decision: tuple, *, lang: str | None = None) -> dict[str, Any]:
    """The output object of ``eligibility-cli.md`` for a :func:`decide` result.

    With ``lang=None`` each reason carries ``text`` (Swedish) and ``text_en`` (English); with
    ``lang="sv"`` or ``"en"`` only ``text``, in that language (the command's form).
    """
    case, eligible, results, wr, amount = decision
    if lang is None:
        reasons = []
        for rule, passed, texts, args in results:
            sv, en = texts(*args)
            reasons.append({"rule": rule, "passed": passed, "text": sv, "text_en": en})
    else:
        which = 1 if lang == "en" else 0
        reasons = [
            {"rule": rule, "passed": passed, "text": texts(*args)[which]} for rule, passed, texts, args in results
        ]
    out = {
        "id": case.id,
        "ruleset": case.ruleset,
        "service": case.service,
        "eligible": eligible,
        "reasons": reasons,
    }
    if wr is not None:
        out["work_requirement"] = {
            "route": wr[0],
            "qualifying_months_hours": wr[1],
            "qualifying_months_income": wr[2],
            "frame": [wr[4], wr[5]],
        }
    out["amount_sek"] = amount
    return out


def evaluate(case: Case | dict, params: Parameters = DEFAULT_PARAMETERS) -> dict[str, Any]:
    """Evaluate one case and return the output object of ``eligibility-cli.md``.

    ``case`` is a :class:`Case` from :func:`parse_case` or a raw JSON dict (parsed here, which may
    raise :class:`InputError`). Each reason carries ``text`` (Swedish) and ``text_en`` (English).
    """
    if not isinstance(case, Case):
        case = parse_case(case, params)
    return render(decide(case, params))


def evaluate_data(data: Any, params: Parameters = DEFAULT_PARAMETERS) -> dict[str, Any]:
    """Like :func:`evaluate` for a raw JSON case, but a malformed case yields ``{"id", "error"}``."""
    try:
        case = parse_case(data, params)
    except InputError as exc:
        return {"id": data.get("id") if isinstance(data, dict) else None, "error": str(exc)}
    return evaluate(case, params)


def evaluate_many(
    cases: list, params: Parameters = DEFAULT_PARAMETERS, *, lang: str = "sv"
) -> tuple[list[dict[str, Any]], int]:
    """Evaluate a batch of raw JSON cases as the command prints them: one result per case in
    input order, ``{"id", "error"}`` for a malformed case, reasons with ``text`` in ``lang`` only.
    Returns ``(results, number of errors)``."""
    out = []
    append = out.append
    errors = 0
    for data in cases:
        try:
            case = parse_case(data, params)
            append(render(decide(case, params), lang=lang))
        except InputError as exc:
            errors += 1
            append({"id": data.get("id") if isinstance(data, dict) else None, "error": str(exc)})
    return out, errors


def failed_rules(result: dict[str, Any]) -> list[str]:
    return [r["rule"] for r in result.get("reasons", ()) if not r["passed"]]

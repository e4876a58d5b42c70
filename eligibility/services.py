"""Writes for the eligibility app: storing evaluations and re-running them."""

from __future__ import annotations

from typing import Any

from .models import Evaluation
from .rules import RULESET_VERSIONS, InputError, Parameters, evaluate, parse_case
from .selectors import cached_current_parameters_with_set_id, current_parameters_with_set


def evaluation_create(*, case: dict, by=None) -> Evaluation:
    """Evaluate ``case`` (the CLI's JSON case) with the current parameters and store it.

    The parameters come from :func:`~eligibility.selectors.cached_current_parameters_with_set_id`
    (every submitted application is evaluated here).

    The stored row keeps the rule set version, the parameter values, the input and the result,
    so it can be shown and re-run exactly. A malformed case is stored with its error (the result
    is then ``{"id", "error"}``, as from the command) rather than raising.
    """
    params, parameter_set_id = cached_current_parameters_with_set_id()
    ruleset = (case.get("ruleset") or "ooo") if isinstance(case, dict) else "ooo"
    try:
        result = evaluate(parse_case(case, params), params)
        error = ""
    except InputError as exc:
        result = {"id": case.get("id") if isinstance(case, dict) else None, "error": str(exc)}
        error = str(exc)
    return Evaluation.objects.create(
        ruleset=str(ruleset)[:10],
        ruleset_version=RULESET_VERSIONS.get(ruleset, ""),
        service=str(case.get("service") or "")[:40] if isinstance(case, dict) else "",
        eligible=bool(result.get("eligible")),
        error=error,
        parameter_set_id=parameter_set_id,
        parameters=params.to_dict(),
        input=case,
        result=result,
    )


def evaluation_replay(evaluation: Evaluation) -> dict[str, Any]:
    """Re-run with the stored parameters: reproduces the stored result exactly."""
    params = Parameters.from_dict(evaluation.parameters)
    try:
        return evaluate(parse_case(evaluation.input, params), params)
    except InputError as exc:
        return {"id": evaluation.input.get("id"), "error": str(exc)}


def evaluation_rerun_diff(evaluation: Evaluation) -> dict[str, Any]:
    """Re-evaluate the stored input with the current parameters and return what changed.

    Returns ``{"changed", "eligible": {"before", "after"}, "amount_sek": {...}, "rules": [{"rule",
    "before", "after", "text"}], "parameters": [{"name", "before", "after"}], "ruleset_version":
    {...}, "result": <new result>}``. ``before``/``after`` of a rule is passed (bool) or None when
    the rule was not tested.
    """
    params, _ = current_parameters_with_set()  # uncached: the admin's check must see the rows as they are
    try:
        new = evaluate(parse_case(evaluation.input, params), params)
    except InputError as exc:
        new = {"id": evaluation.input.get("id"), "error": str(exc)}
    old = evaluation.result or {}
    old_rules = {r["rule"]: r for r in old.get("reasons", ())}
    new_rules = {r["rule"]: r for r in new.get("reasons", ())}
    rules = []
    for rule in list(old_rules) + [r for r in new_rules if r not in old_rules]:
        before = old_rules.get(rule, {}).get("passed")
        after = new_rules.get(rule, {}).get("passed")
        if before != after or old_rules.get(rule, {}).get("text") != new_rules.get(rule, {}).get("text"):
            rules.append(
                {
                    "rule": rule,
                    "before": before,
                    "after": after,
                    "text": new_rules.get(rule, old_rules.get(rule))["text"],
                }
            )
    old_params = evaluation.parameters or {}
    new_params = params.to_dict()
    changed_params = [
        {"name": name, "before": old_params.get(name), "after": new_params.get(name)}
        for name in sorted(set(old_params) | set(new_params))
        if old_params.get(name) != new_params.get(name)
    ]
    diff = {
        "eligible": {"before": old.get("eligible"), "after": new.get("eligible")},
        "amount_sek": {"before": old.get("amount_sek"), "after": new.get("amount_sek")},
        "work_requirement": {"before": old.get("work_requirement"), "after": new.get("work_requirement")},
        "error": {"before": old.get("error"), "after": new.get("error")},
        "rules": rules,
        "parameters": changed_params,
        "ruleset_version": {
            "before": evaluation.ruleset_version,
            "after": RULESET_VERSIONS.get(evaluation.ruleset, ""),
        },
        "result": new,
    }
    diff["changed"] = bool(
        rules
        or diff["eligible"]["before"] != diff["eligible"]["after"]
        or diff["amount_sek"]["before"] != diff["amount_sek"]["after"]
        or diff["work_requirement"]["before"] != diff["work_requirement"]["after"]
        or diff["error"]["before"] != diff["error"]["after"]
    )
    return diff


def evaluations_forget_input(evaluation_ids) -> int:
    """Empties the stored input (it holds the personnummer or birth date and the work history) of
    these evaluations, for retention: the rule set, parameters and result stay, so the decision can
    still be explained, but it can no longer be re-run. Returns the number of evaluations changed."""
    return Evaluation.objects.filter(pk__in=list(evaluation_ids)).exclude(input={}).update(input={})


def evaluations_delete_unreferenced(evaluation_ids) -> int:
    """Deletes these evaluations where no application refers to them any more (retention: the
    application they were made for has been deleted). Returns the number deleted."""
    deleted, _by_model = Evaluation.objects.filter(pk__in=list(evaluation_ids), applications__isnull=True).delete()
    return deleted

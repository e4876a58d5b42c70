"""The eligibility rule sets as pure Python (no Django imports anywhere in this package).

>>> from eligibility.rules import evaluate, parse_case, Parameters
>>> evaluate(parse_case(case_dict), Parameters())  # doctest: +SKIP
"""

from .case import Case, InputError, parse_case
from .ciko import RULESET_VERSION as CIKO_RULESET_VERSION
from .engine import (
    RULESET_VERSIONS,
    decide,
    evaluate,
    evaluate_data,
    evaluate_many,
    failed_rules,
    reason_codes,
    render,
)
from .ooo import RULESET_VERSION as OOO_RULESET_VERSION
from .params import DEFAULT_IBB, DEFAULT_PARAMETERS, Parameters

__all__ = [
    "CIKO_RULESET_VERSION",
    "DEFAULT_IBB",
    "DEFAULT_PARAMETERS",
    "OOO_RULESET_VERSION",
    "RULESET_VERSIONS",
    "Case",
    "InputError",
    "Parameters",
    "decide",
    "evaluate",
    "evaluate_data",
    "evaluate_many",
    "failed_rules",
    "parse_case",
    "reason_codes",
    "render",
]

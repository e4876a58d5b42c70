"""A frozen copy of the eligibility engine as it was before the speed work (commit 09ccfb1).

Used only as the reference in the equivalence test (``test_eligibility_equivalence.py``) and by
``bench/eligibility.py`` to check that the optimised engine gives identical results. Do not edit:
a rule change goes into ``eligibility/rules`` and, when it changes results on purpose, this copy
is updated (or replaced by the new engine) in the same commit.
"""

from .engine import evaluate, evaluate_data

__all__ = ["evaluate", "evaluate_data"]

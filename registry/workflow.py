"""The one table of allowed transitions of a registration case (LGOK 14 § and 15 §).

    draft ──submit──▶ submitted ──request_completion──▶ needs_completion ──submit──▶ submitted
    submitted ──register──▶ registered ──deregister──▶ deregistered
    submitted ──refuse──▶ refused

Who may do what: the applicant submits; a case officer (or administrator) does everything else.
"""

from .models import RegistrationCase

S = RegistrationCase.State

APPLICANT = "applicant"
OFFICER = "officer"

# action: (from states, to state, who)
TRANSITIONS = {
    "submit": ({S.DRAFT, S.NEEDS_COMPLETION}, S.SUBMITTED, APPLICANT),
    "request_completion": ({S.SUBMITTED}, S.NEEDS_COMPLETION, OFFICER),
    "register": ({S.SUBMITTED}, S.REGISTERED, OFFICER),
    "refuse": ({S.SUBMITTED}, S.REFUSED, OFFICER),
    "deregister": ({S.REGISTERED}, S.DEREGISTERED, OFFICER),
}

# the applicant may edit the application only in these states
EDITABLE_STATES = frozenset({S.DRAFT, S.NEEDS_COMPLETION})


class TransitionNotAllowed(Exception):
    pass


def target_state(action: str, current: str) -> str:
    """The state `action` leads to from `current`; raises TransitionNotAllowed otherwise."""
    try:
        sources, target, _who = TRANSITIONS[action]
    except KeyError:
        raise TransitionNotAllowed(action) from None
    if current not in sources:
        raise TransitionNotAllowed(f"{action} from {current}")
    return target


def allowed_actions(current: str, who: str) -> list[str]:
    return [action for action, (sources, _t, actor) in TRANSITIONS.items() if current in sources and actor == who]

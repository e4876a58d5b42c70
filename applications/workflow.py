"""The case workflow: the one table of allowed transitions (a plain dict, as Signalen does).

Each transition names the states it may start from, the state it leads to and the role that may
make it. `services.application_transition` is the only code that changes `Application.status`.
"""

from dataclasses import dataclass

from omstallning.accounts.roles import Role

from .models import Status


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    role: Role
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        # The officer asks for more information; the handling clock pauses.
        Transition(
            "request_completion", frozenset({Status.SUBMITTED}), Status.NEEDS_COMPLETION, Role.CASE_OFFICER, True
        ),
        # The applicant answers; the clock runs again.
        Transition("answer_completion", frozenset({Status.NEEDS_COMPLETION}), Status.SUBMITTED, Role.APPLICANT),
        Transition("grant", frozenset({Status.SUBMITTED}), Status.GRANTED, Role.CASE_OFFICER),
        Transition("refuse", frozenset({Status.SUBMITTED}), Status.REFUSED, Role.CASE_OFFICER, True),
        Transition(
            "close",
            frozenset({Status.SUBMITTED, Status.NEEDS_COMPLETION, Status.GRANTED, Status.REFUSED}),
            Status.CLOSED,
            Role.CASE_OFFICER,
            True,
        ),
    ]
}


def allowed(name: str, status: str) -> bool:
    t = TRANSITIONS.get(name)
    return t is not None and status in t.sources


def available(status: str, role: Role | None = None) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources and (role is None or t.role == role)]

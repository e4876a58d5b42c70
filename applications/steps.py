"""The steps of the application form per service (the step indicator follows this list)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Service


@dataclass(frozen=True)
class Step:
    key: str  # key in Draft.data
    slug: str  # in the URL
    title: str
    required: bool = True
    services: frozenset = frozenset(Service.values)


STEPS = [
    Step("about", "om-dig", _("About you")),
    Step("employment", "anstallning", _("Your employment")),
    Step(
        "work_history",
        "arbetshistorik",
        _("Work history"),
        services=frozenset({Service.RADGIVNING, Service.FORSTARKT_STOD, Service.VAGLEDNING}),
    ),
    Step("health", "behov", _("Your needs"), services=frozenset({Service.FORSTARKT_STOD})),
    Step("education", "utbildning", _("Planned education"), services=frozenset({Service.YTTRANDE})),
    Step("attachments", "bilagor", _("Attachments"), required=False),
    Step("review", "granska", _("Check and submit"), required=False),
]


def steps_for(service: str) -> list[Step]:
    return [s for s in STEPS if service in s.services]


def step_by_slug(service: str, slug: str) -> Step | None:
    return next((s for s in steps_for(service) if s.slug == slug), None)


def next_step(service: str, step: Step) -> Step | None:
    steps = steps_for(service)
    i = steps.index(step)
    return steps[i + 1] if i + 1 < len(steps) else None


def previous_step(service: str, step: Step) -> Step | None:
    steps = steps_for(service)
    i = steps.index(step)
    return steps[i - 1] if i > 0 else None

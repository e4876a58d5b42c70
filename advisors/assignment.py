"""The assignment cascade as a pure function over plain values (no Django, no database).

1. The supplier: the highest-ranked one (lowest ``rank``) with free capacity that covers the
   applicant's municipality, or any supplier when the applicant chose digital meetings, that gives
   the service and speaks the language.
2. The advisor: within that supplier, the qualified advisor (active, speaks the language, and
   qualified for förstärkt stöd when that is the service) with the fewest open cases; ties go to
   the lowest id so that the choice is deterministic.

A supplier that passes step 1 but has no qualified advisor is skipped, and the cascade goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DIGITAL = "digital"
PHYSICAL = "physical"
FORSTARKT_STOD = "forstarkt_stod"


def municipality_region(municipality: str) -> str | None:
    """The county (län) of a four-digit municipality code: its first two digits (0180 -> 01)."""
    code = (municipality or "").strip()
    if len(code) == 4 and code.isdigit():
        return code[:2]
    return None


@dataclass(frozen=True)
class Need:
    service: str
    municipality: str
    meeting: str  # DIGITAL or PHYSICAL
    language: str = "sv"


@dataclass(frozen=True)
class AdvisorOption:
    id: int
    open_cases: int
    languages: frozenset[str] = frozenset({"sv"})
    forstarkt_stod: bool = False
    active: bool = True


@dataclass(frozen=True)
class SupplierOption:
    id: int
    rank: int
    capacity: int
    open_cases: int
    services: frozenset[str]
    languages: frozenset[str] = frozenset({"sv"})
    municipalities: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    national_digital: bool = False
    active: bool = True
    advisors: tuple[AdvisorOption, ...] = field(default_factory=tuple)

    @property
    def free_capacity(self) -> int:
        return self.capacity - self.open_cases

    def covers(self, need: Need) -> bool:
        if need.meeting == DIGITAL:
            return True  # any contract area serves digital meetings
        municipality = (need.municipality or "").strip().casefold()
        if municipality and municipality in {m.casefold() for m in self.municipalities}:
            return True
        region = municipality_region(need.municipality)
        return region is not None and region in self.regions


@dataclass(frozen=True)
class Choice:
    supplier_id: int
    advisor_id: int


def advisor_qualifies(advisor: AdvisorOption, need: Need) -> bool:
    if not advisor.active or need.language not in advisor.languages:
        return False
    return advisor.forstarkt_stod or need.service != FORSTARKT_STOD


def supplier_qualifies(supplier: SupplierOption, need: Need) -> bool:
    return (
        supplier.active
        and supplier.free_capacity > 0
        and need.service in supplier.services
        and need.language in supplier.languages
        and supplier.covers(need)
    )


def choose_advisor(need: Need, suppliers: list[SupplierOption] | tuple[SupplierOption, ...]) -> Choice | None:
    """The supplier and advisor for ``need``, or None when nobody qualifies."""
    for supplier in sorted(suppliers, key=lambda s: (s.rank, s.id)):
        if not supplier_qualifies(supplier, need):
            continue
        qualified = [a for a in supplier.advisors if advisor_qualifies(a, need)]
        if not qualified:
            continue
        advisor = min(qualified, key=lambda a: (a.open_cases, a.id))
        return Choice(supplier_id=supplier.id, advisor_id=advisor.id)
    return None

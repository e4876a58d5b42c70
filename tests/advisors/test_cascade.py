"""The assignment cascade as a pure function: supplier by rank, capacity, area, service and
language; then the qualified advisor with the fewest open cases."""

from advisors.assignment import AdvisorOption, Need, SupplierOption, choose_advisor, municipality_region

ALL = frozenset({"radgivning", "forstarkt_stod", "vagledning", "yttrande"})


def supplier(
    id, rank, *, capacity=10, open_cases=0, services=ALL, languages=("sv",), munis=(), regions=(), advisors=()
):
    return SupplierOption(
        id=id,
        rank=rank,
        capacity=capacity,
        open_cases=open_cases,
        services=frozenset(services),
        languages=frozenset(languages),
        municipalities=frozenset(munis),
        regions=frozenset(regions),
        advisors=tuple(advisors),
    )


def adv(id, open_cases=0, languages=("sv",), forstarkt=False, active=True):
    return AdvisorOption(
        id=id, open_cases=open_cases, languages=frozenset(languages), forstarkt_stod=forstarkt, active=active
    )


STHLM = Need(service="radgivning", municipality="Stockholm", meeting="physical")


def test_highest_ranked_supplier_covering_the_municipality_wins():
    s1 = supplier(1, 2, munis=["Stockholm"], advisors=[adv(10)])
    s2 = supplier(2, 1, munis=["Göteborg"], advisors=[adv(20)])
    s3 = supplier(3, 3, munis=["stockholm"], advisors=[adv(30)])
    assert choose_advisor(STHLM, [s3, s2, s1]).supplier_id == 1


def test_full_supplier_is_skipped():
    s1 = supplier(1, 1, capacity=5, open_cases=5, munis=["Stockholm"], advisors=[adv(10)])
    s2 = supplier(2, 2, munis=["Stockholm"], advisors=[adv(20)])
    assert choose_advisor(STHLM, [s1, s2]).supplier_id == 2


def test_digital_meetings_take_any_area():
    s1 = supplier(1, 1, munis=["Malmö"], advisors=[adv(10)])
    need = Need(service="radgivning", municipality="Stockholm", meeting="digital")
    assert choose_advisor(need, [s1]).advisor_id == 10
    assert choose_advisor(STHLM, [s1]) is None


def test_region_covers_its_municipality_codes():
    assert municipality_region("1480") == "14"
    s1 = supplier(1, 1, regions=["14"], advisors=[adv(10)])
    assert choose_advisor(Need("radgivning", "1480", "physical"), [s1]).supplier_id == 1
    assert choose_advisor(Need("radgivning", "0180", "physical"), [s1]) is None


def test_service_and_language_must_be_offered():
    s1 = supplier(1, 1, services={"vagledning"}, munis=["Stockholm"], advisors=[adv(10)])
    s2 = supplier(2, 2, languages=("sv", "ar"), munis=["Stockholm"], advisors=[adv(20, languages=("sv", "ar"))])
    assert choose_advisor(STHLM, [s1, s2]).supplier_id == 2
    arabic = Need("vagledning", "Stockholm", "physical", language="ar")
    assert choose_advisor(arabic, [s1, s2]).supplier_id == 2


def test_forstarkt_stod_needs_a_qualified_advisor_else_next_supplier():
    need = Need("forstarkt_stod", "Stockholm", "physical")
    s1 = supplier(1, 1, munis=["Stockholm"], advisors=[adv(10, forstarkt=False)])
    s2 = supplier(2, 2, munis=["Stockholm"], advisors=[adv(20, forstarkt=False), adv(21, forstarkt=True)])
    assert choose_advisor(need, [s1, s2]) == choose_advisor(need, [s2, s1])
    assert choose_advisor(need, [s1, s2]).advisor_id == 21


def test_advisor_with_fewest_open_cases_then_lowest_id():
    s1 = supplier(1, 1, munis=["Stockholm"], advisors=[adv(12, 3), adv(11, 1), adv(13, 1), adv(14, 0, active=False)])
    assert choose_advisor(STHLM, [s1]).advisor_id == 11


def test_nobody_qualifies():
    assert choose_advisor(STHLM, []) is None

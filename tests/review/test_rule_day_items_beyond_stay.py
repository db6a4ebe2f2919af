from decimal import Decimal

from .builders import D, fired, inpatient, item, line, outpatient, with_params

BED = item(category="bed", day_based=True)


def test_six_bed_days_for_a_five_day_stay_fire():
    claim = inpatient(
        lines=(
            line(1, "BED", "床位费", quantity=Decimal("4"), item=BED),
            line(2, "BED", "床位费", quantity=Decimal("2"), item=BED, service_date=D(2026, 3, 14)),
        )
    )
    [finding] = fired("day_items_beyond_stay", claim)
    assert finding.lines == (1, 2)
    assert finding.facts["quantity"] == "6" and finding.facts["days"] == "5"
    assert "床位费计6天，住院仅5天" in finding.explanation


def test_as_many_bed_days_as_the_stay_do_not():
    claim = inpatient(lines=(line(1, "BED", "床位费", quantity=Decimal("5"), item=BED),))
    assert fired("day_items_beyond_stay", claim) == []


def test_a_tolerance_day_is_configurable():
    claim = inpatient(lines=(line(1, "BED", "床位费", quantity=Decimal("6"), item=BED),))
    rs = with_params("day_items_beyond_stay", tolerance_days=1)
    assert fired("day_items_beyond_stay", claim, rule_set=rs) == []


def test_a_same_day_stay_counts_one_day():
    claim = inpatient(
        discharge_date=D(2026, 3, 10),
        lines=(line(1, "BED", "床位费", quantity=Decimal("2"), item=BED),),
    )
    [finding] = fired("day_items_beyond_stay", claim)
    assert finding.facts["days"] == "1"


def test_outpatient_claims_have_no_stay_to_exceed():
    claim = outpatient(lines=(line(1, "OBS", "留观床位", quantity=Decimal("2"), item=BED),))
    assert fired("day_items_beyond_stay", claim) == []

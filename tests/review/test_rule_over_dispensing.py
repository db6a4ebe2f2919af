from huimin.review.claim import Dispensing, History

from .builders import CENTRE, D, fired, item, line, outpatient

AMLODIPINE = item(kind="drug", category="drug", ingredient="AMLO")


def dispensed(when, days, code="X-AML-A", institution=CENTRE, claim_id="S5"):
    return Dispensing(
        claim_id, institution.id, institution.name, when, code, "苯磺酸氨氯地平片", days, "AMLO"
    )


def claim(days=30):
    return outpatient(lines=(line(1, "X-AML-B", "氨氯地平片", item=AMLODIPINE, days_supply=days),))


def test_a_second_month_of_supply_within_thirty_days_elsewhere_fires():
    history = History(dispensings=(dispensed(D(2026, 2, 25), 30),))
    [finding] = fired("over_dispensing", claim(), history)
    assert finding.facts["supply_days"] == "60"
    assert finding.lines == (1,)
    assert "酿溪镇卫生院" in finding.facts["institutions"]
    assert "疑似超量开药" in finding.explanation


def test_supply_dispensed_before_the_window_does_not_count():
    history = History(
        dispensings=(dispensed(D(2026, 2, 8), 30),)
    )  # the day before the 30 days ending on the visit
    assert fired("over_dispensing", claim(), history) == []


def test_up_to_the_maximum_does_not_fire():
    history = History(dispensings=(dispensed(D(2026, 3, 1), 10),))
    assert fired("over_dispensing", claim(30), history) == []


def test_another_drug_does_not_add_up():
    other = Dispensing(
        "S5", CENTRE.id, CENTRE.name, D(2026, 3, 1), "X-MET", "二甲双胍片", 30, "METF"
    )
    assert fired("over_dispensing", claim(), History(dispensings=(other,))) == []

from .builders import D, fired, inpatient, item, line


def bed(number, **changes):
    return line(number, "BED", "床位费", item=item(category="bed", day_based=True), **changes)


def nursing(number):
    return line(number, "NUR", "二级护理", item=item(category="nursing", day_based=True))


def test_a_five_day_stay_with_only_bed_and_nursing_fires():
    claim = inpatient(lines=(bed(1, quantity=5), nursing(2)))
    [finding] = fired("bed_without_treatment", claim)
    assert finding.facts == {**finding.facts, "days": "5", "charged": "床位费、护理费"}
    assert "疑似挂床住院" in finding.explanation


def test_one_lab_test_is_treatment_enough():
    claim = inpatient(lines=(bed(1, quantity=5), nursing(2), line(3)))
    assert fired("bed_without_treatment", claim) == []


def test_a_two_day_stay_is_below_the_minimum():
    claim = inpatient(discharge_date=D(2026, 3, 12), lines=(bed(1, quantity=2),))
    assert fired("bed_without_treatment", claim) == []

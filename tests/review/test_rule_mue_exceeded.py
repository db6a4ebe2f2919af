from decimal import Decimal

from .builders import fired, inpatient, item, line

CT = item(category="exam", mue=Decimal("2"))


def test_units_above_the_medically_unlikely_maximum_fire():
    claim = inpatient(lines=(line(1, "CT1", "胸部CT平扫", quantity=Decimal("3"), item=CT),))
    [finding] = fired("mue_exceeded", claim)
    assert finding.facts["limit"] == "2" and finding.lines == (1,)
    assert "单日医学合理上限" in finding.explanation


def test_units_at_the_maximum_do_not():
    claim = inpatient(lines=(line(1, "CT1", "胸部CT平扫", quantity=Decimal("2"), item=CT),))
    assert fired("mue_exceeded", claim) == []

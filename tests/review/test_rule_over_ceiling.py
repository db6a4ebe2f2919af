from decimal import Decimal

from .builders import fired, inpatient, line, with_params


def test_a_price_above_the_ceiling_fires_with_the_excess():
    claim = inpatient(
        lines=(
            line(1, quantity=Decimal("3"), unit_price=Decimal("25.00"), ceiling=Decimal("20.00")),
        )
    )
    [finding] = fired("over_ceiling", claim)
    assert finding.facts == {**finding.facts, "price": "25.00", "ceiling": "20.00", "over": "15.00"}
    assert "超出15.00元" in finding.explanation


def test_the_excess_is_rounded_half_up_to_the_fen():
    claim = inpatient(
        lines=(
            line(1, quantity=Decimal("1"), unit_price=Decimal("20.005"), ceiling=Decimal("20.00")),
        )
    )
    [finding] = fired("over_ceiling", claim)
    assert finding.facts["over"] == "0.01"


def test_a_price_at_the_ceiling_does_not():
    claim = inpatient(lines=(line(1, unit_price=Decimal("20.00"), ceiling=Decimal("20.00")),))
    assert fired("over_ceiling", claim) == []


def test_an_excess_within_the_configured_minimum_does_not():
    claim = inpatient(lines=(line(1, unit_price=Decimal("20.50"), ceiling=Decimal("20.00")),))
    rs = with_params("over_ceiling", min_over=Decimal("1.00"))
    assert fired("over_ceiling", claim, rule_set=rs) == []

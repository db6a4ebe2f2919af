from decimal import Decimal

from .builders import D, fired, inpatient, item, line

LIMITED = item(kind="drug", category="drug", max_quantity_per_day=Decimal("3"))


def test_two_lines_on_one_day_adding_up_above_the_maximum_fire():
    claim = inpatient(
        lines=(
            line(1, "X1", "头孢呋辛", quantity=Decimal("2"), item=LIMITED),
            line(2, "X1", "头孢呋辛", quantity=Decimal("2"), item=LIMITED),
        )
    )
    [finding] = fired("daily_max_exceeded", claim)
    assert finding.lines == (1, 2)
    assert finding.facts["quantity"] == "4" and finding.facts["limit"] == "3"
    assert "2026-03-10" in finding.explanation


def test_the_maximum_on_each_of_two_days_does_not():
    claim = inpatient(
        lines=(
            line(1, "X1", "头孢呋辛", quantity=Decimal("3"), item=LIMITED),
            line(
                2,
                "X1",
                "头孢呋辛",
                quantity=Decimal("3"),
                item=LIMITED,
                service_date=D(2026, 3, 11),
            ),
        )
    )
    assert fired("daily_max_exceeded", claim) == []

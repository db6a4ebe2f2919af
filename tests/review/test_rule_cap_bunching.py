from decimal import Decimal

from huimin.review.claim import CapPosition

from .builders import D, fired, inpatient

CAP = Decimal("150000.00")


def year_end(before, after, **changes):
    fields = {"admission_date": D(2026, 11, 20), "discharge_date": D(2026, 11, 28), **changes}
    return inpatient(lines=(), cap=CapPosition(CAP, Decimal(before), Decimal(after)), **fields)


def test_a_claim_taking_the_year_just_below_the_cap_fires():
    [finding] = fired("cap_bunching", year_end("130000.00", "148000.00"))
    assert finding.facts["share"] == "98.67%"
    assert "疑似冲顶消费" in finding.explanation and "150000.00" in finding.explanation


def test_reaching_the_cap_itself_is_not_just_below_it():
    assert fired("cap_bunching", year_end("130000.00", "150000.00")) == []


def test_a_small_claim_already_in_the_band_does_not():
    assert fired("cap_bunching", year_end("143000.00", "144000.00")) == []


def test_a_claim_taking_little_of_what_was_left_does_not():
    # 14,000.00 left before; 6,600.00 used: under half
    assert fired("cap_bunching", year_end("136000.00", "142600.00")) == []


def test_before_the_configured_month_it_does_not():
    claim = year_end(
        "130000.00", "148000.00", admission_date=D(2026, 5, 1), discharge_date=D(2026, 5, 8)
    )
    assert fired("cap_bunching", claim) == []

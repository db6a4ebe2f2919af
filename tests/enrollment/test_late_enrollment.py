"""Outside the period, benefits start after the waiting period; before it, no enrollment."""

import datetime

import pytest

from huimin.core.errors import ValidationFailed
from huimin.insurance.enrollment import rules, services
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll, pay_cash, writes

D = datetime.date


def test_late_enrollment_waits_ninety_days_from_payment(officer, period, family):
    # Enrolled 2026-02-10, after the period closed on 2025-12-31; paid 2026-02-20.
    father = enroll(officer, family["household"], [family["father"].pk], on=D(2026, 2, 10))[
        family["father"].pk
    ]
    assert father.late
    pay_cash(officer, father, day=D(2026, 2, 20))
    father.refresh_from_db()
    # 2026-02-20 + 90 days = 2026-05-21.
    assert father.benefits_from == D(2026, 5, 21)
    assert services.coverage_on(family["father"].pk, D(2026, 5, 20)) is None
    cov = services.coverage_on(family["father"].pk, D(2026, 5, 21))
    assert cov is not None and cov.benefits_from == D(2026, 5, 21)


def test_enrolled_in_period_but_paid_after_it_closes_is_late(officer, period, family):
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    assert not father.late and father.benefits_from == D(2026, 1, 1)
    pay_cash(officer, father, day=D(2026, 1, 5))
    father.refresh_from_db()
    # 2026-01-05 + 90 days = 2026-04-05.
    assert father.late and father.benefits_from == D(2026, 4, 5)


def test_late_tekun_is_paid_at_enrollment_and_waits_too(officer, period, family):
    grandma = enroll(officer, family["household"], [family["grandma"].pk], on=D(2026, 3, 1))[
        family["grandma"].pk
    ]
    assert grandma.status == "paid" and grandma.late
    # 2026-03-01 + 90 days = 2026-05-30.
    assert grandma.benefits_from == D(2026, 5, 30)


def test_waiting_days_are_the_period_setting(officer, period, family):
    services.do_update_period(officer, period.pk, period.opens_on, period.closes_on, 30)
    father = enroll(officer, family["household"], [family["father"].pk], on=D(2026, 2, 10))[
        family["father"].pk
    ]
    pay_cash(officer, father, day=D(2026, 2, 10))
    father.refresh_from_db()
    assert father.benefits_from == D(2026, 3, 12)  # 2026-02-10 + 30 days


@pytest.mark.parametrize("on", [D(2025, 8, 31), D(2027, 1, 1)])
def test_enrolling_before_the_period_opens_or_after_the_year_is_refused(
    officer, period, family, on
):
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        enroll(officer, family["household"], on=on)
    assert exc.value.code == "enrollment_not_open" and "year" in exc.value.fields
    assert writes() == before


def test_benefits_start_rule():
    assert rules.benefits_start(YEAR, False, D(2025, 10, 1), 90) == D(2026, 1, 1)
    # Late but paid so early that the wait ends before the year starts: 1 January.
    assert rules.benefits_start(YEAR, True, D(2025, 9, 1), 30) == D(2026, 1, 1)
    assert rules.benefits_start(YEAR, True, D(2026, 12, 1), 90) == D(2027, 3, 1)


def test_late_enrollment_whose_wait_outlasts_the_year_is_refused(officer, period, family):
    # 2026-10-10 + 90 days = 2027-01-08: the contribution would buy no 2026 cover.
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        enroll(officer, family["household"], on=D(2026, 10, 10))
    assert "2027-01-08" in exc.value.fields["year"]
    assert writes() == before


def test_paying_so_late_that_the_wait_outlasts_the_year_is_refused(officer, period, family):
    father = enroll(officer, family["household"], [family["father"].pk])[family["father"].pk]
    before = writes()
    with pytest.raises(ValidationFailed) as exc:
        pay_cash(officer, father, day=D(2026, 11, 1))
    assert exc.value.code == "benefits_after_year" and "enrollment_id" in exc.value.fields
    assert writes() == before

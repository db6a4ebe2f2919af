"""What each person owes depends on their special category on the enrollment date."""

from decimal import Decimal

import pytest

from huimin.insurance.enrollment import rules, services
from huimin.insurance.enrollment.models import Payment
from tests.enrollment.conftest import IN_PERIOD, YEAR

D = Decimal


def test_dibao_pays_half_and_tekun_nothing(officer, period, family):
    result = services.do_enroll_household(officer, family["household"].pk, YEAR, on=IN_PERIOD)
    by_person = {e.person_id: e for e in result.enrolled}
    father = by_person[family["father"].pk]
    mother = by_person[family["mother"].pk]
    grandma = by_person[family["grandma"].pk]
    # Ordinary: individual 400.00, nothing from assistance, pays 400.00; subsidy 670.00.
    assert (father.individual_due, father.assistance_share, father.personal_due) == (
        D("400.00"),
        D("0.00"),
        D("400.00"),
    )
    assert father.subsidy == D("670.00") and father.status == "owed" and father.category == ""
    # Dibao: 400.00 × 0.50 = 200.00 by assistance; personal due 400.00 − 200.00 = 200.00.
    assert (mother.assistance_share, mother.personal_due, mother.subsidy) == (
        D("200.00"),
        D("200.00"),
        D("670.00"),
    )
    assert mother.category == "dibao" and mother.status == "owed"
    # Tekun: 400.00 × 1.00 = 400.00 by assistance; personal due 0.00, so paid at once
    # by an assistance payment of 0.00.
    assert (grandma.assistance_share, grandma.personal_due) == (D("400.00"), D("0.00"))
    assert grandma.status == "paid" and grandma.category == "tekun"
    payment = Payment.objects.get(enrollment=grandma)
    assert (payment.method, payment.amount) == ("assistance", D("0.00"))


def test_a_category_that_ended_before_enrollment_does_not_count(officer, period, family):
    family["mother"].categories.update(valid_to=IN_PERIOD.replace(month=9))
    result = services.do_enroll_household(officer, family["household"].pk, YEAR, on=IN_PERIOD)
    mother = next(e for e in result.enrolled if e.person_id == family["mother"].pk)
    assert (mother.assistance_share, mother.personal_due) == (D("0.00"), D("400.00"))


@pytest.mark.parametrize(
    ("categories", "share", "personal", "category"),
    [
        ([], "0.00", "400.00", ""),
        (["dibao"], "200.00", "200.00", "dibao"),
        (["tekun"], "400.00", "0.00", "tekun"),
        # Both in force: the larger share wins.
        (["dibao", "tekun"], "400.00", "0.00", "tekun"),
        # A category the plan gives no share to changes nothing.
        (["disabled"], "0.00", "400.00", ""),
    ],
)
def test_contribution_due_rule(categories, share, personal, category):
    shares = {"tekun": D("1.00"), "dibao": D("0.50")}
    due = rules.contribution_due(D("400.00"), D("670.00"), shares, categories)
    assert due.assistance_share == D(share)
    assert due.personal_due == D(personal)
    assert due.subsidy == D("670.00")
    assert due.category == category


def test_share_is_rounded_to_the_fen_half_up():
    # 333.33 × 0.50 = 166.665 → 166.67 by assistance; the person pays 166.66.
    due = rules.contribution_due(D("333.33"), D("0"), {"dibao": D("0.50")}, ["dibao"])
    assert (due.assistance_share, due.personal_due) == (D("166.67"), D("166.66"))

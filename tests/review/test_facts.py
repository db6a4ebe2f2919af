# ruff: noqa: F811  (the insurance fixtures, imported, are parameters here)
"""What real time builds from the tables for a settlement: the person on the day, the
catalog's facts about each line's item on its date, the coverage periods, and the last
90 days at every institution."""

import dataclasses
import datetime
from decimal import Decimal

from huimin.insurance.models import Visit
from huimin.review.claim import CapPosition, CoveragePeriod, PastStay
from huimin.review.facts import claim_facts, claim_in_hand_for
from tests.insurance.conftest import his, insured  # noqa: F401  (fixtures)
from tests.review.realtime_support import CBC, NURSING_2, settle_visit, settlement_of

D = datetime.date
GYN_ULTRASOUND = "002104000020000"  # 妇科B超: the catalog restricts it to women


def other_visit(insured, no, visit_type, day, discharge=None, status="settled", diagnosis=""):
    return Visit.objects.create(
        person=insured.person,
        institution=insured.centre,
        region_code=insured.person.village_id,
        visit_type=visit_type,
        institution_level="1",
        his_visit_no=no,
        visit_date=day,
        discharge_date=discharge,
        diagnosis_code=diagnosis,
        status=status,
    )


def test_the_claim_carries_the_person_the_institution_and_the_catalog_facts(insured, his):
    lines = [
        {"code": NURSING_2, "name": "二级护理", "quantity": "4", "unit_price": "18.00"},
        {"code": CBC, "name": "血常规", "quantity": "1", "unit_price": "20.00"},
        {
            "code": GYN_ULTRASOUND,
            "name": "妇科B超",
            "quantity": "1",
            "unit_price": "50.00",
            "override_reason": "医嘱需要",
        },
    ]
    settlement = settlement_of(settle_visit(his, insured, lines=lines, diagnosis="J18.9"))
    claim, _ = claim_facts(claim_in_hand_for(settlement))

    assert claim.id == str(settlement.visit_id)
    assert (claim.person.id, claim.person.sex) == (str(insured.person.pk), "1")
    assert claim.person.birth_date == D(1968, 4, 12) and claim.person.death_date is None
    enrolled = insured.person.enrollments.get(year=2026)
    assert claim.person.coverage == (CoveragePeriod(enrolled.benefits_from, D(2026, 12, 31)),)
    assert claim.institution.id == settlement.institution.insurance_code
    assert claim.institution.name == settlement.institution.name
    assert claim.visit_type == "inpatient" and claim.diagnosis == "J18.9"
    assert (claim.admission_date, claim.discharge_date) == (D(2026, 3, 2), D(2026, 3, 6))

    nursing, cbc, gyn = claim.lines
    assert (nursing.number, nursing.code, nursing.quantity) == (1, NURSING_2, Decimal("4"))
    assert nursing.unit_price == Decimal("18.00") and nursing.service_date == D(2026, 3, 2)
    assert (nursing.item.category, nursing.item.day_based) == ("nursing", True)
    assert (cbc.item.kind, cbc.item.category, cbc.item.day_based) == ("service", "lab", False)
    assert (gyn.item.category, gyn.item.sex) == ("exam", "2")


def test_the_history_is_the_last_90_days_at_every_institution(insured, his):
    stay = other_visit(
        insured, "WZY-1", "inpatient", D(2026, 2, 1), D(2026, 2, 5), diagnosis="K29.7"
    )
    outpatient = other_visit(insured, "WMZ-1", "outpatient_general", D(2026, 2, 20))
    still_in = other_visit(insured, "WZY-2", "inpatient", D(2026, 3, 1), status="open")
    other_visit(insured, "WMZ-2", "outpatient_general", D(2026, 2, 21), status="cancelled")
    other_visit(insured, "WMZ-3", "outpatient_general", D(2025, 11, 30))  # 92 days before
    settlement = settlement_of(settle_visit(his, insured))

    _, history = claim_facts(claim_in_hand_for(settlement))

    centre = insured.centre
    assert sorted(history.stays, key=lambda s: s.admission_date) == [
        PastStay(
            str(stay.pk), centre.insurance_code, centre.name, D(2026, 2, 1), D(2026, 2, 5), "K29.7"
        ),
        # A stay still open lasts, as far as the rules know, to this claim's last day.
        PastStay(
            str(still_in.pk), centre.insurance_code, centre.name, D(2026, 3, 1), D(2026, 3, 6), ""
        ),
    ]
    assert [(v.claim_id, v.date) for v in history.visits] == [(str(outpatient.pk), D(2026, 2, 20))]
    assert history.dispensings == ()


def test_the_cap_position_is_the_years_basic_fund_before_and_after(insured, his):
    settlement = settlement_of(settle_visit(his, insured))
    in_hand = dataclasses.replace(
        claim_in_hand_for(settlement),
        annual_cap=Decimal("150000.00"),
        basic_ytd_before=Decimal("140000.00"),
        basic_this=Decimal("8000.00"),
    )
    claim, _ = claim_facts(in_hand)
    assert claim.cap == CapPosition(
        Decimal("150000.00"), Decimal("140000.00"), Decimal("148000.00")
    )
    assert claim_facts(dataclasses.replace(in_hand, annual_cap=None))[0].cap is None


def test_coverage_over_two_or_more_years_is_read_for_every_year_of_the_claim(insured, his):
    """The visit's statement reads the paid enrollments of the visit's year and the next;
    a claim reaching further back reads them by their own statement. Either way the
    person is covered in 2026 only."""
    settlement = settlement_of(settle_visit(his, insured))
    enrolled = insured.person.enrollments.get(year=2026)
    only_2026 = (CoveragePeriod(enrolled.benefits_from, D(2026, 12, 31)),)
    for admitted in (D(2025, 12, 30), D(2024, 12, 30)):
        in_hand = dataclasses.replace(claim_in_hand_for(settlement), visit_date=admitted)
        claim, _ = claim_facts(in_hand)
        assert claim.person.coverage == only_2026, admitted

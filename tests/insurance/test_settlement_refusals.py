"""Every refusal has its own code, names the field, and writes nothing."""

import datetime
from decimal import Decimal

import pytest

from huimin.core.errors import DomainError, ValidationFailed
from huimin.insurance.models import FeeDetail, Visit
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle, pre_settle
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit
from tests import factories

DAY = datetime.date
D = Decimal


def register(county, institution=None, **over):
    data = dict(
        id_number=county.id_number,
        visit_type="inpatient",
        his_visit_no="V1",
        visit_date=DAY(2026, 3, 2),
    )
    data.update(over)
    return do_register_visit(institution or county.hospital, VisitData(**data))


def refused(fn, code):
    before = (Visit.objects.count(), FeeDetail.objects.count())
    with pytest.raises(DomainError) as exc:
        fn()
    assert exc.value.code == code, exc.value.as_dict()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    assert (Visit.objects.count(), FeeDetail.objects.count()) == before
    return exc.value


def test_person_not_found(insured):
    other = factories.valid_id(DAY(1990, 1, 1), "2")
    refused(lambda: register(insured, id_number=other), "person_not_found")


def test_not_insured_on_the_visit_date(insured):
    # Enrolled and paid for 2026 only: a 2025 visit is not covered.
    refused(lambda: register(insured, visit_date=DAY(2025, 12, 30)), "not_insured")


def test_deceased(insured):
    insured.person.death_date = DAY(2026, 2, 1)
    insured.person.save()
    err = refused(lambda: register(insured), "person_deceased")
    assert "visit_date" in err.fields


def test_institution_suspended(insured):
    insured.hospital.designation_status = "suspended"
    insured.hospital.save()
    refused(lambda: register(insured), "institution_not_designated")


def test_visit_type_not_covered_at_that_level(insured):
    # 普通门诊统筹 is paid at level-1 institutions only; the county hospital is level 2.
    err = refused(
        lambda: register(insured, visit_type="outpatient_general"), "visit_type_not_covered"
    )
    assert "visit_type" in err.fields


def test_bad_id_number_names_the_field(insured):
    bad = insured.id_number[:17] + ("0" if insured.id_number[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as exc:
        register(insured, id_number=bad)
    assert "id_number" in exc.value.fields


def test_unknown_code_names_the_line(insured):
    register(insured)
    lines = [
        fees.FeeLineData(code="XC01EBL134A001010101445", quantity=D("1"), unit_price=D("36.40")),
        fees.FeeLineData(code="NOSUCHCODE", quantity=D("1"), unit_price=D("5.00")),
    ]
    err = refused(lambda: fees.do_upload_fees(insured.hospital, "V1", lines), "unknown_code")
    assert "lines[1].code" in err.fields


def test_restriction_needs_an_override_reason(insured):
    # 腹腔镜下胆囊切除术 is restricted to level 2 and 3; at the level-1 township centre it
    # is refused unless a reason is given, which is then recorded on the line.
    register(insured, institution=insured.centre, visit_type="inpatient")
    line = dict(code="003105030010000", quantity=D("1"), unit_price=D("28600.00"))
    err = refused(
        lambda: fees.do_upload_fees(insured.centre, "V1", [fees.FeeLineData(**line)]),
        "restriction_violated",
    )
    assert "lines[0].code" in err.fields
    rows = fees.do_upload_fees(
        insured.centre,
        "V1",
        [fees.FeeLineData(**line, override_reason="急诊转诊，上级医院医生会诊手术")],
    )
    assert rows[0].override_reason == "急诊转诊，上级医院医生会诊手术"


def test_zero_quantity_is_refused(insured):
    register(insured)
    err = refused(
        lambda: fees.do_upload_fees(
            insured.hospital,
            "V1",
            [
                fees.FeeLineData(
                    code="XC01EBL134A001010101445", quantity=D("0"), unit_price=D("36.40")
                )
            ],
        ),
        "fee_line_invalid",
    )
    assert "lines[0].quantity" in err.fields


def test_inpatient_must_be_discharged_before_settling(insured):
    register(insured)
    fees.do_upload_fees(
        insured.hospital,
        "V1",
        [fees.FeeLineData(code="XC01EBL134A001010101445", quantity=D("1"), unit_price=D("36.40"))],
    )
    refused(lambda: do_settle(insured.hospital, "V1", "k", {}), "not_discharged")


def test_missing_idempotency_key(insured):
    refused(lambda: do_settle(insured.hospital, "V1", "", {}), "idempotency_key_required")


def test_an_absurd_line_amount_is_refused_not_overflowed(insured):
    # 99,999,999 × 2.00 does not fit the settlement's money columns: a typing slip.
    register(insured)
    err = refused(
        lambda: fees.do_upload_fees(
            insured.hospital,
            "V1",
            [
                fees.FeeLineData(
                    code="XC01EBL134A001010101445", quantity=D("99999999"), unit_price=D("2.00")
                )
            ],
        ),
        "fee_line_invalid",
    )
    assert "lines[0].unit_price" in err.fields


def test_the_same_visit_number_twice_is_a_conflict(insured):
    register(insured)
    err = refused(lambda: register(insured), "visit_no_exists")
    assert "his_visit_no" in err.fields


def _billed(insured, institution=None):
    """An inpatient stay, billed and discharged: ready to settle."""
    institution = institution or insured.hospital
    register(insured, institution=institution)
    fees.do_upload_fees(
        institution,
        "V1",
        [fees.FeeLineData(code="XC01EBL134A001010101445", quantity=D("2"), unit_price=D("36.40"))],
    )
    do_discharge(institution, "V1", DAY(2026, 3, 9))


def _nothing_settled(fn, code):
    from huimin.insurance.ledger.models import JournalEntry
    from huimin.insurance.models import Accumulator, Settlement

    before = (Settlement.objects.count(), JournalEntry.objects.count(), Accumulator.objects.count())
    refused(fn, code)
    after = (Settlement.objects.count(), JournalEntry.objects.count(), Accumulator.objects.count())
    assert after == before


def test_an_institution_suspended_after_registration_is_not_paid(insured):
    _billed(insured)
    insured.hospital.designation_status = "suspended"
    insured.hospital.save()
    _nothing_settled(lambda: pre_settle(insured.hospital, "V1"), "institution_not_designated")
    _nothing_settled(
        lambda: do_settle(insured.hospital, "V1", "k-1", {}),
        "institution_not_designated",
    )


def test_a_contribution_refunded_after_registration_ends_the_cover_for_settling(insured):
    from huimin.insurance.enrollment import services as enrollment
    from huimin.insurance.enrollment.models import Payment

    _billed(insured)
    payment = Payment.objects.get(enrollment__person=insured.person, enrollment__year=2026)
    enrollment.do_refund(insured.officer, payment.pk, "已参加职工医保，重复参保")
    _nothing_settled(lambda: pre_settle(insured.hospital, "V1"), "not_insured")
    _nothing_settled(lambda: do_settle(insured.hospital, "V1", "k-1", {}), "not_insured")


def test_a_person_who_died_before_the_visit_is_not_settled(insured):
    _billed(insured)
    insured.person.death_date = DAY(2026, 3, 1)  # recorded late, after the registration
    insured.person.save()
    _nothing_settled(lambda: do_settle(insured.hospital, "V1", "k-1", {}), "person_deceased")


def test_no_refund_once_the_year_s_benefits_were_used_until_reversed(insured):
    from huimin.core.errors import Conflict
    from huimin.insurance.enrollment import services as enrollment
    from huimin.insurance.enrollment.models import Payment

    _billed(insured)
    settled, _ = do_settle(insured.hospital, "V1", "k-1", {})
    payment = Payment.objects.get(enrollment__person=insured.person, enrollment__year=2026)
    with pytest.raises(Conflict) as exc:
        enrollment.do_refund(insured.officer, payment.pk, "已参加职工医保，重复参保")
    assert exc.value.code == "benefits_used"
    payment.refresh_from_db()
    assert payment.status == "paid"
    # Once the settlement is reversed, nothing was used: the refund goes through.
    do_reverse(insured.hospital, settled.pk, "r-1", "收费员录入错误")
    enrollment.do_refund(insured.officer, payment.pk, "已参加职工医保，重复参保")
    payment.refresh_from_db()
    assert payment.status == "refunded"


def test_pre_settling_a_settled_visit_is_refused(insured):
    _billed(insured)
    do_settle(insured.hospital, "V1", "k-1", {})
    refused(lambda: pre_settle(insured.hospital, "V1"), "visit_settled")


def test_a_visit_type_limited_to_diagnoses_needs_one_of_them(insured):
    # This year's plan corrected: 两病门诊 only for hypertension and diabetes.
    from huimin.insurance import plans
    from tests.insurance.conftest import example_plan_text

    text = example_plan_text().replace(
        '      annual_limit: "400.00"',
        '      annual_limit: "400.00"\n      diagnoses: ["I10", "E11"]',
    )
    corrected = plans.do_upload_plan(insured.officer, text)
    plans.do_activate_plan(insured.second_officer, corrected.pk)
    err = refused(
        lambda: register(
            insured, visit_type="outpatient_chronic", diagnosis_code="J06.900", his_visit_no="MB1"
        ),
        "diagnosis_not_covered",
    )
    assert "I10" in err.fields["diagnosis_code"]
    visit = register(
        insured, visit_type="outpatient_chronic", diagnosis_code="i10.x00", his_visit_no="MB2"
    )
    assert visit.visit_type == "outpatient_chronic"

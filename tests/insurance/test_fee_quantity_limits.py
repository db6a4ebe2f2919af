"""A per-day quantity limit binds the visit's total of an item, and fee dates stay inside
the visit: splitting a quantity over lines or uploads, or billing an outpatient visit
late, does not get round the catalog."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.core.errors import DomainError
from huimin.insurance.catalog.models import CatalogVersion
from huimin.insurance.models import FeeDetail
from huimin.insurance.services import fees
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit

D = Decimal


@pytest.fixture
def nebuliser(insured):
    """雾化吸入 in the demo catalog: at most 4 a day."""
    version = CatalogVersion.objects.select_related("item").get(name="雾化吸入")
    assert version.max_quantity_per_day == 4
    return version.item.code


def visit(insured, no, *, visit_type="outpatient_general", days_ago=0):
    institution = insured.centre  # level 1: general outpatient is paid there
    do_register_visit(
        institution,
        VisitData(
            id_number=insured.id_number,
            visit_type=visit_type,
            his_visit_no=no,
            visit_date=timezone.localdate() - datetime.timedelta(days=days_ago),
        ),
    )
    return institution


def upload(institution, no, code, *quantities, fee_date=None, reason=""):
    return fees.do_upload_fees(
        institution,
        no,
        [
            fees.FeeLineData(
                code=code,
                quantity=D(q),
                unit_price=D("8.00"),
                fee_date=fee_date,
                override_reason=reason,
            )
            for q in quantities
        ],
    )


def refused(fn, code) -> DomainError:
    before = FeeDetail.objects.count()
    with pytest.raises(DomainError) as exc:
        fn()
    assert exc.value.code == code, exc.value.as_dict()
    assert FeeDetail.objects.count() == before
    return exc.value


def test_lines_of_one_upload_add_up(insured, nebuliser):
    centre = visit(insured, "MZ-1")
    err = refused(lambda: upload(centre, "MZ-1", nebuliser, "2", "3"), "restriction_violated")
    # The second line is the one that passes the day's 4.
    assert "lines[1].code" in err.fields and "累计数量5" in err.fields["lines[1].code"]


def test_a_second_upload_counts_what_is_billed_already(insured, nebuliser):
    centre = visit(insured, "MZ-2")
    upload(centre, "MZ-2", nebuliser, "4")
    refused(lambda: upload(centre, "MZ-2", nebuliser, "4"), "restriction_violated")
    # Cancelled lines no longer count.
    fees.do_cancel_fees(centre, "MZ-2", None)
    assert [r.quantity for r in upload(centre, "MZ-2", nebuliser, "4")] == [D("4")]


def test_an_outpatient_visit_is_one_day_however_late_it_is_billed(insured, nebuliser):
    centre = visit(insured, "MZ-3", days_ago=20)
    refused(lambda: upload(centre, "MZ-3", nebuliser, "8"), "restriction_violated")
    # With a doctor's reason the line goes through, reason recorded.
    rows = upload(centre, "MZ-3", nebuliser, "8", reason="医嘱加量，主治医师签字")
    assert rows[0].override_reason == "医嘱加量，主治医师签字"
    # What the reason let through is kept with it, on the line and in the audit record.
    assert FeeDetail.objects.get(pk=rows[0].pk).overridden == "restriction_quantity"
    event = AuditEvent.objects.filter(object_type="insurance.fees").latest("seq")
    assert event.changes["overridden"][1] == {
        str(rows[0].line_no): [nebuliser, "restriction_quantity", "医嘱加量，主治医师签字"]
    }


def test_a_stay_allows_the_limit_for_each_day(insured, nebuliser):
    centre = visit(insured, "ZY-1", visit_type="inpatient", days_ago=3)
    do_discharge(centre, "ZY-1", timezone.localdate())
    upload(centre, "ZY-1", nebuliser, "12")  # 4 a day for 3 days
    refused(lambda: upload(centre, "ZY-1", nebuliser, "1"), "restriction_violated")


def test_fee_dates_stay_inside_the_visit(insured, nebuliser):
    today = timezone.localdate()
    centre = visit(insured, "MZ-4")
    err = refused(
        lambda: upload(centre, "MZ-4", nebuliser, "1", fee_date=today + datetime.timedelta(1)),
        "fee_line_invalid",
    )
    assert err.fields == {"lines[0].fee_date": "费用日期晚于今天"}
    centre = visit(insured, "ZY-2", visit_type="inpatient", days_ago=5)
    do_discharge(centre, "ZY-2", today - datetime.timedelta(days=2))
    err = refused(
        lambda: upload(centre, "ZY-2", nebuliser, "1", fee_date=today - datetime.timedelta(1)),
        "fee_line_invalid",
    )
    assert err.fields == {"lines[0].fee_date": "费用日期晚于出院日期"}

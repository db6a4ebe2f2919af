"""A settlement's page: lines with names, accumulator changes, reversal links, audited."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit
from tests.insurance.officer_support import cashier, other_county_officer
from tests.insurance.test_settlement_flow import admit_and_bill, example_lines


@pytest.fixture
def settled(insured):
    visit = admit_and_bill(insured)
    s, _ = do_settle(insured.hospital, visit, "k1", {})
    return s


def test_the_page_shows_lines_and_what_the_year_so_far_gained(client, insured, settled):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:settlement_detail", args=[settled.pk]))
    assert r.status_code == 200
    lines = r.context["lines"]
    assert [ln["code"] for ln in lines] == [ln.code for ln in example_lines()]
    assert [ln["name"] for ln in lines] == [ln.name for ln in example_lines()]
    delta = dict(r.context["delta_rows"])
    assert delta["基本医保累计支付"] == str(settled.basic_fund)
    assert delta["大病保险累计支付"] == str(settled.critical_illness)
    page = r.content.decode()
    assert str(settled.patient_pay) in page and settled.person.id_number_masked in page
    assert insured.id_number not in page  # masked only


def test_a_settlement_and_its_reversal_link_to_each_other(client, insured, settled):
    reversal, _ = do_reverse(insured.hospital, settled.pk, "r1", "收费项目录错")
    client.force_login(insured.officer)
    original_page = client.get(reverse("insurance:settlement_detail", args=[settled.pk]))
    assert original_page.context["reversal"].pk == reversal.pk
    assert (
        reverse("insurance:settlement_detail", args=[reversal.pk]) in original_page.content.decode()
    )
    r = client.get(reverse("insurance:settlement_detail", args=[reversal.pk]))
    page = r.content.decode()
    assert "收费项目录错" in page
    assert reverse("insurance:settlement_detail", args=[settled.pk]) in page
    assert str(reversal.basic_fund) in page and reversal.basic_fund < 0
    # The reversal shows the original's lines, which it undoes.
    assert len(r.context["lines"]) == len(example_lines())


def test_reading_a_settlement_is_audited(client, insured, settled):
    client.force_login(insured.officer)
    client.get(reverse("insurance:settlement_detail", args=[settled.pk]))
    event = AuditEvent.objects.get(action="read", object_type="insurance.settlement")
    assert (event.object_id, event.region_code, event.outcome) == (
        str(settled.pk),
        settled.region_code,
        "success",
    )


def test_another_countys_officer_gets_404_and_the_attempt_is_recorded(client, insured, settled):
    outsider = other_county_officer()
    client.force_login(outsider)
    r = client.get(reverse("insurance:settlement_detail", args=[settled.pk]))
    assert r.status_code == 404
    event = AuditEvent.objects.get(action="read", object_type="insurance.settlement")
    assert (event.actor_id, event.outcome, event.reason) == (
        outsider.pk,
        "denied",
        "out_of_jurisdiction",
    )
    assert client.get(reverse("insurance:settlement_detail", args=[999999])).status_code == 404


def test_a_cashier_gets_403(client, insured, settled):
    client.force_login(cashier(insured))
    r = client.get(reverse("insurance:settlement_detail", args=[settled.pk]))
    assert r.status_code == 403


def test_a_line_let_through_on_a_reason_is_marked_for_the_reviewer(client, insured):
    # 腹腔镜下胆囊切除术 is for level 2 and 3; the level-1 centre billed it on a reason.
    do_register_visit(
        insured.centre,
        VisitData(
            id_number=insured.id_number,
            visit_type="inpatient",
            his_visit_no="ZY-OV",
            visit_date=datetime.date(2026, 3, 2),
        ),
    )
    fees.do_upload_fees(
        insured.centre,
        "ZY-OV",
        [
            fees.FeeLineData(
                code="003105030010000",
                quantity=Decimal("1"),
                unit_price=Decimal("2860.00"),
                override_reason="急诊转诊，上级医院医生会诊手术",
            )
        ],
    )
    do_discharge(insured.centre, "ZY-OV", datetime.date(2026, 3, 9))
    s, _ = do_settle(insured.centre, "ZY-OV", "k-ov", {})
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:settlement_detail", args=[s.pk]))
    (line,) = r.context["lines"]
    assert line["overridden"] == "限机构等级"
    assert line["override_reason"] == "急诊转诊，上级医院医生会诊手术"
    assert "越限放行" in r.content.decode()

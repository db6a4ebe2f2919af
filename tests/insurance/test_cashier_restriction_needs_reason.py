"""A line that breaks a catalog restriction is refused until the cashier gives a reason;
the refusal says which restriction, keeps the line as typed, and writes nothing."""

import re

import pytest

from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.test_cashier_counter_flow import add_line, counter_client, register

BASIC_CARE_FEE = "一般诊疗费（基层）"  # restricted to level-1 institutions


@pytest.fixture
def visit(client, insured):
    counter_client(client, insured.hospital)  # a level-2 hospital
    register(client, insured.id_number)
    return Visit.objects.get()


def test_restriction_needs_a_reason(client, insured, visit):
    refused = add_line(client, visit, BASIC_CARE_FEE, "1", "10.00")
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "费用明细违反目录限制" in html
    assert "该项目限一级医疗机构使用" in html
    # The reason field appears, and what was typed is still there.
    assert 'name="override_reason"' in html
    assert 'value="10.00"' in html
    # The cursor goes to the reason, not back to the search.
    assert re.search(r'<input id="override-reason"[^>]*autofocus', html)
    assert not re.search(r'<input id="item-search"[^>]*autofocus', html)
    assert not FeeDetail.objects.exists()

    blank = add_line(client, visit, BASIC_CARE_FEE, "1", "10.00", reason="   ")
    assert blank.status_code == 422
    assert not FeeDetail.objects.exists()

    accepted = add_line(client, visit, BASIC_CARE_FEE, "1", "10.00", reason="转诊患者复诊")
    assert accepted.status_code == 200
    line = FeeDetail.objects.get()
    assert line.override_reason == "转诊患者复诊"
    assert line.overridden == "restriction_level"
    # The line says which restriction the reason got past.
    assert "限机构等级，理由：转诊患者复诊" in accepted.content.decode()


def test_the_reason_field_is_not_offered_for_a_line_within_the_rules(client, insured, visit):
    page = client.get(f"/insurance/cashier/visits/{visit.pk}/").content.decode()
    assert 'name="override_reason"' not in page

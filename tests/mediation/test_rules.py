"""The pure mediation rules: the steps' order, where each step leads, deadlines, and
what each step's form must carry."""

import datetime
from decimal import Decimal

import pytest

from huimin.mediation import rules

DAY = datetime.date(2026, 3, 1)


def test_the_steps_are_the_issues_eight_in_order():
    assert [label for _, label in rules.STEPS] == [
        "受理",
        "调查取证",
        "初步责任认定",
        "专家鉴定",
        "调解",
        "达成协议",
        "履行赔付",
        "回访",
    ]


def test_each_step_leads_to_the_next_and_follow_up_closes():
    status = rules.ACCEPTANCE
    seen = []
    while status != rules.CLOSED:
        seen.append(status)
        status = rules.status_after(status, "done")
    assert seen == list(rules.STEP_CODES)


def test_no_agreement_closes_the_case():
    assert rules.status_after(rules.AGREEMENT, "failed") == rules.CLOSED
    assert rules.status_after(rules.AGREEMENT, "agreed") == rules.PAYMENT


@pytest.mark.parametrize(
    ("status", "step", "says"),
    [
        ("acceptance", "evidence", "请先完成“受理”"),
        ("evidence", "mediation", "不能跳过步骤直接登记“调解”"),
        ("mediation", "evidence", "已登记，不能重复登记"),
        ("closed", "follow_up", "已结案"),
        ("acceptance", "closed", "没有这一调解步骤"),
        ("acceptance", "", "没有这一调解步骤"),
    ],
)
def test_skipping_or_repeating_a_step_is_refused(status, step, says):
    with pytest.raises(rules.StepOutOfOrder, match=says):
        rules.check_step(status, step, {"note": "x"})


def test_the_deadline_counts_the_steps_days_from_when_it_became_current():
    days = rules.parse_step_days(None)
    assert rules.due_date(rules.ACCEPTANCE, DAY, days) == datetime.date(2026, 3, 6)
    assert rules.due_date(rules.EVIDENCE, DAY, days) == datetime.date(2026, 3, 31)
    assert rules.due_date(rules.CLOSED, DAY, days) is None


def test_overdue_only_after_the_deadline_day_and_never_once_closed():
    due = datetime.date(2026, 3, 6)
    assert not rules.is_overdue("acceptance", due, due)
    assert rules.days_overdue("acceptance", due, datetime.date(2026, 3, 9)) == 3
    assert rules.days_overdue("closed", due, datetime.date(2026, 3, 9)) == 0


def test_step_days_are_configured_per_step_and_read_strictly():
    days = rules.parse_step_days("acceptance=3, expert=90")
    assert days["acceptance"] == 3 and days["expert"] == 90 and days["evidence"] == 30
    for bad in (
        "acceptance",
        "acceptance=0",
        "acceptance=x",
        "unknown=5",
        "expert=366",
        "expert=５",
    ):
        with pytest.raises(ValueError):
            rules.parse_step_days(bad)


def test_a_responsibility_finding_names_one_of_the_five_degrees():
    entry = rules.check_step("responsibility", "responsibility", {"responsibility": "equal"})
    assert entry.responsibility == "equal"
    assert [label for _, label in rules.RESPONSIBILITY_DEGREES] == [
        "主要责任",
        "次要责任",
        "同等责任",
        "轻微责任",
        "无责任",
    ]
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("responsibility", "responsibility", {"responsibility": "全部"})
    assert refused.value.fields == {"responsibility": "责任程度不在允许范围内"}


def test_expert_assessment_not_needed_needs_a_reason_and_is_still_recorded():
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("expert", "expert", {"result": "not_needed"})
    assert refused.value.fields == {"note": "不需要鉴定时须说明理由"}
    entry = rules.check_step("expert", "expert", {"result": "not_needed", "note": "无争议"})
    assert (entry.step, entry.result, entry.closes_case) == ("expert", "not_needed", False)
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("expert", "expert", {"result": "done"})
    assert set(refused.value.fields) == {"reference", "note"}


def test_an_agreement_carries_an_amount_and_a_failure_a_reason():
    entry = rules.check_step("agreement", "agreement", {"result": "agreed", "amount": "11160.5"})
    assert entry.amount == Decimal("11160.50")
    for amount, reason in (
        ("0", "协议赔偿金额应大于0"),
        ("1.234", "金额最多两位小数"),
        ("", "请填写协议赔偿金额"),
    ):
        with pytest.raises(rules.StepErrors) as refused:
            rules.check_step("agreement", "agreement", {"result": "agreed", "amount": amount})
        assert refused.value.fields == {"amount": reason}
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("agreement", "agreement", {"result": "failed"})
    assert refused.value.fields == {"note": "调解不成须说明原因"}
    failed = rules.check_step("agreement", "agreement", {"result": "failed", "note": "分歧过大"})
    assert failed.closes_case and failed.amount is None


def test_the_payment_must_match_the_agreement_and_name_its_voucher():
    agreed = Decimal("11160.00")
    entry = rules.check_step(
        "payment", "payment", {"amount": "11160", "reference": "ZF1"}, agreed_amount=agreed
    )
    assert entry.amount == agreed and entry.reference == "ZF1"
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("payment", "payment", {"amount": "11000.00"}, agreed_amount=agreed)
    assert refused.value.fields == {
        "amount": "实际赔付金额应与协议金额 11160.00 元一致",
        "reference": "请填写付款凭证号",
    }


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"note": "a\x00b"}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"note": ["list"]}, "note"),
        ({}, "note"),
    ],
)
def test_bad_text_is_refused_by_field(data, field):
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_step("evidence", "evidence", data)
    assert field in refused.value.fields


def test_a_new_case_needs_an_applicant_a_summary_and_a_plain_amount():
    with pytest.raises(rules.StepErrors) as refused:
        rules.check_new_case({"claimed_amount": "1e3"}, has_person=False)
    assert set(refused.value.fields) == {"applicant_name", "summary", "claimed_amount"}
    case = rules.check_new_case(
        {"summary": "误诊", "claimed_amount": "3200.5", "applicant_name": " 赵某 "},
        has_person=False,
    )
    assert (case.applicant_name, case.claimed_amount) == ("赵某", Decimal("3200.50"))
    assert rules.check_new_case({"summary": "误诊", "claimed_amount": "0"}, has_person=True)

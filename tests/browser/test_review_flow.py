"""A split admission from the reviewers' queue to the fund ledger, in Chromium.

Two stays of the same patient at the county hospital ten days apart; the second carries a
split-admission finding (made through the ORM until the batch lands). Officer opens it
from the queue, confirms a recovery above the second-review threshold; officer2 approves
it; the recovery is in the fund ledger (1204 应收定点医疗机构追回款), and the hospital's
colour on the risk dashboard rises from orange to red.

Scores follow decisions: the March claim's score is 15 × 2 = 30 while the finding waits,
× 2 (the confirmed factor) = 60 once confirmed; the hospital's month has that one claim,
so its score is 100 × that: 3000.00, then 6000.00. The county's rule set (activated
with four eyes like any) sets its thresholds at 100 × the defaults for this one-claim
month: orange from 3000, red from 6000.
"""

# ruff: noqa: F811 (the insured county fixture is a parameter here)

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from huimin.insurance.ledger.services import balances
from huimin.insurance.services import fees, visits
from huimin.insurance.services import settlement as settling
from huimin.review import rule_sets, scoring
from huimin.review.models import Finding, Recovery, RiskScore
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.insurance.conftest import insured  # noqa: F401  (the insured county)
from tests.insurance.test_settlement_flow import example_lines
from tests.review.workflow_support import make_finding, without_realtime_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DAY = datetime.date


def stay(county, visit_no, admitted, discharged, lines):
    visits.do_register_visit(
        county.hospital,
        visits.VisitData(
            id_number=county.id_number,
            visit_type="inpatient",
            his_visit_no=visit_no,
            visit_date=admitted,
        ),
    )
    fees.do_upload_fees(county.hospital, visit_no, lines)
    visits.do_discharge(county.hospital, visit_no, discharged)
    # Only the planted finding: what real-time review finds on the worked example's
    # prices is test_realtime's business, and would move the scores worked out above.
    with without_realtime_review():
        settlement, _ = settling.do_settle(county.hospital, visit_no, f"key-{visit_no}", {})
    return settlement


def activate_scaled_rule_set(county):
    document = rule_sets.default_document(county.plan.region_code, 2026)
    for colour, low in (("red", 60), ("orange", 30), ("yellow", 15), ("blue", 5)):
        document = document.replace(f'    {colour}: "{low}"\n', f'    {colour}: "{low * 100}"\n', 1)
    row = rule_sets.do_upload_rule_set(county.officer, document, "一笔结算的月份（测试）")
    return rule_sets.do_activate_rule_set(county.second_officer, row.pk)


@pytest.fixture
def split(insured):
    activate_scaled_rule_set(insured)
    stay(insured, "ZY2026010", DAY(2026, 2, 10), DAY(2026, 2, 20), example_lines()[:2])
    second = stay(insured, "ZY2026011", DAY(2026, 3, 2), DAY(2026, 3, 20), example_lines())
    finding = make_finding(
        second,
        explanation="疑似分解住院：2026-02-20出院后第10日（2026-03-02）再次入院，诊断类别相同，请核实。",
        facts={"previous_discharge": "2026-02-20", "gap_days": 10, "window_days": 15},
    )
    # The nightly batch scored March with the finding still open.
    rule_set = rule_sets.active_rule_set(insured.plan.region_code, 2026)
    assert rule_set.colours["red"] == Decimal("6000")
    scoring.score_month(insured.plan.region_code, "2026-03", rule_set)
    return finding


def hospital_march(county):
    return RiskScore.objects.get(
        subject_kind="institution", subject=county.hospital.insurance_code, month="2026-03"
    )


def test_a_split_admission_is_confirmed_by_two_reviewers_and_recovered(
    page, browser, live_server, insured, split
):
    assert split.fund_paid > Decimal("1500.00")
    assert (hospital_march(insured).score, hospital_march(insured).colour) == (
        Decimal("3000.00"),
        "orange",
    )
    log_in(page, insured.officer)
    page.goto("/review/risk/?month=2026-03")
    hospital_row = page.locator(f"#risk-{insured.hospital.pk}")
    expect(hospital_row.locator(".badge")).to_have_class(re.compile(r"\bcolour-orange\b"))
    expect(hospital_row).to_contain_text("3000.00")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="审核工作台").click()
    expect(page.get_by_role("heading", name=re.compile("审核工作台"))).to_be_visible()
    page.get_by_role("link", name=f"疑点 {split.pk}").click()
    page.wait_for_url(re.compile(rf"/review/findings/{split.pk}/$"))
    expect(page.locator("#explanation")).to_contain_text("疑似分解住院")
    expect(page.locator("#history")).to_contain_text("2026-02-10")  # the earlier stay
    expect(page.locator("#lines tr.flagged")).to_have_count(1)

    page.get_by_label("决定").select_option("confirm")
    page.get_by_label("追回金额（元）").fill("1500.00")
    page.get_by_label("理由").fill("两次住院间隔10天，病历显示未愈出院")
    page.get_by_role("button", name="提交决定").click()
    expect(page.locator(".messages")).to_contain_text("待复核")
    expect(page.locator("#status")).to_have_text("待复核")
    page.screenshot(path=str(SCREENSHOTS / "huimin-review-pending-second.png"), full_page=True)
    assert not Recovery.objects.exists()

    # The second reviewer, in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    second = context.new_page()
    second.set_default_timeout(25_000)
    try:
        log_in(second, insured.second_officer)
        second.goto("/review/queue/?status=pending_second")
        second.get_by_role("link", name=f"疑点 {split.pk}").click()
        expect(second.locator("#decisions")).to_contain_text("追回 1500.00 元")
        second.get_by_label("复核").select_option("second_approve")
        second.get_by_role("button", name="提交复核").click()
        expect(second.locator("#status")).to_have_text("核实违规")

        second.get_by_role("navigation", name="主导航").get_by_role("link", name="基金账簿").click()
        row = second.locator("#group-fund tr", has_text="应收定点医疗机构追回款")
        expect(row).to_contain_text("1500.00")
        second.goto("/insurance/ledger/entries/")
        expect(second.locator("body")).to_contain_text(f"审核追回 疑点{split.pk}")
        second.screenshot(path=str(SCREENSHOTS / "huimin-review-ledger.png"), full_page=True)

        # The confirmation rescored March: the hospital is red now, orange before.
        second.goto("/review/risk/?month=2026-03")
        row = second.locator(f"#risk-{insured.hospital.pk}")
        expect(row.locator(".badge")).to_have_class(re.compile(r"\bcolour-red\b"))
        expect(row).to_contain_text("6000.00")
        expect(row).to_contain_text("（此前橙色）")
        second.screenshot(path=str(SCREENSHOTS / "huimin-review-risk-red.png"), full_page=True)
    finally:
        context.close()

    assert Finding.objects.get(pk=split.pk).status == "confirmed"
    assert Recovery.objects.get().amount == Decimal("1500.00")
    rows = {r["code"]: r["balance"] for r in balances(insured.plan.region_code, 2026)}
    assert rows["1204"] == Decimal("1500.00")
    march = hospital_march(insured)
    assert (march.score, march.colour, march.previous_colour) == (
        Decimal("6000.00"),
        "red",
        "orange",
    )

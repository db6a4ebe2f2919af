"""A cashier settles a 两病 visit at the counter in Chromium and reverses it.

Logs in (no second factor for a cashier), finds the insured person by ID number,
registers an outpatient chronic visit, adds two lines through the catalog search (one
picked with the keyboard, one with the mouse), pre-settles, settles, reads the receipt,
then reverses it with a reason.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from huimin.insurance.models import Accumulator, Settlement, Visit
from tests import factories
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.insurance.conftest import insured  # noqa: F401  (the insured county)

pytestmark = [
    pytest.mark.browser,
    # The live server reads the database from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def cashier(insured):  # noqa: F811
    return factories.make_staff("cashier", "cashier", institution=insured.hospital)


def test_cashier_settles_and_reverses_a_chronic_visit(page, insured, cashier):  # noqa: F811
    log_in(page, cashier)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="收费结算").click()
    expect(page.get_by_role("heading", name=re.compile("收费结算"))).to_be_visible()

    # Find: typed (or read from a card) into the focused field, Enter to search.
    expect(page.get_by_label("身份证号或社保卡号（或读卡）")).to_be_focused()
    page.get_by_label("就诊日期").fill("2026-05-12")
    page.get_by_label("身份证号或社保卡号（或读卡）").fill(insured.id_number)
    page.get_by_label("身份证号或社保卡号（或读卡）").press("Enter")
    person = page.locator("#person")
    expect(person).to_contain_text("邓建国")
    expect(person).to_contain_text(insured.person.id_number_masked)
    expect(person.locator("#insured")).to_contain_text("已参保")
    expect(person.locator("#category")).to_contain_text("低保对象")
    page.screenshot(path=str(SCREENSHOTS / "huimin-cashier-find.png"), full_page=True)

    page.get_by_label("就诊类型").select_option(label="两病门诊")
    expect(page.get_by_label("就诊流水号")).to_have_attribute(
        "placeholder", "留空自动生成：MZ202605120001"
    )
    page.get_by_role("button", name="登记就诊").click()
    page.wait_for_url(re.compile(r"/insurance/cashier/visits/\d+/$"))
    expect(page.locator("#visit-facts")).to_contain_text("MZ202605120001")
    expect(page.locator("#visit-facts")).to_contain_text("两病门诊")

    # Line 1 by pinyin initials and the keyboard: ↓, Enter, then quantity and price.
    search = page.get_by_label(re.compile("查找项目"))
    expect(search).to_be_focused()
    search.fill("bhsaldpp")
    expect(page.locator("#picks li").first).to_contain_text("苯磺酸氨氯地平片")
    search.press("ArrowDown")
    search.press("Enter")
    quantity = page.locator("#line-quantity")
    expect(quantity).to_be_focused()
    expect(page.locator("#line-name")).to_have_value("苯磺酸氨氯地平片")
    quantity.fill("30")
    page.locator("#line-price").fill("0.85")
    page.locator("#line-price").press("Enter")
    lines = page.locator("#fee-lines")
    expect(lines).to_contain_text("苯磺酸氨氯地平片")
    expect(lines).to_contain_text("25.50")

    # Line 2 by a name fragment and the mouse, typed the moment the new line is shown (the
    # fresh search box is live at once: test_cashier_search_answers_right_after_a_line.py):
    # the price comes prefilled with the ceiling.
    page.get_by_label(re.compile("查找项目")).fill("氯吡格雷")
    page.locator("#picks li", has_text="硫酸氢氯吡格雷片").click()
    expect(page.locator("#line-price")).to_have_value("1.2000")
    page.locator("#line-quantity").fill("28")
    page.locator("#line-price").fill("1.50")
    page.get_by_role("button", name="添加").click()
    expect(lines).to_contain_text("硫酸氢氯吡格雷片")
    expect(page.locator("#fees-total")).to_have_text("67.50")

    # By hand (dibao, level-2 hospital, 两病: deductible 0, ratio 0.50 + 0.05, assistance 0.70):
    #   氨氯地平 A 30 × 0.85 = 25.50, all eligible
    #   氯吡格雷 B 28 × 1.50 = 42.00: 28 × (1.50 − 1.20) = 8.40 above the ceiling is
    #            self-paid, (42.00 − 8.40) × 0.10 = 3.36 乙类 share, 30.24 eligible
    #   eligible 55.74 → basic fund 55.74 × 0.55 = 30.657 → 30.66
    #   assistance (55.74 − 30.66) × 0.70 = 17.556 → 17.56
    #   the patient pays 67.50 − 30.66 − 17.56 = 19.28
    page.get_by_role("button", name="预结算（不入账）").click()
    expect(page.locator("#pre-patient-pay")).to_have_text("19.28")
    expect(page.locator("#breakdown")).to_contain_text("30.66")
    expect(page.locator("#breakdown")).to_contain_text("17.56")
    assert not Settlement.objects.exists()
    page.screenshot(path=str(SCREENSHOTS / "huimin-cashier-visit.png"), full_page=True)

    page.get_by_role("button", name="确认结算").click()
    page.wait_for_url(re.compile(r"/insurance/settlements/\d+/receipt/$"))
    receipt = page.locator("#receipt")
    expect(page.locator("#patient-pay")).to_have_text("19.28")
    expect(receipt).to_contain_text("新邵县人民医院 医疗保障基金结算单")
    expect(receipt).to_contain_text(insured.person.id_number_masked)
    expect(receipt.locator(".receipt-totals")).to_contain_text("30.66")
    expect(receipt.locator(".receipt-totals")).to_contain_text("17.56")
    expect(receipt.locator("svg")).to_be_visible()  # the verification QR code
    settlement = Settlement.objects.get()
    expect(page.locator("#verification-code")).to_have_text(settlement.verification_code)
    assert settlement.patient_pay == Decimal("19.28")
    page.screenshot(path=str(SCREENSHOTS / "huimin-cashier-receipt.png"), full_page=True)

    page.get_by_label("冲正原因").fill("录入单价有误，重新收费")
    page.get_by_role("button", name="确认冲正").click()
    page.wait_for_url(lambda url: f"/settlements/{settlement.pk}/" not in url)
    expect(page.locator("#stamp")).to_contain_text(f"冲正 · 撤销结算 #{settlement.pk}")
    expect(page.locator("#patient-pay")).to_have_text("-19.28")
    expect(page.locator("#reversal-reason")).to_contain_text("录入单价有误，重新收费")
    page.screenshot(path=str(SCREENSHOTS / "huimin-cashier-reversal.png"), full_page=True)

    reversal = Settlement.objects.get(kind="reversal")
    assert reversal.reverses_id == settlement.pk
    assert (reversal.basic_fund, reversal.assistance, reversal.patient_pay) == (
        Decimal("-30.66"),
        Decimal("-17.56"),
        Decimal("-19.28"),
    )
    acc = Accumulator.objects.get(person=insured.person, year=2026)
    assert (acc.basic_paid, acc.assistance_paid) == (Decimal("0.00"), Decimal("0.00"))
    assert Visit.objects.get().status == "open"  # may be billed again and settled anew

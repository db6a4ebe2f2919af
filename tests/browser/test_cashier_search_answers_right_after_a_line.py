"""The counter's catalog search answers when typed into the moment a line has been added.

Adding a line swaps a fresh fee form, search box included, into the page. htmx bound the
new box's search only when the swap settled, 20 ms later (its default settle delay): a
card reader, a barcode scanner or a test typing within those 20 ms got no search at all
— the flake of test_cashier_settle_reverse.py. Here the typing happens as soon as the new
box is in the page (a MutationObserver, the earliest a script can see it), so the search
answers only if the box is live when it appears.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from huimin.insurance.services.visits import VisitData, do_register_visit
from tests import factories
from tests.browser.conftest import log_in
from tests.insurance.conftest import insured  # noqa: F401  (the insured county)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

TYPE_INTO_THE_NEW_BOX = """
() => {
  const fees = document.getElementById("fees");
  const old = document.getElementById("item-search");
  new MutationObserver((_, observer) => {
    const box = document.getElementById("item-search");
    if (!box || box === old) return;
    observer.disconnect();
    box.value = "氯吡格雷";
    box.dispatchEvent(new Event("input", {bubbles: true}));
  }).observe(fees, {childList: true, subtree: true});
}
"""


def test_the_search_answers_typing_straight_after_adding_a_line(page, insured):  # noqa: F811
    cashier = factories.make_staff("cashier", "cashier", institution=insured.hospital)
    visit = do_register_visit(
        insured.hospital,
        VisitData(
            id_number=insured.id_number,
            visit_type="outpatient_chronic",
            his_visit_no="MZ1",
            visit_date=datetime.date(2026, 5, 12),
        ),
    )
    log_in(page, cashier)
    page.goto(f"/insurance/cashier/visits/{visit.pk}/")
    search = page.get_by_label(re.compile("查找项目"))
    search.fill("bhsaldpp")
    expect(page.locator("#picks li").first).to_contain_text("苯磺酸氨氯地平片")
    search.press("Enter")
    page.locator("#line-quantity").fill("30")
    page.locator("#line-price").fill("0.85")

    page.evaluate(TYPE_INTO_THE_NEW_BOX)
    page.get_by_role("button", name="添加").click()

    expect(page.locator("#fee-lines")).to_contain_text("苯磺酸氨氯地平片")
    expect(page.locator("#picks li", has_text="硫酸氢氯吡格雷片")).to_be_visible(timeout=5_000)

"""The assessor opens a township's published assessment, drills from its hypertension
management rate to the patients not managed to standard, downloads the xlsx and the PDF,
and finds the payout tier the score sets — in Chromium."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from huimin.assessment import services
from tests import factories
from tests.assessment.test_publication import SCHEME
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.reports import dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assessor(county):
    dataset.build()
    first = factories.make_staff("assessor", "assessor", factories.COUNTY)
    first.first_name = "赵考核"
    first.save(update_fields=["first_name"])
    second = factories.make_staff("assessor2", "assessor", factories.COUNTY)
    services.SCHEMES.activate(second, services.SCHEMES.upload(first, SCHEME).pk)
    services.do_publish(second, services.do_score(first, factories.COUNTY, 2026).pk)
    return first


def test_assessor_drills_from_the_score_to_the_worklist_and_downloads(page, assessor):
    log_in(page, assessor)
    page.get_by_role("link", name="绩效考核").first.click()
    page.goto(f"/assessment/?county={factories.COUNTY}&year=2026")
    page.locator("#townships").get_by_role("link", name="酿溪镇").click()

    # 65.93 points: 60 ≤ score < 80 pays half.
    expect(page.locator("#score")).to_have_text("65.93")
    expect(page.locator("#tier")).to_have_text("拨付50%")
    page.screenshot(path=str(SCREENSHOTS / "assessment-township.png"), full_page=True)

    with page.expect_download() as xlsx_info:
        page.get_by_role("link", name="下载Excel").click()
    sheet = load_workbook(io.BytesIO(open(xlsx_info.value.path(), "rb").read()))["汇总"]
    assert ("拨付档次", "拨付50%（拨付比例50%）") in list(sheet.values)
    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="下载PDF").click()
    assert open(pdf_info.value.path(), "rb").read(4) == b"%PDF"

    # From the hypertension management rate to the patients not managed to standard.
    row = page.locator("#lines tr", has_text="高血压患者规范管理率")
    expect(row).to_contain_text("31.25")
    row.get_by_role("link", name="未达标名单").click()
    expect(page.locator("body")).to_contain_text("白乙")  # three visits face to face, one by phone
    expect(page.locator("body")).not_to_contain_text("安甲")  # managed to standard

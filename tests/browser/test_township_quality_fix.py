"""Township public-health staff see the quality page, follow a blocking finding to the
form, correct it by amendment (the original kept), recheck, and the finding is gone."""

import datetime

import pytest
from playwright.sync_api import expect

from huimin.records import quality, services
from huimin.records.models import Finding, FindingStatus, Form, FormStatus
from huimin.records.programmes import do_register_programme
from tests import factories
from tests.browser.conftest import SCREENSHOTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A follow-up as an old import left it: signed, but without the patient's weight.
IMPORTED = {
    "visit_date": "2026-10-12",
    "mode": "1",
    "symptoms": ["1"],
    "systolic": 148,
    "diastolic": 86,
    "height": "165.0",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "next_visit_date": "2027-01-10",
    "doctor": "李医生",
}


@pytest.fixture
def officer(county):
    user = factories.make_staff("gongwei", "public_health_officer", factories.TOWNSHIPS[0])
    user.first_name = "赵公卫"
    user.save(update_fields=["first_name"])
    return user


@pytest.fixture
def imported_follow_up(officer):
    person = factories.make_person("刘奶奶", birth=datetime.date(1950, 2, 3), sex="2")
    record = services.do_open_record(officer, person.pk, opened_on=datetime.date(2025, 1, 6))
    do_register_programme(officer, record.pk, "hypertension", datetime.date(2025, 1, 6))
    form = Form.objects.create(
        kind="htn_followup",
        record=record,
        person=person,
        region_code=record.region_code,
        service_date=datetime.date(2026, 10, 12),
        data=IMPORTED,
        status=FormStatus.SIGNED,
        systolic=148,
        diastolic=86,
        height_cm="165.0",
        doctor_name="李医生",
        created_by=officer,
        signed_by=officer,
    )
    quality.run(everything=True)
    return form


def test_township_officer_fixes_a_finding_from_the_quality_page(page, officer, imported_follow_up):
    weight = Finding.objects.get(form=imported_follow_up, field="weight")
    assert weight.severity == "blocking" and weight.status == FindingStatus.OPEN

    log_in(page, officer)
    page.goto("/records/quality/")
    # The township's villages, each with its 合格 rate → the village's findings.
    page.get_by_role("link", name="城东村").click()
    row = page.locator("tbody tr", has_text="请填写体重")
    expect(row).to_contain_text("必填项缺失")
    page.screenshot(path=str(SCREENSHOTS / "quality-findings.png"), full_page=True)
    row.get_by_role("link", name="体重", exact=True).click()

    # The signed form is read-only; the correction is an amendment.
    page.get_by_role("button", name="更正").click()
    page.get_by_label("更正原因（必填）").fill("补录随访时所测体重")
    page.locator("#f-weight").fill("58.5")
    page.get_by_role("button", name="保存更正").click()
    expect(page.get_by_text("本表更正了")).to_be_visible()
    # 58.5 / 1.65² = 58.5 / 2.7225 = 21.487… → 21.5
    expect(page.locator(".card").first).to_contain_text("21.5")

    page.goto(f"/records/quality/{factories.VILLAGES[0]}/")
    page.locator("tbody tr", has_text="请填写体重").get_by_role("button", name="重新检查").click()
    expect(page.locator("tbody tr", has_text="请填写体重")).to_have_count(0)

    weight.refresh_from_db()
    assert weight.status == FindingStatus.RESOLVED
    imported_follow_up.refresh_from_db()
    assert imported_follow_up.status == FormStatus.AMENDED  # the original is kept
    assert imported_follow_up.amendment.data["weight"] == "58.5"

"""A village doctor starts from the overdue list, opens a hypertension patient's record,
records the quarter's follow-up with its checks (BP swapped → flagged; weight → BMI),
survives a dropped connection without losing the typed form, signs, and the patient
leaves the overdue list."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from huimin.records import services
from huimin.records.models import Form, FormStatus
from huimin.records.programmes import do_register_programme
from tests import factories
from tests.browser.conftest import SCREENSHOTS, log_in

pytestmark = [
    pytest.mark.browser,
    # The live server reads the database from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

OVERDUE_HTN = "/records/due/?overdue=1&service=htn_followup&within=90"


@pytest.fixture
def doctor(county):
    clinic = factories.make_institution(
        "城东村卫生室", factories.VILLAGES[0], "village_clinic", "1"
    )
    user = factories.make_staff("cundoc", "village_doctor", factories.VILLAGES[0], clinic)
    user.first_name = "李医生"
    user.save(update_fields=["first_name"])
    return user


@pytest.fixture
def patient(doctor):
    """Registered for hypertension last year, never followed up: overdue."""
    person = factories.make_person("王大爷", birth=datetime.date(1956, 3, 1))
    record = services.do_open_record(doctor, person.pk, opened_on=datetime.date(2025, 1, 6))
    do_register_programme(doctor, record.pk, "hypertension", datetime.date(2025, 1, 6))
    return record


def test_village_doctor_records_a_follow_up_and_the_patient_leaves_the_overdue_list(
    page, doctor, patient
):
    today = services.today()
    log_in(page, doctor)
    page.goto(OVERDUE_HTN)
    row = page.locator("tbody tr", has_text="王大爷")
    expect(row).to_contain_text("高血压随访")
    row.get_by_role("link", name="王大爷").click()

    # The record page: header, programme, the overdue service.
    expect(page.get_by_role("heading", name=re.compile("王大爷"))).to_be_visible()
    expect(page.locator(".rec-head")).to_contain_text("李医生")
    expect(page.get_by_text("高血压患者健康管理")).to_be_visible()
    expect(page.get_by_text("已逾期").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "huimin-record-page.png"), full_page=True)
    page.get_by_role("link", name="高血压患者随访服务记录表").click()
    page.wait_for_url(re.compile(r"/forms/new/htn_followup/"))

    # Today and the doctor's name are filled in; BP typed the wrong way round.
    expect(page.locator("#f-visit_date")).to_have_value(today.isoformat())
    expect(page.locator("#f-doctor")).to_have_value("李医生")
    page.locator('input[name="mode"][value="1"]').check()
    page.locator('input[name="symptoms"][value="1"]').check()
    page.locator("#f-systolic").fill("80")
    page.locator("#f-diastolic").fill("120")
    page.locator("#f-height").fill("170")
    page.locator("#f-weight").fill("72.5")
    expect(page.locator("#offline-status")).to_contain_text("本地已暂存")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".notice").first).to_contain_text("草稿已保存")
    expect(page.get_by_text("收缩压（80）应高于舒张压（120），请核对是否填反")).to_be_visible()
    page.wait_for_url(re.compile(r"/records/forms/\d+/$"))
    draft = Form.objects.get(record=patient)
    assert draft.status == FormStatus.DRAFT and draft.systolic == 80

    # Corrected and completed; then the line drops as the doctor presses 签名提交.
    page.locator("#f-systolic").fill("138")
    page.locator("#f-diastolic").fill("86")
    page.locator('input[name="adherence"][value="1"]').check()
    page.locator('input[name="adverse_reaction"][value="1"]').check()
    page.locator('input[name="classification"][value="1"]').check()
    page.locator('input[name="medications.0.name"]').fill("氨氯地平片")
    page.locator("#f-next_visit_date").fill((today + datetime.timedelta(days=90)).isoformat())
    page.context.set_offline(True)
    page.get_by_role("button", name="签名提交").click()
    expect(page.locator("#offline-status")).to_contain_text("未能提交")
    expect(page.locator("#f-systolic")).to_have_value("138")
    page.screenshot(path=str(SCREENSHOTS / "huimin-followup-offline.png"), full_page=True)

    # Back online, even a reload keeps what was typed (the local copy is newer).
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("#offline-status")).to_contain_text("已恢复本地暂存")
    expect(page.locator("#f-systolic")).to_have_value("138")
    expect(page.locator('input[name="medications.0.name"]')).to_have_value("氨氯地平片")
    page.get_by_role("button", name="签名提交").click()
    expect(page.get_by_text("已签名提交")).to_be_visible()
    expect(page.locator("main")).to_contain_text("25.1 kg/m²")
    expect(page.get_by_role("button", name="更正")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "huimin-followup-signed.png"), full_page=True)
    signed = Form.objects.get(record=patient)
    assert signed.status == FormStatus.SIGNED and signed.systolic == 138
    assert signed.data["bmi"] == "25.1"
    # The local copy is gone once the server has the form.
    assert page.evaluate("Object.keys(localStorage).length") == 0

    page.goto(OVERDUE_HTN)
    expect(page.locator("main")).not_to_contain_text("王大爷")

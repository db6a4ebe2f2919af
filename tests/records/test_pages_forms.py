"""Form pages: drafts keep everything typed, signing refuses problems, amendments keep
the original, signed forms refuse edits, deceased people refuse forms after death."""

import datetime

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.records.models import Form, FormStatus

GOOD = {
    "visit_date": "2026-03-02",
    "mode": "1",
    "symptoms": ["1"],
    "systolic": "138",
    "diastolic": "86",
    "height": "170",
    "weight": "72.5",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "1",
    "next_visit_date": "2026-06-01",
    "doctor": "李医生",
    "medications.0.name": "氨氯地平片",
    "medications.0.dose": "5mg 每日一次",
}


@pytest.fixture
def doctor_client(client, village_doctor):
    client.force_login(village_doctor)
    return client


def new_url(record):
    return reverse("records:form_new", args=[record.pk, "htn_followup"])


def post(client, url, data, action):
    return client.post(url, {**data, "action": action})


def test_new_form_page_is_prefilled_with_today_and_the_doctor(doctor_client, hypertensive):
    page = doctor_client.get(new_url(hypertensive)).content.decode()
    assert 'name="doctor" id="f-doctor" value="李医生"' in page
    assert 'min="50" max="300" step="1"' in page  # systolic's range on the input
    assert 'type="date" name="visit_date"' in page
    assert "保存草稿" in page and "签名提交" in page
    assert "records/offline.js" in page


def test_a_draft_with_problems_is_saved_and_shows_every_typed_value(doctor_client, hypertensive):
    typed = {**GOOD, "systolic": "80", "diastolic": "120", "weight": "abc", "doctor": ""}
    response = post(doctor_client, new_url(hypertensive), typed, "draft")
    assert response.status_code == 200
    page = response.content.decode()
    draft = Form.objects.get(record=hypertensive)
    assert draft.status == FormStatus.DRAFT
    assert response["X-Form-Url"] == reverse("records:form", args=[draft.pk])
    assert response["X-Huimin-Saved"] == "1"  # offline.js may drop its local copy
    assert f'action="/records/forms/{draft.pk}/"' in page  # further saves continue it
    # The swapped blood pressure and the bad weight are shown, not dropped.
    assert 'name="systolic" id="f-systolic" value="80"' in page
    assert 'name="weight" id="f-weight" value="abc"' in page
    assert 'value="氨氯地平片"' in page
    assert "收缩压（80）应高于舒张压（120），请核对是否填反" in page
    assert "体重应为数字" in page
    assert "草稿已保存" in page


def test_signing_with_problems_is_refused_and_keeps_everything(doctor_client, hypertensive):
    typed = {**GOOD, "visit_date": "", "doctor": ""}
    response = post(doctor_client, new_url(hypertensive), typed, "sign")
    assert response.status_code == 422
    assert "X-Huimin-Saved" not in response
    page = response.content.decode()
    assert "请填写随访日期" in page
    assert "请填写随访医生签名" in page or "请填写医生签名" in page
    assert 'name="systolic" id="f-systolic" value="138"' in page
    assert 'value="5mg 每日一次"' in page
    assert not Form.objects.filter(record=hypertensive).exists()


def test_blood_pressure_80_over_120_cannot_be_signed(doctor_client, hypertensive):
    response = post(
        doctor_client, new_url(hypertensive), {**GOOD, "systolic": "80", "diastolic": "120"}, "sign"
    )
    assert response.status_code == 422
    assert "请核对是否填反" in response.content.decode()
    assert not Form.objects.filter(record=hypertensive, status=FormStatus.SIGNED).exists()


def test_sign_computes_bmi_and_shows_the_signed_form_read_only(doctor_client, hypertensive):
    response = post(doctor_client, new_url(hypertensive), GOOD, "sign")
    form = Form.objects.get(record=hypertensive)
    assert response.status_code == 302
    assert response["Location"] == reverse("records:form", args=[form.pk]) + "?signed=1"
    assert form.status == FormStatus.SIGNED and form.signed_by is not None
    assert form.data["bmi"] == "25.1"
    assert form.systolic == 138
    shown = doctor_client.get(response["Location"])
    assert shown["X-Huimin-Saved"] == "1"
    page = shown.content.decode()
    assert "25.1 kg/m²" in page
    assert "已签名提交" in page
    assert '<form method="post" action' not in page.split("</header>")[1]
    assert reverse("records:form_amend", args=[form.pk]) in page


def test_a_draft_is_continued_then_signed(doctor_client, hypertensive):
    post(doctor_client, new_url(hypertensive), {**GOOD, "weight": ""}, "draft")
    draft = Form.objects.get(record=hypertensive)
    page = doctor_client.get(reverse("records:form", args=[draft.pk])).content.decode()
    assert 'name="systolic" id="f-systolic" value="138"' in page
    assert f'data-saved="{int(draft.updated_at.timestamp() * 1000)}"' in page
    response = post(doctor_client, reverse("records:form", args=[draft.pk]), GOOD, "sign")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == FormStatus.SIGNED
    assert Form.objects.filter(record=hypertensive).count() == 1


def test_overwriting_a_signed_form_is_refused_with_form_signed(doctor_client, hypertensive):
    post(doctor_client, new_url(hypertensive), GOOD, "sign")
    form = Form.objects.get(record=hypertensive)
    response = post(
        doctor_client, reverse("records:form", args=[form.pk]), {**GOOD, "systolic": "150"}, "sign"
    )
    assert response.status_code == 409
    assert "只能以“更正”方式修改" in response.content.decode()
    form.refresh_from_db()
    assert form.systolic == 138 and form.status == FormStatus.SIGNED


def test_an_amendment_needs_a_reason_and_keeps_the_original(doctor_client, hypertensive):
    post(doctor_client, new_url(hypertensive), GOOD, "sign")
    original = Form.objects.get(record=hypertensive)
    url = reverse("records:form_amend", args=[original.pk])
    page = doctor_client.get(url).content.decode()
    assert "原表" in page and "更正原因" in page
    refused = doctor_client.post(url, {**GOOD, "systolic": "142", "action": "amend"})
    assert refused.status_code == 422
    assert "请填写更正原因" in refused.content.decode()
    assert 'name="systolic" id="f-systolic" value="142"' in refused.content.decode()
    done = doctor_client.post(
        url, {**GOOD, "systolic": "142", "reason": "收缩压抄录错误", "action": "amend"}
    )
    assert done.status_code == 302
    original.refresh_from_db()
    amendment = original.amendment
    assert original.status == FormStatus.AMENDED and original.systolic == 138
    assert amendment.systolic == 142 and amendment.amend_reason == "收缩压抄录错误"
    old_page = doctor_client.get(reverse("records:form", args=[original.pk])).content.decode()
    assert "已被" in old_page and reverse("records:form", args=[amendment.pk]) in old_page
    record_page = doctor_client.get(reverse("records:record", args=[hypertensive.pk]))
    text = record_page.content.decode()
    assert f'id="form-{original.pk}"' in text and f'id="form-{amendment.pk}"' in text
    assert "收缩压抄录错误" in text


def test_a_form_for_a_deceased_person_dated_after_death_is_refused(doctor_client, hypertensive):
    person = hypertensive.person
    person.death_date = datetime.date(2026, 2, 1)
    person.save()
    response = post(doctor_client, new_url(hypertensive), GOOD, "sign")
    assert response.status_code == 422
    assert "已死亡居民不能再填写此表" in response.content.decode()
    assert not Form.objects.filter(record=hypertensive).exists()


def test_another_villages_doctor_cannot_open_the_form_pages(
    client, other_village_doctor, hypertensive
):
    client.force_login(other_village_doctor)
    assert client.get(new_url(hypertensive)).status_code == 404
    assert client.post(new_url(hypertensive), {**GOOD, "action": "draft"}).status_code == 404
    assert not Form.objects.exists()


def test_the_form_page_stays_small(doctor_client, hypertensive):
    from django.contrib.staticfiles import finders

    page = doctor_client.get(new_url(hypertensive)).content
    assert len(page) < 60_000
    # The only script a slow village line downloads for the form is the offline one.
    assert b"htmx-2" not in page
    script = finders.find("records/offline.js")
    with open(script, "rb") as fh:
        assert len(fh.read()) < 10_000


def test_reading_a_form_is_audited(doctor_client, hypertensive, village_doctor):
    post(doctor_client, new_url(hypertensive), GOOD, "sign")
    form = Form.objects.get(record=hypertensive)
    doctor_client.get(reverse("records:form", args=[form.pk]))
    assert AuditEvent.objects.filter(
        action="read", object_type="records.record", object_id=str(hypertensive.pk)
    ).exists()

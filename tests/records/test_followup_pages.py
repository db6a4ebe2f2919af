"""The pages of the follow-up rules: a hypertension registration under 35 asks for its
reason (服务对象: 35 and over); a follow-up draft with a danger value shows the urgent
referral prompt, and signing it refuses until the referral or a reason is recorded."""

import datetime

import pytest
from django.urls import reverse

from huimin.records import services
from huimin.records.models import Form, FormStatus, Programme
from tests import factories


@pytest.fixture
def doctor_client(client, village_doctor):
    client.force_login(village_doctor)
    return client


@pytest.fixture
def young_record(county, village_doctor):
    person = factories.make_person("李小军", birth=datetime.date(1995, 4, 1), sex="1")
    return services.do_open_record(village_doctor, person.pk, opened_on=datetime.date(2025, 1, 6))


def test_registering_a_hypertensive_under_35_needs_the_reason(doctor_client, young_record):
    url = f"/records/{young_record.pk}/programmes/new/"
    day = services.today().isoformat()
    refused = doctor_client.post(url, {"kind": "hypertension", "registered_on": day})
    assert refused.status_code == 422
    assert "高血压患者健康管理的服务对象为35岁及以上居民，登记" in refused.content.decode()
    assert not Programme.objects.filter(record=young_record).exists()
    done = doctor_client.post(
        url, {"kind": "hypertension", "registered_on": day, "under_35_reason": "已确诊，需规范管理"}
    )
    assert done.status_code == 302
    programme = Programme.objects.get(record=young_record)
    assert programme.details == {"under_35_reason": "已确诊，需规范管理"}


DANGER = {
    "visit_date": "2026-03-02",
    "mode": "1",
    "symptoms": ["2"],
    "systolic": "186",
    "diastolic": "112",
    "height": "170",
    "weight": "72.5",
    "adherence": "2",
    "adverse_reaction": "1",
    "classification": "2",
    "next_visit_date": "2026-03-12",
    "doctor": "李医生",
}


def test_a_danger_value_prompts_the_urgent_referral(doctor_client, hypertensive):
    url = reverse("records:form_new", args=[hypertensive.pk, "htn_followup"])
    draft = doctor_client.post(url, {**DANGER, "action": "draft"}, follow=True)
    page = draft.content.decode()
    assert "血压186/112mmHg（≥180/110）属危急情况，应处理后紧急转诊" in page
    assert Form.objects.get(record=hypertensive).status == FormStatus.DRAFT  # nothing lost
    form = Form.objects.get(record=hypertensive)
    sign_url = reverse("records:form", args=[form.pk])
    refused = doctor_client.post(sign_url, {**DANGER, "action": "sign"})
    assert "紧急转诊" in refused.content.decode()
    assert Form.objects.get(pk=form.pk).status == FormStatus.DRAFT
    referred = {**DANGER, "referral_reason": "血压≥180/110mmHg", "referral_to": "县人民医院心内科"}
    doctor_client.post(sign_url, {**referred, "action": "sign"})
    assert Form.objects.get(pk=form.pk).status == FormStatus.SIGNED

"""Health-education and supervision logs: kept per village, filled by public-health staff,
signed only when complete, visible only in the jurisdiction."""

import pytest

from huimin.records.models import Form, FormStatus
from tests import factories

COMPLETE = {
    "region_code": factories.VILLAGES[0],
    "activity_date": "2026-11-20",
    "place": "城东村委会",
    "activity_type": "1",
    "theme": "高血压的自我管理",
    "organiser": "酿溪镇卫生院",
    "participants": "35",
    "content": "讲解限盐、规律服药与家庭自测血压。",
    "filler": "赵公卫",
}
NEW = "/records/activities/new/health_education/"


@pytest.fixture
def officer_client(client, public_health_officer):
    client.force_login(public_health_officer)
    return client


def test_a_complete_log_is_signed_and_listed(officer_client, public_health_officer):
    response = officer_client.post(NEW, {**COMPLETE, "action": "sign"})
    assert response.status_code == 302
    log = Form.objects.get(kind="health_education")
    assert log.person_id is None and log.region_code == factories.VILLAGES[0]
    assert log.status == FormStatus.SIGNED and log.signed_by == public_health_officer
    listing = officer_client.get("/records/activities/").content.decode()
    assert "高血压的自我管理" in listing and "城东村" in listing


def test_an_incomplete_log_is_refused_on_signing_and_kept_as_typed(officer_client):
    typed = {k: v for k, v in COMPLETE.items() if k not in ("content", "participants")}
    response = officer_client.post(NEW, {**typed, "action": "sign"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写活动内容" in body and "请填写接受健康教育人数" in body
    assert "城东村委会" in body  # what was typed stays on the page
    assert not Form.objects.exists()


def test_a_draft_with_problems_is_kept_and_continued_not_duplicated(officer_client):
    response = officer_client.post(NEW, {**COMPLETE, "participants": "0", "action": "draft"})
    assert response.status_code == 422
    draft = Form.objects.get(kind="health_education")
    assert draft.status == FormStatus.DRAFT
    officer_client.post(NEW, {**COMPLETE, "form_id": str(draft.pk), "action": "sign"})
    assert Form.objects.filter(kind="health_education").count() == 1
    draft.refresh_from_db()
    assert draft.status == FormStatus.SIGNED and draft.data["participants"] == 35


def test_a_village_outside_the_jurisdiction_is_refused(officer_client):
    response = officer_client.post(
        NEW, {**COMPLETE, "region_code": factories.VILLAGES[2], "action": "sign"}
    )
    assert response.status_code == 403
    assert not Form.objects.exists()


def test_other_townships_do_not_see_the_log(officer_client, client, county):
    officer_client.post(NEW, {**COMPLETE, "action": "sign"})
    other = factories.make_staff("gongwei2", "public_health_officer", factories.TOWNSHIPS[1])
    client.force_login(other)
    assert "高血压的自我管理" not in client.get("/records/activities/").content.decode()

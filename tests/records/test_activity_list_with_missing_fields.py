"""The activity list shows every kind of log, whatever keys its data lacks: a supervision
report has no 填表人 (filler) or 主题 (theme), a draft may lack its content. The list
falls back to what the row has instead of failing."""

import pytest

from huimin.records.models import Form
from tests import factories
from tests.records.test_activity_pages import COMPLETE, NEW

SUPERVISION = {
    "region_code": factories.VILLAGES[0],
    "found_date": "2026-11-21",
    "kind": "2",
    "category": "2",
    "place": "城东村水厂",
    "content": "巡查水厂消毒记录，未见异常。",
    "reporter": "钱协管",
}


@pytest.fixture
def officer_client(client, public_health_officer):
    client.force_login(public_health_officer)
    return client


def test_a_supervision_report_is_listed(officer_client):
    r = officer_client.post(
        "/records/activities/new/health_supervision/", {**SUPERVISION, "action": "sign"}
    )
    assert r.status_code == 302
    assert "filler" not in Form.objects.get().data
    listing = officer_client.get("/records/activities/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "巡查水厂消毒记录" in body and "钱协管" in body


def test_a_draft_without_theme_or_content_is_listed(officer_client):
    typed = {k: v for k, v in COMPLETE.items() if k not in ("theme", "content")}
    officer_client.post(NEW, {**typed, "action": "draft"})
    assert Form.objects.get().status == "draft"
    listing = officer_client.get("/records/activities/")
    assert listing.status_code == 200
    assert "赵公卫" in listing.content.decode()

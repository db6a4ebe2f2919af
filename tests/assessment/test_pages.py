"""The assessment pages: the county's year, a township's result linking to the reports
drill-down and worklist, its xlsx and PDF, a clinic's statement; the seed command; who
may see and do what."""

import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from huimin.assessment import services
from huimin.assessment.models import Publication
from tests import factories
from tests.assessment.test_publication import SCHEME
from tests.reports import dataset

T1 = factories.TOWNSHIPS[0]
V1 = factories.VILLAGES[0]


@pytest.fixture
def published(county):
    dataset.build()
    first = factories.make_staff("assessor", "assessor", factories.COUNTY)
    second = factories.make_staff("assessor2", "assessor", factories.COUNTY)
    services.SCHEMES.activate(second, services.SCHEMES.upload(first, SCHEME).pk)
    pub = services.do_score(first, factories.COUNTY, 2026)
    services.do_publish(second, pub.pk)
    return first, second, pub


def test_the_result_page_shows_points_earned_and_lost_and_links_the_worklist(client, published):
    assessor, _, pub = published
    client.force_login(assessor)
    index = client.get(f"/assessment/?county={factories.COUNTY}&year=2026").content.decode()
    assert "酿溪镇" in index and "65.93" in index and "拨付50%" in index
    page = client.get(f"/assessment/p/{pub.pk}/{T1}/").content.decode()
    assert "65.93" in page and "拨付50%" in page and "311.50" in page
    assert "高血压患者规范管理率" in page and "31.25" in page and "18.75" in page  # lost
    assert f"/reports/i/htn.standard/people/?region={T1}&amp;period=2026&amp;which=worklist" in page
    assert client.get(f"/assessment/p/{pub.pk}/{V1}/statement/").status_code == 200


def test_the_funds_books_show_what_each_clinic_is_owed(client, published):
    assessor, _, _ = published
    client.force_login(assessor)
    books = services.fund_books(factories.COUNTY, 2026)
    owed = {p["code"]: p["owed"] for p in books["payees"]}
    # 酿溪镇 centre 202.47, 城东村 109.03; 严塘镇 centre 57.85, 严塘村 31.15
    assert owed == {
        T1: D("202.47"),
        V1: D("109.03"),
        factories.TOWNSHIPS[1]: D("57.85"),
        factories.VILLAGES[2]: D("31.15"),
    }
    page = client.get(f"/assessment/funds/?county={factories.COUNTY}&year=2026").content.decode()
    assert "城东村村卫生室" in page and "109.03" in page and "应付村卫生室基本公卫经费" in page


def test_the_downloads_hold_the_frozen_rows(client, published):
    assessor, _, pub = published
    client.force_login(assessor)
    xlsx = client.get(f"/assessment/p/{pub.pk}/{T1}/xlsx/")
    sheet = load_workbook(io.BytesIO(xlsx.content))["考核得分"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[3]][:7] == [
        "高血压患者规范管理率",
        1,
        2,
        "50.00%",
        50,
        31.25,
        18.75,
    ]
    pdf = client.get(f"/assessment/p/{pub.pk}/{T1}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # Identical every time it is generated.
    assert client.get(f"/assessment/p/{pub.pk}/{T1}/xlsx/").content == xlsx.content
    statement = client.get(f"/assessment/p/{pub.pk}/{V1}/statement.xlsx")
    rows = list(load_workbook(io.BytesIO(statement.content)).active.values)
    # 城东村's signed 2026 forms: A 6, B 9, C 1, D 1 = 17 services, 14 weighted points
    assert rows[-1][:4] == ("合计", 17, 14, 109.03)


def test_who_may_read_and_who_may_manage(client, published):
    _, _, pub = published
    clinic = factories.make_institution("城东村卫生室", V1, "village_clinic", "1")
    vdoctor = factories.make_staff("cun", "village_doctor", V1, clinic)
    client.force_login(vdoctor)
    assert client.get("/assessment/").status_code == 403
    assert client.get(f"/assessment/p/{pub.pk}/{T1}/").status_code == 403
    ph = factories.make_staff("gongwei", "public_health_officer", factories.COUNTY)
    client.force_login(ph)
    assert client.get(f"/assessment/p/{pub.pk}/{T1}/").status_code == 200
    assert (
        client.post("/assessment/score/", {"county": factories.COUNTY, "year": 2026}).status_code
        == 403
    )
    other = factories.make_staff("other", "assessor", "430523")
    client.force_login(other)
    assert client.get(f"/assessment/p/{pub.pk}/{T1}/").status_code == 403


def test_scoring_and_publishing_from_the_page_keeps_four_eyes(client, published):
    first, second, _ = published
    client.force_login(first)
    client.post("/assessment/score/", {"county": factories.COUNTY, "year": 2026})
    draft = Publication.objects.get(version=2)
    client.post(f"/assessment/p/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == "draft"  # the scorer cannot publish it
    client.force_login(second)
    client.post(f"/assessment/p/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == "published"


def test_seed_assessment_activates_scores_and_publishes_once(county):
    dataset.build()
    factories.make_staff("assessor", "assessor", factories.COUNTY)
    factories.make_staff("assessor2", "assessor", factories.COUNTY)
    out = io.StringIO()
    call_command("seed_assessment", county=factories.COUNTY, year=2026, stdout=out)
    pub = services.published(factories.COUNTY, 2026)
    assert pub.scored_by.username == "assessor" and pub.published_by.username == "assessor2"
    assert pub.scores.filter(parent_code=factories.COUNTY).count() == 2
    assert pub.scores.get(region_code=T1).score > D(0)
    call_command("seed_assessment", county=factories.COUNTY, year=2026, stdout=out)
    assert Publication.objects.count() == 1
    assert "未改动" in out.getvalue()

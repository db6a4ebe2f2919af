"""The indicator pages: the list for the user's region, drill-down, the audited
worklist, the dashboards; scoped to the jurisdiction."""

import json
import re

import pytest

from huimin.audit.models import AuditEvent, AuditEventPerson
from huimin.reports import aggregates
from huimin.reports.figures import Period
from tests import factories
from tests.reports import dataset

YEAR = Period.year(2026)


@pytest.fixture
def built(county):
    people = dataset.build()
    dataset.build_insurance(people)
    aggregates.rebuild(factories.COUNTY, [YEAR, Period.month(2026, 3)])
    return people


@pytest.fixture
def assessor(county):
    return factories.make_staff("pinggu", "assessor", factories.COUNTY)


def test_the_index_shows_each_figure_against_its_target(client, built, assessor):
    client.force_login(assessor)
    page = client.get("/reports/?period=2026").content.decode()
    assert "居民电子健康档案建档率" in page
    assert "75.00%" in page  # 6 of 8 residents have a record
    assert "参保率" in page and "50.00%" in page
    assert "14,550.00元" in page  # fund spending of the year


def test_drill_down_from_county_to_township_to_the_worklist(client, built, assessor):
    client.force_login(assessor)
    page = client.get("/reports/i/htn.standard/?period=2026").content.decode()
    assert "酿溪镇" in page and "严塘镇" in page
    assert "50.00%" in page
    village = client.get(f"/reports/i/htn.standard/?period=2026&region={dataset.V1}")
    assert village.status_code == 200
    before = AuditEvent.objects.count()
    worklist = client.get(
        f"/reports/i/htn.standard/people/?period=2026&region={factories.TOWNSHIPS[0]}&which=worklist"
    )
    body = worklist.content.decode()
    assert "白乙" in body and "安甲" not in body  # B missed standard management, A did not
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1
    assert set(
        AuditEventPerson.objects.filter(event=event).values_list("person_id", flat=True)
    ) == {built["B"].pk}


def test_a_list_of_people_needs_the_personal_data_permission(client, built):
    # The insurance officer reads the figures but not health records.
    officer = factories.make_staff("yibao", "insurance_officer", factories.COUNTY)
    client.force_login(officer)
    assert client.get("/reports/i/htn.standard/?period=2026").status_code == 200
    assert client.get("/reports/i/htn.standard/people/?period=2026").status_code == 403
    # … but the enrollment worklist shows residents, which person.read covers.
    page = client.get("/reports/i/ins.enrollment/people/?period=2026").content.decode()
    assert "陈丙" in page  # C is not enrolled


def test_a_township_reader_sees_only_its_township(client, built):
    officer = factories.make_staff("xiangzhen", "public_health_officer", factories.TOWNSHIPS[1])
    client.force_login(officer)
    page = client.get("/reports/?period=2026").content.decode()
    assert "严塘镇" in page
    assert client.get(f"/reports/?period=2026&region={factories.COUNTY}").status_code == 403
    response = client.get(
        f"/reports/i/record.building/people/?period=2026&region={factories.TOWNSHIPS[0]}"
    )
    assert response.status_code == 403


def test_bad_input_is_answered_not_a_500(client, built, assessor):
    client.force_login(assessor)
    assert client.get("/reports/?period=2026-13").status_code == 200
    assert "期间格式" in client.get("/reports/?period=2026-13").content.decode()
    assert client.get("/reports/?region=abc").status_code == 200
    assert client.get("/reports/i/nope/").status_code == 404
    assert client.get("/reports/i/htn.coverage/people/").status_code == 404  # an estimate
    assert client.get("/reports/i/htn.standard/people/?after=x").status_code == 200
    assert client.get("/reports/dashboard/nope/").status_code == 404


@pytest.mark.parametrize("board", ["health", "insurance"])
def test_dashboards_read_the_aggregates_and_link_every_number(client, built, assessor, board):
    client.force_login(assessor)
    response = client.get(f"/reports/dashboard/{board}/?period=2026")
    assert response.status_code == 200
    body = response.content.decode()
    data = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert data["tiles"] and all(t["url"].startswith("/reports/i/") for t in data["tiles"])
    assert len(data["trend"]["months"]) == 12
    for rank in data["ranks"]:
        assert all(b["url"].startswith("/reports/i/") for b in rank["bars"])
    assert "vendor/echarts-6.1.0.min.js" in body and "<script>" not in body
    if board == "insurance":
        assert [i["value"] for i in data["institutions"]] == [9000.0, 5500.0, 50.0]
        march = data["trend"]["series"][0]["data"][2]
        assert march == 5000.0  # basic fund in March: A's 5000 (B's 90 reversed)

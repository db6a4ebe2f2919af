"""The quality pages: scoped to the jurisdiction, bounded queries, audited list reads,
and the confirm and recheck actions from the findings list."""

import datetime as dt

import pytest

from huimin.audit.models import AuditEvent
from huimin.records import quality, services
from huimin.records.models import Finding
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def county_records(village_doctor, other_village_doctor):
    """Four records in 城东村 (township 酿溪镇), two in 严塘村 (严塘镇), all checked."""
    mine = [
        services.do_open_record(
            village_doctor,
            factories.make_person(f"居民{i}", birth=dt.date(1950 + i, 1, 1)).pk,
        )
        for i in range(4)
    ]
    theirs = [
        services.do_open_record(
            other_village_doctor,
            factories.make_person(
                f"外村{i}", village=factories.VILLAGES[2], birth=dt.date(1960, 1, 1 + i)
            ).pk,
        )
        for i in range(2)
    ]
    quality.run(everything=True)
    return mine, theirs


def test_the_summary_shows_only_the_jurisdiction(client, public_health_officer, county_records):
    client.force_login(public_health_officer)
    page = client.get("/records/quality/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "城东村" in text and "严塘村" not in text
    rows = {r["unit"]: r for r in page.context["rows"]}
    assert rows[factories.VILLAGES[0]]["total"] == 4
    # No personal information form anywhere: every record has one blocking finding.
    assert rows[factories.VILLAGES[0]]["blocking"] == 4 and rows[factories.VILLAGES[0]]["ok"] == 0
    # Asking for another township falls back to one's own.
    other = client.get(f"/records/quality/?region={factories.TOWNSHIPS[1]}")
    assert factories.VILLAGES[2] not in {r["unit"] for r in other.context["rows"]}


def test_a_county_officer_sees_townships(client, county_records, county):
    staff = factories.make_staff("county_ph", "public_health_officer", factories.COUNTY)
    client.force_login(staff)
    rows = client.get("/records/quality/").context["rows"]
    assert {r["unit"]: r["total"] for r in rows} == {
        factories.TOWNSHIPS[0]: 4,
        factories.TOWNSHIPS[1]: 2,
    }


def test_the_findings_list_is_scoped_masked_bounded_and_audited(
    client, public_health_officer, county_records, django_assert_max_num_queries
):
    client.force_login(public_health_officer)
    url = f"/records/quality/{factories.VILLAGES[0]}/"
    client.get(url)  # warm caches (role grants)
    # 17, fixed whatever the rows: the page's own, the request's read of the policy
    # version (a revoke is seen on the next request in every process), the audit event's
    # index of the residents shown, and three rate-limit counters (the account's lists
    # and rows, the address's lists: core/ratelimit.py), one statement each.
    with django_assert_max_num_queries(17):
        page = client.get(url)
    assert page.status_code == 200
    rows = page.context["page"].rows
    assert len(rows) == 4 and {f.person_masked for f in rows} == {"居*0", "居*1", "居*2", "居*3"}
    assert "居民0" not in page.content.decode()
    assert AuditEvent.objects.filter(
        action="search", object_type="records.finding", region_code=factories.VILLAGES[0]
    ).exists()
    assert client.get(f"/records/quality/{factories.VILLAGES[2]}/").status_code == 404


def test_filters_by_rule_severity_and_assignee(
    client, village_doctor, public_health_officer, county_records
):
    client.force_login(village_doctor)
    url = f"/records/quality/{factories.VILLAGES[0]}/"
    assert len(client.get(url + "?mine=1").context["page"].rows) == 4
    assert len(client.get(url + "?rule=completeness").context["page"].rows) == 4
    assert client.get(url + "?severity=review").context["page"].rows == []
    client.force_login(public_health_officer)
    assert client.get(url + "?mine=1").context["page"].rows == []


def test_recheck_from_the_list_clears_a_fixed_finding(
    client, village_doctor, public_health_officer, county_records
):
    from tests.records.test_quality_run import personal_info

    record = county_records[0][0]
    personal_info(record)
    client.force_login(public_health_officer)
    back = f"/records/quality/{factories.VILLAGES[0]}/"
    response = client.post(f"/records/quality/records/{record.pk}/recheck/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    record.refresh_from_db()
    assert record.qualified
    assert not Finding.objects.filter(record=record, status="open")


def test_confirm_from_the_list(client, public_health_officer, county_records):
    record = county_records[0][0]
    warning = Finding.objects.create(
        record=record,
        region_code=record.region_code,
        rule="duplicate.person",
        severity="warning",
        field="person",
        message="疑似重复建档",
    )
    client.force_login(public_health_officer)
    client.post(f"/records/quality/findings/{warning.pk}/confirm/", {"note": "双胞胎，非重复"})
    warning.refresh_from_db()
    assert warning.status == "confirmed" and warning.note == "双胞胎，非重复"
    blocking = Finding.objects.get(record=record, rule="completeness.personal_info")
    client.post(f"/records/quality/findings/{blocking.pk}/confirm/", {"note": "无"})
    blocking.refresh_from_db()
    assert blocking.status == "open"


def test_a_role_without_record_quality_is_refused(client, county_records, county):
    assessor = factories.make_staff("assessor1", "assessor", factories.COUNTY)
    client.force_login(assessor)
    assert client.get("/records/quality/").status_code == 403
    assert client.get(f"/records/quality/{factories.VILLAGES[0]}/").status_code == 403

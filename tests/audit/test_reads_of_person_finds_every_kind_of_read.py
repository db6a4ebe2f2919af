""" "Who read my record" finds every kind of read of a resident: their registry record,
household, health record and forms, settlements, enrollments, and the lists, searches and
exports they appeared in — and nobody else's."""

import datetime

import pytest
from django.urls import reverse

from huimin.oversight.queries import reads_of_person
from huimin.records import services as records
from tests import factories
from tests.insurance.conftest import insured  # noqa: F401 - fixture
from tests.insurance.officer_support import settle_outpatient
from tests.records.conftest import village_doctor  # noqa: F401 - fixture

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}


@pytest.fixture
def reader(county):
    # The county public-health officer reads health records; the insurance officer the rest.
    return factories.make_staff("gongwei_x", "public_health_officer", factories.COUNTY)


def kinds(person_id) -> list[tuple[str, str]]:
    return sorted((r["object_type"], r["action"]) for r in reads_of_person(person_id))


def test_every_kind_of_read_is_found(client, insured, village_doctor, reader):  # noqa: F811
    person = insured.person
    stranger = factories.make_person("旁人", village=factories.VILLAGES[1])
    household = person.memberships.get().household
    record = records.do_open_record(village_doctor, person.pk, opened_on=datetime.date(2025, 1, 6))
    form, _ = records.do_save_form(
        village_doctor, "htn_followup", {"systolic": "150"}, record_id=record.pk
    )
    settlement = settle_outpatient(insured, "MZ-W1")

    client.force_login(reader)
    for url in (f"/records/{record.pk}/", f"/records/forms/{form.pk}/"):
        assert client.get(url).status_code == 200, url
    client.force_login(insured.officer)
    for url, query in (
        (f"/registry/people/{person.pk}/", {}),
        (f"/registry/households/{household.pk}/", {}),
        ("/registry/people/", {"q": person.name}),  # a search hit
        ("/registry/households/", {}),  # a list hit
        (reverse("insurance:settlement_detail", args=[settlement.pk]), {}),
        (reverse("insurance:settlement_export"), MARCH),
        (f"/api/v1/enrollment/households/{household.pk}/enrollments", {"year": 2026}),
    ):
        assert client.get(url, query).status_code == 200, url

    assert kinds(person.pk) == [
        ("enrollment.enrollment", "查询"),
        ("insurance.settlement", "导出"),
        ("insurance.settlement", "查看"),
        ("records.record", "查看"),  # the record page
        ("records.record", "查看"),  # the form page reads it under the record
        ("registry.household", "查看"),
        ("registry.household", "查询"),
        ("registry.person", "查看"),
        ("registry.person", "查询"),
    ]
    shown = reads_of_person(person.pk)
    assert all(r["object"] for r in shown)  # what was read, in words
    assert "officer" not in repr(shown) and "gongwei_x" not in repr(shown)
    assert reads_of_person(stranger.pk) == []

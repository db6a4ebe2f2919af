"""Bad input to the registry API: a clear error naming the field, and nothing written."""

import datetime

import pytest

from huimin.registry.models import Household, HouseholdMembership, Institution, Person
from tests import factories

API = "/api/v1/registry"


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


def person_body(**over):
    body = {
        "name": "李四",
        "id_number": factories.valid_id(datetime.date(1975, 3, 9), "1"),
        "village_code": factories.VILLAGES[0],
        "sex": "1",
        "birth_date": "1975-03-09",
    }
    body.update(over)
    return body


def counts():
    return (
        Person.objects.count(),
        Household.objects.count(),
        HouseholdMembership.objects.count(),
        Institution.objects.count(),
    )


def assert_refused(response, status, field, before):
    assert response.status_code == status, response.content
    err = response.json()["error"]
    assert err["code"]
    assert field in err["fields"], err
    # Chinese reason for people.
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["fields"][field])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    assert counts() == before


def test_wrong_check_character(api):
    before = counts()
    good = factories.valid_id(datetime.date(1975, 3, 9), "1")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = api.post(f"{API}/people", person_body(id_number=bad), content_type="application/json")
    assert_refused(r, 422, "id_number", before)
    assert "校验码" in r.json()["error"]["fields"]["id_number"]


def test_birth_date_in_the_future(api):
    before = counts()
    future = datetime.date.today() + datetime.timedelta(days=30)
    number = factories.valid_id(future, "1")
    r = api.post(
        f"{API}/people",
        person_body(id_number=number, birth_date=future.isoformat()),
        content_type="application/json",
    )
    assert_refused(r, 422, "id_number", before)
    assert r.json()["error"]["fields"]["birth_date"] == "出生日期不能晚于今天"


def test_sex_disagreeing_with_id_number(api):
    before = counts()
    r = api.post(f"{API}/people", person_body(sex="2"), content_type="application/json")
    assert_refused(r, 422, "sex", before)
    assert "不符" in r.json()["error"]["fields"]["sex"]


def test_birth_date_disagreeing_with_id_number(api):
    before = counts()
    r = api.post(
        f"{API}/people", person_body(birth_date="1975-03-10"), content_type="application/json"
    )
    assert_refused(r, 422, "birth_date", before)


def test_unknown_region_code(api):
    before = counts()
    r = api.post(
        f"{API}/people", person_body(village_code="430522999999"), content_type="application/json"
    )
    assert_refused(r, 422, "village_code", before)


def test_over_long_name(api):
    before = counts()
    r = api.post(f"{API}/people", person_body(name="王" * 51), content_type="application/json")
    assert_refused(r, 422, "name", before)


def test_duplicate_id_number(api):
    number = factories.valid_id(datetime.date(1975, 3, 9), "1")
    first = api.post(
        f"{API}/people", person_body(id_number=number), content_type="application/json"
    )
    assert first.status_code == 201
    before = counts()
    # The same number with a lowercase x or spaces is the same number.
    r = api.post(
        f"{API}/people",
        person_body(id_number=" " + number.lower() + " ", name="李四二"),
        content_type="application/json",
    )
    assert_refused(r, 422, "id_number", before)
    assert r.json()["error"]["code"] == "duplicate_id_number"


def test_missing_and_malformed_fields_are_named(api):
    before = counts()
    r = api.post(
        f"{API}/people",
        {"name": "王五", "birth_date": "1975-13-40"},
        content_type="application/json",
    )
    assert_refused(r, 422, "id_number", before)
    fields = r.json()["error"]["fields"]
    assert fields["village_code"] == "必填项"
    assert "日期" in fields["birth_date"]


def test_malformed_json_is_a_4xx_not_a_500(api):
    before = counts()
    r = api.post(f"{API}/people", "{not json", content_type="application/json")
    assert 400 <= r.status_code < 500
    assert "error" in r.json()
    assert counts() == before


def bad_credit_code() -> str:
    from stdnum.cn import uscc

    body = "12430522MB0000001"
    good = uscc.calc_check_digit(body)
    return body + ("0" if good != "0" else "1")


def test_institution_code_in_wrong_format(api):
    before = counts()
    body = {
        "name": "新邵县第二人民医院",
        "insurance_code": "X4305220001",
        "credit_code": bad_credit_code(),
        "kind": "county_hospital",
        "level": "2",
        "region_code": factories.COUNTY,
    }
    r = api.post(f"{API}/institutions", body, content_type="application/json")
    assert_refused(r, 422, "insurance_code", before)
    assert "credit_code" in r.json()["error"]["fields"]  # bad GB 32100 check character too


def test_household_whose_head_is_not_a_member(api):
    a = factories.make_person("赵一")
    b = factories.make_person("赵二", birth=datetime.date(1982, 1, 1))
    before = counts()
    body = {
        "village_code": factories.VILLAGES[0],
        "address": "城东村5组",
        "head_id": a.pk,
        "members": [{"person_id": b.pk, "relation": "02"}],
    }
    r = api.post(f"{API}/households", body, content_type="application/json")
    assert_refused(r, 422, "head_id", before)
    assert r.json()["error"]["fields"]["head_id"] == "户主必须是本户成员"


def test_person_in_two_households_at_once(api):
    a = factories.make_person("钱一")
    b = factories.make_person("钱二", birth=datetime.date(1950, 2, 2))
    factories.make_household(a, others=[b], relation="50")
    c = factories.make_person("孙一", birth=datetime.date(1990, 6, 6))
    before = counts()
    body = {
        "village_code": factories.VILLAGES[0],
        "address": "城东村6组",
        "head_id": c.pk,
        "members": [{"person_id": c.pk, "relation": "02"}, {"person_id": b.pk, "relation": "50"}],
    }
    r = api.post(f"{API}/households", body, content_type="application/json")
    assert_refused(r, 422, "members[1].person_id", before)
    assert "其他家庭户" in r.json()["error"]["fields"]["members[1].person_id"]


def test_unauthenticated_request_is_refused(client, county):
    r = client.get(f"{API}/people")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"

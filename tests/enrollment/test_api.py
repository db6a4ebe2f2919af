"""The enrollment API: enroll, pay (Idempotency-Key), refund, cancel, coverage, progress."""

import datetime

import pytest

from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment
from tests import factories
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll, writes

API = "/api/v1/enrollment"
D = datetime.date


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def assert_refused(response, status, field, before):
    assert response.status_code == status, response.content
    err = response.json()["error"]
    assert err["code"] and field in err["fields"], err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"])
    assert writes() == before


def enroll_now(user, family, period):
    result = services.do_enroll_household(user, family["household"].pk, period.year)
    return {e.person_id: e for e in result.enrolled}


def test_enroll_pay_and_look_up_coverage(api, this_year, family):
    hh = family["household"]
    r = post(api, f"{API}/households/{hh.pk}/enrollments", {"year": this_year.year})
    assert r.status_code == 201, r.content
    body = r.json()
    by_name = {e["person_name"]: e for e in body["enrolled"]}
    assert by_name["王母"]["personal_due"] == "200.00"
    assert by_name["王母"]["assistance_share"] == "200.00"
    assert by_name["王母"]["subsidy"] == "670.00"
    assert by_name["王奶奶"]["status"] == "paid"
    mother_id = by_name["王母"]["id"]
    r = post(
        api,
        f"{API}/enrollments/{mother_id}/payments",
        {"amount": "200.00", "receipt_no": "XS-1"},
        **{"Idempotency-Key": "abc-1"},
    )
    assert r.status_code == 201, r.content
    payment = r.json()
    assert payment["amount"] == "200.00" and payment["status"] == "paid"
    # The retry answers with the first payment and a 200.
    again = post(
        api,
        f"{API}/enrollments/{mother_id}/payments",
        {"amount": "200.00", "receipt_no": "XS-1"},
        **{"Idempotency-Key": "abc-1"},
    )
    assert again.status_code == 200 and again.json()["id"] == payment["id"]
    listed = api.get(f"{API}/households/{hh.pk}/enrollments", {"year": this_year.year}).json()
    assert {e["status"] for e in listed["items"]} == {"owed", "paid"}
    benefits_from = Enrollment.objects.get(pk=mother_id).benefits_from
    assert benefits_from == D(this_year.year, 1, 1)
    cov = api.get(
        f"{API}/coverage", {"person_id": family["mother"].pk, "on": benefits_from.isoformat()}
    ).json()
    assert cov["insured"] and cov["coverage"]["person_category"] == "dibao"
    r = post(api, f"{API}/payments/{payment['id']}/refund", {"reason": "重复参保"})
    assert r.status_code == 200 and r.json()["status"] == "refunded"
    cov = api.get(
        f"{API}/coverage", {"person_id": family["mother"].pk, "on": benefits_from.isoformat()}
    ).json()
    assert cov == {
        "person_id": family["mother"].pk,
        "on": benefits_from.isoformat(),
        "insured": False,
        "coverage": None,
    }


def test_same_key_other_body_is_409(api, this_year, family):
    hh = family["household"]
    body = post(api, f"{API}/households/{hh.pk}/enrollments", {"year": this_year.year}).json()
    ids = {e["person_name"]: e["id"] for e in body["enrolled"]}
    key = {"Idempotency-Key": "k1"}
    post(
        api,
        f"{API}/enrollments/{ids['王父']}/payments",
        {"amount": "400.00", "receipt_no": "1"},
        **key,
    )
    before = writes()
    r = post(
        api,
        f"{API}/enrollments/{ids['王母']}/payments",
        {"amount": "200.00", "receipt_no": "2"},
        **key,
    )
    assert_refused(r, 409, "Idempotency-Key", before)
    assert r.json()["error"]["code"] == "idempotency_key_reuse"


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        ({"amount": "199.00", "receipt_no": "X1"}, {"Idempotency-Key": "a"}, 422, "amount"),
        ({"amount": 200.0, "receipt_no": "X1"}, {"Idempotency-Key": "a"}, 422, "amount"),
        ({"amount": "200.00", "receipt_no": ""}, {"Idempotency-Key": "a"}, 422, "receipt_no"),
        ({"amount": "200.00", "receipt_no": "X1"}, {}, 422, "Idempotency-Key"),
        ({"receipt_no": "X1"}, {"Idempotency-Key": "a"}, 422, "amount"),
    ],
)
def test_bad_payment_input_is_refused_and_nothing_written(
    api, officer, this_year, family, body, headers, status, field
):
    mother = enroll_now(officer, family, this_year)[family["mother"].pk]
    before = writes()
    r = post(api, f"{API}/enrollments/{mother.pk}/payments", body, **headers)
    assert_refused(r, status, field, before)


def test_refund_without_reason_is_refused(api, officer, this_year, family):
    grandma = enroll_now(officer, family, this_year)[family["grandma"].pk]
    payment = grandma.payments.get()
    before = writes()
    r = post(api, f"{API}/payments/{payment.pk}/refund", {"reason": " "})
    assert_refused(r, 422, "reason", before)


def test_enrolling_a_dead_member_names_the_field(api, this_year, family):
    from huimin.registry.models import Person

    Person.objects.filter(pk=family["mother"].pk).update(death_date=D(2025, 1, 1))
    before = writes()
    r = post(
        api,
        f"{API}/households/{family['household'].pk}/enrollments",
        {"year": this_year.year, "person_ids": [family["father"].pk, family["mother"].pk]},
    )
    assert_refused(r, 422, "person_ids[1]", before)


@pytest.mark.parametrize(
    "url",
    [
        "/coverage?person_id=abc&on=2026-01-01",
        "/coverage?person_id=1&on=2026-13-01",
        "/coverage?person_id=99999999999999999999&on=2026-01-01",
        "/progress?year=abc",
        "/progress?year=2026&region=43%27--",
    ],
)
def test_bad_query_is_a_422(api, period, url):
    r = api.get(API + url)
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "validation_failed"


def test_other_township_gets_404(client, this_year, family):
    clerk = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    client.force_login(clerk)
    before = writes()
    url = f"{API}/households/{family['household'].pk}/enrollments"
    r = post(client, url, {"year": this_year.year})
    assert r.status_code == 404 and writes() == before
    r = client.get(f"{API}/coverage", {"person_id": family["father"].pk, "on": "2026-03-01"})
    assert r.status_code == 404


def test_progress(api, officer, period, family):
    enroll(officer, family["household"])  # grandma (tekun) paid; the others owe
    body = api.get(f"{API}/progress", {"year": YEAR}).json()
    assert body["total"]["residents"] == 3 and body["total"]["insured"] == 1
    assert body["total"]["rate"] == "33.33"  # 1 / 3 = 33.33%
    assert [r["code"] for r in body["rows"]] == ["430522100"]
    assert body["rows"][0]["enrolled"] == 3

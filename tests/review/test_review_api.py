"""/api/v1/review/: findings (scoped, audited, filtered), decisions with an optional
Idempotency-Key, appeals (institutions: their own only), risk scores; errors in the
contract's shape."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

import json
from decimal import Decimal

import pytest

from huimin.audit.models import AuditEvent
from huimin.review import workflow
from huimin.review.models import Finding, Recovery, RiskScore
from huimin.review.workflow import DecisionIn
from tests.audit.shown import people_named, rows_named
from tests.insurance.officer_support import other_county_officer
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    finding,
    hospital_cashier,
    insured,
    make_finding,
    stay,
    third_officer,
)

D = Decimal
API = "/api/v1/review"


def post(client, path, body, **headers):
    return client.post(API + path, json.dumps(body), content_type="application/json", **headers)


def error(r):
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_findings_are_listed_scoped_and_audited(client, insured, stay, finding):
    info = make_finding(stay, "over_ceiling")
    client.force_login(insured.officer)
    r = client.get(API + "/findings")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["id"] for i in items] == [finding.pk, info.pk]  # warning before information
    assert items[0]["fund_paid"] == "30238.19" and items[0]["status"] == "open"
    event = AuditEvent.objects.filter(object_type="review.finding", action="search").latest("id")
    assert rows_named(event) == {finding.pk, info.pk}
    assert people_named(event) == {insured.person.pk}
    r = client.get(API + "/findings", {"severity": "information"})
    assert [i["id"] for i in r.json()["items"]] == [info.pk]
    client.force_login(other_county_officer())
    assert client.get(API + "/findings").json()["items"] == []
    assert client.get(f"{API}/findings/{finding.pk}").status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"township": "43"}, {"severity": "x"}, {"status": "closed"}, {"limit": "500"}],
)
def test_bad_filters_are_refused_in_the_contract(client, insured, finding, params):
    client.force_login(insured.officer)
    r = client.get(API + "/findings", params)
    assert r.status_code == 422
    error(r)


def test_a_finding_reads_with_its_decisions_and_what_may_be_recovered(client, insured, finding):
    client.force_login(insured.officer)
    r = client.get(f"{API}/findings/{finding.pk}")
    body = r.json()
    assert (body["recoverable"], body["allowed"]) == ("30238.19", ["confirm", "dismiss", "inspect"])
    event = AuditEvent.objects.filter(object_type="review.finding", action="read").latest("id")
    assert event.object_id == str(finding.pk)


def test_deciding_through_the_api_with_a_key_replays_a_retry(client, insured, finding):
    client.force_login(insured.officer)
    body = {"kind": "confirm", "amount": "800.00", "reason": "属实"}
    r = post(client, f"/findings/{finding.pk}/decisions", body, HTTP_IDEMPOTENCY_KEY="d-1")
    assert r.status_code == 201
    assert r.json()["finding"]["status"] == "confirmed"
    assert r.json()["decision"]["amount"] == "800.00"
    again = post(client, f"/findings/{finding.pk}/decisions", body, HTTP_IDEMPOTENCY_KEY="d-1")
    assert again.status_code == 200 and again.json()["decision"] == r.json()["decision"]
    assert Recovery.objects.get().amount == D("800.00")
    reuse = post(
        client, f"/findings/{finding.pk}/decisions", {**body, "amount": "1.00"},
        HTTP_IDEMPOTENCY_KEY="d-1",
    )  # fmt: skip
    assert reuse.status_code == 409 and error(reuse)["code"] == "idempotency_key_reuse"


def test_deciding_twice_is_a_409(client, insured, finding):
    client.force_login(insured.officer)
    body = {"kind": "dismiss", "reason": "合理"}
    assert post(client, f"/findings/{finding.pk}/decisions", body).status_code == 201
    r = post(client, f"/findings/{finding.pk}/decisions", body)
    assert r.status_code == 409 and error(r)["code"] == "already_decided"


def test_own_finding_as_second_reviewer_is_a_403(client, insured, finding):
    client.force_login(insured.officer)
    post(client, f"/findings/{finding.pk}/decisions", {"kind": "confirm", "amount": "2000.00"})
    r = post(client, f"/findings/{finding.pk}/decisions", {"kind": "second_approve"})
    assert r.status_code == 403 and error(r)["code"] == "four_eyes"
    client.force_login(insured.second_officer)
    r = post(client, f"/findings/{finding.pk}/decisions", {"kind": "second_approve"})
    assert r.status_code == 201 and r.json()["decision"]["amount"] == "2000.00"


def test_recovering_more_than_was_paid_names_the_amount(client, insured, finding):
    client.force_login(insured.officer)
    r = post(client, f"/findings/{finding.pk}/decisions", {"kind": "confirm", "amount": "30238.20"})
    assert r.status_code == 422
    err = error(r)
    assert err["code"] == "recovery_exceeds_paid" and "30238.19" in err["fields"]["amount"]
    for bad in ({"kind": "confirm", "amount": 5}, {"kind": "nope"}, {"kind": "dismiss", "x": 1}):
        r = post(client, f"/findings/{finding.pk}/decisions", bad)
        assert r.status_code == 422
        error(r)
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_a_cashier_may_not_decide(client, insured, finding, hospital_cashier):
    client.force_login(hospital_cashier)
    r = post(client, f"/findings/{finding.pk}/decisions", {"kind": "dismiss", "reason": "x"})
    assert r.status_code == 403
    error(r)


def test_the_institution_appeals_and_sees_only_its_own(
    client, insured, stay, finding, hospital_cashier, third_officer
):
    pending = make_finding(stay, "duplicate_charge")
    workflow.do_decide(insured.officer, pending.pk, DecisionIn("inspect", reason="突击检查"))
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00", "属实"))
    client.force_login(hospital_cashier)
    r = client.get(API + "/findings")
    statuses = {i["id"]: i["status"] for i in r.json()["items"]}
    assert statuses == {finding.pk: "confirmed", pending.pk: "reviewing"}
    detail = client.get(f"{API}/findings/{pending.pk}").json()
    assert detail["decisions"] == [] and detail["recoverable"] is None
    r = post(client, "/appeals", {"finding_id": finding.pk, "reason": "新发病"})
    assert r.status_code == 201
    appeal_id = r.json()["id"]
    r = post(client, "/appeals", {"finding_id": finding.pk, "reason": "again"})
    assert r.status_code == 409
    assert [a["id"] for a in client.get(API + "/appeals").json()["items"]] == [appeal_id]
    r = post(client, f"/appeals/{appeal_id}/decision", {"outcome": "grant", "reason": "x"})
    assert r.status_code == 403

    from tests import factories

    other = factories.make_staff(
        "cashier_c", "cashier", factories.COUNTY, institution=insured.centre
    )
    client.force_login(other)
    assert client.get(API + "/appeals").json()["items"] == []
    assert client.get(f"{API}/findings/{finding.pk}").status_code == 404

    client.force_login(insured.officer)  # decided the finding: not independent
    r = post(client, f"/appeals/{appeal_id}/decision", {"outcome": "grant", "reason": "成立"})
    assert r.status_code == 403 and error(r)["code"] == "not_independent"
    client.force_login(third_officer)
    r = post(client, f"/appeals/{appeal_id}/decision", {"outcome": "uphold", "reason": "维持"})
    assert r.status_code == 200 and r.json()["status"] == "upheld"


def test_scores_by_region_month_and_kind(client, insured):
    RiskScore.objects.create(
        subject_kind="institution", subject=str(insured.hospital.pk),
        institution=insured.hospital, region_code=insured.hospital.region_id, month="2026-03",
        score=D("42.00"), colour="orange", previous_colour="yellow", finding_count=3,
        claim_count=10,
    )  # fmt: skip
    client.force_login(insured.officer)
    r = client.get(API + "/scores", {"month": "2026-03", "kind": "institution"})
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert (item["score"], item["colour"], item["previous_colour"]) == ("42.00", "orange", "yellow")
    assert client.get(API + "/scores", {"month": "2026-04"}).json()["items"] == []
    assert client.get(API + "/scores", {"month": "2026-13"}).status_code == 422
    client.force_login(other_county_officer())
    assert client.get(API + "/scores").json()["items"] == []

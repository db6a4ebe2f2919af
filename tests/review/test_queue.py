"""The reviewers' queue and review page, and the institution's findings pages: scoped,
audited with the residents shown, filtered with counts, decided through the forms."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.review import workflow
from huimin.review.models import Finding, Recovery
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
QUEUE = "/review/queue/"


@pytest.fixture
def three(insured, stay):
    """A warning on 30238.19, an information on 30238.19 and a warning on 500.00."""
    big = make_finding(stay, "split_admission")
    info = make_finding(stay, "over_ceiling")
    small = make_finding(stay, "duplicate_charge", fund_paid=D("500.00"), source="realtime")
    return big, info, small


def test_the_queue_orders_by_severity_then_fund_paid_and_audits_the_residents(
    client, insured, three
):
    big, info, small = three
    client.force_login(insured.officer)
    r = client.get(QUEUE)
    assert r.status_code == 200
    assert [f.pk for f in r.context["rows"]] == [big.pk, small.pk, info.pk]
    event = AuditEvent.objects.filter(object_type="review.finding", action="search").latest("id")
    assert rows_named(event) == {big.pk, info.pk, small.pk}
    assert people_named(event) == {insured.person.pk}
    page = r.content.decode()
    assert "疑似分解住院" in page and "重复收费" in page


def test_the_queue_filters_and_counts(client, insured, three):
    big, info, small = three
    client.force_login(insured.officer)
    r = client.get(QUEUE, {"severity": "warning", "source": "realtime"})
    assert [f.pk for f in r.context["rows"]] == [small.pk]
    facets = r.context["facets"]
    assert {x["v"]: x["n"] for x in facets["severity"]} == {"warning": 2, "information": 1}
    assert {x["v"]: x["n"] for x in facets["source"]} == {"batch": 2, "realtime": 1}
    assert {x["v"]: x["n"] for x in facets["township"]} == {insured.person.village_id[:9]: 3}
    r = client.get(QUEUE, {"township": "430522101"})
    assert r.context["rows"] == []
    r = client.get(QUEUE, {"rule": "over_ceiling", "institution": insured.hospital.pk})
    assert [f.pk for f in r.context["rows"]] == [info.pk]
    workflow.do_decide(insured.officer, big.pk, DecisionIn("confirm", "5000.00"))
    r = client.get(QUEUE, {"status": "pending_second"})
    assert [f.pk for f in r.context["rows"]] == [big.pk]
    workflow.do_decide(insured.officer, info.pk, DecisionIn("dismiss", reason="合理"))
    r = client.get(QUEUE)
    assert info.pk not in [f.pk for f in r.context["rows"]]  # decided: off the queue


@pytest.mark.parametrize(
    "params",
    [
        {"township": "4305"},
        {"severity": "fatal"},
        {"rule": "DROP TABLE"},
        {"institution": "x"},
        {"status": "confirmed"},
        {"page": "0"},
    ],
)
def test_a_bad_filter_is_refused_not_a_500(client, insured, three, params):
    client.force_login(insured.officer)
    r = client.get(QUEUE, params)
    assert r.status_code == 422 and "输入有误" in r.content.decode()


def test_the_queue_is_bounded_in_queries(client, insured, stay):
    for _ in range(3):
        make_finding(stay)
    client.force_login(insured.officer)
    client.get(QUEUE)
    with CaptureQueriesContext(connection) as three:
        client.get(QUEUE)
    for _ in range(5):
        make_finding(stay)
    with CaptureQueriesContext(connection) as eight:
        client.get(QUEUE)
    assert len(eight) == len(three)


def test_other_counties_and_cashiers_see_nothing(client, insured, three, hospital_cashier):
    client.force_login(other_county_officer())
    r = client.get(QUEUE)
    assert r.status_code == 200 and r.context["rows"] == []
    r = client.get(reverse("review:finding", args=[three[0].pk]))
    assert r.status_code == 404
    client.force_login(hospital_cashier)
    assert client.get(QUEUE).status_code == 403


def test_the_review_page_shows_the_claim_history_and_similar_decisions(
    client, insured, stay, finding
):
    earlier = make_finding(stay, "split_admission")
    workflow.do_decide(insured.officer, earlier.pk, DecisionIn("dismiss", reason="化疗周期"))
    client.force_login(insured.officer)
    r = client.get(reverse("review:finding", args=[finding.pk]))
    assert r.status_code == 200
    flagged = [ln.line_no for ln in r.context["lines"] if ln.flagged]
    assert flagged == [1]
    assert [s.pk for s in r.context["history"]] == [stay.pk]
    assert [o.pk for o in r.context["others"]] == [earlier.pk]
    assert [(d.finding_id, d.reason) for d in r.context["similar"]] == [(earlier.pk, "化疗周期")]
    assert r.context["recoverable"] == D("30238.19")
    page = r.content.decode()
    assert "化疗周期" in page and "近90天就医记录" in page and finding.explanation in page
    event = AuditEvent.objects.filter(object_type="review.finding", action="read").latest("id")
    assert event.object_id == str(finding.pk)
    assert people_named(event) == {insured.person.pk}


def test_confirming_through_the_page_and_a_double_submit(client, insured, finding):
    client.force_login(insured.officer)
    url = reverse("review:decide", args=[finding.pk])
    form = {"kind": "confirm", "amount": "800.00", "reason": "属实", "idempotency_key": "k1"}
    r = client.post(url, form)
    assert r.status_code == 302 and r["Location"] == reverse("review:finding", args=[finding.pk])
    r = client.post(url, form)  # the same form again: the first decision, nothing new
    assert r.status_code == 302
    assert Recovery.objects.get().amount == D("800.00")
    r = client.post(url, {**form, "idempotency_key": "k2"})  # a fresh form: decided already
    assert r.status_code == 409 and "不能再作此决定" in r.content.decode()


def test_the_page_names_the_amount_when_it_exceeds_what_was_paid(client, insured, finding):
    client.force_login(insured.officer)
    r = client.post(
        reverse("review:decide", args=[finding.pk]),
        {"kind": "confirm", "amount": "99999.00", "idempotency_key": "k1"},
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "追回金额" in page and "30238.19" in page
    assert Finding.objects.get(pk=finding.pk).status == "open"


def test_the_second_reviewer_approves_through_the_page(client, insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "1500.00"))
    client.force_login(insured.officer)
    url = reverse("review:decide", args=[finding.pk])
    page = client.get(reverse("review:finding", args=[finding.pk])).content.decode()
    assert 'id="second-note"' in page and 'id="second-form"' not in page
    r = client.post(url, {"kind": "second_approve", "idempotency_key": "s1"})
    assert r.status_code == 403 and "另一位审核人员" in r.content.decode()
    client.force_login(insured.second_officer)
    r = client.post(url, {"kind": "second_approve", "idempotency_key": "s2"})
    assert r.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == "confirmed"


def test_the_institution_sees_its_findings_and_appeals(
    client, insured, stay, finding, hospital_cashier, third_officer
):
    pending = make_finding(stay, "duplicate_charge")
    workflow.do_decide(insured.officer, pending.pk, DecisionIn("confirm", "3000.00", "内部意见"))
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00", "属实"))
    client.force_login(hospital_cashier)
    r = client.get(reverse("review:institution_findings"))
    assert r.status_code == 200
    shown = {f.pk: f.shown_status for f in r.context["rows"]}
    assert shown == {finding.pk: "核实违规", pending.pk: "审核中"}
    # Before a decision: no proposed amount, no reviewer's note.
    page = client.get(reverse("review:institution_finding", args=[pending.pk])).content.decode()
    assert "3000.00" not in page and "内部意见" not in page and "正在审核中" in page
    page = client.get(reverse("review:institution_finding", args=[finding.pk])).content.decode()
    assert "800.00" in page and 'id="appeal-form"' in page
    r = client.post(reverse("review:institution_appeal", args=[finding.pk]), {"reason": "新发病"})
    assert r.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == "appealed"
    # Decided by a reviewer who took no part, through the review page.
    appeal = Finding.objects.get(pk=finding.pk).appeals.get()
    client.force_login(third_officer)
    r = client.post(
        reverse("review:appeal_decide", args=[appeal.pk]), {"outcome": "grant", "reason": "成立"}
    )
    assert r.status_code == 302
    assert Finding.objects.get(pk=finding.pk).status == "dismissed"


def test_another_institution_sees_none_of_them(client, insured, finding):
    from tests import factories

    other = factories.make_staff(
        "cashier_c", "cashier", factories.COUNTY, institution=insured.centre
    )
    client.force_login(other)
    assert client.get(reverse("review:institution_findings")).context["rows"] == []
    r = client.get(reverse("review:institution_finding", args=[finding.pk]))
    assert r.status_code == 404
    r = client.post(reverse("review:institution_appeal", args=[finding.pk]), {"reason": "x"})
    assert r.status_code == 404

"""Monthly clearing through the pages: create, approve by one officer, confirm by another."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.models import ClearingBatch, Settlement
from huimin.insurance.services import clearing
from tests import factories
from tests.audit.shown import rows_named
from tests.insurance.officer_support import (
    MARCH_20,
    cashier,
    other_county_officer,
    settle_outpatient,
)


@pytest.fixture
def march(insured):
    return [
        settle_outpatient(insured, "MZ1"),
        settle_outpatient(insured, "MZ2", at=MARCH_20 + datetime.timedelta(days=1)),
    ]


def create(client, insured, month="2026-03"):
    return client.post(
        reverse("insurance:clearing_create"),
        {"institution": insured.hospital.pk, "month": month},
    )


def snapshot():
    return (
        list(ClearingBatch.objects.values_list("pk", "status", "approved_by", "confirmed_by")),
        list(Settlement.objects.values_list("pk", "clearing_batch_id")),
        JournalEntry.objects.filter(source_type="clearing").count(),
    )


def test_two_officers_clear_a_month_through_the_pages(client, insured, march):
    client.force_login(insured.officer)
    r = create(client, insured)
    batch = ClearingBatch.objects.get()
    assert r.status_code == 302
    assert r["Location"] == reverse("insurance:clearing_detail", args=[batch.pk])
    assert batch.settlement_count == 2
    assert batch.amount_payable == sum(
        s.basic_fund + s.critical_illness + s.assistance for s in march
    )
    detail = client.get(r["Location"])
    assert {s.pk for s in detail.context["rows"]} == {s.pk for s in march}

    r = client.post(reverse("insurance:clearing_approve", args=[batch.pk]))
    assert r.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.approved_by) == ("approved", insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert "须由另一位经办人员复核" in page
    assert reverse("insurance:clearing_confirm", args=[batch.pk]) not in page

    # The approver confirming anyway is refused and changes nothing.
    before = snapshot()
    r = client.post(reverse("insurance:clearing_confirm", args=[batch.pk]))
    assert r.status_code == 403 and "另一位经办人员" in r.content.decode()
    assert snapshot() == before

    client.force_login(insured.second_officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert reverse("insurance:clearing_confirm", args=[batch.pk]) in page
    r = client.post(reverse("insurance:clearing_confirm", args=[batch.pk]), follow=True)
    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_by) == ("confirmed", insured.second_officer)
    assert batch.payment_reference.startswith("QS202603")
    assert batch.payment_reference in r.content.decode()
    assert {s.pk for s in r.context["rows"]} == {s.pk for s in march}
    assert set(Settlement.objects.values_list("clearing_batch_id", flat=True)) == {batch.pk}
    listed = client.get(reverse("insurance:clearing_list"))
    assert batch.payment_reference in listed.content.decode()


def test_approving_twice_or_confirming_a_draft_is_a_conflict(client, insured, march):
    client.force_login(insured.officer)
    create(client, insured)
    batch = ClearingBatch.objects.get()
    client.force_login(insured.second_officer)
    before = snapshot()
    assert client.post(reverse("insurance:clearing_confirm", args=[batch.pk])).status_code == 409
    assert snapshot() == before
    client.post(reverse("insurance:clearing_approve", args=[batch.pk]))
    before = snapshot()
    assert client.post(reverse("insurance:clearing_approve", args=[batch.pk])).status_code == 409
    assert snapshot() == before


@pytest.mark.parametrize(
    "month, status",
    [("2026-13", 422), ("March", 422), ("", 422), (None, 422)],
)
def test_a_bad_month_is_refused_and_nothing_is_created(client, insured, march, month, status):
    client.force_login(insured.officer)
    before = snapshot()
    if month is None:
        month = timezone.localdate().strftime("%Y-%m")  # not over yet
    r = create(client, insured, month)
    assert r.status_code == status
    assert "清算月份" in r.context["error"]["fields"]
    assert snapshot() == before


def test_a_second_batch_for_the_same_month_is_a_conflict(client, insured, march):
    client.force_login(insured.officer)
    create(client, insured)
    before = snapshot()
    r = create(client, insured)
    assert r.status_code == 409 and "已有清算批次" in r.content.decode()
    assert snapshot() == before


def test_another_countys_officer_can_neither_see_nor_act(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(other_county_officer())
    assert client.get(reverse("insurance:clearing_list")).context["batches"] == []
    before = snapshot()
    for name in ("clearing_detail",):
        assert client.get(reverse(f"insurance:{name}", args=[batch.pk])).status_code == 404
    for name in ("clearing_approve", "clearing_confirm", "clearing_cancel"):
        r = client.post(reverse(f"insurance:{name}", args=[batch.pk]), {"reason": "越权"})
        assert r.status_code == 404
    # Their form offers only their own institutions: 新邵县's hospital is not a choice.
    r = client.post(
        reverse("insurance:clearing_create"),
        {"institution": insured.hospital.pk, "month": "2026-04"},
    )
    assert r.status_code == 422 and "医疗机构" in r.context["error"]["fields"]
    assert snapshot() == before


def test_a_cashier_gets_403(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(cashier(insured))
    before = snapshot()
    assert client.get(reverse("insurance:clearing_list")).status_code == 403
    assert client.get(reverse("insurance:clearing_detail", args=[batch.pk])).status_code == 403
    assert create(client, insured, "2026-04").status_code == 403
    assert client.post(reverse("insurance:clearing_approve", args=[batch.pk])).status_code == 403
    r = client.post(reverse("insurance:clearing_cancel", args=[batch.pk]), {"reason": "越权"})
    assert r.status_code == 403
    assert snapshot() == before


def test_list_and_batch_pages_cost_the_same_for_more_rows(client, insured, march):
    client.force_login(insured.officer)
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    pages = [
        reverse("insurance:clearing_list"),
        reverse("insurance:clearing_detail", args=[batch.pk]),
    ]
    few = []
    for url in pages:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        few.append(len(ctx.captured_queries))
    for n in range(3):
        settle_outpatient(insured, f"MZ3{n}", at=MARCH_20 + datetime.timedelta(hours=n + 1))
    other = factories.make_institution("严塘镇卫生院", region=factories.TOWNSHIPS[1], level="1")
    clearing.do_create_clearing(insured.second_officer, other.pk, "2026-03")
    clearing.do_create_clearing(insured.second_officer, insured.centre.pk, "2026-03")
    more = []
    for url in pages:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        more.append(len(ctx.captured_queries))
    assert len(r.context["rows"]) == 5
    assert more == few


def test_the_rows_of_a_batch_are_audited(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(insured.officer)
    client.get(reverse("insurance:clearing_detail", args=[batch.pk]))
    event = AuditEvent.objects.get(action="search", object_type="insurance.settlement")
    assert rows_named(event) == {s.pk for s in march}
    assert event.purpose == f"clearing_batch:{batch.pk}"


def test_the_batch_page_warns_when_the_month_changed_since_it_was_drawn_up(client, insured, march):
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert 'id="drifted"' not in page
    settle_outpatient(insured, "MZ9", at=MARCH_20 + datetime.timedelta(days=2))
    r = client.get(reverse("insurance:clearing_detail", args=[batch.pk]))
    assert r.context["drifted"] == 3
    assert "现有未清算结算 3 笔，本批次生成时为 2 笔" in r.content.decode()

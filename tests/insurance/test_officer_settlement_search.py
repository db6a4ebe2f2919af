"""The settlement list: every filter, net sums, keyset pages, audited, scoped, no N+1."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Settlement
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from tests import factories
from tests.audit.shown import people_named, rows_named
from tests.insurance.officer_support import (
    MARCH_20,
    cashier,
    other_county_officer,
    settle_outpatient,
)
from tests.insurance.test_settlement_flow import admit_and_bill

MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
URL = "insurance:settlement_list"


@pytest.fixture
def march(insured):
    """An inpatient stay at the hospital, two chronic-disease visits (one reversed), and an
    outpatient visit at the centre, all settled in March 2026."""
    inpatient = admit_and_bill(insured)
    big, _ = do_settle(insured.hospital, inpatient, "k-zy", {})
    Settlement.objects.filter(pk=big.pk).update(settled_at=MARCH_20)
    small = settle_outpatient(insured, "MZ1")
    kept = settle_outpatient(insured, "MZ2", at=MARCH_20 + datetime.timedelta(hours=1))
    reversal, _ = do_reverse(insured.hospital, small.pk, "r-MZ1", "收费错误")
    Settlement.objects.filter(pk=reversal.pk).update(
        settled_at=MARCH_20 + datetime.timedelta(hours=2)
    )
    return {
        "inpatient": Settlement.objects.get(pk=big.pk),
        "reversed": Settlement.objects.get(pk=small.pk),
        "kept": kept,
        "reversal": Settlement.objects.get(pk=reversal.pk),
    }


def ids(response) -> set[int]:
    return {s.pk for s in response.context["rows"]}


def test_each_filter_narrows_the_list(client, insured, march):
    client.force_login(insured.officer)
    get = lambda **q: ids(client.get(reverse(URL), {**MARCH, **q}))  # noqa: E731
    everything = {s.pk for s in march.values()}
    assert get() == everything
    assert get(kind="reversal") == {march["reversal"].pk}
    assert get(visit_type="inpatient") == {march["inpatient"].pk}
    assert get(institution=insured.hospital.pk) == everything
    assert get(institution=insured.centre.pk) == set()
    big = march["inpatient"].total
    assert get(total_min=str(big)) == {march["inpatient"].pk}
    assert get(total_max="0") == {march["reversal"].pk}  # reversals carry negated amounts
    assert get(date_from="2026-03-21", date_to="2026-03-31") == set()
    # The form posts: an ID number never travels in the URL.
    post = lambda **q: ids(client.post(reverse(URL), {**MARCH, **q}))  # noqa: E731
    assert post(id_number=insured.id_number.lower()) == everything  # lowercase x is X
    stranger = factories.valid_id(datetime.date(1990, 1, 1), "2")
    assert post(id_number=stranger) == set()


def test_the_sums_are_net_of_reversals_for_the_filter(client, insured, march):
    client.force_login(insured.officer)
    r = client.get(reverse(URL), MARCH)
    summary = r.context["summary"]
    inpatient, kept = march["inpatient"], march["kept"]
    assert summary["count"] == 4 and summary["reversals"] == 1
    assert summary["total"] == inpatient.total + kept.total
    assert summary["basic_fund"] == inpatient.basic_fund + kept.basic_fund
    assert summary["fund"] == sum(
        (s.basic_fund + s.critical_illness + s.assistance for s in (inpatient, kept)), Decimal(0)
    )
    r = client.get(reverse(URL), {**MARCH, "visit_type": "inpatient"})
    assert r.context["summary"]["total"] == inpatient.total
    assert str(inpatient.total) in r.content.decode()


def test_keyset_pages_walk_every_row_once_without_offset(client, insured, march, settings):
    settings.HUIMIN_PAGE_SIZE = 3
    client.force_login(insured.officer)
    seen, params = [], dict(MARCH)
    with CaptureQueriesContext(connection) as ctx:
        while True:
            r = client.get(reverse(URL), params)
            seen += [s.pk for s in r.context["rows"]]
            cursor = r.context["page"].next_cursor
            if not cursor:
                break
            assert "下一页" in r.content.decode()
            params = {**MARCH, "after": cursor}
    assert len(seen) == len(set(seen)) == 4
    expected = list(Settlement.objects.order_by("-settled_at", "-id").values_list("pk", flat=True))
    assert seen == expected
    assert not any("OFFSET" in q["sql"].upper() for q in ctx.captured_queries)


def test_a_hand_edited_cursor_starts_over(client, insured, march):
    client.force_login(insured.officer)
    r = client.get(reverse(URL), {**MARCH, "after": "not-a-date~x"})
    assert r.status_code == 200 and len(r.context["rows"]) == 4


def test_the_rows_shown_are_audited(client, insured, march):
    client.force_login(insured.officer)
    client.post(reverse(URL), {**MARCH, "id_number": insured.id_number})
    event = AuditEvent.objects.filter(action="search", object_type="insurance.settlement").get()
    assert rows_named(event) == {s.pk for s in march.values()}
    assert people_named(event) == {insured.person.pk}
    assert event.purpose == "settlement_list:id_number"
    assert event.actor_id == insured.officer.pk


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"id_number": "430522196804120078"}, "身份证号码（完整）"),
        ({"id_number": "123"}, "身份证号码（完整）"),
        ({"date_from": "2026-03-31", "date_to": "2026-03-01"}, "至"),
        ({"date_from": "2025-01-01", "date_to": "2026-03-01"}, "至"),
        ({"date_from": "2026-02-30"}, "结算日期自"),
        ({"total_min": "abc"}, "总额不低于"),
        ({"total_min": "100", "total_max": "10"}, "总额不高于"),
        ({"kind": "refund"}, "类型"),
        ({"institution": "999999"}, "医疗机构"),
    ],
)
def test_bad_filters_are_refused_and_show_nothing(client, insured, march, bad, field):
    client.force_login(insured.officer)
    events = AuditEvent.objects.count()
    r = client.post(reverse(URL), {**MARCH, **bad})
    assert r.status_code == 422
    assert field in r.context["error"]["fields"]
    assert r.context["rows"] == [] and r.context["summary"] is None
    assert AuditEvent.objects.count() == events


def test_another_countys_officer_sees_nothing(client, insured, march):
    client.force_login(other_county_officer())
    r = client.post(reverse(URL), {**MARCH, "id_number": insured.id_number})
    assert r.status_code == 200 and r.context["rows"] == []
    assert r.context["summary"]["count"] == 0


def test_a_cashier_gets_403(client, insured, march):
    client.force_login(cashier(insured))
    assert client.get(reverse(URL), MARCH).status_code == 403


def test_queries_do_not_grow_with_rows(client, insured, march):
    client.force_login(insured.officer)
    client.get(reverse(URL), MARCH)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL), MARCH)
    # Another resident at another institution, so person and institution rows differ.
    other = factories.make_person("李四", village=factories.VILLAGES[1])
    assert other  # enrolled or not, the list query is what is counted
    for n in range(3):
        settle_outpatient(insured, f"MZ1{n}", at=MARCH_20 + datetime.timedelta(minutes=n))
    with CaptureQueriesContext(connection) as more:
        r = client.get(reverse(URL), MARCH)
    assert len(r.context["rows"]) == 7
    assert len(more.captured_queries) == len(few.captured_queries)


def test_default_range_is_this_month(client, insured, march):
    client.force_login(insured.officer)
    s = settle_outpatient(insured, "MZ-now", at=timezone.now())
    r = client.get(reverse(URL))
    assert ids(r) == {s.pk}


def test_the_filtered_list_downloads_as_csv_masked_and_audited(client, insured, march):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:settlement_export"), {**MARCH, "visit_type": "inpatient"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="settlements-20260301-20260331.csv"' in r["Content-Disposition"]
    text = b"".join(r.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads the Chinese as UTF-8
    header, *rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[0] == "结算号" and header[-1] == "验证码"
    (row,) = rows
    s = march["inpatient"]
    assert row[0] == str(s.pk) and row[5] == s.person.id_number_masked
    assert insured.id_number not in text
    assert [Decimal(v) for v in row[7:16]] == [
        s.total,
        s.self_pay,
        s.b_self_pay,
        s.eligible,
        s.deductible,
        s.basic_fund,
        s.critical_illness,
        s.assistance,
        s.patient_pay,
    ]
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert "共1行" in event.purpose and event.actor_id == insured.officer.pk
    # The page offers it with the same filter; another county's officer exports nothing.
    page = client.get(reverse(URL), MARCH).content.decode()
    assert "settlements/export.csv?date_from=2026-03-01" in page
    client.force_login(other_county_officer())
    r = client.get(reverse("insurance:settlement_export"), MARCH)
    assert len(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode())))) == 1


def test_links_after_an_id_number_search_carry_a_token_not_the_number(client, insured, march):
    client.force_login(insured.officer)
    r = client.post(reverse(URL), {**MARCH, "id_number": insured.id_number})
    export = r.context["export_query"]
    assert "st=" in export and "id_number" not in export
    # The export reached through the link holds that person's settlements only.
    csv_text = b"".join(client.get(reverse("insurance:settlement_export") + "?" + export)).decode()
    assert len(csv_text.strip().splitlines()) == 1 + len(march)
    stranger = factories.valid_id(datetime.date(1990, 1, 1), "2")
    r = client.post(reverse(URL), {**MARCH, "id_number": stranger})
    csv_text = b"".join(
        client.get(reverse("insurance:settlement_export") + "?" + r.context["export_query"])
    ).decode()
    assert len(csv_text.strip().splitlines()) == 1  # the header alone


def test_an_id_number_in_the_url_is_refused(client, insured, march):
    client.force_login(insured.officer)
    r = client.get(reverse(URL), {**MARCH, "id_number": insured.id_number})
    assert r.status_code == 400
    assert "id_number：身份证号码、电话号码不能放在网址中" in r.content.decode()

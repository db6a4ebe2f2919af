"""The household page: enroll members, take cash with a receipt, refund with a reason."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.registry.models import HouseholdMembership
from tests import factories
from tests.enrollment.helpers import writes


@pytest.fixture
def page(client, officer, this_year, family):
    client.force_login(officer)
    url = reverse("enrollment:household", args=[family["household"].pk])
    return {"client": client, "url": f"{url}?year={this_year.year}", "year": this_year.year}


def enroll_all(page, family):
    return page["client"].post(
        reverse("enrollment:enroll", args=[family["household"].pk]),
        {
            "year": page["year"],
            "person_ids": [family["father"].pk, family["mother"].pk, family["grandma"].pk],
        },
    )


def test_enroll_then_pay_then_refund(page, family):
    client = page["client"]
    html = client.get(page["url"]).content.decode()
    assert "王母" in html and "未登记" in html
    r = enroll_all(page, family)
    assert r.status_code == 302
    html = client.get(page["url"]).content.decode()
    assert "收取现金" in html and "200.00" in html
    mother = Enrollment.objects.get(person=family["mother"])
    r = client.post(
        reverse("enrollment:pay", args=[mother.pk]),
        {"amount": "200.00", "receipt_no": "XS-9", "idempotency_key": "form-1"},
    )
    assert r.status_code == 302
    mother.refresh_from_db()
    assert mother.status == "paid"
    # The form submitted twice (double click, reload): one payment.
    again = client.post(
        reverse("enrollment:pay", args=[mother.pk]),
        {"amount": "200.00", "receipt_no": "XS-9", "idempotency_key": "form-1"},
    )
    assert again.status_code == 302 and Payment.objects.filter(enrollment=mother).count() == 1
    payment = Payment.objects.get(enrollment=mother)
    r = client.post(reverse("enrollment:refund", args=[payment.pk]), {"reason": "重复参保"})
    assert r.status_code == 302
    assert Payment.objects.get(pk=payment.pk).status == "refunded"
    # Reading the household's payments is audited.
    assert AuditEvent.objects.filter(
        action="read", object_type="registry.household", object_id=str(family["household"].pk)
    ).exists()


def test_wrong_amount_re_renders_with_the_reason_and_writes_nothing(page, family):
    enroll_all(page, family)
    father = Enrollment.objects.get(person=family["father"])
    before = writes()
    r = page["client"].post(
        reverse("enrollment:pay", args=[father.pk]),
        {"amount": "300.00", "receipt_no": "XS-1", "idempotency_key": "f-2"},
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "缴费金额" in html and "400.00" in html
    assert 'value="XS-1"' in html  # what was typed is kept
    # Reading the page again is audited; nothing else was written.
    assert writes()[:-1] == before[:-1]


def test_refund_without_reason_is_refused(page, family):
    enroll_all(page, family)
    payment = Payment.objects.get(enrollment__person=family["grandma"])  # tekun: paid
    before = writes()
    r = page["client"].post(reverse("enrollment:refund", args=[payment.pk]), {"reason": ""})
    assert r.status_code == 422 and "退费原因" in r.content.decode()
    assert writes()[:-1] == before[:-1]


def test_no_member_ticked_is_refused(page, family):
    before = writes()
    r = page["client"].post(
        reverse("enrollment:enroll", args=[family["household"].pk]), {"year": page["year"]}
    )
    assert r.status_code == 422
    assert writes()[:-1] == before[:-1]


def test_other_township_gets_404_and_admins_403(client, this_year, family):
    clerk = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    client.force_login(clerk)
    url = reverse("enrollment:household", args=[family["household"].pk])
    assert client.get(url).status_code == 404
    before = writes()
    r = client.post(
        reverse("enrollment:enroll", args=[family["household"].pk]),
        {"year": this_year.year, "person_ids": [family["father"].pk]},
    )
    assert r.status_code == 404 and writes() == before
    admin = factories.make_staff("sys", "system_admin", factories.COUNTY)
    client.force_login(admin)
    assert client.get(url).status_code == 403


def test_a_reader_sees_but_cannot_write(client, this_year, family, officer):
    services.do_enroll_household(officer, family["household"].pk, this_year.year)
    doctor = factories.make_staff(
        "doc", "doctor", factories.COUNTY, institution=factories.make_institution()
    )
    client.force_login(doctor)
    url = reverse("enrollment:household", args=[family["household"].pk])
    html = client.get(f"{url}?year={this_year.year}").content.decode()
    assert "王母" in html and "收取现金" not in html and "退费" not in html
    father = Enrollment.objects.get(person=family["father"])
    before = writes()
    r = client.post(
        reverse("enrollment:pay", args=[father.pk]),
        {"amount": "400.00", "receipt_no": "X", "idempotency_key": "k"},
    )
    assert r.status_code == 403 and writes() == before


def test_find_a_household_by_member_name_or_number(page, family):
    client = page["client"]
    r = client.get(reverse("enrollment:index"), {"q": "王母", "year": page["year"]})
    link = reverse("enrollment:household", args=[family["household"].pk])
    assert link in r.content.decode()
    r = client.get(reverse("enrollment:index"), {"q": family["household"].number})
    assert link in r.content.decode()
    r = client.get(reverse("enrollment:index"), {"q": "无此人"})
    assert link not in r.content.decode()


def test_queries_do_not_grow_with_members(page, family, officer, this_year):
    client = page["client"]
    enroll_all(page, family)
    client.get(page["url"])  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(page["url"]).status_code == 200
    household = family["household"]
    for i in range(4):
        child = factories.make_person(f"王{i}")
        HouseholdMembership.objects.create(
            household=household, person=child, relation="20", joined_on=datetime.date(2020, 1, 1)
        )
    services.do_enroll_household(officer, household.pk, this_year.year)
    for e in Enrollment.objects.filter(status="owed"):
        services.do_record_cash_payment(officer, e.pk, str(e.personal_due), f"R{e.pk}", f"k{e.pk}")
    with CaptureQueriesContext(connection) as more:
        assert client.get(page["url"]).status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)

"""Activating a plan through the page takes a second officer; rejecting takes a reason."""

import pytest
from django.urls import reverse

from huimin.audit.models import AuditEvent
from huimin.insurance import plans
from huimin.insurance.models import BenefitPlan
from tests.insurance.officer_support import cashier, other_county_officer
from tests.insurance.test_officer_plan_upload import next_year_text


@pytest.fixture
def draft(insured):
    return plans.do_upload_plan(insured.officer, next_year_text())


def state(plan):
    plan.refresh_from_db()
    return plan.status, plan.activated_by_id, plan.note


def test_the_uploader_is_told_another_officer_must_activate(client, insured, draft):
    client.force_login(insured.officer)
    r = client.get(reverse("insurance:plan_detail", args=[draft.pk]))
    page = r.content.decode()
    assert "须由另一位经办人员启用" in page
    assert reverse("insurance:plan_activate", args=[draft.pk]) not in page


def test_the_uploader_cannot_activate_by_posting_anyway(client, insured, draft):
    client.force_login(insured.officer)
    before, events = state(draft), AuditEvent.objects.count()
    r = client.post(reverse("insurance:plan_activate", args=[draft.pk]))
    assert r.status_code == 403
    assert "另一位经办人员" in r.content.decode()
    assert state(draft) == before == ("draft", None, "")
    assert AuditEvent.objects.count() == events


def test_a_second_officer_activates_and_the_page_says_so(client, insured):
    # A replacement 2026 plan: activating it supersedes the one in force.
    replacement = plans.do_upload_plan(
        insured.officer, next_year_text().replace("year: 2027", "year: 2026")
    )
    client.force_login(insured.second_officer)
    page = client.get(reverse("insurance:plan_detail", args=[replacement.pk])).content.decode()
    assert reverse("insurance:plan_activate", args=[replacement.pk]) in page
    r = client.post(reverse("insurance:plan_activate", args=[replacement.pk]), follow=True)
    assert r.status_code == 200 and "方案已启用" in r.content.decode()
    assert state(replacement)[:2] == ("active", insured.second_officer.pk)
    assert BenefitPlan.objects.get(pk=insured.plan.pk).status == "superseded"
    # Activating twice is a conflict and changes nothing.
    r = client.post(reverse("insurance:plan_activate", args=[replacement.pk]))
    assert r.status_code == 409
    assert state(replacement)[:2] == ("active", insured.second_officer.pk)


def test_rejecting_needs_a_reason_then_records_it(client, insured, draft):
    client.force_login(insured.second_officer)
    url = reverse("insurance:plan_reject", args=[draft.pk])
    events = AuditEvent.objects.count()
    r = client.post(url, {"reason": "  "})
    assert r.status_code == 422 and "退回须说明原因" in r.content.decode()
    assert state(draft) == ("draft", None, "") and AuditEvent.objects.count() == events
    r = client.post(url, {"reason": "住院报销比例未经党组会审议"})
    assert r.status_code == 302
    assert state(draft) == ("rejected", None, "住院报销比例未经党组会审议")
    event = AuditEvent.objects.get(action="reject", object_id=str(draft.pk))
    assert event.actor_id == insured.second_officer.pk
    # A rejected plan can be neither activated nor rejected again.
    assert client.post(reverse("insurance:plan_activate", args=[draft.pk])).status_code == 409
    assert client.post(url, {"reason": "再次退回"}).status_code == 409
    assert state(draft) == ("rejected", None, "住院报销比例未经党组会审议")


def test_another_countys_officer_does_not_find_the_plan(client, insured, draft):
    client.force_login(other_county_officer())
    for name in ("plan_detail", "plan_activate", "plan_reject"):
        method = client.get if name == "plan_detail" else client.post
        assert method(reverse(f"insurance:{name}", args=[draft.pk])).status_code == 404
    assert state(draft) == ("draft", None, "")
    page = client.get(reverse("insurance:plan_list")).content.decode()
    assert draft.name not in page and "没有符合条件的结算方案" in page


def test_a_cashier_gets_403(client, insured, draft):
    client.force_login(cashier(insured))
    assert client.get(reverse("insurance:plan_list")).status_code == 403
    assert client.get(reverse("insurance:plan_detail", args=[draft.pk])).status_code == 403
    assert client.post(reverse("insurance:plan_activate", args=[draft.pk])).status_code == 403
    assert state(draft) == ("draft", None, "")

"""The clearing page shows, before anyone confirms, the recoveries the confirmation will
deduct: each confirmed recovery not yet deducted, listed against the institution with
its amount, and the net payable. Worked by hand from the March stay: the funds owe the
hospital 30238.19; recoveries of 800.00 and 1500.00 leave 30238.19 − 2300.00 =
27938.19, which is then exactly what the confirmation pays."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

from decimal import Decimal

import pytest
from django.urls import reverse

from huimin.insurance.services import clearing
from huimin.review import workflow
from huimin.review.models import Recovery
from huimin.review.workflow import DecisionIn
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    finding,
    insured,
    make_finding,
    stay,
)

D = Decimal


@pytest.fixture
def two_recoveries(insured, stay, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00"))
    other = make_finding(stay, rule="duplicate_charge")
    workflow.do_decide(insured.officer, other.pk, DecisionIn("confirm", "1500.00"))
    workflow.do_decide(insured.second_officer, other.pk, DecisionIn("second_approve"))
    # one still waiting for its second reviewer is not a recovery yet
    waiting = make_finding(stay, rule="over_ceiling")
    workflow.do_decide(insured.officer, waiting.pk, DecisionIn("confirm", "2000.00"))
    return finding, other


def test_the_preview_lists_each_pending_recovery_and_the_net_payable(
    client, insured, two_recoveries
):
    first, other = two_recoveries
    batch = clearing.do_create_clearing(insured.officer, insured.hospital.pk, "2026-03")
    pending = clearing.pending_adjustments(insured.hospital.pk)
    assert [(p.adjustment.account, p.adjustment.amount) for p in pending] == [
        ("1204", D("-800.00")),
        ("1204", D("-1500.00")),
    ]
    assert f"疑点{first.pk}" in pending[0].label and f"疑点{other.pk}" in pending[1].label
    [part] = clearing.preview(batch)
    assert (part.net, part.adjusted, part.paid) == (D("30238.19"), D("-2300.00"), D("27938.19"))

    client.force_login(insured.officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert 'id="pending-recoveries"' in page
    assert "-800.00" in page and "-1500.00" in page and "-2000.00" not in page
    assert 'id="pending-total">-2300.00<' in page
    assert 'id="net-payable">27938.19<' in page
    assert reverse("review:finding", args=[first.pk]) in page  # the officer may open it
    # the preview marks nothing: both are still to be deducted
    assert set(Recovery.objects.values_list("clearing_batch_id", flat=True)) == {None}

    clearing.do_approve_clearing(insured.officer, batch.pk)
    batch = clearing.do_confirm_clearing(insured.second_officer, batch.pk)
    assert batch.amount_paid == D("27938.19")  # what the preview said
    assert clearing.pending_adjustments(insured.hospital.pk) == []
    client.force_login(insured.second_officer)
    page = client.get(reverse("insurance:clearing_detail", args=[batch.pk])).content.decode()
    assert 'id="pending-recoveries"' not in page
    assert 'id="adjusted">-2300.00<' in page


def test_a_recovery_cancelled_on_appeal_before_the_clearing_is_not_listed(insured, two_recoveries):
    first, _ = two_recoveries
    Recovery.objects.filter(finding=first).update(cancelled_at="2026-04-01T00:00:00Z")
    amounts = [p.adjustment.amount for p in clearing.pending_adjustments(insured.hospital.pk)]
    assert amounts == [D("-1500.00")]

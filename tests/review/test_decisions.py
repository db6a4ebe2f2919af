"""Reviewers' decisions on findings: confirm, dismiss, on-site inspection, second review,
and the refusals the issue lists (deciding twice, one's own finding as second reviewer,
recovering more than was paid). Each refusal changes nothing."""

# ruff: noqa: F811 (pytest fixtures imported from workflow_support are parameters here)

from decimal import Decimal

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from huimin.insurance.ledger.models import JournalEntry
from huimin.review import workflow
from huimin.review.models import Decision, Finding, Recovery
from huimin.review.workflow import DecisionIn
from tests.review.workflow_support import (  # noqa: F401 (fixtures)
    finding,
    hospital_cashier,
    insured,
    make_finding,
    stay,
    third_officer,
)

D = Decimal


def state(f):
    f.refresh_from_db()
    return (
        f.status,
        Decision.objects.filter(finding=f).count(),
        Recovery.objects.count(),
        JournalEntry.objects.filter(source_type="review.recovery").count(),
    )


def test_confirming_below_the_threshold_posts_the_recovery_at_once(insured, finding):
    d = workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "800.00", "属实"))
    finding.refresh_from_db()
    assert (d.kind, d.amount, finding.status) == ("confirm", D("800.00"), "confirmed")
    assert Recovery.objects.get(finding=finding).amount == D("800.00")
    event = AuditEvent.objects.filter(object_type="review.finding").latest("id")
    assert (event.actor_id, event.purpose) == (insured.officer.pk, "confirm")


def test_confirming_above_the_threshold_waits_for_a_second_reviewer(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "1000.01"))
    finding.refresh_from_db()
    assert finding.status == "pending_second"
    assert not Recovery.objects.exists()  # nothing posted before the second reviewer
    workflow.do_decide(insured.second_officer, finding.pk, DecisionIn("second_approve"))
    finding.refresh_from_db()
    assert finding.status == "confirmed"
    assert Recovery.objects.get(finding=finding).amount == D("1000.01")


def test_exactly_the_threshold_needs_no_second_reviewer(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "1000.00"))
    finding.refresh_from_db()
    assert finding.status == "confirmed"


def test_confirming_ones_own_finding_as_second_reviewer_is_refused(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "5000.00"))
    before = state(finding)
    with pytest.raises(PermissionDenied) as exc:
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("second_approve"))
    assert exc.value.code == "four_eyes" and "另一位审核人员" in exc.value.message
    assert state(finding) == before


def test_second_reviewer_who_disagrees_sends_it_back_to_the_queue(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "5000.00"))
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_decide(insured.second_officer, finding.pk, DecisionIn("second_reject"))
    assert "reason" in exc.value.fields
    workflow.do_decide(
        insured.second_officer, finding.pk, DecisionIn("second_reject", reason="证据不足")
    )
    finding.refresh_from_db()
    assert finding.status == "open" and not Recovery.objects.exists()


def test_deciding_a_finding_twice_is_refused(insured, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("dismiss", reason="合理诊疗"))
    before = state(finding)
    for user, data in [
        (insured.officer, DecisionIn("dismiss", reason="合理诊疗")),
        (insured.second_officer, DecisionIn("confirm", "100.00")),
    ]:
        with pytest.raises(Conflict) as exc:
            workflow.do_decide(user, finding.pk, data)
        assert exc.value.status == 409 and exc.value.code == "already_decided"
        assert "排除疑点" in exc.value.message
    assert state(finding) == before


def test_a_double_submit_with_the_same_key_gets_the_first_decision(insured, finding):
    data = DecisionIn("confirm", "300.00", "属实")
    first, replayed = workflow.do_decide_once(insured.officer, finding.pk, data, "form-1")
    again, replayed_again = workflow.do_decide_once(insured.officer, finding.pk, data, "form-1")
    assert (replayed, replayed_again, again.pk) == (False, True, first.pk)
    assert Recovery.objects.get().amount == D("300.00")


def test_recovering_more_than_was_paid_is_refused_naming_the_amount(insured, finding):
    before = state(finding)
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "30238.20"))
    assert exc.value.code == "recovery_exceeds_paid"
    assert "30238.19" in exc.value.fields["amount"]
    assert state(finding) == before


def test_other_confirmed_findings_on_the_claim_lower_what_may_be_recovered(insured, stay, finding):
    other = make_finding(stay, "duplicate_charge")
    workflow.do_decide(insured.officer, other.pk, DecisionIn("confirm", "1000.00"))
    # 30238.19 - 1000.00 = 29238.19 left to recover on this settlement.
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "29238.20"))
    assert "29238.19" in exc.value.fields["amount"]
    assert "1000.00" in exc.value.fields["amount"]
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "29238.19"))
    assert Finding.objects.get(pk=finding.pk).status == "pending_second"


@pytest.mark.parametrize(
    ("amount", "field_text"),
    [("", "须填写"), ("0.00", "大于0"), ("-5.00", ""), ("abc", ""), ("1.005", "")],
)
def test_a_bad_amount_is_refused(insured, finding, amount, field_text):
    before = state(finding)
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", amount))
    assert "amount" in exc.value.fields and field_text in exc.value.fields["amount"]
    assert state(finding) == before


def test_dismissing_needs_a_reason(insured, finding):
    with pytest.raises(ValidationFailed) as exc:
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("dismiss", reason="  "))
    assert exc.value.fields == {"reason": "须填写理由"}


def test_on_site_inspection_result_confirms_or_dismisses(insured, stay, finding):
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("inspect", reason="核对病历"))
    finding.refresh_from_db()
    assert finding.status == "inspection"
    with pytest.raises(Conflict):
        workflow.do_decide(insured.officer, finding.pk, DecisionIn("inspect"))
    workflow.do_decide(insured.officer, finding.pk, DecisionIn("confirm", "200.00", "现场核实"))
    finding.refresh_from_db()
    assert finding.status == "confirmed"
    other = make_finding(stay, "duplicate_charge")
    workflow.do_decide(insured.officer, other.pk, DecisionIn("inspect"))
    workflow.do_decide(insured.officer, other.pk, DecisionIn("dismiss", reason="现场无异常"))
    other.refresh_from_db()
    assert other.status == "dismissed"


def test_a_cashier_or_an_officer_of_another_county_cannot_decide(
    insured, finding, hospital_cashier
):
    from tests.insurance.officer_support import other_county_officer

    before = state(finding)
    with pytest.raises(PermissionDenied):
        workflow.do_decide(hospital_cashier, finding.pk, DecisionIn("confirm", "1.00"))
    from huimin.core.errors import NotFound

    with pytest.raises(NotFound):
        workflow.do_decide(other_county_officer(), finding.pk, DecisionIn("confirm", "1.00"))
    assert state(finding) == before


def _all_at_once(jobs) -> list[str]:
    """Run the jobs in threads released together; what each raised (refusals included)."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait()
            job()
        except Exception as exc:
            errors.append(getattr(exc, "code", repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_deciders_and_confirmations_are_serialised(insured, stay, third_officer):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency need PostgreSQL")
    # Two reviewers decide the same finding at once: one wins, the other is told.
    one = make_finding(stay)
    errors = _all_at_once(
        [
            lambda: workflow.do_decide(insured.officer, one.pk, DecisionIn("confirm", "500.00")),
            lambda: workflow.do_decide(
                insured.second_officer, one.pk, DecisionIn("dismiss", reason="合理")
            ),
        ]
    )
    assert errors == ["already_decided"]
    assert Decision.objects.filter(finding=one).count() == 1
    # Two findings on the settlement confirmed at once for 20000.00 each: 30238.19 was
    # paid and 500.00 may already be taken, so only one of them fits.
    a, b = make_finding(stay, "duplicate_charge"), make_finding(stay, "over_ceiling")
    one.refresh_from_db()
    errors = _all_at_once(
        [
            lambda: workflow.do_decide(insured.officer, a.pk, DecisionIn("confirm", "20000.00")),
            lambda: workflow.do_decide(third_officer, b.pk, DecisionIn("confirm", "20000.00")),
        ]
    )
    assert errors == ["recovery_exceeds_paid"]
    assert Finding.objects.filter(status="pending_second").count() == 1

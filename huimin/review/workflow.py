"""Reviewer workflow (issue 14 items 5 and 6): decisions on findings, second review,
recoveries posted to the fund ledger and netted at the next clearing, institutions'
appeals. `do_*` functions take the acting user, check the policy first, and change
everything in one transaction with the finding row locked and the audit record in it.

The rules themselves (which decision in which status, how much may be recovered, the
four-eyes and independence checks, the deadline, the ledger lines) are workflow_rules.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import documents, idempotency
from huimin.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from huimin.core.money import fmt, parse_amount
from huimin.insurance.ledger import services as ledger
from huimin.insurance.models import Settlement
from huimin.insurance.services import clearing
from huimin.policy import check_perm, visible_to
from huimin.review import scoring
from huimin.review import workflow_conf as conf
from huimin.review import workflow_rules as rules
from huimin.review.models import (
    Appeal,
    AppealStatus,
    Decision,
    DecisionKind,
    Finding,
    FindingStatus,
    Recovery,
)

ZERO = Decimal("0.00")
RECOVERY_SOURCE = "review.recovery"
DECISION_KINDS = ("confirm", "dismiss", "inspect", "second_approve", "second_reject")


def _refusal(exc: rules.DecisionRefused) -> DomainError:
    """The rules' refusal in the error contract: a state conflict is a 409, the four-eyes
    and independence checks 403, bad input 422 naming its field."""
    if exc.code == "already_decided":
        return Conflict(exc.code, exc.message)
    if exc.code in ("four_eyes", "not_independent"):
        return PermissionDenied(exc.message, code=exc.code)
    return ValidationFailed({exc.field or "decision": exc.message}, code=exc.code)


def _locked_finding(user, finding_id: int) -> Finding:
    finding = visible_to(user, Finding).select_for_update().filter(pk=finding_id).first()
    if finding is None:
        raise NotFound("疑点")
    return finding


def _deciders(finding_id: int) -> set[int]:
    return set(
        Decision.objects.filter(finding_id=finding_id).values_list("decided_by_id", flat=True)
    )


def recovered_by_others(finding: Finding) -> Decimal:
    """What other findings on the same settlement already take back (confirmed, or
    waiting for their second reviewer, whose amount is promised too)."""
    if finding.settlement_id is None:
        return ZERO
    confirmed = (
        Recovery.objects.filter(finding__settlement_id=finding.settlement_id, cancelled_at=None)
        .exclude(finding_id=finding.pk)
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    pending = ZERO
    for other in Finding.objects.filter(
        settlement_id=finding.settlement_id, status=FindingStatus.PENDING_SECOND
    ).exclude(pk=finding.pk):
        pending += _last_confirm(other.pk).amount or ZERO
    return confirmed + pending


def _last_confirm(finding_id: int) -> Decision:
    return (
        Decision.objects.filter(finding_id=finding_id, kind=DecisionKind.CONFIRM)
        .order_by("-decided_at", "-id")
        .first()
    )


def _parse_amount(raw) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        return parse_amount(raw, "追回金额")
    except ValueError as exc:
        raise ValidationFailed({"amount": str(exc).split(": ", 1)[-1]}) from None


@dataclass(frozen=True)
class DecisionIn:
    kind: str
    amount: object = None  # a string or Decimal, for confirm
    reason: str = ""


def do_decide(user, finding_id: int, data: DecisionIn, *, request=None) -> Decision:
    """One reviewer's decision on a finding (confirm, dismiss, inspect, or the second
    reviewer's approve/reject). Refused: deciding what is already decided (409), a second
    reviewer who confirmed it (403), more than the funds paid (422 naming `amount`)."""
    check_perm(user, "review.decide")
    if data.kind not in DECISION_KINDS:
        raise ValidationFailed({"kind": "决定类型无效"})
    amount = _parse_amount(data.amount) if data.kind == "confirm" else None
    try:
        reason = rules.check_reason(data.kind, data.reason)
    except rules.DecisionRefused as exc:
        raise _refusal(exc) from None
    with transaction.atomic():
        finding = _locked_finding(user, finding_id)
        check_perm(user, "review.decide", finding.region_code)
        if finding.settlement_id and data.kind in ("confirm", "second_approve"):
            # Serialises confirmations of findings on one settlement: the sum they
            # recover is checked against what was paid with no one else adding to it.
            Settlement.objects.select_for_update().filter(pk=finding.settlement_id).first()
        old = finding.status
        try:
            rules.check_transition(old, data.kind)
            if data.kind == "confirm":
                rules.check_amount(amount, finding.fund_paid, recovered_by_others(finding))
                new = rules.confirmed_status(amount, conf.SECOND_REVIEW_ABOVE)
            elif data.kind in ("second_approve", "second_reject"):
                first = _last_confirm(finding.pk)
                rules.check_second_reviewer(user.pk, first.decided_by_id)
                amount = first.amount
                new = rules.TRANSITIONS[old][data.kind]
            else:
                new = rules.TRANSITIONS[old][data.kind]
        except rules.DecisionRefused as exc:
            raise _refusal(exc) from None
        decision = Decision.objects.create(
            finding=finding, kind=data.kind, decided_by=user, amount=amount, reason=reason
        )
        finding.status = new
        finding.save(update_fields=["status", "updated_at"])
        if new == FindingStatus.CONFIRMED:
            _post_recovery(finding, amount)
        _rescore_if_weighed_anew(finding, old, new)
        record(
            action="update",
            object_type="review.finding",
            object_id=str(finding.pk),
            region_code=finding.region_code,
            actor=user,
            request=request,
            institution_id=finding.institution_id,
            purpose=data.kind,
            changes={
                "status": [old, new],
                **({"amount": [None, fmt(amount)]} if amount is not None else {}),
            },
            person_ids=[finding.person_id] if finding.person_id else None,
        )
    return decision


def _rescore_if_weighed_anew(finding: Finding, old: str, new: str) -> None:
    """Scores follow decisions (scoring.status_factor): a decision that changes how the
    finding weighs (confirmed, dismissed, an appeal granted) rescores its month for its
    institution and doctor here, in the decision's transaction."""
    if scoring.weighs_differently(old, new):
        scoring.rescore_finding(finding)


def do_decide_once(user, finding_id: int, data: DecisionIn, key: str, *, request=None):
    """do_decide under an Idempotency-Key: a double submit with the same key gets the
    first decision back (replayed=True) instead of a 409."""
    body = {
        "finding": finding_id,
        "kind": data.kind,
        "amount": str(data.amount or ""),
        "reason": data.reason,
    }
    return idempotency.run_once(
        f"user:{user.pk}",
        key,
        "review_decision",
        body,
        lambda: do_decide(user, finding_id, data, request=request),
        answer=lambda d: {"decision_id": d.pk},
        replay=lambda a: Decision.objects.get(pk=a["decision_id"]),
    )


def _ledger_of(finding: Finding) -> tuple[str, int, Settlement]:
    s = Settlement.objects.select_related("plan").get(pk=finding.settlement_id)
    return s.plan.region_code, s.year, s


def _post_recovery(finding: Finding, amount: Decimal) -> Recovery:
    """The recovery row and its entry in the settlement's fund ledger (借 1204 / 贷 the
    expense), keyed (review.recovery, finding id, "recovery"): it can never post twice."""
    region, year, s = _ledger_of(finding)
    recovery = Recovery.objects.create(
        finding=finding,
        institution_id=finding.institution_id,
        region_code=finding.region_code,
        amount=amount,
    )
    ledger.post(
        region_code=region,
        year=year,
        source_type=RECOVERY_SOURCE,
        source_id=finding.pk,
        purpose="recovery",
        memo=f"审核追回 疑点{finding.pk} {finding.name} 结算{s.pk}",
        lines=rules.recovery_lines(amount, s.basic_fund, s.critical_illness, s.assistance),
    )
    return recovery


def _reverse_recovery(finding: Finding) -> Recovery | None:
    """A granted appeal: the recovery's entry reversed (purpose "appeal_granted"). Not yet
    deducted: the next clearing skips it. Already deducted: 1204 now owes the institution,
    and the next clearing pays it back (refund_batch_id)."""
    recovery = Recovery.objects.select_for_update().filter(finding=finding).first()
    if recovery is None or recovery.cancelled_at is not None:
        return recovery
    region, year, s = _ledger_of(finding)
    lines = rules.recovery_lines(recovery.amount, s.basic_fund, s.critical_illness, s.assistance)
    ledger.post(
        region_code=region,
        year=year,
        source_type=RECOVERY_SOURCE,
        source_id=finding.pk,
        purpose="appeal_granted",
        memo=f"申诉成立 冲回追回款 疑点{finding.pk}",
        lines=rules.reversal_lines(lines),
    )
    recovery.cancelled_at = timezone.now()
    recovery.save(update_fields=["cancelled_at"])
    return recovery


def clearing_adjustments(institution_id: int, batch_id: int) -> list[clearing.Adjustment]:
    """Registered with insurance.clearing: the institution's open recoveries deducted
    (and marked with the batch), and recoveries cancelled after deduction paid back."""
    out = []
    rows = Recovery.objects.select_related("finding__settlement__plan").filter(
        institution_id=institution_id
    )
    deduct = list(rows.filter(clearing_batch_id=None, cancelled_at=None))
    refund = list(
        rows.filter(refund_batch_id=None)
        .exclude(clearing_batch_id=None)
        .exclude(cancelled_at=None)
        .exclude(clearing_batch_id=batch_id)
    )
    for r, sign in [(r, -1) for r in deduct] + [(r, 1) for r in refund]:
        s = r.finding.settlement
        out.append(clearing.Adjustment(s.plan.region_code, s.year, "1204", sign * r.amount))
    if deduct:
        Recovery.objects.filter(pk__in=[r.pk for r in deduct]).update(clearing_batch_id=batch_id)
    if refund:
        Recovery.objects.filter(pk__in=[r.pk for r in refund]).update(refund_batch_id=batch_id)
    return out


def pending_recoveries(institution_id: int) -> list[clearing.PendingAdjustment]:
    """Registered as the adjuster's preview: what the institution's next clearing would
    deduct (confirmed recoveries not yet deducted) and pay back (recoveries cancelled on
    appeal after deduction), marking nothing. The same rows clearing_adjustments takes."""
    rows = Recovery.objects.select_related("finding__settlement__plan").filter(
        institution_id=institution_id
    )
    deduct = rows.filter(clearing_batch_id=None, cancelled_at=None)
    refund = rows.filter(refund_batch_id=None).exclude(clearing_batch_id=None)
    refund = refund.exclude(cancelled_at=None)
    out = []
    for r, sign, what in [(r, -1, "审核追回") for r in deduct.order_by("posted_at", "pk")] + [
        (r, 1, "申诉成立退还") for r in refund.order_by("posted_at", "pk")
    ]:
        f = r.finding
        s = f.settlement
        out.append(
            clearing.PendingAdjustment(
                clearing.Adjustment(s.plan.region_code, s.year, "1204", sign * r.amount),
                f"{what} 疑点{f.pk} {f.name}（结算{s.pk}）",
                reverse("review:finding", args=[f.pk]),
            )
        )
    return out


# ---------------------------------------------------------------- appeals


def confirmed_on(finding: Finding) -> datetime.date | None:
    """The day the finding's confirmation took effect: the last confirm, or the second
    reviewer's approval when one was needed."""
    d = (
        Decision.objects.filter(
            finding=finding,
            kind__in=[DecisionKind.CONFIRM, DecisionKind.SECOND_APPROVE],
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    return timezone.localdate(d.decided_at) if d else None


def appeal_deadline(finding: Finding) -> datetime.date | None:
    day = confirmed_on(finding)
    return rules.appeal_deadline(day, conf.APPEAL_DAYS) if day else None


APPEAL_DOCUMENTS = "review.appeal"  # the documents' owner type


def appeal_documents(appeal: Appeal) -> list:
    return documents.owned_by(APPEAL_DOCUMENTS, [appeal.pk])[str(appeal.pk)]


def store_appeal_documents(appeal: Appeal, files, user) -> list:
    """Documents go through huimin.core.documents (type, size and checksum checks, stored
    outside the database); the one place the appeal flow touches it."""
    if not files:
        return []
    return [
        documents.store(
            f,
            filename=getattr(f, "name", "document"),
            purpose=APPEAL_DOCUMENTS,
            owner_type=APPEAL_DOCUMENTS,
            owner_id=str(appeal.pk),
            uploaded_by=user,
            field="documents",
        )
        for f in files
    ]


APPEAL_REASON_MAX = 2000


def do_file_appeal(user, finding_id: int, reason: str, files=(), *, request=None) -> Appeal:
    """An institution appeals a confirmed finding about it, within the deadline."""
    check_perm(user, "review.appeal")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "须填写申诉理由"})
    if len(reason) > APPEAL_REASON_MAX:
        raise ValidationFailed({"reason": f"申诉理由最多{APPEAL_REASON_MAX}字"})
    with transaction.atomic():
        finding = _locked_finding(user, finding_id)
        if finding.status == FindingStatus.APPEALED:
            raise Conflict("appeal_exists", "该疑点已有待处理的申诉")
        if finding.status != FindingStatus.CONFIRMED:
            raise Conflict("not_appealable", "只能对已核实的疑点申诉")
        deadline = appeal_deadline(finding)
        try:
            rules.check_appeal_in_time(timezone.localdate(), deadline)
        except rules.DecisionRefused as exc:
            raise _refusal(exc) from None
        appeal = Appeal.objects.create(
            finding=finding,
            institution_id=finding.institution_id,
            region_code=finding.region_code,
            filed_by=user,
            deadline=deadline,
            reason=reason,
        )
        # A refused upload raises here and the appeal rolls back with it.
        store_appeal_documents(appeal, list(files), user)
        finding.status = FindingStatus.APPEALED
        finding.save(update_fields=["status", "updated_at"])
        record(
            action="create",
            object_type="review.appeal",
            object_id=str(appeal.pk),
            region_code=finding.region_code,
            actor=user,
            request=request,
            institution_id=finding.institution_id,
            changes={"finding": [None, finding.pk]},
        )
    return appeal


def do_decide_appeal(user, appeal_id: int, grant: bool, reason: str, *, request=None) -> Appeal:
    """A reviewer who took no part in the finding decides the appeal: upheld (the finding
    stays confirmed) or granted (dismissed, the recovery reversed or paid back)."""
    check_perm(user, "review.decide")
    kind = DecisionKind.APPEAL_GRANT if grant else DecisionKind.APPEAL_UPHOLD
    try:
        reason = rules.check_reason(kind, reason)
    except rules.DecisionRefused as exc:
        raise _refusal(exc) from None
    with transaction.atomic():
        appeal = visible_to(user, Appeal).select_for_update().filter(pk=appeal_id).first()
        if appeal is None:
            raise NotFound("申诉")
        finding = _locked_finding(user, appeal.finding_id)
        check_perm(user, "review.decide", finding.region_code)
        if appeal.status != AppealStatus.OPEN:
            raise Conflict("already_decided", "该申诉已处理")
        try:
            rules.check_transition(finding.status, kind)
            rules.check_appeal_reviewer(user.pk, _deciders(finding.pk))
        except rules.DecisionRefused as exc:
            raise _refusal(exc) from None
        Decision.objects.create(finding=finding, kind=kind, decided_by=user, reason=reason)
        old = finding.status
        finding.status = rules.TRANSITIONS[old][kind]
        finding.save(update_fields=["status", "updated_at"])
        if grant:
            _reverse_recovery(finding)
        _rescore_if_weighed_anew(finding, old, finding.status)
        appeal.status = AppealStatus.GRANTED if grant else AppealStatus.UPHELD
        appeal.decided_by = user
        appeal.decided_at = timezone.now()
        appeal.decision_reason = reason
        appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        record(
            action="approve" if grant else "reject",
            object_type="review.appeal",
            object_id=str(appeal.pk),
            region_code=finding.region_code,
            actor=user,
            request=request,
            institution_id=finding.institution_id,
            purpose=reason[:200],
            changes={
                "status": [AppealStatus.OPEN, appeal.status],
                "finding": [old, finding.status],
            },
        )
    return appeal


# ---------------------------------------------------------------- reads


def queue_filter(params: dict) -> Q:
    """The queue's filters as one Q (each a column of the finding)."""
    q = Q()
    if township := params.get("township"):
        q &= Q(region_code__startswith=township)
    if institution := params.get("institution"):
        q &= Q(institution_id=institution)
    for name in ("severity", "rule", "source"):
        if value := params.get(name):
            q &= Q(**{name: value})
    return q

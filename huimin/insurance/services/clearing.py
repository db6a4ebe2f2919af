"""Reconciliation (3201 totals, 3202 details) and monthly clearing with institutions.

Huimin's side of a day is every settlement and reversal the institution made with a
settlement time on that local date; reversals carry negated amounts, so sums are net.
Clearing a month: one officer approves the batch, a second confirms it; then the
settlements are marked cleared and the month's net is posted, one entry per ledger the
rows posted to. A cleared settlement can still be reversed: the reversal is a row of the
month it is made in.

A batch takes every uncleared settlement and reversal whose own settlement time falls in
the month. A reversal made in a later month therefore counts in the later month: the
original is paid with its month, the reversal deducted with its own, and each row is
cleared exactly once.

When a month's reversals exceed its settlements the net is negative: the institution
owes the fund. Nothing is posted for it — no money has moved, and booking it into the
bank account (1101) would show cash the fund never received. The amount stays where the
reversals left it, a debit balance on 2101 (the payable reversed), and is carried
forward: the institution's next confirmed month in the same ledger deducts it from what
the fund pays (扣减下月拨付), and a month still negative after that carries the rest on.
"""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.dates import EARLIEST_DAY, day_problem
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.money import fmt, r2
from huimin.insurance import plans
from huimin.insurance.ledger import rules as ledger_rules
from huimin.insurance.ledger import services as ledger
from huimin.insurance.models import (
    ClearingBatch,
    ClearingStatus,
    Reconciliation,
    ReconciliationKind,
    Settlement,
)
from huimin.policy import has_perm
from huimin.registry.models import Institution

ZERO = Decimal("0.00")
TOTAL_FIELDS = ("count", "total", "fund_paid", "patient_pay")


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def centre_totals(institution: Institution, day: datetime.date) -> dict:
    start, end = _day_bounds(day)
    agg = Settlement.objects.filter(
        institution=institution, settled_at__gte=start, settled_at__lt=end
    ).aggregate(
        count=Count("id"),
        total=Sum("total"),
        basic=Sum("basic_fund"),
        ci=Sum("critical_illness"),
        assistance=Sum("assistance"),
        patient=Sum("patient_pay"),
    )
    fund = _sum(agg["basic"]) + _sum(agg["ci"]) + _sum(agg["assistance"])
    return {
        "count": agg["count"],
        "total": _sum(agg["total"]),
        "fund_paid": fund,
        "patient_pay": _sum(agg["patient"]),
    }


def _sum(value) -> Decimal:
    # SQLite returns sums of decimals with spurious precision; money has two places.
    return r2(value) if value is not None else ZERO


def _text(value) -> str:
    return str(value) if isinstance(value, int) else fmt(value)


@dataclass
class TotalsIn:
    day: datetime.date
    count: int
    total: Decimal
    fund_paid: Decimal
    patient_pay: Decimal


def do_reconcile_totals(institution: Institution, data: TotalsIn, *, request=None):
    """3201: compare the institution's day totals with the centre's."""
    if problem := day_problem(data.day, timezone.localdate(), "对账日期"):
        raise ValidationFailed({"day": problem})
    centre = centre_totals(institution, data.day)
    theirs = {
        "count": data.count,
        "total": data.total,
        "fund_paid": data.fund_paid,
        "patient_pay": data.patient_pay,
    }
    differences = {
        f: {
            "institution": _text(theirs[f]),
            "centre": _text(centre[f]),
            "difference": _text(theirs[f] - centre[f]),
        }
        for f in TOTAL_FIELDS
        if theirs[f] != centre[f]
    }
    result = {"centre": {k: _text(v) for k, v in centre.items()}, "differences": differences}
    with transaction.atomic():
        run = Reconciliation.objects.create(
            institution=institution,
            region_code=institution.region_id,
            day=data.day,
            kind=ReconciliationKind.TOTALS,
            submitted={k: _text(v) for k, v in theirs.items()},
            result=result,
            matched=not differences,
        )
        record(
            action="create",
            object_type="insurance.reconciliation",
            object_id=str(run.pk),
            region_code=institution.region_id,
            request=request,
            institution_id=institution.pk,
            outcome="success",
        )
    return run


@dataclass
class DetailIn:
    settlement_id: int
    total: Decimal
    fund_paid: Decimal


def do_reconcile_details(institution, day: datetime.date, lines: list[DetailIn], *, request=None):
    """3202: every settlement missing on either side, and every amount that differs."""
    if problem := day_problem(day, timezone.localdate(), "对账日期"):
        raise ValidationFailed({"day": problem})
    ids = [ln.settlement_id for ln in lines]
    if len(ids) != len(set(ids)):
        raise ValidationFailed({"lines": "结算编号重复"})
    start, end = _day_bounds(day)
    ours = {
        s["id"]: s
        for s in Settlement.objects.filter(
            institution=institution, settled_at__gte=start, settled_at__lt=end
        ).values("id", "total", "basic_fund", "critical_illness", "assistance", "kind")
    }
    theirs = {ln.settlement_id: ln for ln in lines}
    missing_at_centre = sorted(set(theirs) - set(ours))
    missing_at_institution = sorted(set(ours) - set(theirs))
    differs = []
    for sid in sorted(set(ours) & set(theirs)):
        o, t = ours[sid], theirs[sid]
        fund = o["basic_fund"] + o["critical_illness"] + o["assistance"]
        if o["total"] != t.total or fund != t.fund_paid:
            differs.append(
                {
                    "settlement_id": sid,
                    "centre": {"total": fmt(o["total"]), "fund_paid": fmt(fund)},
                    "institution": {"total": fmt(t.total), "fund_paid": fmt(t.fund_paid)},
                }
            )
    result = {
        "missing_at_centre": missing_at_centre,
        "missing_at_institution": missing_at_institution,
        "amount_differs": differs,
        "matched_count": len(set(ours) & set(theirs)) - len(differs),
    }
    matched = not (missing_at_centre or missing_at_institution or differs)
    with transaction.atomic():
        run = Reconciliation.objects.create(
            institution=institution,
            region_code=institution.region_id,
            day=day,
            kind=ReconciliationKind.DETAILS,
            submitted=[
                {
                    "settlement_id": ln.settlement_id,
                    "total": fmt(ln.total),
                    "fund_paid": fmt(ln.fund_paid),
                }
                for ln in lines
            ],
            result=result,
            matched=matched,
        )
        record(
            action="create",
            object_type="insurance.reconciliation",
            object_id=str(run.pk),
            region_code=institution.region_id,
            request=request,
            institution_id=institution.pk,
        )
    return run


# ---------------------------------------------------------------- clearing


def _month_bounds(month: str) -> tuple[datetime.datetime, datetime.datetime]:
    try:
        first = datetime.date.fromisoformat(month + "-01")
    except ValueError:
        raise ValidationFailed({"month": "月份格式应为YYYY-MM"}) from None
    # Day arithmetic stays in range (0001-01 or 9999-12 would overflow).
    if first < EARLIEST_DAY:
        raise ValidationFailed({"month": f"月份不能早于{EARLIEST_DAY:%Y-%m}"})
    if first.year > 9000:
        raise ValidationFailed({"month": "月份超出范围"})
    nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return _day_bounds(first)[0], _day_bounds(nxt)[0]


PAY, CARRY, NOTHING = "pay", "carry", "nothing"
CANCEL_REASON_MAX = 200


def direction(net: Decimal) -> str:
    """Which way a month's net goes: the fund pays the institution, the institution owes
    the fund (reversals exceed settlements: carried to its next months), or nothing."""
    return PAY if net > 0 else CARRY if net < 0 else NOTHING


def clearing_lines(amount: Decimal) -> list[ledger_rules.Line]:
    """The payment entry, all in the fund group: 借 2101 应付定点医疗机构款 / 贷 1101
    统筹基金银行存款. Only money paid out is posted; an amount owed by the institution
    (<= 0) has no lines: it stays on 2101 until a later month deducts it."""
    L = ledger_rules.Line
    if amount <= 0:
        return []
    amount = r2(amount)
    return [L("2101", debit=amount), L("1101", credit=amount)]


@dataclass(frozen=True)
class Adjustment:
    """Money an app above insurance nets into a confirmation (review's recoveries, 追回):
    `amount` < 0 is deducted from what the fund pays, > 0 added to it; the counterpart
    of 2101 is the fund account `account` (1204 for recoveries)."""

    region_code: str
    year: int
    account: str
    amount: Decimal


# Adjusters, registered by apps above insurance (insurance never imports them):
# fn(institution_id, batch_id) -> list[Adjustment], called under the institution's lock
# inside the confirmation; each marks its own rows with the batch so it runs once.
_ADJUSTERS: list = []
# Their read-only side for the preview: fn(institution_id) -> list[PendingAdjustment],
# what the next confirmation would net in, marking nothing.
_PREVIEWERS: list = []


@dataclass(frozen=True)
class PendingAdjustment:
    """One amount the next confirmation will net in, as the clearing page lists it."""

    adjustment: "Adjustment"
    label: str  # Chinese, e.g. "审核追回 疑点12 疑似分解住院"
    url: str = ""  # the page of what it comes from, for those who may see it


def register_adjuster(fn, preview=None) -> None:
    if fn not in _ADJUSTERS:
        _ADJUSTERS.append(fn)
    if preview is not None and preview not in _PREVIEWERS:
        _PREVIEWERS.append(preview)


def pending_adjustments(institution_id: int) -> list[PendingAdjustment]:
    return [p for fn in _PREVIEWERS for p in fn(institution_id)]


def adjusted_by_ledger(pending: list[PendingAdjustment]) -> dict[tuple[str, int], Decimal]:
    out: dict[tuple[str, int], Decimal] = {}
    for p in pending:
        key = (p.adjustment.region_code, p.adjustment.year)
        out[key] = out.get(key, ZERO) + p.adjustment.amount
    return out


def adjustment_lines(account: str, amount: Decimal) -> list[ledger_rules.Line]:
    """Deducted (< 0): 借 2101 / 贷 account; added (> 0): 借 account / 贷 2101."""
    L = ledger_rules.Line
    if amount < 0:
        return [L("2101", debit=-amount), L(account, credit=-amount)]
    if amount > 0:
        return [L(account, debit=amount), L("2101", credit=amount)]
    return []


@dataclass(frozen=True)
class LedgerClearing:
    """One ledger's part of a confirmation: the month's net, what earlier months left
    owed (<= 0), the adjustments netted in (recoveries), and from their sum what is paid
    and what is carried on."""

    region_code: str
    year: int
    net: Decimal
    carried_in: Decimal = ZERO
    adjusted: Decimal = ZERO

    @property
    def paid(self) -> Decimal:
        return max(self.net + self.carried_in + self.adjusted, ZERO)

    @property
    def carried_out(self) -> Decimal:
        # A recovery larger than the month is owed like a reversal: a debit on 2101.
        return min(self.net + self.carried_in + self.adjusted, ZERO)

    def as_json(self) -> dict:
        out = {
            "region_code": self.region_code,
            "year": self.year,
            "net": fmt(self.net),
            "carried_in": fmt(self.carried_in),
            "paid": fmt(self.paid),
            "carried_out": fmt(self.carried_out),
        }
        if self.adjusted:  # only months with recoveries name them
            out["adjusted"] = fmt(self.adjusted)
        return out


def combine(nets: dict, carried: dict, adjusted: dict | None = None) -> list[LedgerClearing]:
    """Per ledger (region, year): the month's nets with the amounts carried into them.
    A ledger with only a carry is kept, so its carry passes on to the next month."""
    adjusted = adjusted or {}
    return [
        LedgerClearing(
            region,
            year,
            nets.get((region, year), ZERO),
            carried.get((region, year), ZERO),
            adjusted.get((region, year), ZERO),
        )
        for region, year in sorted(set(nets) | set(carried) | set(adjusted))
    ]


def owed_by_institution(institution_id: int) -> dict[tuple[str, int], Decimal]:
    """What the institution still owes per ledger (<= 0): the carry its latest confirmed
    batch left. Every confirmation carries all open amounts on, so the latest holds them
    all (batches confirmed before carrying existed hold none)."""
    last = (
        ClearingBatch.objects.filter(institution_id=institution_id, status=ClearingStatus.CONFIRMED)
        .order_by("-confirmed_at", "-pk")
        .only("ledgers")
        .first()
    )
    owed = {}
    for part in last.ledgers if last else []:
        amount = Decimal(part["carried_out"])
        if amount:
            owed[(part["region_code"], int(part["year"]))] = amount
    return owed


def open_nets(institution_id: int, month: str) -> dict[tuple[str, int], Decimal]:
    """The month's uncleared rows' funds net per ledger (what a confirmation would take)."""
    start, end = _month_bounds(month)
    return _nets(
        Settlement.objects.filter(
            institution_id=institution_id,
            settled_at__gte=start,
            settled_at__lt=end,
            clearing_batch_id__isnull=True,
        )
    )


def _nets(rows) -> dict[tuple[str, int], Decimal]:
    return {
        (row["plan__region_code"], row["year"]): _sum(row["basic"])
        + _sum(row["ci"])
        + _sum(row["assistance"])
        for row in rows.values("plan__region_code", "year")
        .annotate(basic=Sum("basic_fund"), ci=Sum("critical_illness"), assistance=Sum("assistance"))
        .order_by("plan__region_code", "year")
    }


def preview(batch: ClearingBatch, pending: list | None = None) -> list[LedgerClearing]:
    """For a batch not yet confirmed: what confirming it now would pay and carry, with
    the adjustments (recoveries) it would net in."""
    if pending is None:
        pending = pending_adjustments(batch.institution_id)
    return combine(
        open_nets(batch.institution_id, batch.month),
        owed_by_institution(batch.institution_id),
        adjusted_by_ledger(pending),
    )


def _check_officer(user) -> None:
    if not has_perm(user, "clearing.manage"):
        raise PermissionDenied("无权办理清算")


def do_create_clearing(user, institution_id: int, month: str) -> ClearingBatch:
    _check_officer(user)
    start, end = _month_bounds(month)
    if end > timezone.now():
        raise ValidationFailed({"month": "只能清算已结束的月份"})
    institution = Institution.objects.visible_to(user).filter(pk=institution_id).first()
    if institution is None:
        raise NotFound("医疗机构")
    with transaction.atomic():
        if (
            ClearingBatch.objects.filter(institution=institution, month=month)
            .exclude(status=ClearingStatus.CANCELLED)
            .exists()
        ):
            raise Conflict("clearing_exists", "该机构该月已有清算批次")
        rows = Settlement.objects.filter(
            institution=institution,
            settled_at__gte=start,
            settled_at__lt=end,
            clearing_batch_id__isnull=True,
        )
        agg = rows.aggregate(
            n=Count("id"),
            total=Sum("total"),
            basic=Sum("basic_fund"),
            ci=Sum("critical_illness"),
            assistance=Sum("assistance"),
        )
        plan = plans.active_plan_for(institution.region_id, start.year)
        batch = ClearingBatch.objects.create(
            institution=institution,
            region_code=plan.region_code if plan else institution.region_id[:6],
            month=month,
            settlement_count=agg["n"],
            total=_sum(agg["total"]),
            basic_fund=_sum(agg["basic"]),
            critical_illness=_sum(agg["ci"]),
            assistance=_sum(agg["assistance"]),
            amount_payable=_sum(agg["basic"]) + _sum(agg["ci"]) + _sum(agg["assistance"]),
            created_by=user,
        )
        record(
            action="create",
            object_type="insurance.clearing",
            object_id=str(batch.pk),
            region_code=institution.region_id,
            actor=user,
        )
    return batch


def _locked_batch(user, batch_id: int) -> ClearingBatch:
    batch = ClearingBatch.objects.select_for_update().filter(pk=batch_id).first()
    if (
        batch is None
        or not Institution.objects.visible_to(user).filter(pk=batch.institution_id).exists()
    ):
        raise NotFound("清算批次")
    return batch


def do_approve_clearing(user, batch_id: int) -> ClearingBatch:
    _check_officer(user)
    with transaction.atomic():
        batch = _locked_batch(user, batch_id)
        if batch.status != ClearingStatus.DRAFT:
            raise Conflict("clearing_not_draft", "只有待审核的批次可以审核")
        batch.status = ClearingStatus.APPROVED
        batch.approved_by = user
        batch.approved_at = timezone.now()
        batch.save(update_fields=["status", "approved_by", "approved_at"])
        record(
            action="approve",
            object_type="insurance.clearing",
            object_id=str(batch.pk),
            region_code=batch.region_code,
            actor=user,
        )
    return batch


def do_confirm_clearing(user, batch_id: int) -> ClearingBatch:
    """The second officer: marks the month's settlements cleared and posts the payment."""
    _check_officer(user)
    with transaction.atomic():
        batch = _locked_batch(user, batch_id)
        if batch.status != ClearingStatus.APPROVED:
            # Say where the batch stands: a second click on 复核 must not read as "approve
            # it first" when it was paid a moment ago.
            raise Conflict(
                "clearing_not_approved",
                {
                    ClearingStatus.DRAFT: "批次须先审核",
                    ClearingStatus.CONFIRMED: "该批次已复核拨付，不能重复复核",
                    ClearingStatus.CANCELLED: "该批次已作废",
                }.get(batch.status, "批次须先审核"),
            )
        if batch.approved_by_id == user.pk or batch.created_by_id == user.pk:
            raise PermissionDenied("复核须由另一位经办人员办理", code="four_eyes")
        # One confirmation at a time per institution: each takes the carry the one
        # before it left (read after this lock, so a carry is never deducted twice).
        Institution.objects.select_for_update().filter(pk=batch.institution_id).first()
        start, end = _month_bounds(batch.month)
        marked = Settlement.objects.filter(
            institution_id=batch.institution_id,
            settled_at__gte=start,
            settled_at__lt=end,
            clearing_batch_id__isnull=True,
        ).update(clearing_batch_id=batch.pk)
        # By the ledger each row posted to (its plan's region, its year): a December visit
        # settled in January, or a patient of another pooling region, is paid from the
        # ledger that owes it.
        by_ledger = _nets(Settlement.objects.filter(clearing_batch_id=batch.pk))
        amount = sum(by_ledger.values(), ZERO)
        if marked != batch.settlement_count or amount != batch.amount_payable:
            # The month's rows changed after the batch was drawn up: same number and the
            # same money, or nothing is paid.
            raise Conflict("clearing_changed", "该月结算数据已变化，请作废后重新生成批次")
        adjustments = [a for fn in _ADJUSTERS for a in fn(batch.institution_id, batch.pk)]
        adjusted, by_account = {}, {}
        for a in adjustments:
            adjusted[(a.region_code, a.year)] = (
                adjusted.get((a.region_code, a.year), ZERO) + a.amount
            )
            key = (a.region_code, a.year, a.account)
            by_account[key] = by_account.get(key, ZERO) + a.amount
        parts = combine(by_ledger, owed_by_institution(batch.institution_id), adjusted)
        batch.status = ClearingStatus.CONFIRMED
        batch.confirmed_by = user
        batch.confirmed_at = timezone.now()
        batch.carried_in = sum((p.carried_in for p in parts), ZERO)
        batch.amount_paid = sum((p.paid for p in parts), ZERO)
        batch.carried_out = sum((p.carried_out for p in parts), ZERO)
        batch.ledgers = [p.as_json() for p in parts]
        if batch.amount_paid > 0:
            # Only money paid out gets a reference and an entry.
            batch.payment_reference = (
                f"QS{batch.month.replace('-', '')}{secrets.token_hex(4).upper()}"
            )
        batch.save(
            update_fields=[
                "status",
                "confirmed_by",
                "confirmed_at",
                "payment_reference",
                "carried_in",
                "amount_paid",
                "carried_out",
                "ledgers",
            ]
        )
        for (region, year, account), amount in sorted(by_account.items()):
            if lines := adjustment_lines(account, amount):
                ledger.post(
                    region_code=region,
                    year=year,
                    source_type="clearing",
                    source_id=f"{batch.pk}-{region}-{year}",
                    purpose=f"adjust-{account}",
                    memo=f"清算抵扣/退还 {batch.month}",
                    lines=lines,
                )
        for p in parts:
            lines = clearing_lines(p.paid)
            if not lines:
                continue
            deducted = f"，抵扣以前月份应退回{fmt(-p.carried_in)}" if p.carried_in else ""
            ledger.post(
                region_code=p.region_code,
                year=p.year,
                source_type="clearing",
                # One entry per ledger; the batch's own ledger keeps the plain id.
                source_id=(
                    str(batch.pk)
                    if (p.region_code, p.year) == (batch.region_code, int(batch.month[:4]))
                    else f"{batch.pk}-{p.region_code}-{p.year}"
                ),
                purpose="payment",
                memo=f"拨付 {batch.month} {batch.payment_reference}{deducted}",
                lines=lines,
            )
        record(
            action="approve",
            object_type="insurance.clearing",
            object_id=str(batch.pk),
            region_code=batch.region_code,
            actor=user,
            purpose="confirm",
            changes={
                "carried_in": [None, fmt(batch.carried_in)],
                "amount_paid": [None, fmt(batch.amount_paid)],
                "carried_out": [None, fmt(batch.carried_out)],
            },
        )
    return batch


def do_cancel_clearing(user, batch_id: int, reason: str) -> ClearingBatch:
    """Void a batch not yet confirmed (e.g. the month changed): a new one can be drawn up."""
    _check_officer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "须填写作废原因"})
    if len(reason) > CANCEL_REASON_MAX:
        raise ValidationFailed({"reason": f"作废原因最多{CANCEL_REASON_MAX}字"})
    with transaction.atomic():
        batch = _locked_batch(user, batch_id)
        if batch.status == ClearingStatus.CONFIRMED:
            raise Conflict("clearing_not_cancellable", "已复核拨付的批次不能作废")
        if batch.status == ClearingStatus.CANCELLED:
            raise Conflict("clearing_not_cancellable", "该批次已作废")
        old = batch.status
        batch.status = ClearingStatus.CANCELLED
        batch.save(update_fields=["status"])
        record(
            action="update",
            object_type="insurance.clearing",
            object_id=str(batch.pk),
            region_code=batch.region_code,
            actor=user,
            purpose=reason,
            changes={"status": [old, ClearingStatus.CANCELLED]},
        )
    return batch

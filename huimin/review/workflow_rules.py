"""The reviewer workflow's rules: which decision a finding takes in which status, how much
a confirmation may recover, when a second reviewer is needed, the appeal deadline and the
ledger lines of a recovery. Pure: plain values in, plain values out (issue 14 items 5, 6).
"""

import datetime
from decimal import Decimal

from huimin.core.money import fmt, r2
from huimin.insurance.ledger.rules import Line

ZERO = Decimal("0.00")

# status -> the decisions a reviewer may take on it, and the status each leads to. A
# confirmation's status is worked out from its amount (second review or not), so it is
# None here. Confirmed and dismissed findings take no reviewer decision: a confirmed one
# moves on only through an appeal (filed by the institution, decided below).
TRANSITIONS: dict[str, dict[str, str | None]] = {
    "open": {"confirm": None, "dismiss": "dismissed", "inspect": "inspection"},
    # The on-site inspection's result confirms or dismisses.
    "inspection": {"confirm": None, "dismiss": "dismissed"},
    # 复核不同意 sends the finding back to the queue for a fresh decision.
    "pending_second": {"second_approve": "confirmed", "second_reject": "open"},
    "appealed": {"appeal_uphold": "confirmed", "appeal_grant": "dismissed"},
    "confirmed": {},
    "dismissed": {},
}

STATUS_LABELS = {
    "open": "待审核",
    "pending_second": "待复核",
    "inspection": "待现场核查",
    "confirmed": "核实违规",
    "dismissed": "排除疑点",
    "appealed": "申诉中",
}

# The statuses a reviewer's queue holds: everything still waiting for someone.
QUEUE_STATUSES = ("open", "pending_second", "inspection", "appealed")

# Decisions whose reason is required: a dismissal, a second reviewer's refusal and an
# appeal's outcome must say why (the institution and the audit read it later).
REASON_REQUIRED = frozenset({"dismiss", "second_reject", "appeal_uphold", "appeal_grant"})
REASON_MAX = 1000


class DecisionRefused(Exception):
    """A decision the rules refuse: `code`, a Chinese `message` and the `field` it names."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def allowed(status: str) -> tuple[str, ...]:
    return tuple(TRANSITIONS.get(status, {}))


def check_transition(status: str, kind: str) -> None:
    """Refuse a decision the finding's status does not take (a second click, a decision
    someone else made a moment ago): code `already_decided`, a 409."""
    if kind not in TRANSITIONS.get(status, {}):
        label = STATUS_LABELS.get(status, status)
        raise DecisionRefused("already_decided", f"该疑点当前状态为“{label}”，不能再作此决定")


def check_reason(kind: str, reason: str) -> str:
    reason = (reason or "").strip()
    if kind in REASON_REQUIRED and not reason:
        raise DecisionRefused("validation_failed", "须填写理由", "reason")
    if len(reason) > REASON_MAX:
        raise DecisionRefused("validation_failed", f"理由最多{REASON_MAX}字", "reason")
    return reason


def recoverable(fund_paid: Decimal, recovered_by_others: Decimal) -> Decimal:
    """The most a confirmation may recover: what the funds paid on the settlement less
    what other confirmed findings on it already take back (never below zero)."""
    return max(r2(fund_paid) - r2(recovered_by_others), ZERO)


def check_amount(amount: Decimal | None, fund_paid: Decimal, recovered_by_others: Decimal):
    """A confirmation's amount: positive, two places, at most `recoverable`."""
    if amount is None:
        raise DecisionRefused("validation_failed", "须填写追回金额", "amount")
    if amount <= 0:
        raise DecisionRefused("validation_failed", "追回金额须大于0", "amount")
    if amount != amount.quantize(Decimal("0.01")):
        raise DecisionRefused("validation_failed", "追回金额最多两位小数", "amount")
    most = recoverable(fund_paid, recovered_by_others)
    if amount > most:
        others = f"，其他已核实疑点已追回{fmt(recovered_by_others)}" if recovered_by_others else ""
        raise DecisionRefused(
            "recovery_exceeds_paid",
            f"追回金额{fmt(amount)}超过可追回金额{fmt(most)}（基金支付{fmt(fund_paid)}{others}）",
            "amount",
        )
    return amount


def needs_second_review(amount: Decimal, threshold: Decimal) -> bool:
    """Above the threshold a confirmation waits for a second reviewer (equal does not)."""
    return amount > threshold


def confirmed_status(amount: Decimal, threshold: Decimal) -> str:
    return "pending_second" if needs_second_review(amount, threshold) else "confirmed"


def check_second_reviewer(user_id: int, confirmed_by_id: int) -> None:
    if user_id == confirmed_by_id:
        raise DecisionRefused("four_eyes", "复核须由另一位审核人员办理，不能复核本人的决定")


def check_appeal_reviewer(user_id: int, deciders: set[int]) -> None:
    """An appeal goes to a reviewer who took no part in the finding's decisions."""
    if user_id in deciders:
        raise DecisionRefused(
            "not_independent", "申诉须由未参与该疑点审核的人员处理，您曾对该疑点作出决定"
        )


def appeal_deadline(confirmed_on: datetime.date, days: int) -> datetime.date:
    """The last day an appeal may be filed: `days` calendar days after the confirmation."""
    return confirmed_on + datetime.timedelta(days=days)


def check_appeal_in_time(today: datetime.date, deadline: datetime.date) -> None:
    if today > deadline:
        raise DecisionRefused(
            "appeal_deadline_passed", f"申诉期限已过（截至{deadline:%Y-%m-%d}）", "finding_id"
        )


def recovery_lines(
    amount: Decimal, basic_fund: Decimal, critical_illness: Decimal, assistance: Decimal
) -> list[Line]:
    """The fund entry of a recovery: 借 1204 应收定点医疗机构追回款 / 贷 the benefit
    expenses the settlement debited (5101, then 5102, then 5103, each at most what it
    paid). Money wrongly paid was never a benefit: the recovery takes it out of the
    expense it was booked to and makes it a receivable from the institution, which the
    next clearing nets against what the fund owes it (借 2101 / 贷 1204)."""
    amount = r2(amount)
    lines, left = [], amount
    for account, paid in (("5101", basic_fund), ("5102", critical_illness), ("5103", assistance)):
        part = min(left, max(r2(paid), ZERO))
        if part > 0:
            lines.append(Line(account, credit=part))
            left -= part
    if left > 0:  # more than the settlement paid: check_amount refuses this first
        raise DecisionRefused("recovery_exceeds_paid", "追回金额超过基金支付", "amount")
    return [Line("1204", debit=amount), *lines]


def reversal_lines(lines: list[Line]) -> list[Line]:
    """A granted appeal's entry: the recovery's lines with the sides swapped."""
    return [Line(ln.account, debit=ln.credit, credit=ln.debit) for ln in lines]


def institution_status(status: str) -> str:
    """What an institution is told of a finding's status. Before a decision it sees only
    that the claim is under review: a proposed amount waiting for a second reviewer is
    not a decision, and an announced on-site inspection would no longer inspect much."""
    if status in ("open", "pending_second", "inspection"):
        return "审核中"
    return STATUS_LABELS.get(status, status)

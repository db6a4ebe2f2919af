"""Dispute mediation (医疗纠纷调解): the steps, their order, their deadlines and what each
step must record. Pure functions over plain data, testable without a database.

A case moves through the steps strictly in order, one record per step:

    受理 → 调查取证 → 初步责任认定 → 专家鉴定 → 调解 → 达成协议 → 履行赔付 → 回访 → 结案

专家鉴定 may be marked 不需要 with a reason (the step is still recorded); at 达成协议 the
parties may instead fail to agree (调解不成), which closes the case with the reason.
Each step has a deadline counted in days from the previous step (or the case's opening).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from huimin.core.money import parse_amount
from huimin.core.text import has_control, has_control_or_break

ACCEPTANCE = "acceptance"
EVIDENCE = "evidence"
RESPONSIBILITY = "responsibility"
EXPERT = "expert"
MEDIATION = "mediation"
AGREEMENT = "agreement"
PAYMENT = "payment"
FOLLOW_UP = "follow_up"
CLOSED = "closed"

STEPS: tuple[tuple[str, str], ...] = (
    (ACCEPTANCE, "受理"),
    (EVIDENCE, "调查取证"),
    (RESPONSIBILITY, "初步责任认定"),
    (EXPERT, "专家鉴定"),
    (MEDIATION, "调解"),
    (AGREEMENT, "达成协议"),
    (PAYMENT, "履行赔付"),
    (FOLLOW_UP, "回访"),
)
STEP_CODES = tuple(code for code, _ in STEPS)
STEP_LABELS = dict(STEPS)
STATUS_LABELS = {**STEP_LABELS, CLOSED: "已结案"}

# Days allowed for each step, counted from the day the step before it was done. The
# acceptance figure follows 医疗纠纷预防和处理条例 (2018) art. 32 (5 working days to
# decide on acceptance) and mediation's art. 33 (30 working days); the rest are the
# office's working figures, configurable by HUIMIN_MEDIATION_STEP_DAYS.
DEFAULT_DAYS: dict[str, int] = {
    ACCEPTANCE: 5,
    EVIDENCE: 30,
    RESPONSIBILITY: 15,
    EXPERT: 60,
    MEDIATION: 30,
    AGREEMENT: 15,
    PAYMENT: 30,
    FOLLOW_UP: 30,
}
MAX_DAYS = 365

RESPONSIBILITY_DEGREES: tuple[tuple[str, str], ...] = (
    ("major", "主要责任"),
    ("minor", "次要责任"),
    ("equal", "同等责任"),
    ("slight", "轻微责任"),
    ("none", "无责任"),
)
EXPERT_RESULTS = (("done", "已鉴定"), ("not_needed", "不需要鉴定"))
AGREEMENT_RESULTS = (("agreed", "达成协议"), ("failed", "调解不成"))
FOLLOW_UP_RESULTS = (("satisfied", "满意"), ("fair", "基本满意"), ("unsatisfied", "不满意"))
RESULT_LABELS = {
    **dict(EXPERT_RESULTS),
    **dict(AGREEMENT_RESULTS),
    **dict(FOLLOW_UP_RESULTS),
    "done": "已完成",
}

MAX_NOTE = 2000
MAX_REFERENCE = 60
MAX_AMOUNT = Decimal("99999999.99")  # what the columns hold (12 digits, 2 places)


class StepOutOfOrder(ValueError):
    """A step other than the case's next one: skipping (or repeating) is refused."""


def parse_step_days(raw: str | None) -> dict[str, int]:
    """HUIMIN_MEDIATION_STEP_DAYS, e.g. "acceptance=5,evidence=20": the days of the steps
    named, the defaults for the rest. Raises ValueError naming what is wrong."""
    days = dict(DEFAULT_DAYS)
    if raw is None or not raw.strip():
        return days
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        step, eq, value = part.partition("=")
        step, value = step.strip(), value.strip()
        if not eq or step not in DEFAULT_DAYS:
            known = ", ".join(STEP_CODES)
            raise ValueError(f"{part!r}: expected STEP=DAYS with STEP one of {known}")
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_DAYS:
            raise ValueError(f"{part!r}: days must be a whole number from 1 to {MAX_DAYS}")
        days[step] = int(value)
    return days


def next_step(status: str) -> str | None:
    """The step a case at `status` records next; None once closed."""
    return status if status in STEP_CODES else None


def status_after(step: str, result: str) -> str:
    """Where a case goes once `step` is recorded with `result`."""
    if step == AGREEMENT and result == "failed":
        return CLOSED
    index = STEP_CODES.index(step)
    return STEP_CODES[index + 1] if index + 1 < len(STEP_CODES) else CLOSED


def due_date(step: str | None, start: datetime.date, days: dict[str, int]) -> datetime.date | None:
    """The day by which `step` is to be done when it became the case's step on `start`."""
    if step is None or step == CLOSED:
        return None
    return start + datetime.timedelta(days=days[step])


def is_overdue(status: str, due: datetime.date | None, today: datetime.date) -> bool:
    return status != CLOSED and due is not None and today > due


def days_overdue(status: str, due: datetime.date | None, today: datetime.date) -> int:
    return (today - due).days if is_overdue(status, due, today) else 0


@dataclass(frozen=True)
class StepEntry:
    """One step's record, checked: what the service writes."""

    step: str
    result: str
    note: str
    responsibility: str = ""
    amount: Decimal | None = None
    reference: str = ""

    @property
    def closes_case(self) -> bool:
        return status_after(self.step, self.result) == CLOSED


def _text(data: dict, name: str, limit: int, errors: dict, *, one_line=False) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str):
        errors[name] = "应为文字"
        return ""
    value = value.strip()
    if len(value) > limit:
        errors[name] = f"不能超过{limit}个字"
    elif one_line and has_control_or_break(value):
        errors[name] = "不能含有换行或控制字符"
    elif has_control(value):
        errors[name] = "不能含有控制字符"
    return value


def _amount(data: dict, name: str, label: str, errors: dict) -> Decimal | None:
    raw = data.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        errors[name] = f"请填写{label}"
        return None
    try:
        value = parse_amount(raw, label)
    except ValueError as exc:
        errors[name] = str(exc).split(": ", 1)[-1]
        return None
    if value > MAX_AMOUNT:
        errors[name] = f"{label}过大"
        return None
    return value


def _choice(data: dict, name: str, choices, label: str, errors: dict) -> str:
    value = data.get(name) or ""
    if value not in dict(choices):
        errors[name] = f"请选择{label}" if not value else f"{label}不在允许范围内"
        return ""
    return value


def check_step(
    status: str, step: str, data: dict, *, agreed_amount: Decimal | None = None
) -> StepEntry:
    """Check one step's form against the case's status: the entry to write, or
    StepOutOfOrder for any step but the next one, or StepErrors naming the fields."""
    expected = next_step(status)
    if step not in STEP_CODES:
        raise StepOutOfOrder("没有这一调解步骤")
    if expected is None:
        raise StepOutOfOrder("案件已结案，不能再登记步骤")
    if step != expected:
        done = STEP_CODES.index(step) < STEP_CODES.index(expected)
        raise StepOutOfOrder(
            f"“{STEP_LABELS[step]}”已登记，不能重复登记"
            if done
            else f"请先完成“{STEP_LABELS[expected]}”，不能跳过步骤直接登记“{STEP_LABELS[step]}”"
        )

    errors: dict[str, str] = {}
    note = _text(data, "note", MAX_NOTE, errors)
    result, responsibility, amount, reference = "done", "", None, ""
    if step == RESPONSIBILITY:
        responsibility = _choice(data, "responsibility", RESPONSIBILITY_DEGREES, "责任程度", errors)
    elif step == EXPERT:
        result = _choice(data, "result", EXPERT_RESULTS, "鉴定情况", errors)
        if result == "not_needed" and not note and "note" not in errors:
            errors["note"] = "不需要鉴定时须说明理由"
        if result == "done":
            reference = _text(data, "reference", MAX_REFERENCE, errors, one_line=True)
            if not reference and "reference" not in errors:
                errors["reference"] = "请填写鉴定意见书编号"
            if not note and "note" not in errors:
                errors["note"] = "请填写鉴定意见"
    elif step == AGREEMENT:
        result = _choice(data, "result", AGREEMENT_RESULTS, "调解结果", errors)
        if result == "agreed":
            amount = _amount(data, "amount", "协议赔偿金额", errors)
            if amount is not None and amount <= 0:
                errors["amount"] = "协议赔偿金额应大于0"
        elif result == "failed" and not note and "note" not in errors:
            errors["note"] = "调解不成须说明原因"
    elif step == PAYMENT:
        amount = _amount(data, "amount", "实际赔付金额", errors)
        reference = _text(data, "reference", MAX_REFERENCE, errors, one_line=True)
        if not reference and "reference" not in errors:
            errors["reference"] = "请填写付款凭证号"
        if amount is not None and agreed_amount is not None and amount != agreed_amount:
            errors["amount"] = f"实际赔付金额应与协议金额 {agreed_amount} 元一致"
    elif step == FOLLOW_UP:
        result = _choice(data, "result", FOLLOW_UP_RESULTS, "回访结果", errors)
    elif step in (ACCEPTANCE, EVIDENCE, MEDIATION) and not note and "note" not in errors:
        errors["note"] = {
            ACCEPTANCE: "请填写受理意见",
            EVIDENCE: "请填写取证情况",
            MEDIATION: "请填写调解经过",
        }[step]
    if errors:
        raise StepErrors(errors)
    return StepEntry(step, result, note, responsibility, amount, reference)


class StepErrors(ValueError):
    def __init__(self, fields: dict[str, str]):
        super().__init__("；".join(fields.values()))
        self.fields = fields


@dataclass(frozen=True)
class NewCase:
    applicant_name: str
    summary: str
    claimed_amount: Decimal


def check_new_case(data: dict, *, has_person: bool) -> NewCase:
    """The new-case form's own fields (the person, institution and settlement are looked
    up by the service). Raises StepErrors with the fields at fault."""
    errors: dict[str, str] = {}
    name = _text(data, "applicant_name", 50, errors, one_line=True)
    if not name and not has_person and "applicant_name" not in errors:
        errors["applicant_name"] = "请填写申请人姓名，或填写参保人身份证号"
    summary = _text(data, "summary", MAX_NOTE, errors)
    if not summary and "summary" not in errors:
        errors["summary"] = "请填写纠纷概要"
    claimed = _amount(data, "claimed_amount", "申请赔偿金额", errors)
    if errors:
        raise StepErrors(errors)
    return NewCase(name, summary, claimed)

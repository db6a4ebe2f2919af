"""Archive rules (档案管理) as plain functions: retention and appraisal dates, who may
approve a destruction, the reasons a record may be closed. No database here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CLOSE_REASONS = {"death": "死亡", "emigration": "迁出本县", "other": "其他"}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February moves to 1 March (kept a day longer,
    never a day shorter)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def eligible_on(closed_on: dt.date, years: int) -> dt.date:
    """The first day a closed record's retention has run out."""
    return add_years(closed_on, years)


def is_eligible(closed_on: dt.date | None, on: dt.date, years: int) -> bool:
    return closed_on is not None and eligible_on(closed_on, years) <= on


def latest_eligible_closing(on: dt.date, years: int) -> dt.date:
    """The last closing date whose retention has run out by `on`: records closed on or
    before it are eligible (the same answer as is_eligible, as one indexed range)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # `on` is 29 February: a record closed on the 29th is not yet due
        return dt.date(on.year - years, 2, 28)


def close_problems(
    reason: str, closed_on: dt.date, *, today: dt.date, opened_on: dt.date, death_date
) -> dict[str, str]:
    """What is wrong with closing a record for `reason` on `closed_on`."""
    errors: dict[str, str] = {}
    if reason not in CLOSE_REASONS:
        errors["reason"] = "请选择结案原因"
    elif reason == "death" and death_date is None:
        # The registry is where a death is recorded; the record follows it.
        errors["reason"] = "居民登记中没有死亡日期，请先在居民登记中登记死亡"
    if closed_on > today:
        errors["closed_on"] = "结案日期不能晚于今天"
    elif closed_on < opened_on:
        errors["closed_on"] = "结案日期不能早于建档日期"
    elif reason == "death" and death_date is not None and closed_on < death_date:
        errors["closed_on"] = "结案日期不能早于死亡日期"
    return errors


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def approval_problem(
    *, status: str, requester_id: int, first_approver_id: int | None, approver_id: int
) -> Refusal | None:
    """Four eyes, twice: two approvals by two people, neither of them the requester."""
    if status not in ("requested", "first_approved"):
        return Refusal("destruction_not_pending", "该销毁申请已处理")
    if approver_id == requester_id:
        return Refusal("self_approval", "不能审批自己提出的销毁申请")
    if status == "first_approved" and approver_id == first_approver_id:
        return Refusal("same_approver", "复核须由初审以外的另一人办理")
    return None

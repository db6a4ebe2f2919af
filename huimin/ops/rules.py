"""Duty-log rules as pure functions over plain data (no database)."""

import datetime
from dataclasses import dataclass

from huimin.ops.models import DutyKind, IncidentSeverity, Shift

TEXT_MAX = 4000
# Entries are written during the shift or soon after; older ones would rewrite history.
BACKDATE_DAYS = 7
ALERT_ID_MAX = 2**63 - 1


@dataclass
class EntryInput:
    shift_date: datetime.date | None
    shift: str
    kind: str
    text: str
    severity: str = ""
    related_alert_id: int | None = None
    corrects_id: int | None = None
    resolves_id: int | None = None


@dataclass
class Referenced:
    """What the rules need to know about an entry that the new one refers to."""

    id: int
    kind: str
    corrected: bool  # a correction of it exists already
    resolved: bool  # (incidents) an action resolved it already


def check_entry(
    data: EntryInput,
    *,
    today: datetime.date,
    corrects: Referenced | None = None,
    resolves: Referenced | None = None,
) -> dict[str, str]:
    """Field → reason for every problem; empty when the entry may be written.

    `corrects` / `resolves` are the referenced entries as found within the writer's
    scope (None when the id was given but not found).
    """
    errors: dict[str, str] = {}
    if data.shift_date is None:
        errors["shift_date"] = "请填写值班日期"
    elif data.shift_date > today:
        errors["shift_date"] = "值班日期不能晚于今天"
    elif data.shift_date < today - datetime.timedelta(days=BACKDATE_DAYS):
        errors["shift_date"] = f"只能补记{BACKDATE_DAYS}天以内的值班日志"
    if data.shift not in Shift.values:
        errors["shift"] = "请选择班次"
    if data.kind not in DutyKind.values:
        errors["kind"] = "请选择记录类型"
    text = (data.text or "").strip()
    if not text:
        errors["text"] = "请填写内容"
    elif len(text) > TEXT_MAX:
        errors["text"] = f"内容不能超过{TEXT_MAX}个字"
    elif "\x00" in text:
        errors["text"] = "内容含有无效字符"
    if data.kind == DutyKind.INCIDENT:
        if data.severity not in IncidentSeverity.values:
            errors["severity"] = "事件须注明级别"
    elif data.severity:
        errors["severity"] = "只有事件记录填写级别"
    if data.related_alert_id is not None and not 0 < data.related_alert_id <= ALERT_ID_MAX:
        errors["related_alert_id"] = "告警编号应为正整数"
    if data.corrects_id is not None:
        if corrects is None:
            errors["corrects"] = "要更正的记录不存在或不在您的辖区内"
        elif corrects.corrected:
            errors["corrects"] = "该记录已被更正过，请更正最新的一条"
    if data.resolves_id is not None:
        if data.kind != DutyKind.ACTION:
            errors["resolves"] = "只有处置措施记录可以关闭事件"
        elif resolves is None:
            errors["resolves"] = "要关闭的事件不存在或不在您的辖区内"
        elif resolves.kind != DutyKind.INCIDENT:
            errors["resolves"] = "所选记录不是事件"
        elif resolves.corrected:
            errors["resolves"] = "该事件记录已被更正，请选择更正后的记录"
        elif resolves.resolved:
            errors["resolves"] = "该事件已处置完毕"
    return errors


def is_open_incident(kind: str, corrected: bool, resolved: bool) -> bool:
    """An incident is open until resolved; a corrected one lives on in its correction."""
    return kind == DutyKind.INCIDENT and not corrected and not resolved

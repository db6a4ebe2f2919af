"""Read models over the audit log: the audit search, an event's detail, and who read a
resident's record.

Who may see what: an audit administrator ("audit.read") sees every event except their
own — nobody audits themselves; the security administrator ("alerts.manage") sees the
audit administrators' events, so the auditors are audited too. Every search and every
detail view of the log is itself recorded.
"""

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from huimin.audit.models import AuditAction, AuditEvent, AuditEventPerson, AuditOutcome
from huimin.audit.services import record
from huimin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huimin.oversight.rules import READ_ACTIONS
from huimin.policy import has_perm
from huimin.registry.models import Institution, Role

READ_PERM = "audit.read"
OVERSIGHT_PERM = "alerts.manage"
MAX_PAGE = 200

# Filter names as a person reads them, for error messages on the page.
FILTER_LABELS = {
    "actor": "操作人账号",
    "object_type": "对象类型",
    "object_id": "对象标识",
    "region": "区划前缀",
    "action": "动作",
    "outcome": "结果",
    "date_from": "起始日期",
    "date_to": "结束日期",
    "after": "翻页",
    "limit": "每页条数",
}

_OBJECT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
_REGION = re.compile(r"^\d{2,12}$")


@dataclass(frozen=True)
class EventFilter:
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    region: str = ""
    action: str = ""
    outcome: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def used(self) -> dict:
        return {
            f.name: str(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) not in ("", None)
        }

    def describe(self) -> str:
        used = self.used()
        return "；".join(f"{k}={v}" for k, v in used.items()) if used else "全部"


def _date(raw: str, name: str, errors: dict):
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = "日期格式应为YYYY-MM-DD"
        return None


def parse_filter(data: Mapping) -> tuple[EventFilter, dict[str, str]]:
    """The filter from request parameters, and a Chinese reason for each bad field.

    A bad field is left out of the filter, so a page can report it and still show results.
    """
    errors: dict[str, str] = {}

    def text(name: str, limit: int) -> str:
        value = str(data.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"不能超过{limit}个字符"
            return ""
        return value

    values = {
        "actor": text("actor", 150),
        "object_type": text("object_type", 50),
        "object_id": text("object_id", 100),
        "region": text("region", 12),
        "action": text("action", 20),
        "outcome": text("outcome", 10),
    }
    if values["object_type"] and not _OBJECT_TYPE.match(values["object_type"]):
        errors["object_type"] = "对象类型格式应如 registry.person"
        values["object_type"] = ""
    if values["region"] and not _REGION.match(values["region"]):
        errors["region"] = "区划代码应为2至12位数字"
        values["region"] = ""
    if values["action"] and values["action"] not in AuditAction.values:
        errors["action"] = "动作不在允许范围内"
        values["action"] = ""
    if values["outcome"] and values["outcome"] not in AuditOutcome.values:
        errors["outcome"] = "结果不在允许范围内"
        values["outcome"] = ""
    for name in ("date_from", "date_to"):
        raw = str(data.get(name) or "").strip()
        values[name] = _date(raw, name, errors) if raw else None
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        errors["date_to"] = "结束日期不能早于开始日期"
        values["date_to"] = None
    return EventFilter(**values), errors


def check_can_search(user) -> None:
    if not (has_perm(user, READ_PERM) or has_perm(user, OVERSIGHT_PERM)):
        raise PermissionDenied("无权查阅审计记录")


def visible_events(user):
    """The events `user` may see; never their own."""
    check_can_search(user)
    qs = AuditEvent.objects.all()
    if not has_perm(user, READ_PERM):
        # The security administrator oversees the auditors (三员分立).
        qs = qs.filter(role=Role.AUDIT_ADMIN)
    return qs.exclude(actor_id=user.pk)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())


def apply_filter(qs, f: EventFilter):
    if f.actor:
        ids = list(get_user_model().objects.filter(username=f.actor).values_list("pk", flat=True))
        # A deleted account is still found by the name its events kept.
        qs = qs.filter(actor_id__in=ids) if ids else qs.filter(actor_username=f.actor)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.region:
        qs = qs.filter(region_code__startswith=f.region)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.outcome:
        qs = qs.filter(outcome=f.outcome)
    if f.date_from:
        qs = qs.filter(at__gte=_local_midnight(f.date_from))
    if f.date_to:
        qs = qs.filter(at__lt=_local_midnight(f.date_to + datetime.timedelta(days=1)))
    return qs


# ---------------------------------------------------------------- keyset paging

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def encode_cursor(event: AuditEvent) -> str:
    micros = (event.at - _EPOCH) // datetime.timedelta(microseconds=1)
    return f"{micros}.{event.pk}"


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int] | None:
    match = re.fullmatch(r"(\d{1,17})\.(\d{1,19})", cursor or "")
    if not match:
        return None
    at = _EPOCH + datetime.timedelta(microseconds=int(match.group(1)))
    return at, int(match.group(2))


@dataclass
class EventPage:
    rows: list
    next_cursor: str | None


def search(user, f: EventFilter, *, after: str = "", size: int = 50, request=None) -> EventPage:
    """Newest first, `size` rows after the cursor; no COUNT over the table. Audited."""
    qs = apply_filter(visible_events(user), f)
    if after:
        decoded = decode_cursor(after)
        if decoded is None:
            raise ValidationFailed({"after": "翻页标记无效"})
        at, pk = decoded
        qs = qs.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    size = max(1, min(size, MAX_PAGE))
    rows = list(qs.order_by("-at", "-id")[: size + 1])
    more, rows = len(rows) > size, rows[:size]
    record(
        action="search",
        object_type="audit.event",
        fields=sorted(f.used()),
        purpose=f"查询审计记录：{f.describe()}" + (f"（翻页 {after}）" if after else ""),
        actor=user,
        request=request,
    )
    with_names(rows)
    return EventPage(rows=rows, next_cursor=encode_cursor(rows[-1]) if more and rows else None)


MAX_ID = 2**63 - 1  # a bigger number in a URL would overflow the database's integer


def get_event(user, event_id: int, request=None) -> AuditEvent:
    qs = visible_events(user)
    try:
        if not 0 < event_id <= MAX_ID:
            raise AuditEvent.DoesNotExist
        event = qs.get(pk=event_id)
    except AuditEvent.DoesNotExist:
        raise NotFound("审计记录") from None
    record(
        action="read",
        object_type="audit.event",
        object_id=str(event.pk),
        actor=user,
        request=request,
    )
    with_names([event])
    event.change_rows = [
        (name, *pair) if isinstance(pair, list) and len(pair) == 2 else (name, "", pair)
        for name, pair in (event.changes or {}).items()
    ]
    return event


ROLE_LABELS = dict(Role.choices)


def with_names(events) -> list:
    """Role labels and institution names for display, in one query for the whole page."""
    ids = {e.institution_id for e in events if e.institution_id is not None}
    names = dict(Institution.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    for e in events:
        e.role_label = ROLE_LABELS.get(e.role, e.role)
        e.institution_name = names.get(e.institution_id, "")
    return events


# ---------------------------------------------------------------- who read my record


# What was read, as the resident reads it.
OBJECT_LABELS = {
    "registry.person": "个人信息",
    "registry.household": "家庭户信息",
    "records.record": "健康档案",
    "records.form": "健康档案表单",
    "records.transfer": "档案迁移记录",
    "records.destruction": "档案销毁登记",
    "records.finding": "档案质量问题",
    "records.due": "随访计划",
    "insurance.settlement": "结算记录",
    "enrollment.enrollment": "参保登记",
    "enrollment.payment": "缴费记录",
    "accounts.recordloan": "档案借阅申请",
}

# A list or search page that showed the person is a read of them too.
PERSON_READ_ACTIONS = (*READ_ACTIONS, AuditAction.SEARCH)


def reads_of_person(person_id: int, limit: int = 100) -> list[dict]:
    """Who read a resident's data, newest first: their record, health record and forms,
    settlements, enrollments and household, and every list, search or export they were
    in (AuditEventPerson); events written before that index by their object id alone.
    When, which role at which institution, and why — no staff usernames: the resident
    needs the place and the purpose."""
    # Two bounded index walks (the person index newest first, the object index), then
    # the events by primary key: an OR of the two in one WHERE would scan the log.
    # Only reads name people, so the newest `limit` of each side hold the answer.
    candidates = set(
        AuditEventPerson.objects.filter(person_id=person_id)
        .order_by("-event_id")
        .values_list("event_id", flat=True)[:limit]
    )
    candidates.update(
        AuditEvent.objects.filter(
            object_type="registry.person",
            object_id=str(person_id),
            action__in=PERSON_READ_ACTIONS,
            outcome=AuditOutcome.SUCCESS,
        )
        .order_by("-at")
        .values_list("pk", flat=True)[:limit]
    )
    events = list(
        AuditEvent.objects.filter(
            pk__in=candidates, action__in=PERSON_READ_ACTIONS, outcome=AuditOutcome.SUCCESS
        )
        .order_by("-at", "-id")
        .only("at", "role", "institution_id", "purpose", "action", "loan_id", "object_type")[:limit]
    )
    with_names(events)
    return [
        {
            "at": e.at,
            "action": e.get_action_display(),
            "object_type": e.object_type,
            "object": OBJECT_LABELS.get(e.object_type, "其他信息"),
            "role": e.role_label or "系统",
            "institution": e.institution_name,
            "purpose": e.purpose,
            "on_loan": e.loan_id is not None,
        }
        for e in events
    ]

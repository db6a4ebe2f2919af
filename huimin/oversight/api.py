"""Audit API: the audit search for the audit administrator, as on the /audit/ page.

Same filters, same permission ("audit.read"; the security administrator sees the
auditors' events), same rule that nobody sees their own events; every call is audited.
"""

import datetime

from django.conf import settings
from ninja import Field, Query, Router

from huimin.core.errors import ValidationFailed
from huimin.core.schemas import Schema
from huimin.oversight import queries
from huimin.policy import api_requires_any

router = Router(tags=["audit"])


class EventFilterIn(Schema):
    actor: str = ""
    object_type: str = ""
    object_id: str = ""
    region: str = ""
    action: str = ""
    outcome: str = ""
    date_from: str = ""
    date_to: str = ""
    after: str = ""
    limit: int | None = Field(None, ge=1, le=queries.MAX_PAGE)


class EventOut(Schema):
    id: int
    chain: int
    seq: int
    at: datetime.datetime
    actor: str
    role: str
    role_label: str
    institution_id: int | None
    institution_name: str
    terminal: str
    source_ip: str
    action: str
    object_type: str
    object_id: str
    region_code: str
    fields: list
    changes: dict
    purpose: str
    loan_id: int | None
    outcome: str
    reason: str
    hash: str


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str | None


def _out(e) -> dict:
    return {
        "id": e.pk,
        "chain": e.chain,
        "seq": e.seq,
        "at": e.at,
        "actor": e.actor_username,
        "role": e.role,
        "role_label": e.role_label,
        "institution_id": e.institution_id,
        "institution_name": e.institution_name,
        "terminal": e.terminal,
        "source_ip": e.source_ip,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "region_code": e.region_code,
        "fields": e.fields,
        "changes": e.changes,
        "purpose": e.purpose,
        "loan_id": e.loan_id,
        "outcome": e.outcome,
        "reason": e.reason,
        "hash": e.hash,
    }


@router.get(
    "/events",
    auth=api_requires_any("audit.read", "alerts.manage", message="无权查阅审计记录"),
    response=EventPageOut,
    summary="查询审计记录（新的在前）",
)
def list_events(request, params: Query[EventFilterIn]):
    queries.check_can_search(request.user)
    f, errors = queries.parse_filter(params.dict())
    limit = params.limit if params.limit is not None else settings.HUIMIN_PAGE_SIZE
    if not 1 <= limit <= queries.MAX_PAGE:
        errors["limit"] = f"应在1至{queries.MAX_PAGE}之间"
    if params.after and queries.decode_cursor(params.after) is None:
        errors["after"] = "翻页标记无效"
    if errors:
        raise ValidationFailed(errors)
    page = queries.search(request.user, f, after=params.after, size=limit, request=request)
    return {"items": [_out(e) for e in page.rows], "next_cursor": page.next_cursor}


@router.get(
    "/events/{event_id}",
    auth=api_requires_any("audit.read", "alerts.manage", message="无权查阅审计记录"),
    response=EventOut,
    summary="一条审计记录",
)
def get_event(request, event_id: int):
    return _out(queries.get_event(request.user, event_id, request=request))

"""/api/v1/review/: findings, decisions, appeals and risk scores (issue 14 item 9).

Thin: each operation declares its permission through the policy layer (`auth=`), reads
through visible_to / get_visible_or_404 / audit_listing and
writes through review.workflow. Amounts are strings with two decimals; errors follow the
contract `{"error": {"code", "message", "fields"}}`.
"""

import datetime
from typing import Literal

from django.conf import settings
from ninja import Field, Header, Query, Router, Status

from huimin.core.money import fmt
from huimin.core.schemas import ERRORS, Schema
from huimin.policy import api_requires, api_requires_any, get_visible_or_404, has_perm, visible_to
from huimin.policy.reads import audit_listing
from huimin.review import workflow
from huimin.review import workflow_rules as rules
from huimin.review.models import Appeal, Decision, Finding, RiskScore
from huimin.review.queue_views import ordered

router = Router(tags=["review"])

MAX_LIMIT = 200
Limit = Field(None, ge=1, le=MAX_LIMIT, description="每页条数，默认为系统设置，最多200")
Offset = Field(0, ge=0, le=10_000_000)
StatusName = Literal["open", "pending_second", "inspection", "confirmed", "dismissed", "appealed"]


def _limit(value: int | None) -> int:
    return value or settings.HUIMIN_PAGE_SIZE


def _page(qs, offset: int, limit: int):
    rows = list(qs[offset : offset + limit + 1])
    return rows[:limit], (offset + limit if len(rows) > limit else None)


# ---------------------------------------------------------------- schemas


class ReviewFindingFilter(Schema):
    status: StatusName | None = Field(None, description="状态；不填为全部待办（审核队列）")
    township: str | None = Field(None, pattern=r"^\d{9}$", description="乡镇区划代码（9位）")
    institution: int | None = Field(None, ge=1, le=2**62, description="医疗机构编号")
    severity: Literal["blocking", "warning", "information"] | None = None
    rule: str | None = Field(None, pattern=r"^[a-z_]{1,40}$", description="规则编码")
    source: Literal["realtime", "batch", "resident", "manual"] | None = None
    limit: int | None = Limit
    offset: int = Offset


class ReviewFindingOut(Schema):
    id: int
    rule: str
    name: str
    category: str
    severity: str
    weight: str
    explanation: str
    lines: list[int]
    facts: dict
    source: str
    status: str
    settlement_id: int | None
    visit_id: int | None
    person_id: int | None
    institution_id: int | None
    region_code: str
    service_date: datetime.date
    month: str
    fund_paid: str
    created_at: datetime.datetime


class ReviewFindingPage(Schema):
    items: list[ReviewFindingOut]
    next_offset: int | None


class ReviewDecisionOut(Schema):
    id: int
    finding_id: int
    kind: str
    decided_by: str
    decided_at: datetime.datetime
    amount: str | None
    reason: str


class ReviewFindingDetailOut(ReviewFindingOut):
    decisions: list[ReviewDecisionOut]
    allowed: list[str]
    recoverable: str | None
    recovery: str | None


class ReviewDecisionIn(Schema):
    kind: Literal["confirm", "dismiss", "inspect", "second_approve", "second_reject"]
    amount: str | None = Field(
        None, max_length=20, description='追回金额（核实违规时必填），如 "800.00"'
    )
    reason: str = Field("", max_length=rules.REASON_MAX, description="理由（排除、复核不同意必填）")


class ReviewDecisionResult(Schema):
    decision: ReviewDecisionOut
    finding: ReviewFindingOut


class ReviewAppealFilter(Schema):
    status: Literal["open", "upheld", "granted", "withdrawn"] | None = None
    limit: int | None = Limit
    offset: int = Offset


class ReviewAppealIn(Schema):
    finding_id: int = Field(..., ge=1, le=2**62)
    reason: str = Field(..., min_length=1, max_length=workflow.APPEAL_REASON_MAX)


class ReviewAppealDecisionIn(Schema):
    outcome: Literal["uphold", "grant"]
    reason: str = Field(..., min_length=1, max_length=rules.REASON_MAX)


class ReviewAppealOut(Schema):
    id: int
    finding_id: int
    institution_id: int
    filed_at: datetime.datetime
    deadline: datetime.date
    reason: str
    status: str
    decided_at: datetime.datetime | None
    decision_reason: str


class ReviewAppealPage(Schema):
    items: list[ReviewAppealOut]
    next_offset: int | None


class ReviewScoreFilter(Schema):
    region: str | None = Field(None, pattern=r"^\d{6,12}$", description="区划代码前缀")
    month: str | None = Field(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")
    kind: Literal["institution", "doctor"] | None = None
    limit: int | None = Limit
    offset: int = Offset


class ReviewScoreOut(Schema):
    subject_kind: str
    subject: str
    institution_id: int | None
    region_code: str
    month: str
    score: str
    colour: str
    previous_colour: str
    finding_count: int
    claim_count: int


class ReviewScorePage(Schema):
    items: list[ReviewScoreOut]
    next_offset: int | None


def _finding(f: Finding, *, for_institution: bool = False) -> dict:
    return {
        "id": f.pk,
        "rule": f.rule,
        "name": f.name,
        "category": f.category,
        "severity": f.severity,
        "weight": fmt(f.weight),
        "explanation": f.explanation,
        "lines": [int(n) for n in f.lines or [] if isinstance(n, int)],
        "facts": f.facts or {},
        "source": f.source,
        # An institution is told only that an undecided finding is under review.
        "status": (
            "reviewing"
            if for_institution and f.status in ("open", "pending_second", "inspection")
            else f.status
        ),
        "settlement_id": f.settlement_id,
        "visit_id": f.visit_id,
        "person_id": f.person_id,
        "institution_id": f.institution_id,
        "region_code": f.region_code,
        "service_date": f.service_date,
        "month": f.month,
        "fund_paid": fmt(f.fund_paid),
        "created_at": f.created_at,
    }


def _decision(d: Decision) -> dict:
    return {
        "id": d.pk,
        "finding_id": d.finding_id,
        "kind": d.kind,
        "decided_by": d.decided_by.get_username(),
        "decided_at": d.decided_at,
        "amount": fmt(d.amount) if d.amount is not None else None,
        "reason": d.reason,
    }


def _appeal(a: Appeal) -> dict:
    return {
        "id": a.pk,
        "finding_id": a.finding_id,
        "institution_id": a.institution_id,
        "filed_at": a.filed_at,
        "deadline": a.deadline,
        "reason": a.reason,
        "status": a.status,
        "decided_at": a.decided_at,
        "decision_reason": a.decision_reason,
    }


# ---------------------------------------------------------------- findings


FINDING_READERS = api_requires_any("review.read", "review.appeal")


def _reader(user) -> bool:
    """True for a reviewer (review.read), False for institution staff (review.appeal),
    who see their own institution's findings with undecided ones masked."""
    return has_perm(user, "review.read")


@router.get(
    "/findings",
    response={200: ReviewFindingPage, **ERRORS},
    summary="审核疑点列表（审核队列）",
    auth=FINDING_READERS,
)
def list_findings(request, filters: Query[ReviewFindingFilter]):
    reviewer = _reader(request.user)
    params = filters.dict()
    qs = visible_to(request.user, Finding).filter(workflow.queue_filter(params))
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif reviewer:  # the queue: what still waits for someone
        qs = qs.filter(status__in=rules.QUEUE_STATUSES)
    items, nxt = _page(ordered(qs), filters.offset, _limit(filters.limit))
    audit_listing(
        request.user,
        model_label="review.finding",
        rows=items,
        query_description="api_findings",
        request=request,
    )
    return {
        "items": [_finding(f, for_institution=not reviewer) for f in items],
        "next_offset": nxt,
    }


def _detail(f: Finding, reviewer: bool) -> dict:
    recovery = getattr(f, "recovery", None) if hasattr(f, "recovery") else None
    decided = f.status in ("confirmed", "appealed", "dismissed")
    decisions = f.decisions.select_related("decided_by")
    if not reviewer:  # as the institution pages: nothing of an undecided finding's review
        decisions = [d for d in decisions if d.kind != "inspect"] if decided else []
    return {
        **_finding(f, for_institution=not reviewer),
        "decisions": [_decision(d) for d in decisions],
        "allowed": list(rules.allowed(f.status)) if reviewer else [],
        "recoverable": (
            fmt(rules.recoverable(f.fund_paid, workflow.recovered_by_others(f)))
            if reviewer
            else None
        ),
        "recovery": (
            fmt(recovery.amount)
            if recovery and not recovery.cancelled_at and (reviewer or decided)
            else None
        ),
    }


@router.get(
    "/findings/{int:finding_id}",
    response={200: ReviewFindingDetailOut, **ERRORS},
    summary="审核疑点",
    auth=FINDING_READERS,
)
def get_finding(request, finding_id: int):
    reviewer = _reader(request.user)
    f = get_visible_or_404(request.user, Finding, finding_id, "审核", request=request, what="疑点")
    return _detail(f, reviewer)


@router.post(
    "/findings/{int:finding_id}/decisions",
    response={200: ReviewDecisionResult, 201: ReviewDecisionResult, **ERRORS},
    summary="对疑点作出决定（核实、排除、转现场核查、复核；可带 Idempotency-Key）",
    auth=api_requires("review.decide"),
)
def decide(
    request,
    finding_id: int,
    payload: ReviewDecisionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    data = workflow.DecisionIn(payload.kind, payload.amount, payload.reason)
    if idempotency_key is not None:
        decision, replayed = workflow.do_decide_once(
            request.user, finding_id, data, idempotency_key, request=request
        )
    else:
        decision, replayed = (
            workflow.do_decide(request.user, finding_id, data, request=request),
            False,
        )
    finding = Finding.objects.get(pk=decision.finding_id)
    return Status(
        200 if replayed else 201, {"decision": _decision(decision), "finding": _finding(finding)}
    )


# ---------------------------------------------------------------- appeals


@router.get(
    "/appeals",
    response={200: ReviewAppealPage, **ERRORS},
    summary="申诉列表",
    auth=api_requires_any("review.decide", "review.appeal"),
)
def list_appeals(request, filters: Query[ReviewAppealFilter]):
    # Reviewers see the appeals of their jurisdiction, institutions only their own
    # (visible_to scopes institution staff to their institution).
    qs = visible_to(request.user, Appeal)
    if filters.status:
        qs = qs.filter(status=filters.status)
    items, nxt = _page(qs.order_by("-filed_at", "-id"), filters.offset, _limit(filters.limit))
    audit_listing(
        request.user,
        model_label="review.appeal",
        ids=[a.pk for a in items],
        person_ids=list(
            Finding.objects.filter(pk__in=[a.finding_id for a in items])
            .exclude(person_id=None)
            .values_list("person_id", flat=True)
        ),
        query_description="api_appeals",
        request=request,
    )
    return {"items": [_appeal(a) for a in items], "next_offset": nxt}


@router.post(
    "/appeals",
    response={201: ReviewAppealOut, **ERRORS},
    summary="机构对已核实疑点提出申诉",
    auth=api_requires("review.appeal"),
)
def file_appeal(request, payload: ReviewAppealIn):
    appeal = workflow.do_file_appeal(
        request.user, payload.finding_id, payload.reason, request=request
    )
    return Status(201, _appeal(appeal))


@router.post(
    "/appeals/{int:appeal_id}/decision",
    response={200: ReviewAppealOut, **ERRORS},
    summary="处理申诉（须由未参与该疑点审核的人员）",
    auth=api_requires("review.decide"),
)
def decide_appeal(request, appeal_id: int, payload: ReviewAppealDecisionIn):
    appeal = workflow.do_decide_appeal(
        request.user, appeal_id, payload.outcome == "grant", payload.reason, request=request
    )
    return _appeal(appeal)


# ---------------------------------------------------------------- scores


@router.get(
    "/scores",
    response={200: ReviewScorePage, **ERRORS},
    summary="风险评分（四色预警）",
    auth=api_requires("review.read"),
)
def list_scores(request, filters: Query[ReviewScoreFilter]):
    qs = visible_to(request.user, RiskScore)
    if filters.region:
        qs = qs.filter(region_code__startswith=filters.region)
    if filters.month:
        qs = qs.filter(month=filters.month)
    if filters.kind:
        qs = qs.filter(subject_kind=filters.kind)
    items, nxt = _page(qs.order_by("-month", "-score", "id"), filters.offset, _limit(filters.limit))
    return {
        "items": [
            {
                "subject_kind": s.subject_kind,
                "subject": s.subject,
                "institution_id": s.institution_id,
                "region_code": s.region_code,
                "month": s.month,
                "score": fmt(s.score),
                "colour": s.colour,
                "previous_colour": s.previous_colour,
                "finding_count": s.finding_count,
                "claim_count": s.claim_count,
            }
            for s in items
        ],
        "next_offset": nxt,
    }

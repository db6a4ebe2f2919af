"""/api/v1/mediation/: dispute mediation cases for HIS and county systems (issue 14 item 7).

Thin, like /api/v1/review/: each operation declares its permission through the policy
layer (`auth=`: mediation.read for reads, mediation.manage for writes), reads through
visible_to / get_visible_or_404 / audit_listing (naming the applicant), and writes
through mediation.services, which audits and refuses bad input whole. Amounts are
strings with two decimals; errors follow the contract `{"error": {"code", "message",
"fields"}}`. Skipping a step (or recording one twice, or after closing) is refused 422
`mediation_step_order` naming `step`: the next step is part of what the client must
send right, and nothing is written.
"""

import datetime
from typing import Literal

from django.conf import settings
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Status
from ninja.files import UploadedFile

from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.money import fmt
from huimin.core.schemas import ERRORS, Schema
from huimin.mediation import rules, services
from huimin.mediation.models import OWNER_TYPE, CaseStep, MediationCase
from huimin.policy import api_requires, get_visible_or_404, visible_to
from huimin.policy.reads import audit_listing

router = Router(tags=["mediation"])

MAX_LIMIT = 200
StatusName = Literal[
    "open",
    "acceptance",
    "evidence",
    "responsibility",
    "expert",
    "mediation",
    "agreement",
    "payment",
    "follow_up",
    "closed",
]
StepName = Literal[
    "acceptance",
    "evidence",
    "responsibility",
    "expert",
    "mediation",
    "agreement",
    "payment",
    "follow_up",
]
PurposeName = Literal[
    "acceptance",
    "evidence",
    "responsibility",
    "expert",
    "mediation",
    "agreement",
    "payment",
    "follow_up",
    "case",
]


# ---------------------------------------------------------------- schemas


class MediationCaseFilter(Schema):
    status: StatusName = Field(
        "open", description="open：办理中（默认）；或某一步骤；closed：已结案"
    )
    overdue: bool = Field(False, description="仅列本步骤已逾期的案件")
    number: str | None = Field(None, pattern=r"^[A-Za-z0-9]{1,20}$", description="案件编号前缀")
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT, description="每页条数，最多200")
    offset: int = Field(0, ge=0, le=10_000_000)


class MediationCaseOut(Schema):
    id: int
    number: str
    person_id: int | None
    applicant: str
    institution_id: int
    institution_name: str
    settlement_id: int | None
    summary: str
    claimed_amount: str
    status: str
    status_label: str
    next_step: str | None
    step_due: datetime.date | None
    overdue_days: int
    opened_at: datetime.datetime
    closed_at: datetime.datetime | None
    close_reason: str


class MediationCasePage(Schema):
    items: list[MediationCaseOut]
    next_offset: int | None


class MediationStepOut(Schema):
    id: int
    step: str
    label: str
    result: str
    result_label: str
    note: str
    responsibility: str
    amount: str | None
    reference: str
    deadline: datetime.date | None
    done_by: str
    done_at: datetime.datetime


class MediationDocumentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    purpose: str
    uploaded_at: datetime.datetime
    url: str = Field(..., description="下载地址（同一登录会话）")


class MediationCaseDetailOut(MediationCaseOut):
    steps: list[MediationStepOut]
    documents: list[MediationDocumentOut]
    pdf_url: str = Field(..., description="案卷PDF的地址（同一登录会话）")


class MediationCaseIn(Schema):
    id_number: str | None = Field(
        None, max_length=18, description="参保人身份证号（与申请人至少填一项）"
    )
    applicant_name: str = Field("", max_length=50, description="申请人（非参保人本人时填写）")
    institution: int = Field(..., ge=1, le=2**62, description="医疗机构编号")
    settlement: int | None = Field(None, ge=1, le=2**62, description="相关结算号（可选）")
    summary: str = Field(..., max_length=rules.MAX_NOTE, description="纠纷概要")
    claimed_amount: str = Field(..., max_length=20, description='申请赔偿金额，如 "5000.00"')


class MediationStepIn(Schema):
    step: StepName = Field(..., description="要登记的步骤：须是案件的下一步，不能跳过")
    note: str = Field("", max_length=rules.MAX_NOTE, description="说明（受理、取证、调解等必填）")
    result: str = Field(
        "",
        max_length=20,
        description=(
            "结果：专家鉴定 done/not_needed；达成协议 agreed/failed；"
            "回访 satisfied/fair/unsatisfied"
        ),
    )
    responsibility: str = Field("", max_length=10, description="初步责任认定的责任程度")
    amount: str | None = Field(None, max_length=20, description="协议或实际赔付金额")
    reference: str = Field(
        "", max_length=rules.MAX_REFERENCE, description="鉴定意见书编号或付款凭证号"
    )


# ---------------------------------------------------------------- shapes


def _case(case: MediationCase, today: datetime.date) -> dict:
    return {
        "id": case.pk,
        "number": case.number,
        "person_id": case.person_id,
        "applicant": case.applicant,
        "institution_id": case.institution_id,
        "institution_name": case.institution.name,
        "settlement_id": case.settlement_id,
        "summary": case.summary,
        "claimed_amount": fmt(case.claimed_amount),
        "status": case.status,
        "status_label": case.status_label,
        "next_step": rules.next_step(case.status),
        "step_due": case.step_due,
        "overdue_days": rules.days_overdue(case.status, case.step_due, today),
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
        "close_reason": case.close_reason,
    }


def _step(s: CaseStep) -> dict:
    return {
        "id": s.pk,
        "step": s.step,
        "label": s.label,
        "result": s.result,
        "result_label": s.result_label,
        "note": s.note,
        "responsibility": s.responsibility,
        "amount": fmt(s.amount) if s.amount is not None else None,
        "reference": s.reference,
        "deadline": s.deadline,
        "done_by": s.done_by.get_username(),
        "done_at": s.done_at,
    }


def _document(case_id: int, d) -> dict:
    return {
        "id": d.pk,
        "filename": d.filename,
        "content_type": d.content_type,
        "size": d.size,
        "sha256": d.sha256,
        "purpose": d.purpose,
        "uploaded_at": d.uploaded_at,
        "url": reverse("mediation:case_document", args=[case_id, d.pk]),
    }


def _visible_case(request, case_id: int, purpose: str) -> MediationCase:
    return get_visible_or_404(
        request.user,
        MediationCase.objects.select_related("institution", "person"),
        case_id,
        purpose,
        request=request,
        object_type=OWNER_TYPE,
        what="调解案件",
    )


def _detail(case: MediationCase) -> dict:
    steps = list(case.steps.select_related("done_by"))
    return {
        **_case(case, services.today()),
        "steps": [_step(s) for s in steps],
        "documents": [_document(case.pk, d) for d in services.documents_of(case)],
        "pdf_url": reverse("mediation:case_pdf", args=[case.pk]),
    }


def _fresh(case_id: int) -> MediationCase:
    return MediationCase.objects.select_related("institution", "person").get(pk=case_id)


# ---------------------------------------------------------------- cases


@router.get(
    "/cases",
    response={200: MediationCasePage, **ERRORS},
    summary="调解案件列表",
    auth=api_requires("mediation.read"),
)
def list_cases(request, filters: Query[MediationCaseFilter]):
    today = services.today()
    qs = visible_to(request.user, MediationCase).select_related("institution", "person")
    if filters.status == "open":
        qs = qs.exclude(status=rules.CLOSED)
    else:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(step_due__lt=today).exclude(status=rules.CLOSED)
    if filters.number:
        qs = qs.filter(number__startswith=filters.number.upper())
    limit = filters.limit or settings.HUIMIN_PAGE_SIZE
    rows = list(qs.order_by("-id")[filters.offset : filters.offset + limit + 1])
    items, more = rows[:limit], len(rows) > limit
    audit_listing(
        request.user,
        model_label=OWNER_TYPE,
        rows=items,
        query_description=(
            f"api_mediation_cases status={filters.status} overdue={int(filters.overdue)}"
        ),
        request=request,
    )
    return {
        "items": [_case(c, today) for c in items],
        "next_offset": filters.offset + limit if more else None,
    }


@router.get(
    "/cases/{int:case_id}",
    response={200: MediationCaseDetailOut, **ERRORS},
    summary="调解案件（步骤、材料、案卷PDF地址）",
    auth=api_requires("mediation.read"),
)
def get_case(request, case_id: int):
    return _detail(_visible_case(request, case_id, "查看调解案件（接口）"))


@router.post(
    "/cases",
    response={201: MediationCaseDetailOut, **ERRORS},
    summary="受理调解申请（立案）",
    auth=api_requires("mediation.manage"),
)
def open_case(request, payload: MediationCaseIn):
    data = payload.dict()
    case = services.do_open_case(request.user, data, request=request)
    return Status(201, _detail(_fresh(case.pk)))


@router.post(
    "/cases/{int:case_id}/steps",
    response={201: MediationStepOut, **ERRORS},
    summary="登记案件的下一步骤（不能跳过步骤：422 mediation_step_order）",
    auth=api_requires("mediation.manage"),
)
def record_step(request, case_id: int, payload: MediationStepIn):
    data = payload.dict()
    try:
        done = services.do_record_step(request.user, case_id, payload.step, data, request=request)
    except Conflict as exc:
        if exc.code != "mediation_step_order":
            raise
        raise ValidationFailed({"step": exc.message}, code=exc.code, message=exc.message) from None
    return Status(201, _step(done))


@router.post(
    "/cases/{int:case_id}/documents",
    response={201: MediationDocumentOut, **ERRORS},
    summary="上传调解材料（multipart：file 与 purpose；仅PDF、JPEG、PNG）",
    auth=api_requires("mediation.manage"),
)
def upload_document(
    request,
    case_id: int,
    file: File[UploadedFile],
    purpose: Form[PurposeName],
):
    doc = services.do_upload(request.user, case_id, file, purpose, request=request)
    return Status(201, _document(case_id, doc))

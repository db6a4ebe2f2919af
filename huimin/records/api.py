"""Health-record API (/api/v1/records/): read a record (audited), read a form, save a
draft or sign, amend a signed form, register and end programmes. Staff sessions, as the
rest of /api/v1/.

Thin handlers: typed input, one service call, the read models as output. A draft saved
with problems answers 200/201 with the problems listed; signing with problems is the
contract's 422 with `fields`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Router, Status

from huimin.core.errors import NotFound
from huimin.core.schemas import ERRORS, Schema
from huimin.policy import api_requires, reads
from huimin.records import programmes, read_models, services
from huimin.records.models import Form

router = Router(tags=["records"])

Id = Field(..., ge=1, le=2**62)
OptionalId = Field(None, ge=1, le=2**62)


class HeaderOut(Schema):
    record_id: int
    number: str
    person_id: int
    name: str
    sex: str
    age: int | None
    id_number_masked: str = Field(description="脱敏后的身份证号码")
    village_code: str
    village: str
    responsible_doctor: str
    status: str
    status_label: str
    qualified: bool = Field(description="合格：没有未处理的阻断级质量问题")
    in_use: bool = Field(description="动态使用：近12个月有就诊、服务或表单")
    deceased: bool
    opened_on: datetime.date


class ProgrammeOut(Schema):
    id: int
    kind: str
    label: str
    registered_on: datetime.date
    ended_on: datetime.date | None
    open: bool


class DueOut(Schema):
    service: str
    occasion: str
    label: str
    due_on: datetime.date
    overdue_on: datetime.date
    overdue: bool


class FindingOut(Schema):
    id: int
    rule: str
    severity: str
    severity_label: str
    field: str
    message: str
    form_id: int | None


class DispensedOut(Schema):
    name: str
    quantity: Decimal


class TimelineOut(Schema):
    kind: str = Field(description="form：表单；visit：医保结算的就诊")
    date: datetime.date | None
    title: str
    form_id: int | None
    form_kind: str
    status: str
    status_label: str
    doctor: str
    amends_id: int | None
    amended_by_id: int | None
    amend_reason: str
    visit_id: int | None
    institution: str
    visit_type: str
    diagnosis: str
    dispensed: list[DispensedOut]
    patient_pay: Decimal | None
    total: Decimal | None
    linked_form_id: int | None
    followup_kinds: list[str]


class RecordOut(Schema):
    header: HeaderOut
    programmes: list[ProgrammeOut]
    due: list[DueOut]
    findings: list[FindingOut]
    timeline: list[TimelineOut]


class ProblemOut(Schema):
    field: str
    code: str
    message: str


class FormOut(Schema):
    id: int
    kind: str
    record_id: int | None
    status: str
    service_date: datetime.date | None
    data: dict[str, Any]
    doctor_name: str
    signed_at: datetime.datetime | None
    amends_id: int | None
    amended_by_id: int | None
    amend_reason: str
    visit_id: int | None
    programme_id: int | None
    updated_at: datetime.datetime
    problems: list[ProblemOut] = Field(description="草稿中尚待修改的问题（签名前须解决）")


class FormIn(Schema):
    data: dict[str, Any] = Field(description="表单字段，按表单规范（见 huimin/records/forms）")
    sign: bool = Field(False, description="true：签名提交（有问题即拒绝）；false：保存草稿")
    visit_id: int | None = Field(None, ge=1, le=2**62, description="由医保就诊记为随访时的就诊ID")
    programme_id: int | None = Field(None, ge=1, le=2**62)


class DraftIn(Schema):
    data: dict[str, Any]
    sign: bool = False


class AmendIn(Schema):
    data: dict[str, Any]
    reason: str = Field(..., max_length=200, description="更正原因")


def _purpose(request) -> str:
    return request.headers.get("X-Huimin-Purpose", "")[:200]


def _form_out(form: Form, problems=()) -> dict:
    amended_by = Form.objects.filter(amends=form).values_list("id", flat=True).first()
    return {
        "id": form.pk,
        "kind": form.kind,
        "record_id": form.record_id,
        "status": form.status,
        "service_date": form.service_date,
        "data": form.data,
        "doctor_name": form.doctor_name,
        "signed_at": form.signed_at,
        "amends_id": form.amends_id,
        "amended_by_id": amended_by,
        "amend_reason": form.amend_reason,
        "visit_id": form.visit_id,
        "programme_id": form.programme_id,
        "updated_at": form.updated_at,
        "problems": [{"field": p.field, "code": p.code, "message": p.message} for p in problems],
    }


def _visible_form(user, form_id: int) -> Form:
    services.check_can(user, "record.read")
    form = Form.objects.visible_to(user).filter(pk=form_id).first()
    if form is None:
        raise NotFound("表单")
    return form


@router.get(
    "/{int:record_id}",
    auth=api_requires("record.read"),
    response={200: RecordOut, **ERRORS},
    summary="健康档案（留痕）",
)
def get_record(request, record_id: int):
    services.read_record(request.user, record_id, request=request, purpose=_purpose(request))
    record = read_models.load(record_id)
    return read_models.summary(record, services.today()).as_dict()


@router.get(
    "/forms/{int:form_id}",
    auth=api_requires("record.read"),
    response={200: FormOut, **ERRORS},
    summary="表单",
)
def get_form(request, form_id: int):
    form = _visible_form(request.user, form_id)
    if form.record_id is not None:
        services.read_record(
            request.user, form.record_id, request=request, purpose=_purpose(request)
        )
    else:  # a form not (yet) filed in a record is still the person's data
        reads.audit_read(
            request.user,
            model_label="records.form",
            object_id=form.pk,
            person_ids=[form.person_id],
            region_code=form.region_code,
            purpose=_purpose(request),
            request=request,
        )
    return _form_out(form)


@router.post(
    "/{int:record_id}/forms/{kind}",
    auth=api_requires("record.write"),
    response={201: FormOut, **ERRORS},
    summary="填写表单：保存草稿或签名提交",
)
def create_form(request, record_id: int, kind: str, payload: FormIn):
    form, problems = services.do_save_form(
        request.user,
        kind[:30],
        payload.data,
        record_id=record_id,
        sign=payload.sign,
        visit_id=payload.visit_id,
        programme_id=payload.programme_id,
    )
    return Status(201, _form_out(form, problems))


@router.post(
    "/forms/{int:form_id}",
    auth=api_requires("record.write"),
    response={200: FormOut, **ERRORS},
    summary="继续草稿：保存或签名提交（已签名的表单只能更正）",
)
def save_form(request, form_id: int, payload: DraftIn):
    form = _visible_form(request.user, form_id)
    saved, problems = services.do_save_form(
        request.user,
        form.kind,
        payload.data,
        record_id=form.record_id,
        form_id=form.pk,
        sign=payload.sign,
        region_code=form.region_code,
    )
    return _form_out(saved, problems)


@router.post(
    "/forms/{int:form_id}/amend",
    auth=api_requires("record.write"),
    response={201: FormOut, **ERRORS},
    summary="更正已签名的表单（原表保留）",
)
def amend_form(request, form_id: int, payload: AmendIn):
    amendment = services.do_amend_form(request.user, form_id, payload.data, payload.reason)
    return Status(201, _form_out(amendment))


class ProgrammeIn(Schema):
    kind: str = Field(..., max_length=20, description="hypertension / diabetes / pregnancy …")
    registered_on: datetime.date
    last_menstrual_period: datetime.date | None = Field(None, description="孕产妇管理必填")
    discharge_date: datetime.date | None = Field(
        None, description="儿童：出院日期（新生儿访视在出院后7天内）"
    )


class ProgrammeEndIn(Schema):
    ended_on: datetime.date
    reason: str = Field(..., max_length=20, description="delivery / moved / death …")
    delivery_date: datetime.date | None = Field(None, description="分娩结束孕产妇管理时必填")
    discharge_date: datetime.date | None = Field(
        None, description="产妇出院日期（产后访视在出院后7天内）"
    )


def _programme_out(p) -> dict:
    return {
        "id": p.pk,
        "kind": p.kind,
        "label": p.get_kind_display(),
        "registered_on": p.registered_on,
        "ended_on": p.ended_on,
        "open": p.ended_on is None,
    }


@router.post(
    "/{int:record_id}/programmes",
    auth=api_requires("record.write"),
    response={201: ProgrammeOut, **ERRORS},
    summary="纳入专项管理（高血压、糖尿病、孕产妇等）",
)
def register_programme(request, record_id: int, payload: ProgrammeIn):
    details = {}
    if payload.last_menstrual_period:
        details["last_menstrual_period"] = payload.last_menstrual_period.isoformat()
    if payload.discharge_date:
        details["discharge_date"] = payload.discharge_date.isoformat()
    programme = programmes.do_register_programme(
        request.user, record_id, payload.kind, payload.registered_on, details
    )
    return Status(201, _programme_out(programme))


@router.post(
    "/programmes/{int:programme_id}/end",
    auth=api_requires("record.write"),
    response={200: ProgrammeOut, **ERRORS},
    summary="结束专项管理（分娩、迁出、死亡等）",
)
def end_programme(request, programme_id: int, payload: ProgrammeEndIn):
    details = {}
    if payload.delivery_date:
        details["delivery_date"] = payload.delivery_date.isoformat()
    if payload.discharge_date:
        details["discharge_date"] = payload.discharge_date.isoformat()
    programme = programmes.do_end_programme(
        request.user, programme_id, payload.ended_on, payload.reason, details
    )
    return _programme_out(programme)

"""Institution transactions (national platform codes in each summary; docs/api.md lists them).

Institution systems authenticate with a bearer token from /api/v1/access/token and the
X-Huimin-Terminal header (huimin.access.auth.InstitutionBearer, scope "settlement").
Handlers are thin: parse, call one service, shape the answer.

Every transaction that writes takes an Idempotency-Key header (required; the schema says
so, a call without it is a 422 `idempotency_key_required`): a retry with the same key and
body gets the first answer with 200, and nothing is written again (core/idempotency.py).
Pre-settle (2206/2303) writes nothing and takes none.
"""

import datetime
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Header, Router, Status

from huimin.access.auth import InstitutionBearer
from huimin.core import idnumber
from huimin.core.errors import NotFound
from huimin.core.money import plain
from huimin.core.schemas import ERRORS, PlainSchema, Schema
from huimin.insurance import engine, shown
from huimin.insurance.models import Settlement
from huimin.insurance.services import clearing, fees
from huimin.insurance.services import settlement as settling
from huimin.insurance.services.lookup import lookup
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.visits import (
    VisitData,
    cancel_discharge_once,
    cancel_visit_once,
    discharge_once,
    register_visit_once,
)
from huimin.policy import reads

router = Router(tags=["insurance"], auth=InstitutionBearer(scopes=["settlement"]))

Quantity = Field(
    ..., pattern=r"^\d{1,8}(\.\d{1,4})?$", description="数量：非负数字符串，最多4位小数"
)
Price = Field(..., pattern=r"^\d{1,10}(\.\d{1,4})?$", description="单价：非负数字符串，最多4位小数")


class YtdOut(PlainSchema):
    basic_paid: str
    basic_paid_by_type: dict[str, str]
    deductible_paid_by_type: dict[str, str]
    ci_base: str
    ci_paid: str
    assistance_paid: str


class PersonLookupOut(PlainSchema):
    name: str
    sex: str
    # Not the birth date: the masked number hides exactly those digits (DESIGN §6).
    age: int = Field(description="就诊日期当日的周岁")
    id_number: str = Field(description="脱敏身份证号码")
    insured: bool
    refusal: str | None = Field(description="未参保等原因代码")
    person_category: str | None
    categories: list[str]
    benefits_from: datetime.date | None
    ytd: YtdOut


LOOKUP_FIELDS = ["name", "sex", "age", "id_number_masked", "coverage", "year_to_date"]


class LookupIn(PlainSchema):
    id_number: str = Field(..., max_length=40, description="18位身份证号码，或9位社会保障卡卡号")
    on: datetime.date | None = Field(None, description="待遇查询日期，默认今天")


# Before the path form: "/persons/lookup" would otherwise match "/persons/{id_number}".
@router.post(
    "/persons/lookup",
    response={200: PersonLookupOut, **ERRORS},
    summary="1101 人员信息与待遇查询（号码在请求体中）",
)
def lookup_person_by_body(request, body: LookupIn):
    return _lookup(request, body.id_number, body.on)


@router.get(
    "/persons/{id_number}",
    response={200: PersonLookupOut, **ERRORS},
    summary="1101 人员信息与待遇查询",
    description=(
        "`id_number`：18位身份证号码，或9位社会保障卡卡号（持卡就医）。"
        "号码在路径中会进入各处访问日志，新接入请用 POST /persons/lookup（号码在请求体中）；"
        "本接口为已接入的HIS保留。"
    ),
)
def lookup_person(request, id_number: str, on: datetime.date | None = None):
    return _lookup(request, id_number, on)


def _lookup(request, id_number: str, on: datetime.date | None):
    on = on or timezone.localdate()
    found = lookup(request.auth_institution, id_number, on)
    person, cov = found["person"], found["coverage"]
    # A lookup answers with personal data: audited like the counter page's, by institution.
    reads.audit_read(
        None,
        model_label="registry.person",
        object_id=person.pk,
        person_ids=[person.pk],
        region_code=person.village_id,
        fields=LOOKUP_FIELDS,
        purpose="1101 人员信息与待遇查询",
        request=request,
        institution_id=request.auth_institution.pk,
    )
    return {
        "name": person.name,
        "sex": person.sex,
        "age": idnumber.age_beside_mask(person.birth_date, on),
        "id_number": person.id_number_masked,
        "insured": cov is not None,
        "refusal": found["refusal"],
        "person_category": cov.person_category if cov else None,
        "categories": list(cov.categories) if cov else [],
        "benefits_from": cov.benefits_from if cov else None,
        "ytd": found["ytd"].as_json(),
    }


class VisitIn(PlainSchema):
    id_number: str = Field(..., max_length=40, description="身份证号码或社会保障卡卡号")
    visit_type: str = Field(..., max_length=30, description="inpatient / outpatient_general …")
    his_visit_no: str = Field(..., max_length=40, description="机构就诊流水号")
    visit_date: datetime.date
    diagnosis_code: str = Field("", max_length=20)
    diagnosis_name: str = Field("", max_length=100)
    doctor_code: str = Field(
        "",
        max_length=40,
        pattern=r"^[0-9A-Za-z_-]*$",
        description="主诊医师编码（医保医师代码）：审核按医师计算风险评分",
    )


class VisitOut(PlainSchema):
    his_visit_no: str
    visit_type: str
    institution_level: str
    person_category: str
    visit_date: datetime.date
    discharge_date: datetime.date | None
    status: str


def _visit(v) -> dict:
    return {
        f: getattr(v, f)
        for f in (
            "his_visit_no",
            "visit_type",
            "institution_level",
            "person_category",
            "visit_date",
            "discharge_date",
            "status",
        )
    }


@router.post(
    "/visits",
    response={201: VisitOut, 200: VisitOut, **ERRORS},
    summary="2201 门诊挂号 / 2401 入院办理（需Idempotency-Key）",
)
def register_visit(
    request,
    payload: VisitIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    visit, replayed = register_visit_once(
        request.auth_institution,
        VisitData(**payload.dict()),
        idempotency_key,
        request=request,
    )
    return Status(200 if replayed else 201, _visit(visit))


@router.post(
    "/visits/{his_visit_no}/cancel",
    response={200: VisitOut, **ERRORS},
    summary="2202 门诊挂号撤销 / 2404 入院撤销（需Idempotency-Key）",
)
def cancel_visit(
    request,
    his_visit_no: str,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    visit, _ = cancel_visit_once(
        request.auth_institution, his_visit_no, idempotency_key, request=request
    )
    return _visit(visit)


class DischargeIn(PlainSchema):
    discharge_date: datetime.date


@router.post(
    "/visits/{his_visit_no}/discharge",
    response={200: VisitOut, **ERRORS},
    summary="2402 出院办理（需Idempotency-Key）",
)
def discharge(
    request,
    his_visit_no: str,
    payload: DischargeIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    visit, _ = discharge_once(
        request.auth_institution,
        his_visit_no,
        payload.discharge_date,
        idempotency_key,
        request=request,
    )
    return _visit(visit)


@router.post(
    "/visits/{his_visit_no}/discharge/cancel",
    response={200: VisitOut, **ERRORS},
    summary="2405 出院撤销（需Idempotency-Key）",
)
def cancel_discharge(
    request,
    his_visit_no: str,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    visit, _ = cancel_discharge_once(
        request.auth_institution, his_visit_no, idempotency_key, request=request
    )
    return _visit(visit)


class FeeLineIn(PlainSchema):
    code: str = Field(..., max_length=40, description="医保目录编码或已对照的机构编码")
    name: str = Field("", max_length=200)
    quantity: str = Quantity
    unit_price: str = Price
    fee_date: datetime.date | None = None
    override_reason: str = Field("", max_length=200, description="违反目录限制时的理由")


class FeesIn(PlainSchema):
    lines: list[FeeLineIn] = Field(..., min_length=1, max_length=engine.LIMITS.lines_per_upload)


class FeeLineOut(PlainSchema):
    line_no: int
    code: str
    name: str
    item_class: str
    quantity: str
    unit_price: str


@router.post(
    "/visits/{his_visit_no}/fees",
    response={201: list[FeeLineOut], 200: list[FeeLineOut], **ERRORS},
    summary="2204 门诊费用明细上传 / 2301 住院费用明细上传（需Idempotency-Key）",
)
def upload_fees(
    request,
    his_visit_no: str,
    payload: FeesIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    lines = [
        fees.FeeLineData(
            code=ln.code,
            name=ln.name,
            quantity=Decimal(ln.quantity),
            unit_price=Decimal(ln.unit_price),
            fee_date=ln.fee_date,
            override_reason=ln.override_reason,
        )
        for ln in payload.lines
    ]
    rows, replayed = fees.upload_fees_once(
        request.auth_institution, his_visit_no, lines, idempotency_key, request=request
    )
    return Status(
        200 if replayed else 201,
        [
            {
                "line_no": r.line_no,
                "code": r.code,
                "name": r.name,
                "item_class": r.item_class,
                # Plain decimals, as the input pattern has them (never 1E+1), and the
                # same for the line as sent (10.00) and as stored (10.0000): a replay
                # reads the stored line and must answer as the first time.
                "quantity": plain(r.quantity),
                "unit_price": plain(r.unit_price),
            }
            for r in rows
        ],
    )


# A visit's line numbers run from 1; bounded so that no number reaches the database
# beyond its column (9223372036854775808 was an OverflowError, a 500).
LineNo = Annotated[int, Field(ge=1, le=1_000_000)]


class CancelFeesIn(PlainSchema):
    line_nos: list[LineNo] | None = Field(
        None, max_length=engine.LIMITS.lines_per_upload, description="缺省为全部"
    )


class CountOut(PlainSchema):
    cancelled: int


@router.post(
    "/visits/{his_visit_no}/fees/cancel",
    response={200: CountOut, **ERRORS},
    summary="2205 门诊费用明细撤销 / 2302 住院费用明细撤销（需Idempotency-Key）",
)
def cancel_fees(
    request,
    his_visit_no: str,
    payload: CancelFeesIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    n, _ = fees.cancel_fees_once(
        request.auth_institution, his_visit_no, payload.line_nos, idempotency_key, request=request
    )
    return {"cancelled": n}


class LineOut(PlainSchema):
    code: str
    amount: str
    self_pay: str
    b_self_pay: str
    eligible: str


class ResultOut(PlainSchema):
    total: str
    self_pay: str
    b_self_pay: str
    eligible: str
    deductible: str
    basic_fund: str
    critical_illness: str
    assistance: str
    patient_pay: str
    lines: list[LineOut]
    ytd_after: YtdOut


class ClaimCheckOut(PlainSchema):
    rule: str
    name: str
    severity: str = Field(description="warning 警示 / information 提示")
    message: str
    lines: list[int] = Field(description="相关费用明细行号")


class PreSettleOut(ResultOut):
    review_findings: list[ClaimCheckOut]


@router.post(
    "/visits/{his_visit_no}/pre-settle",
    response={200: PreSettleOut, **ERRORS},
    summary="2206 门诊预结算 / 2303 住院预结算（不写入累计）",
)
def pre_settle(request, his_visit_no: str):
    return settling.pre_settle(request.auth_institution, his_visit_no, request=request).as_json()


class SettlementOut(PlainSchema):
    settlement_id: int
    kind: str
    his_visit_no: str
    settled_at: datetime.datetime
    verification_code: str
    replayed: bool = Field(description="同一幂等键的重复请求返回首次结果")
    result: ResultOut | None
    reverses: int | None
    review_findings: list[ClaimCheckOut] = Field(
        description="实时审核提示（警示、提示；不阻断结算）；重复请求返回首次结果的提示"
    )


class SettleIn(PlainSchema):
    note: str = Field("", max_length=200)


@router.post(
    "/visits/{his_visit_no}/settle",
    response={201: SettlementOut, 200: SettlementOut, **ERRORS},
    summary="2207 门诊结算 / 2304 住院结算（需Idempotency-Key）",
)
def settle(
    request,
    his_visit_no: str,
    payload: SettleIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    s, replayed = settling.do_settle(
        request.auth_institution,
        his_visit_no,
        idempotency_key,
        payload.dict(),
        request=request,
    )
    return Status(200 if replayed else 201, shown.answer(s, replayed))


class ReverseIn(PlainSchema):
    reason: str = Field(..., max_length=200)


@router.post(
    "/settlements/{int:settlement_id}/reverse",
    response={201: SettlementOut, 200: SettlementOut, **ERRORS},
    summary="2208 门诊结算撤销 / 2305 住院结算撤销（需Idempotency-Key）",
)
def reverse(
    request,
    settlement_id: int,
    payload: ReverseIn,
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    s, replayed = do_reverse(
        request.auth_institution,
        settlement_id,
        idempotency_key,
        payload.reason,
        request=request,
    )
    return Status(200 if replayed else 201, shown.answer(s, replayed))


@router.get(
    "/settlements/{int:settlement_id}",
    response={200: SettlementOut, **ERRORS},
    summary="结算结果查询",
)
def get_settlement(request, settlement_id: int):
    s = (
        Settlement.objects.of_institution(request.auth_institution.pk)
        .select_related("visit")
        .filter(pk=settlement_id)
        .first()
    )
    if s is None:
        raise NotFound("结算记录")
    reads.audit_read(
        None,
        model_label="insurance.settlement",
        object_id=s.pk,
        person_ids=[s.person_id],
        region_code=s.region_code,
        purpose="结算结果查询",
        request=request,
        institution_id=request.auth_institution.pk,
    )
    return shown.answer(s, False)


class TotalsIn(Schema):
    day: datetime.date
    count: int = Field(..., ge=0, le=10_000_000)
    total: str = Field(..., pattern=r"^-?\d{1,12}(\.\d{1,2})?$")
    fund_paid: str = Field(..., pattern=r"^-?\d{1,12}(\.\d{1,2})?$")
    patient_pay: str = Field(..., pattern=r"^-?\d{1,12}(\.\d{1,2})?$")


class ReconciliationOut(Schema):
    reconciliation_id: int
    day: datetime.date
    kind: str
    matched: bool
    result: dict


def _reconciliation(run) -> dict:
    return {
        "reconciliation_id": run.pk,
        "day": run.day,
        "kind": run.kind,
        "matched": run.matched,
        "result": run.result,
    }


@router.post(
    "/reconciliation/totals", response={201: ReconciliationOut, **ERRORS}, summary="3201 对总账"
)
def reconcile_totals(request, payload: TotalsIn):
    run = clearing.do_reconcile_totals(
        request.auth_institution,
        clearing.TotalsIn(
            day=payload.day,
            count=payload.count,
            total=Decimal(payload.total),
            fund_paid=Decimal(payload.fund_paid),
            patient_pay=Decimal(payload.patient_pay),
        ),
        request=request,
    )
    return Status(201, _reconciliation(run))


class DetailLineIn(Schema):
    settlement_id: int = Field(..., ge=1, le=2**62)
    total: str = Field(..., pattern=r"^-?\d{1,12}(\.\d{1,2})?$")
    fund_paid: str = Field(..., pattern=r"^-?\d{1,12}(\.\d{1,2})?$")


class DetailsIn(Schema):
    day: datetime.date
    lines: list[DetailLineIn] = Field(..., max_length=20000)


@router.post(
    "/reconciliation/details", response={201: ReconciliationOut, **ERRORS}, summary="3202 明细对账"
)
def reconcile_details(request, payload: DetailsIn):
    run = clearing.do_reconcile_details(
        request.auth_institution,
        payload.day,
        [
            clearing.DetailIn(ln.settlement_id, Decimal(ln.total), Decimal(ln.fund_paid))
            for ln in payload.lines
        ],
        request=request,
    )
    return Status(201, _reconciliation(run))

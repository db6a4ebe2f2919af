"""Enrollment API: thin handlers — parse typed input, call one service, return a schema.

Mounted under /api/v1/enrollment/. Amounts are strings with two decimals (DESIGN.md §5);
errors follow the contract `{"error": {"code", "message", "fields"}}`.
"""

import datetime
from typing import Annotated

from ninja import Field, Header, Query, Router, Status

from huimin.core.money import fmt
from huimin.core.schemas import ERRORS, Schema
from huimin.insurance.enrollment import services
from huimin.insurance.enrollment.models import Enrollment, Payment
from huimin.policy import api_requires, reads

router = Router(tags=["enrollment"])

Id = Field(..., ge=1, le=2**62)
Year = Field(..., ge=2000, le=2100, description="参保年度")


class EnrollmentOut(Schema):
    id: int
    person_id: int
    person_name: str
    household_id: int
    year: int
    region_code: str
    status: str
    individual_due: str
    assistance_share: str
    personal_due: str
    subsidy: str
    category: str
    enrolled_on: datetime.date
    late: bool
    benefits_from: datetime.date
    paid_at: datetime.datetime | None


class SkippedOut(Schema):
    person_id: int
    name: str
    reason: str


class EnrollIn(Schema):
    year: int = Year
    person_ids: list[Annotated[int, Field(ge=1, le=2**62)]] | None = Field(
        None, max_length=50, description="要登记的成员；不填则登记全部现有成员"
    )


class EnrollOut(Schema):
    enrolled: list[EnrollmentOut]
    skipped: list[SkippedOut]


class YearQuery(Schema):
    year: int = Year


class EnrollmentList(Schema):
    items: list[EnrollmentOut]


class PaymentIn(Schema):
    amount: str = Field(..., max_length=20, description='缴费金额，须等于个人应缴，如 "200.00"')
    receipt_no: str = Field(..., max_length=40, description="票据号")


class PaymentOut(Schema):
    id: int
    enrollment_id: int
    amount: str
    method: str
    receipt_no: str
    bank_txn_no: str
    paid_at: datetime.datetime
    status: str
    refund_reason: str
    refunded_at: datetime.datetime | None


class RefundIn(Schema):
    reason: str = Field(..., max_length=400, description="退费原因")


class CoverageQuery(Schema):
    person_id: int = Id
    on: datetime.date = Field(..., description="日期，YYYY-MM-DD")


class CoverageBody(Schema):
    enrollment_id: int
    year: int
    benefits_from: datetime.date
    categories: list[str]
    person_category: str


class CoverageOut(Schema):
    person_id: int
    on: datetime.date
    insured: bool
    coverage: CoverageBody | None


class ProgressQuery(Schema):
    year: int = Year
    region: str = Field(
        "", max_length=12, pattern=r"^\d*$", description="县或乡镇区划代码，默认本人辖区"
    )


class ProgressRowOut(Schema):
    code: str
    name: str
    residents: int
    enrolled: int
    insured: int
    rate: str | None


class ProgressOut(Schema):
    year: int
    total: ProgressRowOut
    rows: list[ProgressRowOut]


def _enrollment(e: Enrollment) -> dict:
    return {
        "id": e.pk,
        "person_id": e.person_id,
        "person_name": e.person.name,
        "household_id": e.household_id,
        "year": e.year,
        "region_code": e.region_code,
        "status": e.status,
        "individual_due": fmt(e.individual_due),
        "assistance_share": fmt(e.assistance_share),
        "personal_due": fmt(e.personal_due),
        "subsidy": fmt(e.subsidy),
        "category": e.category,
        "enrolled_on": e.enrolled_on,
        "late": e.late,
        "benefits_from": e.benefits_from,
        "paid_at": e.paid_at,
    }


def _payment(p: Payment) -> dict:
    return {
        "id": p.pk,
        "enrollment_id": p.enrollment_id,
        "amount": fmt(p.amount),
        "method": p.method,
        "receipt_no": p.receipt_no,
        "bank_txn_no": p.bank_txn_no,
        "paid_at": p.paid_at,
        "status": p.status,
        "refund_reason": p.refund_reason,
        "refunded_at": p.refunded_at,
    }


def _row(r: services.ProgressRow) -> dict:
    return {
        "code": r.code,
        "name": r.name,
        "residents": r.residents,
        "enrolled": r.enrolled,
        "insured": r.insured,
        "rate": fmt(r.rate) if r.rate is not None else None,
    }


@router.post(
    "/households/{int:household_id}/enrollments",
    auth=api_requires("registry.write"),
    response={201: EnrollOut, **ERRORS},
    summary="为家庭户成员登记参保",
)
def enroll_household(request, household_id: int, payload: EnrollIn):
    result = services.do_enroll_household(
        request.user, household_id, payload.year, payload.person_ids, request=request
    )
    return Status(
        201,
        {
            "enrolled": [_enrollment(e) for e in result.enrolled],
            "skipped": result.skipped,
        },
    )


@router.get(
    "/households/{int:household_id}/enrollments",
    auth=api_requires("person.read"),
    response={200: EnrollmentList, **ERRORS},
    summary="家庭户成员的参保登记",
)
def household_enrollments(request, household_id: int, query: Query[YearQuery]):
    services.check_can_read(request.user)
    household = services.get_household(request.user, household_id)
    rows = list(
        Enrollment.objects.visible_to(request.user)
        .filter(household=household, year=query.year)
        .select_related("person")
        .order_by("person_id", "id")
    )
    reads.audit_listing(
        request.user,
        model_label="enrollment.enrollment",
        rows=rows,
        query_description=f"家庭户 {household.pk} {query.year} 年度参保登记",
        region_code=household.village_id,
        request=request,
    )
    return {"items": [_enrollment(e) for e in rows]}


@router.post(
    "/enrollments/{int:enrollment_id}/payments",
    auth=api_requires("registry.write"),
    response={200: PaymentOut, 201: PaymentOut, **ERRORS},
    summary="登记现金缴费（幂等：Idempotency-Key）",
)
def record_payment(
    request,
    enrollment_id: int,
    payload: PaymentIn,
    # With a default, so that a missing key gets the contract's own code
    # (idempotency_key_required, core/idempotency.py); the schema still marks it required.
    idempotency_key: str = Header("", alias="Idempotency-Key"),
):
    payment, created = services.do_record_cash_payment(
        request.user,
        enrollment_id,
        payload.amount,
        payload.receipt_no,
        idempotency_key,
        request=request,
    )
    return Status(201 if created else 200, _payment(payment))


@router.post(
    "/enrollments/{int:enrollment_id}/cancel",
    auth=api_requires("registry.write"),
    response={200: EnrollmentOut, **ERRORS},
    summary="取消未缴费的参保登记",
)
def cancel_enrollment(request, enrollment_id: int):
    enrollment = services.do_cancel_enrollment(request.user, enrollment_id, request=request)
    return _enrollment(enrollment)


@router.post(
    "/payments/{int:payment_id}/refund",
    auth=api_requires("registry.write"),
    response={200: PaymentOut, **ERRORS},
    summary="退费（须填写原因）",
)
def refund(request, payment_id: int, payload: RefundIn):
    return _payment(services.do_refund(request.user, payment_id, payload.reason, request=request))


@router.get(
    "/coverage",
    auth=api_requires("person.read"),
    response={200: CoverageOut, **ERRORS},
    summary="某日是否参保",
)
def coverage(request, query: Query[CoverageQuery]):
    person = services.check_coverage_lookup(request.user, query.person_id)
    cov = services.coverage_on(person.pk, query.on)
    reads.audit_read(
        request.user,
        model_label="registry.person",
        object_id=person.pk,
        person_ids=[person.pk],
        region_code=person.village_id,
        fields=["coverage"],
        request=request,
    )
    return {
        "person_id": person.pk,
        "on": query.on,
        "insured": cov is not None,
        "coverage": cov.__dict__ if cov else None,
    }


@router.get(
    "/progress",
    auth=api_requires("person.read"),
    response={200: ProgressOut, **ERRORS},
    summary="参保进度（参保率）",
)
def progress(request, query: Query[ProgressQuery]):
    rows, total = services.progress(request.user, query.year, query.region)
    return {"year": query.year, "total": _row(total), "rows": [_row(r) for r in rows]}

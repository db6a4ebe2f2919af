"""Fee details of a visit (2204/2301 upload, 2205/2302 cancel), priced against the
catalog version in force on each line's date and checked against its restrictions.

Both are idempotent per (institution, Idempotency-Key) through `upload_fees_once` and
`cancel_fees_once` (services.once): a hospital system that resends an upload after a
lost answer gets the first answer back, not its lines billed twice."""

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import statements
from huimin.core.dates import age_on
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.text import control_problems
from huimin.insurance import engine
from huimin.insurance.catalog import rules as catalog_rules
from huimin.insurance.catalog.services import resolve_codes, terms_on
from huimin.insurance.models import FeeDetail, VisitStatus, VisitType
from huimin.insurance.services.base import Refused, once
from huimin.insurance.services.lookup import get_visit

ZERO = Decimal("0.00")
MAX_LINE_AMOUNT = engine.LIMITS.line_amount


@dataclass
class FeeLineData:
    code: str
    quantity: Decimal
    unit_price: Decimal
    name: str = ""
    fee_date: datetime.date | None = None
    override_reason: str = ""


def upload_fees_once(
    institution, his_visit_no: str, lines: list[FeeLineData], idempotency_key: str, *, request=None
) -> tuple[list[FeeDetail], bool]:
    """2204 / 2301 once per key. Returns (the lines written, replayed)."""
    return once(
        institution,
        idempotency_key,
        "upload_fees",
        {"visit": his_visit_no, "lines": [asdict(ln) for ln in lines]},
        lambda: do_upload_fees(institution, his_visit_no, lines, request=request),
        answer=lambda rows: {"lines": [r.pk for r in rows]},
        # The lines as first answered: what an answer shows of a line never changes
        # (cancelling one later only flags it).
        replay=lambda answer: list(
            FeeDetail.objects.filter(pk__in=answer["lines"]).order_by("line_no")
        ),
    )


def do_upload_fees(institution, his_visit_no: str, lines: list[FeeLineData], *, request=None):
    """2204 / 2301: price each line against the catalog version in force on its date."""
    if not lines:
        raise ValidationFailed({"lines": "至少要有一条费用明细"})
    # Codes and names are one line, reasons may span lines. (NUL never gets this far: the
    # API's parser and the pages' input guard refuse it at the edge.)
    text = {}
    for i, ln in enumerate(lines):
        text |= {f"lines[{i}].code": ln.code, f"lines[{i}].name": ln.name}
        text[f"lines[{i}].override_reason"] = ln.override_reason
    reasons = tuple(k for k in text if k.endswith(".override_reason"))
    problems = control_problems(text, free_text=reasons)
    if problems:
        raise ValidationFailed.naming(problems, code="fee_line_invalid")
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, for_fees=True)
        if visit.status in (VisitStatus.SETTLED, VisitStatus.CANCELLED):
            raise Conflict("visit_closed", "该就诊已结算或已撤销，不能再上传费用")
        person = visit.person
        national = resolve_codes(institution.pk, [ln.code for ln in lines])
        dates = {ln.fee_date or visit.visit_date for ln in lines}
        versions_by_date = {
            d: terms_on([national.get(ln.code, ln.code) for ln in lines], d) for d in dates
        }
        today = timezone.localdate()
        last_day = visit.discharge_date or today
        # The days a per-day quantity limit is multiplied by: an outpatient visit is one
        # day however late it is billed; a stay runs from admission to discharge (or today).
        days = (
            1
            if visit.visit_type != VisitType.INPATIENT
            else max(1, (last_day - visit.visit_date).days)
        )
        # A limit binds the visit's total of each code, so splitting a quantity over
        # several lines or uploads does not get round it: read what is already billed
        # (one query, and only when a code in this upload has such a limit).
        limited = {
            code
            for versions in versions_by_date.values()
            for code, v in versions.items()
            if v.max_quantity_per_day is not None
        }
        billed = _billed_quantities(visit.pk, limited) if limited else {}
        errors: dict[str, str] = {}
        unknown: set[str] = set()
        violations: dict[str, str] = {}
        rows = []
        next_no = visit.last_line_no or 0
        age = age_on(person.birth_date, visit.visit_date)
        for i, ln in enumerate(lines):
            path = f"lines[{i}]"
            if ln.quantity <= 0:
                errors[f"{path}.quantity"] = "数量须大于0"
                continue
            if ln.unit_price < 0:
                errors[f"{path}.unit_price"] = "单价不能为负"
                continue
            if ln.quantity * ln.unit_price > MAX_LINE_AMOUNT:
                # Past what the settlement's money columns hold: a typing slip, not a bill.
                errors[f"{path}.unit_price"] = f"单项金额超过{MAX_LINE_AMOUNT}元，请核对数量和单价"
                continue
            fee_date = ln.fee_date or visit.visit_date
            if fee_date < visit.visit_date:
                errors[f"{path}.fee_date"] = "费用日期早于就诊日期"
                continue
            if fee_date > last_day:
                errors[f"{path}.fee_date"] = (
                    "费用日期晚于出院日期" if visit.discharge_date else "费用日期晚于今天"
                )
                continue
            code = national.get(ln.code, ln.code)
            version = versions_by_date[fee_date].get(code)
            if version is None:
                unknown.add(f"{path}.code")
                errors[f"{path}.code"] = f"目录中没有编码{ln.code}（或未对照、未生效）"
                continue
            billed[code] = billed.get(code, ZERO) + ln.quantity
            found = catalog_rules.check_line(
                version,
                sex=person.sex,
                age=age,
                institution_level=visit.institution_level,
                quantity=billed[code],
                days=days,
            )
            if found and not ln.override_reason.strip():
                violations[f"{path}.code"] = "；".join(v.message for v in found)
            overridden = ",".join(v.code for v in found)
            next_no += 1
            rows.append(
                FeeDetail(
                    visit=visit,
                    line_no=next_no,
                    code=code,
                    local_code=ln.code if code != ln.code else "",
                    name=(ln.name or version.name)[:200],
                    item_class=version.item_class,
                    quantity=ln.quantity,
                    unit_price=ln.unit_price,
                    ceiling=version.ceiling,
                    b_self_ratio=version.b_self_ratio,
                    fee_date=fee_date,
                    override_reason=ln.override_reason.strip()[:200],
                    overridden=overridden[:120],
                )
            )
        if errors:
            # An unknown code has its own code (the issue's refusal list), the lines'
            # other problems listed with it.
            raise ValidationFailed(
                errors, code="unknown_code" if unknown == set(errors) else "fee_line_invalid"
            )
        if violations:
            raise Refused(
                "restriction_violated", "费用明细违反目录限制（可填写理由后重新上传）", violations
            )
        statements.insert(*rows)
        # Lines let through on a reason are in the audit record with what they broke.
        overrides = {
            str(r.line_no): [r.code, r.overridden, r.override_reason] for r in rows if r.overridden
        }
        record(
            action="create",
            object_type="insurance.fees",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            institution_id=institution.pk,
            fields=[r.code for r in rows][:50],
            changes={"overridden": [None, overrides]} if overrides else None,
        )
    return rows


def _billed_quantities(visit_id: int, codes: set[str]) -> dict[str, Decimal]:
    """The quantity of each code already billed (not cancelled) on the visit."""
    rows = (
        FeeDetail.objects.filter(visit_id=visit_id, cancelled=False, code__in=codes)
        .values("code")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {row["code"]: row["total"] for row in rows}


def cancel_fees_once(
    institution,
    his_visit_no: str,
    line_nos: list[int] | None,
    idempotency_key: str,
    *,
    request=None,
) -> tuple[int, bool]:
    """2205 / 2302 once per key. Returns (lines cancelled, replayed)."""
    return once(
        institution,
        idempotency_key,
        "cancel_fees",
        {"visit": his_visit_no, "line_nos": line_nos},
        lambda: do_cancel_fees(institution, his_visit_no, line_nos, request=request),
        answer=lambda n: {"cancelled": n},
        replay=lambda answer: answer["cancelled"],
    )


def do_cancel_fees(institution, his_visit_no: str, line_nos: list[int] | None, *, request=None):
    """2205 / 2302: cancel the given lines, or all of them."""
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, lock=True)
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "已结算的就诊须先冲正结算")
        qs = FeeDetail.objects.filter(visit=visit, cancelled=False)
        if line_nos:
            qs = qs.filter(line_no__in=line_nos)
            # A number with no line to cancel (never uploaded, or cancelled before) is
            # most likely the HIS's mistake: say which, and cancel none of them.
            found = set(qs.values_list("line_no", flat=True))
            missing = sorted(set(line_nos) - found)
            if missing:
                raise ValidationFailed.naming(
                    {"line_nos": f"没有可撤销的明细行：{'、'.join(map(str, missing))}"},
                    code="unknown_line",
                )
        n = qs.update(cancelled=True)
        record(
            action="update",
            object_type="insurance.fees",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            institution_id=institution.pk,
            changes={"cancelled_lines": [None, n]},
        )
    return n

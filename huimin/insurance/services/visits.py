"""Visits: 2201/2401 register or admit, 2202/2404 cancel, 2402 discharge, 2405 its cancel."""

import datetime
from dataclasses import asdict, dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import crypto, statements
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.text import control_problems, has_control_or_break
from huimin.insurance import plans
from huimin.insurance.models import (
    Visit,
    VisitStatus,
    VisitType,
)
from huimin.insurance.plan import LEVEL_NAMES, visit_type_name
from huimin.insurance.services.base import Refused, once
from huimin.insurance.services.lookup import check_institution, coverage, find_person, get_visit
from huimin.registry.models import Institution


@dataclass
class VisitData:
    id_number: str
    visit_type: str
    his_visit_no: str
    visit_date: datetime.date
    diagnosis_code: str = ""
    diagnosis_name: str = ""
    doctor_code: str = ""  # the attending doctor's insurance code (医保医师代码)


# A number is the path parameter of every later call (/visits/{his_visit_no}/…): '/'
# splits the path, '?' and '#' end it, '%' and '\' are decoded or rewritten on the way,
# and "." or ".." is folded away by clients. Such a visit could never be reached again.
_NOT_IN_PATH = "/\\?#%"


def visit_no_problem(no: str) -> str | None:
    """Why `no` cannot be an institution's visit number, or None."""
    if not no.strip() or len(no) > 40:
        return "机构就诊流水号不能为空且不超过40字符"
    if has_control_or_break(no):
        return "机构就诊流水号不能含有控制字符"
    if no != no.strip():
        return "机构就诊流水号首尾不能有空格"
    bad = [c for c in _NOT_IN_PATH if c in no]
    if bad:
        return f"机构就诊流水号不能含有字符 {' '.join(bad)}（无法用于接口路径）"
    if set(no) == {"."}:
        return "机构就诊流水号不能只由句点组成"
    return None


def do_register_visit(institution: Institution, data: VisitData, *, request=None) -> Visit:
    """2201 (outpatient) / 2401 (admission)."""
    # These are one line (NUL itself is refused at the edges: the API's parser, the pages'
    # input guard).
    errors = control_problems(
        {
            "visit_type": data.visit_type,
            "diagnosis_code": data.diagnosis_code,
            "diagnosis_name": data.diagnosis_name,
            "doctor_code": data.doctor_code,
        }
    )
    if len(data.doctor_code) > 40:
        errors["doctor_code"] = "医师编码不能超过40字符"
    if problem := visit_no_problem(data.his_visit_no):
        errors["his_visit_no"] = problem
    if data.visit_date > timezone.localdate():
        errors["visit_date"] = "就诊日期不能晚于今天"
    if errors:
        raise ValidationFailed.naming(errors)
    person = find_person(data.id_number)
    check_institution(institution, data.visit_date)
    cov = coverage(person, data.visit_date)
    plan_row = plans.active_plan_for(person.village_id, data.visit_date.year)
    if plan_row is None:
        raise Refused("no_plan", "参保地当年没有生效的结算方案")
    plan = plans.parsed(plan_row)
    vt = plan.visit_types.get(data.visit_type)
    if vt is None:
        raise Refused(
            "visit_type_unknown",
            "就诊类型不在结算方案中",
            {"visit_type": f"可选：{'、'.join(map(visit_type_name, plan.visit_types.values()))}"},
        )
    if vt.diagnoses and not data.diagnosis_code.strip().upper().startswith(vt.diagnoses):
        raise Refused(
            "diagnosis_not_covered",
            "该就诊类型限定诊断，诊断编码不在范围内",
            {"diagnosis_code": f"须为以下ICD-10编码之一开头：{'、'.join(vt.diagnoses)}"},
        )
    level = institution.level or "1"
    if level not in vt.ratio:
        raise Refused(
            "visit_type_not_covered",
            "该就诊类型在此等级的机构不予报销",
            {"visit_type": f"{visit_type_name(vt)}不在{LEVEL_NAMES.get(level, level)}机构报销"},
        )
    # No look-before-insert: the unique constraint answers a number registered twice
    # (also by a racing request), and the common case saves a query.
    taken = Conflict("visit_no_exists", "该就诊流水号已登记", {"his_visit_no": "已存在"})
    try:
        with transaction.atomic():
            visit = _create_visit(institution, person, cov, level, data)
            record(
                action="create",
                object_type="insurance.visit",
                object_id=str(visit.pk),
                region_code=person.village_id,
                request=request,
                institution_id=institution.pk,
            )
    except IntegrityError:
        raise taken from None  # the same number registered by a concurrent request
    return visit


def _create_visit(institution, person, cov, level: str, data: VisitData) -> Visit:
    visit = Visit(
        person=person,
        institution=institution,
        region_code=person.village_id,
        visit_type=data.visit_type,
        institution_level=level,
        person_category=cov.person_category,
        his_visit_no=data.his_visit_no,
        visit_date=data.visit_date,
        diagnosis_code=data.diagnosis_code[:20],
        doctor_code=data.doctor_code.strip(),
        diagnosis_name=data.diagnosis_name[:100],
    )
    statements.insert(visit)
    return visit


def _visit_answer(visit: Visit) -> dict:
    return {
        "visit": visit.pk,
        "status": visit.status,
        "discharge_date": visit.discharge_date.isoformat() if visit.discharge_date else None,
    }


def _visit_replay(institution: Institution):
    def replay(answer: dict) -> Visit:
        visit = Visit.objects.select_related("person").get(pk=answer["visit"])
        visit.institution = institution
        # The visit as the first answer showed it, not as it is now (it may have been
        # discharged or settled since): a replay repeats the answer. Not saved.
        visit.status = answer["status"]
        left = answer["discharge_date"]
        visit.discharge_date = datetime.date.fromisoformat(left) if left else None
        return visit

    return replay


def register_visit_once(
    institution: Institution,
    data: VisitData,
    idempotency_key: str,
    *,
    request=None,
    choose_no=None,
) -> tuple[Visit, bool]:
    """2201 / 2401 once per key. Returns (visit, replayed).

    `choose_no`: the counter page picks the visit number when the clerk left it blank;
    the number is chosen inside the transaction and is not part of the request, so a
    resent form is the same request."""
    # The ID number is hashed under the blind-index key, never as plain text (DESIGN.md
    # §6: a plain SHA-256 of an 18-digit number with a known birth date is guessable).
    # Any text hashes (a lone surrogate too): find_person refuses a bad number afterwards.
    raw = data.id_number.encode("utf-8", "surrogatepass").decode("latin-1")
    body = asdict(data) | {"id_number": crypto.blind_index(raw, context="idempotency.id_number")}

    def run() -> Visit:
        if choose_no is not None:
            data.his_visit_no = choose_no()
        return do_register_visit(institution, data, request=request)

    return once(
        institution,
        idempotency_key,
        "register_visit",
        body,
        run,
        answer=_visit_answer,
        replay=_visit_replay(institution),
    )


def _visit_once(institution, key: str, operation: str, body: dict, run) -> tuple[Visit, bool]:
    return once(
        institution,
        key,
        operation,
        body,
        run,
        answer=_visit_answer,
        replay=_visit_replay(institution),
    )


def cancel_visit_once(institution, his_visit_no: str, idempotency_key: str, *, request=None):
    """2202 / 2404 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "cancel_visit",
        {"visit": his_visit_no},
        lambda: do_cancel_visit(institution, his_visit_no, request=request),
    )


def discharge_once(
    institution, his_visit_no: str, discharge_date, idempotency_key: str, *, request=None
):
    """2402 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "discharge",
        {"visit": his_visit_no, "discharge_date": discharge_date.isoformat()},
        lambda: do_discharge(institution, his_visit_no, discharge_date, request=request),
    )


def cancel_discharge_once(institution, his_visit_no: str, idempotency_key: str, *, request=None):
    """2405 once per key. Returns (visit, replayed)."""
    return _visit_once(
        institution,
        idempotency_key,
        "cancel_discharge",
        {"visit": his_visit_no},
        lambda: do_cancel_discharge(institution, his_visit_no, request=request),
    )


def _change_visit(institution, his_visit_no: str, refuse, request, **values) -> Visit:
    """Lock the visit, let `refuse` raise if the change is not allowed in its state, set
    `values` and audit each field's before and after. The one path of 2202/2404, 2402
    and 2405, so they lock, check and audit alike."""
    with transaction.atomic():
        visit = get_visit(institution, his_visit_no, lock=True)
        refuse(visit)
        changes = {}
        for name, value in values.items():
            before = getattr(visit, name)
            changes[name] = [_shown(before), _shown(value)]
            setattr(visit, name, value)
        visit.save(update_fields=list(values))
        record(
            action="update",
            object_type="insurance.visit",
            object_id=str(visit.pk),
            region_code=visit.region_code,
            request=request,
            changes=changes,
            institution_id=institution.pk,
        )
    return visit


def _shown(value):
    """A field's value as the audit record keeps it: dates as ISO text, choices as codes."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return getattr(value, "value", value)


def do_cancel_visit(institution: Institution, his_visit_no: str, *, request=None) -> Visit:
    """2202 / 2404: only a visit not settled."""

    def refuse(visit: Visit) -> None:
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "已结算的就诊须先冲正结算")
        # Cancelled already: say so (as settle and pre-settle do) rather than answer 200
        # again and audit a change that did not happen.
        if visit.status == VisitStatus.CANCELLED:
            raise Conflict("visit_closed", "该就诊已撤销")
        # Undone in the order it was done: 2405 reopens the stay, then 2404 cancels it.
        if visit.status == VisitStatus.DISCHARGED:
            raise Conflict("visit_discharged", "已办理出院的住院须先撤销出院（2405）")

    return _change_visit(institution, his_visit_no, refuse, request, status=VisitStatus.CANCELLED)


def do_discharge(institution, his_visit_no: str, discharge_date: datetime.date, *, request=None):
    """2402."""

    def refuse(visit: Visit) -> None:
        if visit.visit_type != VisitType.INPATIENT:
            raise Refused("not_inpatient", "只有住院就诊可以办理出院")
        if visit.status != VisitStatus.OPEN:
            raise Conflict("visit_not_open", "该住院不在院")
        if discharge_date < visit.visit_date or discharge_date > timezone.localdate():
            raise ValidationFailed({"discharge_date": "出院日期须在入院日期与今天之间"})

    return _change_visit(
        institution,
        his_visit_no,
        refuse,
        request,
        status=VisitStatus.DISCHARGED,
        discharge_date=discharge_date,
    )


def do_cancel_discharge(institution, his_visit_no: str, *, request=None) -> Visit:
    """2405: a discharge recorded by mistake; the stay is open again (not once settled:
    the settlement is reversed first)."""

    def refuse(visit: Visit) -> None:
        if visit.visit_type != VisitType.INPATIENT:
            raise Refused("not_inpatient", "只有住院就诊可以撤销出院")
        if visit.status == VisitStatus.SETTLED:
            raise Conflict("visit_settled", "已结算的住院须先冲正结算")
        if visit.status != VisitStatus.DISCHARGED:
            raise Conflict("visit_not_discharged", "该住院尚未办理出院")

    return _change_visit(
        institution, his_visit_no, refuse, request, status=VisitStatus.OPEN, discharge_date=None
    )


# ---------------------------------------------------------------- settle

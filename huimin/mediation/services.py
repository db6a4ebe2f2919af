"""Mediation use cases: open a case, record its next step, attach documents, raise the
overdue notices. Each `do_*` checks the permission and the case's region, writes in one
transaction with its audit record (naming the resident), and changes nothing when it
refuses. Step order, deadlines and each step's fields are the pure rules (rules.py).
"""

import datetime
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import documents
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.core.models import StoredDocument
from huimin.insurance.models import Settlement
from huimin.mediation import conf, rules
from huimin.mediation.models import OWNER_TYPE, CaseStep, MediationCase
from huimin.oversight.notices import raise_notice
from huimin.policy import check_institution, check_perm, visible_to
from huimin.registry.models import Institution
from huimin.registry.services import find_by_id_number

READ = "mediation.read"
MANAGE = "mediation.manage"
OVERDUE_CODE = "mediation_step_overdue"
OVERDUE_NAME = "调解步骤逾期"


def today() -> datetime.date:
    return timezone.localdate()


def _people(case: MediationCase) -> list[int]:
    return [case.person_id] if case.person_id else []


def _locked_case(user, case_id: int) -> MediationCase:
    """The case, locked, if the user may manage it; 404 when it is not theirs to see."""
    case = visible_to(user, MediationCase).select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound("调解案件")
    check_perm(user, MANAGE, case.region_code)
    return case


# ---------------------------------------------------------------- opening


def do_open_case(user, data: dict, *, request=None) -> MediationCase:
    """A new case at 受理, due in the acceptance days. `data`: id_number (optional),
    applicant_name, institution (id), settlement (id, optional), summary, claimed_amount."""
    check_perm(user, MANAGE)
    errors: dict[str, str] = {}
    person = None
    raw_number = (data.get("id_number") or "").strip()
    if raw_number:
        person = find_by_id_number(user, raw_number)
        if person is None:
            errors["id_number"] = "未找到该身份证号的参保人（或不在您的辖区内）"
    try:
        # A settlement names its patient: the applicant, when no one else is given.
        named = bool(raw_number) or bool(str(data.get("settlement") or "").strip())
        fields = rules.check_new_case(data, has_person=named)
    except rules.StepErrors as exc:
        errors.update(exc.fields)
        fields = None
    institution = None
    try:
        institution_id = int(data.get("institution") or 0)
    except (TypeError, ValueError):
        institution_id = 0
    if 0 < institution_id < 2**63:
        institution = visible_to(user, Institution).filter(pk=institution_id).first()
    if institution is None:
        errors["institution"] = "请选择辖区内的医疗机构"
    settlement = None
    raw_settlement = str(data.get("settlement") or "").strip()
    if raw_settlement:
        if not (raw_settlement.isascii() and raw_settlement.isdigit()) or len(raw_settlement) > 18:
            errors["settlement"] = "结算号应为数字"
        else:
            settlement = visible_to(user, Settlement).filter(pk=int(raw_settlement)).first()
            if settlement is None:
                errors["settlement"] = "未找到该结算记录（或不在您的辖区内）"
            elif institution is not None and settlement.institution_id != institution.pk:
                errors["settlement"] = "该结算不是所选医疗机构的结算"
            elif person is not None and settlement.person_id != person.pk:
                errors["settlement"] = "该结算不是这位参保人的结算"
            elif person is None and not raw_number:
                person = settlement.person
    if errors:
        raise ValidationFailed(errors)
    check_institution(user, institution.pk)
    check_perm(user, MANAGE, institution.region_id)
    days = conf.step_days()
    with transaction.atomic():
        case = MediationCase.objects.create(
            number=f"p{uuid.uuid4().hex[:19]}",  # replaced below, once the id is known
            person=person,
            applicant_name=fields.applicant_name,
            institution=institution,
            settlement=settlement,
            summary=fields.summary,
            claimed_amount=fields.claimed_amount,
            status=rules.ACCEPTANCE,
            step_due=rules.due_date(rules.ACCEPTANCE, today(), days),
            opened_by=user,
            region_code=institution.region_id,
        )
        # The number from the row's id: unique without a counter to lock.
        case.number = f"TJ{today():%Y}{case.pk:06d}"
        case.save(update_fields=["number"])
        record(
            action="create",
            object_type=OWNER_TYPE,
            object_id=str(case.pk),
            region_code=case.region_code,
            fields=["person", "applicant_name", "institution", "summary", "claimed_amount"],
            purpose=f"受理调解申请 {case.number}",
            actor=user,
            request=request,
            institution_id=institution.pk,
            person_ids=_people(case),
        )
    return case


# ---------------------------------------------------------------- steps


def do_record_step(user, case_id: int, step: str, data: dict, *, request=None) -> CaseStep:
    """Record the case's next step; any other step is refused (409), bad fields 422."""
    days = conf.step_days()
    with transaction.atomic():
        case = _locked_case(user, case_id)
        agreed = None
        if step == rules.PAYMENT:
            agreed = (
                case.steps.filter(step=rules.AGREEMENT).values_list("amount", flat=True).first()
            )
        try:
            entry = rules.check_step(case.status, step, data, agreed_amount=agreed)
        except rules.StepOutOfOrder as exc:
            raise Conflict("mediation_step_order", str(exc), {"step": str(exc)}) from None
        except rules.StepErrors as exc:
            raise ValidationFailed(exc.fields) from None
        done = CaseStep.objects.create(
            case=case,
            step=entry.step,
            result=entry.result,
            note=entry.note,
            responsibility=entry.responsibility,
            amount=entry.amount,
            reference=entry.reference,
            deadline=case.step_due,
            done_by=user,
        )
        old = case.status
        case.status = rules.status_after(entry.step, entry.result)
        case.step_due = rules.due_date(case.status, today(), days)
        update = ["status", "step_due"]
        if case.status == rules.CLOSED:
            case.closed_at = timezone.now()
            case.close_reason = (
                f"调解不成：{entry.note}" if entry.step == rules.AGREEMENT else "回访完成，结案"
            )
            update += ["closed_at", "close_reason"]
        case.save(update_fields=update)
        record(
            action="update",
            object_type=OWNER_TYPE,
            object_id=str(case.pk),
            region_code=case.region_code,
            fields=["status", entry.step],
            changes={"status": [old, case.status], "result": entry.result},
            purpose=f"登记调解步骤 {case.number} {done.label}",
            actor=user,
            request=request,
            institution_id=case.institution_id,
            person_ids=_people(case),
        )
    return done


# ---------------------------------------------------------------- documents


PURPOSES = {**rules.STEP_LABELS, "case": "案件材料"}


def do_upload(user, case_id: int, upload, purpose: str, *, request=None) -> StoredDocument:
    """Attach a document to a case (under a step, or the case as a whole). A refused
    upload (type, size, empty, name) stores nothing and records nothing."""
    if purpose not in PURPOSES:
        raise ValidationFailed({"purpose": "请选择材料所属步骤"})
    if upload is None:
        raise documents.DocumentRefused("document_empty", "请选择要上传的文件")
    with transaction.atomic():
        case = _locked_case(user, case_id)
        if case.status == rules.CLOSED:
            raise Conflict("mediation_closed", "案件已结案，不能再上传材料")
        doc = documents.store(
            upload,
            filename=getattr(upload, "name", "") or "",
            purpose=purpose,
            owner_type=OWNER_TYPE,
            owner_id=str(case.pk),
            uploaded_by=user,
        )
        record(
            action="create",
            object_type="core.storeddocument",
            object_id=str(doc.pk),
            region_code=case.region_code,
            fields=["file"],
            purpose=f"上传调解材料 {case.number} {PURPOSES[purpose]}",
            actor=user,
            request=request,
            institution_id=case.institution_id,
            person_ids=_people(case),
        )
    return doc


def documents_of(case: MediationCase) -> list[StoredDocument]:
    return list(
        StoredDocument.objects.filter(owner_type=OWNER_TYPE, owner_id=str(case.pk))
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def document_of(case: MediationCase, doc_id: int) -> StoredDocument:
    doc = (
        StoredDocument.objects.filter(
            owner_type=OWNER_TYPE, owner_id=str(case.pk), pk=doc_id
        ).first()
        if 0 < doc_id < 2**63
        else None
    )
    if doc is None:
        raise NotFound("材料")
    return doc


# ---------------------------------------------------------------- overdue


def overdue_cases(on: datetime.date):
    """Open cases whose current step's deadline has passed (mediation_due_idx)."""
    return MediationCase.objects.filter(step_due__lt=on).exclude(status=rules.CLOSED)


def raise_overdue_notices(on: datetime.date | None = None) -> int:
    """One business notice per case step overdue (the dedupe key is the case and step,
    so a nightly run raises each once). Returns how many were raised now."""
    on = on or today()
    raised = 0
    for case in overdue_cases(on).only("pk", "number", "status", "step_due", "region_code"):
        label = rules.STEP_LABELS[case.status]
        late = rules.days_overdue(case.status, case.step_due, on)
        alert = raise_notice(
            OVERDUE_CODE,
            OVERDUE_NAME,
            "medium",
            f"调解案件 {case.number}：{label}已逾期{late}天（期限 {case.step_due:%Y-%m-%d}）",
            {
                "case_id": case.pk,
                "number": case.number,
                "step": case.status,
                "due": case.step_due.isoformat(),
                "url": reverse("mediation:case_detail", args=[case.pk]),
            },
            dedupe_key=f"{case.pk}:{case.status}",
            audience=MANAGE,
            region_code=case.region_code,
        )
        raised += alert is not None
    return raised

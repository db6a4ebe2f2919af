"""Archive management (档案管理): transfer, responsible doctor, closing, appraisal and
destruction with two approvals. The rules are in archive_rules.py.

Destruction is the only code path that deletes a record's forms, and it runs only as the
second approval of a request; the Destruction row stays as the register.
"""

from __future__ import annotations

import contextvars
import datetime as dt

from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record as audit
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.core.names import mask_name
from huimin.policy import has_perm, jurisdiction_of, reads
from huimin.records import archive_rules as rules
from huimin.records import conf
from huimin.records.models import (
    Destruction,
    DestructionStatus,
    DueService,
    Finding,
    Form,
    HealthRecord,
    Programme,
    RecordStatus,
    RecordTransfer,
)
from huimin.records.services import check_can, get_record, today
from huimin.registry.models import Region, RegionLevel, Staff

DOCTOR_ROLES = ("village_doctor", "doctor")

# Set only while a destruction approved twice erases a record's forms.
_destroying = contextvars.ContextVar("huimin_records_destroying", default=False)


def refuse_form_deletion(sender, instance, **kwargs) -> None:
    """pre_delete on Form (connected in apps.py): a form is never deleted silently. A
    draft is kept or signed, a signed form amended; only destruction removes forms."""
    if not _destroying.get():
        raise Conflict("form_delete_refused", "表单不能删除：只能更正，或经两人审批销毁整份档案")


def _refuse_closed(record: HealthRecord) -> None:
    if record.read_only:
        raise Conflict("record_closed", "档案已结案或销毁，只能查阅")


# ---------------------------------------------------------------- transfer


def _village(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip(), level=RegionLevel.VILLAGE).first()
    if region is None:
        raise ValidationFailed({"to_region_code": "迁入地须为已登记的村（居）区划代码"})
    return region


def do_transfer_record(
    user, record_id: int, to_region_code: str, reason: str, *, request=None
) -> RecordTransfer:
    """档案迁移: the record and every row of it move to the new village; the old area
    keeps a RecordTransfer trace (scoped to the old village) and nothing else."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = "请填写迁移原因"
    elif len(reason) > 200:
        errors["reason"] = "迁移原因不能超过200个字"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        record = get_record(user, record_id, for_update=True)
        old = record.region_code
        check_can(user, "record.archive", old)
        _refuse_closed(record)
        new = _village(to_region_code).code
        if new == old:
            raise ValidationFailed({"to_region_code": "迁入地与现所属村（居）相同"})
        moved = {
            "forms": Form.objects.filter(record=record).update(region_code=new),
            "programmes": Programme.objects.filter(record=record).update(region_code=new),
            # The new area assigns its own doctor; their due list must not show the
            # old doctor's name.
            "due": DueService.objects.filter(record=record).update(region_code=new, doctor=None),
            "findings": Finding.objects.filter(record=record).update(region_code=new),
        }
        HealthRecord.objects.filter(pk=record.pk).update(
            region_code=new, responsible_doctor=None, changed_at=timezone.now()
        )
        trace = RecordTransfer.objects.create(
            record=record,
            from_region_code=old,
            to_region_code=new,
            region_code=old,
            transferred_on=today(),
            reason=reason,
            transferred_by=user,
        )
        audit(
            action="update",
            object_type="records.record",
            object_id=str(record.pk),
            region_code=old,
            changes={"region_code": [old, new], "moved": moved, "transfer": trace.pk},
            reason="transfer",
            purpose=reason,
            actor=user,
            request=request,
        )
        return trace


def transfers_out(user):
    """The user's area's transfer traces (the records themselves are gone from it)."""
    check_can(user, "record.read")
    return RecordTransfer.objects.visible_to(user).select_related("record__person")


def read_transfer(user, transfer_id: int, *, request=None) -> RecordTransfer:
    """The old area's read-only trace: who, when, where to (no forms)."""
    try:
        trace = transfers_out(user).get(pk=transfer_id)
    except RecordTransfer.DoesNotExist:
        raise NotFound("迁移记录") from None
    reads.audit_read(
        user,
        model_label="records.transfer",
        object_id=trace.pk,
        person_ids=[trace.record.person_id],
        region_code=trace.region_code,
        request=request,
    )
    return trace


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


# ---------------------------------------------------------------- responsible doctor


def doctors_for(region_code: str):
    """Doctor accounts whose jurisdiction covers the village (the candidates)."""
    prefixes = [region_code[:n] for n in range(1, len(region_code) + 1)]
    return (
        Staff.objects.filter(role__in=DOCTOR_ROLES, jurisdiction__in=prefixes, user__is_active=True)
        .select_related("user", "institution")
        .order_by("role", "user__username")
    )


def do_assign_doctor(user, record_id: int, doctor_id: int, *, request=None) -> HealthRecord:
    """责任医生: a doctor whose jurisdiction covers the record's village."""
    with transaction.atomic():
        record = get_record(user, record_id, for_update=True)
        check_can(user, "record.archive", record.region_code)
        _refuse_closed(record)
        staff = doctors_for(record.region_code).filter(user_id=doctor_id).first()
        if staff is None or not has_perm(staff.user, "record.write"):
            raise ValidationFailed({"doctor": "请选择辖区覆盖该村的医生"})
        before = record.responsible_doctor_id
        record.responsible_doctor = staff.user
        record.save(update_fields=["responsible_doctor"])
        DueService.objects.filter(record=record).update(doctor=staff.user)
        audit(
            action="update",
            object_type="records.record",
            object_id=str(record.pk),
            region_code=record.region_code,
            changes={"responsible_doctor": [before, staff.user_id]},
            actor=user,
            request=request,
        )
        return record


# ---------------------------------------------------------------- closing


def _close(record: HealthRecord, reason: str, closed_on: dt.date, actor, request=None) -> int:
    """Close a locked, active record: read-only from now, nothing left due."""
    removed, _ = DueService.objects.filter(record=record).delete()
    Programme.objects.filter(record=record, ended_on__isnull=True).update(
        ended_on=closed_on, end_reason="结案：" + rules.CLOSE_REASONS[reason]
    )
    HealthRecord.objects.filter(pk=record.pk).update(
        status=RecordStatus.CLOSED,
        closed_on=closed_on,
        close_reason=reason,
        changed_at=timezone.now(),
    )
    record.status, record.closed_on, record.close_reason = RecordStatus.CLOSED, closed_on, reason
    audit(
        action="update",
        object_type="records.record",
        object_id=str(record.pk),
        region_code=record.region_code,
        changes={"status": ["active", "closed"], "closed_on": closed_on, "due_removed": removed},
        reason=f"close:{reason}",
        actor=actor,
        request=request,
    )
    return removed


def do_close_record(
    user, record_id: int, reason: str, closed_on: dt.date | None = None, *, request=None
) -> HealthRecord:
    """结案 (death, emigration, other). A death closes on the registry's death date."""
    with transaction.atomic():
        record = get_record(user, record_id, for_update=True)
        check_can(user, "record.archive", record.region_code)
        _refuse_closed(record)
        death = record.person.death_date
        if closed_on is None:
            closed_on = death if reason == "death" and death else today()
        errors = rules.close_problems(
            reason, closed_on, today=today(), opened_on=record.opened_on, death_date=death
        )
        if errors:
            raise ValidationFailed(errors)
        _close(record, reason, closed_on, user, request)
        return record


def close_deceased_records(region_prefix: str = "") -> int:
    """Close every active record whose person has a death date (the registry records
    deaths but cannot call records). Idempotent: closed records are skipped."""
    rows = HealthRecord.objects.filter(status=RecordStatus.ACTIVE, person__death_date__isnull=False)
    if region_prefix:
        rows = rows.within(region_prefix)
    closed = 0
    for pk in rows.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            record = (
                HealthRecord.objects.select_for_update(of=("self",))
                .select_related("person")
                .filter(pk=pk, status=RecordStatus.ACTIVE)
                .first()
            )
            if record is None:  # closed meanwhile
                continue
            # A death recorded before the file was opened (a late registry entry) closes
            # on the opening day: the record's dates never run backwards.
            on = max(record.person.death_date, record.opened_on)
            _close(record, "death", on, None)
            closed += 1
    return closed


# ---------------------------------------------------------------- appraisal


def appraisal(user, on: dt.date | None = None):
    """(eligible, not yet eligible) closed records in the user's area, with the date
    each becomes eligible for destruction."""
    check_can(user, "record.archive")
    on = on or today()
    years = conf.retention_years()
    cutoff = rules.latest_eligible_closing(on, years)
    closed = (
        HealthRecord.objects.visible_to(user)
        .filter(status=RecordStatus.CLOSED)
        .select_related("person")
        .order_by("closed_on", "number")
    )
    return closed.filter(closed_on__lte=cutoff), closed.filter(closed_on__gt=cutoff), years


def eligible_on(record: HealthRecord) -> dt.date | None:
    if record.closed_on is None:
        return None
    return rules.eligible_on(record.closed_on, conf.retention_years())


# ---------------------------------------------------------------- destruction

PENDING = (DestructionStatus.REQUESTED, DestructionStatus.FIRST_APPROVED)


def do_request_destruction(user, record_id: int, basis: str, *, request=None) -> Destruction:
    """销毁申请: only a closed record whose retention has run out, with the basis."""
    basis = (basis or "").strip()
    if not basis:
        raise ValidationFailed({"basis": "请填写鉴定依据"})
    if len(basis) > 200:
        raise ValidationFailed({"basis": "鉴定依据不能超过200个字"})
    with transaction.atomic():
        record = get_record(user, record_id, for_update=True)
        check_can(user, "record.archive", record.region_code)
        if record.status != RecordStatus.CLOSED:
            raise Conflict("record_not_closed", "只有已结案的档案才能申请销毁")
        on = today()
        years = conf.retention_years()
        if not rules.is_eligible(record.closed_on, on, years):
            until = rules.eligible_on(record.closed_on, years)
            raise Conflict(
                "within_retention", f"档案仍在保存期内（{years}年），{until:%Y-%m-%d}起方可鉴定销毁"
            )
        if Destruction.objects.filter(record=record, status__in=PENDING).exists():
            raise Conflict("destruction_pending", "该档案已有待审批的销毁申请")
        entry = Destruction.objects.create(
            record=record,
            region_code=record.region_code,
            record_number=record.number,
            person_name_masked=mask_name(record.person.name),
            basis=basis,
            form_count=Form.objects.filter(record=record).count(),
            requested_by=user,
        )
        audit(
            action="create",
            object_type="records.destruction",
            object_id=str(entry.pk),
            region_code=entry.region_code,
            purpose=basis,
            actor=user,
            request=request,
        )
        return entry


def _pending_for_update(user, destruction_id: int) -> Destruction:
    check_can(user, "record.destroy_approve")
    try:
        entry = Destruction.objects.visible_to(user).select_for_update().get(pk=destruction_id)
    except Destruction.DoesNotExist:
        raise NotFound("销毁申请") from None
    check_can(user, "record.destroy_approve", entry.region_code)
    return entry


def _denied(user, entry_id: int, region_code: str, code: str, request) -> None:
    # Recorded after the refused work rolled back (audit.record writes in the caller's
    # transaction).
    audit(
        action="approve",
        object_type="records.destruction",
        object_id=str(entry_id),
        region_code=region_code,
        outcome="denied",
        reason=code,
        actor=user,
        request=request,
    )


def do_approve_destruction(
    user, destruction_id: int, note: str = "", *, request=None
) -> Destruction:
    """First approval, or the second approval that carries the destruction out."""
    note = (note or "").strip()[:200]
    refusal = None
    with transaction.atomic():
        entry = _pending_for_update(user, destruction_id)
        problem = rules.approval_problem(
            status=entry.status,
            requester_id=entry.requested_by_id,
            first_approver_id=entry.first_approver_id,
            approver_id=user.pk,
        )
        if problem is None:
            if entry.status == DestructionStatus.REQUESTED:
                entry.status = DestructionStatus.FIRST_APPROVED
                entry.first_approver = user
                entry.first_approved_at = timezone.now()
                if note:
                    entry.note = note
                entry.save()
                audit(
                    action="approve",
                    object_type="records.destruction",
                    object_id=str(entry.pk),
                    region_code=entry.region_code,
                    reason="first",
                    purpose=note,
                    actor=user,
                    request=request,
                )
                return entry
            return _destroy(user, entry, note, request)
        refusal = (entry.pk, entry.region_code, problem)
    entry_id, region_code, problem = refusal
    with transaction.atomic():
        _denied(user, entry_id, region_code, problem.code, request)
    if problem.code == "destruction_not_pending":
        raise Conflict(problem.code, problem.message)
    raise PermissionDenied(problem.message, code=problem.code)


def _destroy(user, entry: Destruction, note: str, request) -> Destruction:
    """The second approval: erase the record's content, keep the register entry."""
    record = HealthRecord.objects.select_for_update().get(pk=entry.record_id)
    years = conf.retention_years()
    if record.status != RecordStatus.CLOSED or not rules.is_eligible(
        record.closed_on, today(), years
    ):
        raise Conflict("record_not_eligible", "档案已不符合销毁条件")
    forms = Form.objects.filter(record=record)
    # An amendment protects the form it replaced; both go, so unlink them first.
    forms.exclude(amends=None).update(amends=None)
    token = _destroying.set(True)
    try:
        counts = {
            "findings": Finding.objects.filter(record=record).delete()[0],
            "due": DueService.objects.filter(record=record).delete()[0],
            "forms": forms.delete()[0],
            "programmes": Programme.objects.filter(record=record).delete()[0],
        }
    finally:
        _destroying.reset(token)
    record.status = RecordStatus.DESTROYED
    record.save(update_fields=["status"])
    entry.status = DestructionStatus.DESTROYED
    entry.second_approver = user
    entry.destroyed_at = timezone.now()
    entry.form_count = counts["forms"]
    if note:
        entry.note = note
    entry.save()
    audit(
        action="delete",
        object_type="records.record",
        object_id=str(record.pk),
        region_code=record.region_code,
        changes={"destruction": entry.pk, **counts},
        reason="destruction",
        purpose=entry.basis,
        actor=user,
        request=request,
    )
    return entry


def do_refuse_destruction(user, destruction_id: int, note: str, *, request=None) -> Destruction:
    """驳回: kept in the register with the reason."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": "驳回时请填写意见"})
    with transaction.atomic():
        entry = _pending_for_update(user, destruction_id)
        if entry.status not in PENDING:
            raise Conflict("destruction_not_pending", "该销毁申请已处理")
        if entry.requested_by_id == user.pk:
            raise PermissionDenied("不能审批自己提出的销毁申请", code="self_approval")
        entry.status = DestructionStatus.REFUSED
        entry.note = note[:200]
        if entry.first_approver_id is None:
            entry.first_approver = user
            entry.first_approved_at = timezone.now()
        else:
            entry.second_approver = user
        entry.save()
        audit(
            action="reject",
            object_type="records.destruction",
            object_id=str(entry.pk),
            region_code=entry.region_code,
            purpose=entry.note,
            actor=user,
            request=request,
        )
        return entry


def register(user):
    """销毁登记簿: every request, carried out or refused, in the user's area."""
    if not (has_perm(user, "record.archive") or has_perm(user, "record.destroy_approve")):
        raise PermissionDenied("您无权查看档案销毁登记")
    if jurisdiction_of(user) is None:
        return Destruction.objects.none()
    return Destruction.objects.visible_to(user).select_related(
        "requested_by", "first_approver", "second_approver"
    )

"""Officer actions on benefit plans beyond plans.py: jurisdiction checks and rejection.

plans.do_upload_plan / do_activate_plan enforce the permission and four eyes; they do not
ask whose region the plan is for, so the pages call `check_upload` and `get_plan` first.
"""

from django.db import transaction

from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.insurance import plans
from huimin.insurance.models import BenefitPlan, PlanStatus
from huimin.insurance.plan import Plan
from huimin.policy import check_perm

MAX_DOCUMENT_CHARS = 64_000


def check_can_manage(user) -> None:
    check_perm(user, "plan.manage", message="无权管理结算方案")


def check_upload(user, document: str) -> Plan:
    """Every problem with the document at once, then whether its region is the user's."""
    check_can_manage(user)
    if not document.strip():
        raise ValidationFailed({"document": "请粘贴或上传结算方案YAML"}, code="plan_invalid")
    if len(document) > MAX_DOCUMENT_CHARS:
        raise ValidationFailed(
            {"document": f"方案文本过长（不超过{MAX_DOCUMENT_CHARS}个字符）"}, code="plan_invalid"
        )
    plan = plans.check_document(document)
    check_perm(
        user,
        "plan.manage",
        plan.region,
        scope_message=f"方案的统筹区 {plan.region} 不在您的辖区内",
    )
    return plan


def get_plan(user, plan_id: int) -> BenefitPlan:
    """A plan of the user's jurisdiction, or NotFound (another county's plan is not there)."""
    row = BenefitPlan.objects.visible_to(user).filter(pk=plan_id).first()
    if row is None:
        raise NotFound("结算方案")
    return row


def previous_plan(plan: BenefitPlan) -> BenefitPlan | None:
    """What a plan is read against: for a draft, the same year's plan in force, which
    activating it would replace; otherwise (and for a year's first plan) last year's
    plan of the same region, the one in force, else the latest superseded."""
    if plan.status == PlanStatus.DRAFT:
        replaced = (
            BenefitPlan.objects.filter(
                region_code=plan.region_code, year=plan.year, status=PlanStatus.ACTIVE
            )
            .exclude(pk=plan.pk)
            .first()
        )
        if replaced is not None:
            return replaced
    return (
        BenefitPlan.objects.filter(
            region_code=plan.region_code,
            year=plan.year - 1,
            status__in=[PlanStatus.ACTIVE, PlanStatus.SUPERSEDED],
        )
        .order_by("status", "-id")  # "active" sorts before "superseded"
        .first()
    )


def check_reject(user, plan_id: int, reason: str) -> str:
    check_can_manage(user)
    get_plan(user, plan_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "退回须说明原因"})
    if len(reason) > 200:
        raise ValidationFailed({"reason": "原因不能超过200个字符"})
    return reason


def do_reject_plan(user, plan_id: int, reason: str) -> BenefitPlan:
    """A draft goes back to its uploader: status rejected, the reason in its note."""
    reason = check_reject(user, plan_id, reason)
    with transaction.atomic():
        row = BenefitPlan.objects.select_for_update(no_key=True).filter(pk=plan_id).first()
        if row is None:
            raise NotFound("结算方案")
        if row.status != PlanStatus.DRAFT:
            raise Conflict("plan_not_draft", "只有待启用的方案可以退回")
        old_note = row.note
        row.status = PlanStatus.REJECTED
        row.note = reason
        row.save(update_fields=["status", "note"])
        record(
            action="reject",
            object_type="insurance.plan",
            object_id=str(row.pk),
            region_code=row.region_code,
            actor=user,
            changes={
                "status": [PlanStatus.DRAFT.value, PlanStatus.REJECTED.value],
                "note": [old_note, reason],
            },
            purpose=reason,
        )
    return row

"""Benefit plans in the database: upload, validate, compare, activate (four eyes), find.

A region's plan for a year is the YAML of DESIGN.md §5. It is uploaded by one officer,
validated (all problems at once), and activated by a second, different officer; the
previously active plan for that region and year is then superseded.
"""

from functools import lru_cache

from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.insurance.models import BenefitPlan, PlanStatus
from huimin.insurance.plan import Plan, PlanError, load_plan_yaml
from huimin.insurance.statements import INT, InList
from huimin.registry.models import SpecialCategory, jurisdiction_of
from huimin.registry.permissions import has_perm


@lru_cache(maxsize=64)
def _parsed(plan_id: int, document: str) -> Plan:
    return load_plan_yaml(document)


def parsed(plan: BenefitPlan) -> Plan:
    """The plan's engine form, parsed once per process (keyed on id and text)."""
    return _parsed(plan.pk, plan.document)


def check_document(document: str) -> Plan:
    """An uploaded plan, read strictly: unknown keys and special groups are refused."""
    try:
        return load_plan_yaml(document, strict=True, categories=frozenset(SpecialCategory.values))
    except PlanError as exc:
        raise ValidationFailed(
            {f"document.{k}": v for k, v in exc.problems.items()},
            code="plan_invalid",
            message="结算方案有误：" + "；".join(f"{k} {v}" for k, v in exc.problems.items()),
        ) from None


def check_plan_manager(user, region_code: str) -> None:
    if not has_perm(user, "plan.manage"):
        raise PermissionDenied("无权管理结算方案")
    prefix = jurisdiction_of(user)
    if prefix is None or not region_code.startswith(prefix):
        raise PermissionDenied("该统筹区不在您的辖区内", code="out_of_jurisdiction")


def do_upload_plan(user, document: str, note: str = "") -> BenefitPlan:
    if not has_perm(user, "plan.manage"):
        raise PermissionDenied("无权上传结算方案")
    plan = check_document(document)
    check_plan_manager(user, plan.region)
    with transaction.atomic():
        row = BenefitPlan.objects.create(
            region_code=plan.region,
            year=plan.year,
            name=plan.name,
            document=document,
            uploaded_by=user,
            note=note[:200],
        )
        record(
            action="create",
            object_type="insurance.plan",
            object_id=str(row.pk),
            region_code=plan.region,
            actor=user,
            fields=["document"],
        )
    return row


def do_activate_plan(user, plan_id: int) -> BenefitPlan:
    if not has_perm(user, "plan.manage"):
        raise PermissionDenied("无权启用结算方案")
    with transaction.atomic():
        try:
            row = BenefitPlan.objects.select_for_update().get(pk=plan_id)
        except BenefitPlan.DoesNotExist:
            raise NotFound("结算方案") from None
        check_plan_manager(user, row.region_code)
        if row.uploaded_by_id == user.pk:
            raise PermissionDenied(
                "上传人不能启用自己上传的方案，须由另一位经办人员复核启用", code="four_eyes"
            )
        if row.status != PlanStatus.DRAFT:
            raise Conflict("plan_not_draft", "只有待启用的方案可以启用")
        check_document(row.document)
        BenefitPlan.objects.filter(
            region_code=row.region_code, year=row.year, status=PlanStatus.ACTIVE
        ).update(status=PlanStatus.SUPERSEDED)
        row.status = PlanStatus.ACTIVE
        row.activated_by = user
        row.activated_at = timezone.now()
        row.save(update_fields=["status", "activated_by", "activated_at"])
        record(
            action="approve",
            object_type="insurance.plan",
            object_id=str(row.pk),
            region_code=row.region_code,
            actor=user,
        )
    return row


# Every settlement transaction asks this: compiled once per number of prefixes.
_ACTIVE = InList(
    lambda prefixes, year: BenefitPlan.objects.filter(
        region_code__in=prefixes, year=year, status=PlanStatus.ACTIVE
    ).order_by(),
    year=INT,
)


def active_plan_for(region_code: str, year: int) -> BenefitPlan | None:
    """The active plan of the pooling region containing `region_code` (longest prefix)."""
    prefixes = {region_code[:n] for n in (6, 9, 12) if len(region_code) >= n}
    prefixes |= {region_code[:2], region_code[:4]}
    candidates = _ACTIVE.rows(sorted(prefixes), year=year)
    best = None
    for plan in candidates:
        if best is None or len(plan.region_code) > len(best.region_code):
            best = plan
    return best


def compare(plan: Plan, previous: Plan | None) -> list[dict]:
    """Side-by-side rows of what an office looks at when a plan changes."""
    rows = []

    def add(label, new, old):
        rows.append({"item": label, "new": new, "old": old, "changed": new != old})

    add("年度封顶线", plan.annual_cap, previous.annual_cap if previous else None)
    add("乙类先行自付比例", plan.b_self_ratio, previous.b_self_ratio if previous else None)
    for code, vt in plan.visit_types.items():
        old = previous.visit_types.get(code) if previous else None
        for level in sorted(set(vt.ratio) | set(old.ratio if old else {})):
            add(
                f"{code} {level}级 起付线",
                vt.deductible.get(level),
                old.deductible.get(level) if old else None,
            )
            add(
                f"{code} {level}级 报销比例",
                vt.ratio.get(level),
                old.ratio.get(level) if old else None,
            )
        add(f"{code} 年度限额", vt.annual_limit, old.annual_limit if old else None)
    if plan.critical_illness:
        old_ci = previous.critical_illness if previous else None
        add(
            "大病保险起付线",
            plan.critical_illness.deductible,
            old_ci.deductible if old_ci else None,
        )
        add("大病保险封顶线", plan.critical_illness.cap, old_ci.cap if old_ci else None)
    if plan.contribution:
        old_c = previous.contribution if previous else None
        add("个人缴费", plan.contribution.individual, old_c.individual if old_c else None)
        add("财政补助", plan.contribution.subsidy, old_c.subsidy if old_c else None)
    return rows

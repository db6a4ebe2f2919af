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
            # No key update: settlements referencing the plan keep committing meanwhile
            # (their foreign-key check takes KEY SHARE), and cannot deadlock with us.
            row = BenefitPlan.objects.select_for_update(no_key=True).get(pk=plan_id)
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
    """Side-by-side rows of everything that decides who pays what, in both plans: a tier,
    visit type, level, group or segment that one of them lacks shows as — on that side."""
    rows = []
    old = previous

    def add(label, new, was):
        rows.append({"item": label, "new": new, "old": was, "changed": new != was})

    def union(a: dict, b: dict | None) -> list:
        return sorted(set(a) | set(b or {}))

    def group_label(code: str) -> str:
        names = dict(SpecialCategory.choices)
        return f"{names[code]}（{code}）" if code in names else code

    add("年度封顶线", plan.annual_cap, old.annual_cap if old else None)
    add("乙类先行自付比例", plan.b_self_ratio, old.b_self_ratio if old else None)
    for code in union(plan.groups, old.groups if old else None):
        new_g, old_g = plan.groups.get(code), old.groups.get(code) if old else None
        label = group_label(code)
        add(
            f"{label} 起付线系数",
            new_g.deductible_factor if new_g else None,
            old_g.deductible_factor if old_g else None,
        )
        add(
            f"{label} 报销比例加成",
            new_g.ratio_bonus if new_g else None,
            old_g.ratio_bonus if old_g else None,
        )
    for code in union(plan.visit_types, old.visit_types if old else None):
        vt = plan.visit_types.get(code)
        was = old.visit_types.get(code) if old else None
        per = {"admission": "每次住院", "year": "每年"}
        add(
            f"{code} 起付线计算",
            per.get(vt.deductible_per) if vt else None,
            per.get(was.deductible_per) if was else None,
        )
        for level in union(vt.ratio if vt else {}, was.ratio if was else None):
            add(
                f"{code} {level}级 起付线",
                vt.deductible.get(level) if vt else None,
                was.deductible.get(level) if was else None,
            )
            add(
                f"{code} {level}级 报销比例",
                vt.ratio.get(level) if vt else None,
                was.ratio.get(level) if was else None,
            )
        add(
            f"{code} 年度限额",
            vt.annual_limit if vt else None,
            was.annual_limit if was else None,
        )
        add(
            f"{code} 限定诊断",
            "、".join(vt.diagnoses) or "不限" if vt else None,
            "、".join(was.diagnoses) or "不限" if was else None,
        )
    ci, old_ci = plan.critical_illness, old.critical_illness if old else None
    if ci or old_ci:
        add("大病保险", "有" if ci else "无", ("有" if old_ci else "无") if old else None)
        add(
            "大病保险计入的就诊类型",
            "、".join(sorted(ci.visit_types)) if ci else None,
            "、".join(sorted(old_ci.visit_types)) if old_ci else None,
        )
        add("大病保险起付线", ci.deductible if ci else None, old_ci.deductible if old_ci else None)
        for i in range(max(len(ci.segments) if ci else 0, len(old_ci.segments) if old_ci else 0)):
            new_s = ci.segments[i] if ci and i < len(ci.segments) else None
            old_s = old_ci.segments[i] if old_ci and i < len(old_ci.segments) else None
            add(
                f"大病保险第{i + 1}段上限",
                (new_s.upto or "不设上限") if new_s else None,
                (old_s.upto or "不设上限") if old_s else None,
            )
            add(
                f"大病保险第{i + 1}段比例",
                new_s.ratio if new_s else None,
                old_s.ratio if old_s else None,
            )
        add("大病保险封顶线", ci.cap if ci else None, old_ci.cap if old_ci else None)
        for code in union(ci.groups if ci else {}, old_ci.groups if old_ci else None):
            new_g = ci.groups.get(code) if ci else None
            old_g = old_ci.groups.get(code) if old_ci else None
            label = f"大病保险 {group_label(code)}"
            add(
                f"{label} 起付线",
                new_g.deductible if new_g else None,
                old_g.deductible if old_g else None,
            )
            add(
                f"{label} 比例加成",
                new_g.ratio_bonus if new_g else None,
                old_g.ratio_bonus if old_g else None,
            )
            add(
                f"{label} 封顶线",
                (new_g.cap if new_g.cap_set else "同方案") if new_g else None,
                (old_g.cap if old_g.cap_set else "同方案") if old_g else None,
            )
    for code in union(plan.assistance, old.assistance if old else None):
        new_a = plan.assistance.get(code)
        old_a = old.assistance.get(code) if old else None
        label = f"医疗救助 {group_label(code)}"
        add(f"{label} 救助比例", new_a.ratio if new_a else None, old_a.ratio if old_a else None)
        add(
            f"{label} 年度封顶",
            new_a.annual_cap if new_a else None,
            old_a.annual_cap if old_a else None,
        )
    c, old_c = plan.contribution, old.contribution if old else None
    if c or old_c:
        add("个人缴费", c.individual if c else None, old_c.individual if old_c else None)
        add("财政补助", c.subsidy if c else None, old_c.subsidy if old_c else None)
        paid_new = c.individual_paid_by_assistance if c else {}
        paid_old = old_c.individual_paid_by_assistance if old_c else None
        for code in union(paid_new, paid_old):
            add(
                f"{group_label(code)} 个人缴费由救助代缴比例",
                paid_new.get(code),
                paid_old.get(code) if paid_old is not None else None,
            )
    return rows

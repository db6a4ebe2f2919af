"""Named permissions, the roles that hold them, and the checks every app calls.

Permissions are names, never numbers; roles are data (the RolePermission table, seeded
by migration from DEFAULT_GRANTS and changed by the security administrator). Code asks
`has_perm(user, "person.unmask_id")` or `check_perm(user, perm, region_code)`, never
"is this role X".

Superusers: a Django superuser is not a role here and holds no permission and no
jurisdiction. 三员分立 (DESIGN.md §6) leaves no all-powerful account: whoever acts
in Huimin acts through a Staff role, scoped, and through grants the security
administrator can see and revoke. A superuser who needs to work is given a Staff row.

Freshness: grants are cached per process under the policy version (models.py), which
each request reads once; `grants_changed()` bumps it in the transaction that changes a
grant, so every process reloads on its next request.
"""

from django.core.cache import cache
from django.db.models import F

from huimin.core.errors import PermissionDenied
from huimin.policy import rules
from huimin.policy.models import PolicyVersion
from huimin.policy.roles import ADMIN_ROLES, INSTITUTION_ROLES, Role
from huimin.policy.scope import jurisdiction_of, staff_of
from huimin.registry.models import Institution, RolePermission

__all__ = [
    "ADMIN_ACTIONS",
    "ADMIN_PERMISSION_OWNERS",
    "ADMIN_ROLES",
    "DEFAULT_GRANTS",
    "PERMISSIONS",
    "PERSONAL_DATA_PERMISSIONS",
    "PERSONAL_DATA_REASONS",
    "check_institution",
    "check_perm",
    "grants_changed",
    "has_perm",
    "role_permissions",
]

PERMISSIONS = {
    "person.read": "查看居民登记信息（脱敏）",
    "person.unmask_id": "查看完整身份证号码（留痕）",
    "registry.write": "登记、修改居民与家庭户",
    "institution.write": "登记、修改医疗机构",
    "access.review": "初审机构接入申请",
    "access.approve": "复核批准机构接入、签发凭证、暂停与撤销",
    "loan.approve": "审批档案借阅",
    "accounts.manage": "管理工作人员账号与配置",
    "roles.manage": "管理角色与权限",
    "audit.read": "查阅审计记录",
    "alerts.manage": "处理安全告警",
    "duty.write": "填写值班日志",
    "catalog.read": "查询医保目录与目录对照",
    "catalog.manage": "导入、维护医保目录，审核目录对照",
    "catalog.map": "提交本机构的目录对照",
    "enrollment.manage": "设置参保登记期与缴费标准",
    "plan.manage": "上传、启用、退回结算方案",
    "settlement.read": "查询结算记录与结算汇总",
    "ledger.read": "查看基金账簿与试算平衡",
    "ledger.post": "登记财政补助、救助资金到账与管理费收支",
    "clearing.manage": "查看对账结果，办理月度清算审核与复核",
    "settlement.operate": "在本机构收费窗口办理就诊登记、费用录入、结算与冲正",
    "record.read": "查阅居民健康档案（留痕）",
    "record.write": "建档，填写、签名与更正健康档案表单",
    "record.quality": "查看与处理档案质量问题",
    "record.archive": "档案迁移、结案与销毁申请",
    "record.destroy_approve": "审批档案销毁",
    # review (claim review and fund supervision)
    "review.read": "查看审核疑点、风险评分与四色预警",
    "review.decide": "审核疑点：初审、复核与申诉处理",
    "review.rules": "上传、启用与退回审核规则集",
    "review.appeal": "查看本机构的审核疑点并提出申诉",
    # mediation
    "mediation.read": "查阅医疗纠纷调解案件（留痕）",
    "mediation.manage": "受理医疗纠纷调解案件，登记各步骤与材料",
    # reports: the figures and dashboards (aggregates, no one's data); a worklist of the
    # people behind a figure also needs record.read or settlement.read.
    "reports.read": "查看辖区指标、下钻与统计看板",
    # assessment: scores and public-health funds (aggregates); its drill-down to people
    # goes through reports and needs record.read there.
    "assessment.read": "查看绩效考核结果、基本公卫经费分配与村医补助",
    "assessment.manage": "上传、启用考核方案，评分与发布考核结果（四眼）",
}

# 三员分立, declared once. Each administrator role and the permissions it may ever hold:
# the security administrator's grants stay inside the row (DEFAULT_GRANTS above gives
# each the whole row; a test keeps the two equal). Actions on privileged accounts
# (create, elevate, reset) are the system administrator's to request and the security
# administrator's to approve (huimin/accounts/administration.py, "four eyes").
ADMIN_ACTIONS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"accounts.manage", "duty.write"}),
    Role.SECURITY_ADMIN: frozenset(
        {"roles.manage", "access.approve", "alerts.manage", "duty.write"}
    ),
    Role.AUDIT_ADMIN: frozenset({"audit.read"}),
}
# Administrations that are one role's alone, whoever else asks for them: a holder of two
# would hold two of the three duties. alerts.manage is the security administrator's
# oversight of the auditors' events (audit/queries.py): in the system administrator's
# hands it would show the auditors' work on the system administrator.
ADMIN_PERMISSION_OWNERS: dict[str, str] = {
    "accounts.manage": Role.SYSTEM_ADMIN,
    "roles.manage": Role.SECURITY_ADMIN,
    "alerts.manage": Role.SECURITY_ADMIN,
    "audit.read": Role.AUDIT_ADMIN,
}
# Every permission that shows or changes residents' personal data, and why. No
# administrator role may hold one; a role holding one over a whole county makes its
# accounts privileged (created, elevated and reset only with a second administrator).
# Not listed, on purpose: institution.write, access.* (institutions, not residents),
# catalog.*, plan.manage, enrollment.manage (periods and rates only; enrollment lists
# need person.read), ledger.read/post (accounts and totals; an entry's source links to
# pages that need settlement.read), duty.write, and the four administrations.
PERSONAL_DATA_REASONS: dict[str, str] = {
    "person.read": "residents, households and enrollment lists (masked ID numbers)",
    "person.unmask_id": "full ID numbers",
    "registry.write": "edit forms, duplicates and merges show the person being changed",
    "loan.approve": "the queue names the resident asked for; approving lends their record",
    "settlement.read": "settlements, receipts and the settlement export name the patient",
    "settlement.operate": "the counter looks people up by ID number and shows their benefits",
    "clearing.manage": "a clearing batch lists its settlements with the patients' names",
    "record.read": "health records",
    "record.write": "health-record forms",
    "record.quality": "quality findings list records and their residents",
    "record.archive": "archive pages list records being moved, closed or destroyed",
    "record.destroy_approve": "destruction requests show the records to be destroyed",
    "review.read": "findings and risk pages name the patients of the claims behind them",
    "review.decide": "the review page shows the claim, its patient and their 90-day history",
    "review.appeal": "an institution's findings name its patients",
    # mediation
    "mediation.read": "a dispute case names the applicant, their injury and the settlement",
    "mediation.manage": "case pages, forms and documents show the applicant's dispute",
}
PERSONAL_DATA_PERMISSIONS = frozenset(PERSONAL_DATA_REASONS)


_READERS = {"person.read", "catalog.read"}
_RECORD_KEEPER = {"record.read", "record.write", "record.quality"}
DEFAULT_GRANTS: dict[str, set[str]] = {
    Role.INSURANCE_OFFICER: _READERS
    | {
        "person.unmask_id",
        "registry.write",
        "institution.write",
        "access.review",
        "loan.approve",
        "catalog.manage",
        "enrollment.manage",
        "plan.manage",
        "settlement.read",
        "ledger.read",
        "ledger.post",
        "clearing.manage",
        "review.read",
        "review.decide",
        "review.rules",
        # mediation: the county insurance office (医保局) takes disputes with the
        # institutions it pays; no other role, and never an administrator.
        "mediation.read",
        "mediation.manage",
        # reports
        "reports.read",
    },
    Role.TOWNSHIP_CLERK: _READERS | {"person.unmask_id", "registry.write", "loan.approve"},
    Role.CASHIER: _READERS | {"catalog.map", "settlement.operate", "review.appeal"},
    Role.DOCTOR: _READERS | {"catalog.map", "settlement.operate", *_RECORD_KEEPER},
    Role.VILLAGE_DOCTOR: _READERS | {"catalog.map", "settlement.operate", *_RECORD_KEEPER},
    Role.PUBLIC_HEALTH_OFFICER: _READERS
    | {"loan.approve", *_RECORD_KEEPER, "record.archive", "record.destroy_approve"}
    | {"reports.read"},  # reports
    Role.ASSESSOR: _READERS | {"record.read"} | {"reports.read"},  # reports
    # The three administrators are separate and read no personal data.
    Role.SYSTEM_ADMIN: {"accounts.manage", "duty.write"},
    Role.SECURITY_ADMIN: {"roles.manage", "access.approve", "alerts.manage", "duty.write"},
    Role.AUDIT_ADMIN: {"audit.read"},
}
# assessment: the health commission's assessors score and publish (four eyes between two
# of them); township public-health officers read their results and funds.
DEFAULT_GRANTS[Role.ASSESSOR] |= {"assessment.read", "assessment.manage"}
DEFAULT_GRANTS[Role.PUBLIC_HEALTH_OFFICER] |= {"assessment.read"}

_CACHE_KEY = "huimin:role-perms:v{version}:{role}"
# Bumped by grants_changed() in this process, so a user object already holding its
# grants (one request's, or a test's) re-reads them after a change made here.
_local_changes = 0


def policy_version() -> int:
    """The current policy version (0 when the row is missing, e.g. after a flush)."""
    return PolicyVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def role_permissions(role: str, version: int | None = None) -> frozenset[str]:
    """The grants of a role as of `version` (read now when not given)."""
    if version is None:
        version = policy_version()
    key = _CACHE_KEY.format(version=version, role=role)
    perms = cache.get(key)
    if perms is None:
        # The version is read before the grants: grants newer than their key are only
        # re-read once more, never older grants kept under a newer key.
        perms = frozenset(
            RolePermission.objects.filter(role=role).values_list("permission", flat=True)
        )
        cache.set(key, perms, 3600)
    return perms


def grants_changed(using: str = "default") -> None:
    """Call in the transaction that changes RolePermission rows: every process sees the
    new version once it commits, and reloads the grants on its next request."""
    global _local_changes
    versions = PolicyVersion.objects.using(using)
    if not versions.filter(pk=1).update(version=F("version") + 1):
        versions.get_or_create(pk=1, defaults={"version": 2})
    version = versions.filter(pk=1).values_list("version", flat=True).first() or 0
    # A rolled-back test transaction can reuse a version number with other grants.
    cache.delete_many([_CACHE_KEY.format(version=version, role=r) for r in Role.values])
    _local_changes += 1


def grants_of(user) -> frozenset[str]:
    """The permissions a user holds now: their role's grants, read once per request
    (request.user is a new object each request, and memoises them)."""
    staff = staff_of(user)
    if staff is None:
        return frozenset()
    memo = getattr(user, "_huimin_grants", None)
    if memo is not None and memo[0] == _local_changes and memo[1] == staff.role:
        return memo[2]
    perms = role_permissions(staff.role)
    user._huimin_grants = (_local_changes, staff.role, perms)
    return perms


def has_perm(user, permission: str) -> bool:
    return rules.holds(grants_of(user), permission, PERMISSIONS)


def check_perm(
    user,
    permission: str,
    region_code: str | None = None,
    *,
    message: str = "您的角色无权办理此项业务",
    scope_message: str = "该区划不在您的辖区内",
) -> None:
    """Refuse (403) unless the user holds the permission and, when a region code is
    given, the code lies in their jurisdiction. A user without one is refused."""
    if not has_perm(user, permission):
        raise PermissionDenied(message)
    if region_code is not None and not rules.within(jurisdiction_of(user), region_code):
        raise PermissionDenied(scope_message, code="out_of_jurisdiction")


def check_institution(user, institution_id: int | None) -> None:
    """Refuse (403) unless the user may act for this institution: institution staff for
    their own only; other staff for one in their jurisdiction."""
    staff = staff_of(user)
    if staff is None or institution_id is None:
        raise PermissionDenied("您无权办理该医疗机构的业务")
    if staff.role in INSTITUTION_ROLES:
        if staff.institution_id != institution_id:
            raise PermissionDenied("只能办理本机构的业务", code="other_institution")
        return
    region = Institution.objects.filter(pk=institution_id).values_list("region_id", flat=True)
    if not rules.within(staff.jurisdiction, region.first()):
        raise PermissionDenied("该医疗机构不在您的辖区内", code="out_of_jurisdiction")


def is_admin_role(role: str | None) -> bool:
    return role in ADMIN_ROLES

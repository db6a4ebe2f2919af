"""Named permissions and the roles that hold them.

Permissions are names, never numbers; roles are data (the RolePermission table, seeded
by migration from DEFAULT_GRANTS and changed by the security administrator). Code asks
`has_perm(user, "person.unmask_id")`, never "is this role X".
"""

from django.core.cache import cache

from huimin.registry.models import Role

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
}

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
    },
    Role.TOWNSHIP_CLERK: _READERS | {"person.unmask_id", "registry.write", "loan.approve"},
    Role.CASHIER: _READERS | {"catalog.map", "settlement.operate"},
    Role.DOCTOR: _READERS | {"catalog.map", "settlement.operate", *_RECORD_KEEPER},
    Role.VILLAGE_DOCTOR: _READERS | {"catalog.map", "settlement.operate", *_RECORD_KEEPER},
    Role.PUBLIC_HEALTH_OFFICER: _READERS
    | {"loan.approve", *_RECORD_KEEPER, "record.archive", "record.destroy_approve"},
    Role.ASSESSOR: _READERS | {"record.read"},
    # The three administrators are separate and read no personal data.
    Role.SYSTEM_ADMIN: {"accounts.manage", "duty.write"},
    Role.SECURITY_ADMIN: {"roles.manage", "access.approve", "alerts.manage", "duty.write"},
    Role.AUDIT_ADMIN: {"audit.read"},
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

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
PERSONAL_DATA_PERMISSIONS: dict[str, str] = {
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
}
_CACHE_KEY = "huimin:role-perms:{role}"


def role_permissions(role: str) -> frozenset[str]:
    key = _CACHE_KEY.format(role=role)
    perms = cache.get(key)
    if perms is None:
        from huimin.registry.models import RolePermission

        perms = frozenset(
            RolePermission.objects.filter(role=role).values_list("permission", flat=True)
        )
        cache.set(key, perms, 60)
    return perms


def forget_role_permissions(role: str) -> None:
    cache.delete(_CACHE_KEY.format(role=role))


def has_perm(user, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    staff = getattr(user, "staff", None)
    if staff is None:
        return False
    return permission in role_permissions(staff.role)

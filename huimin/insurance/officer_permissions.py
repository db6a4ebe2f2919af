"""Who may use the insurance officer's pages: plans, settlements, ledger, clearing.

The dedicated permission names below are proposed for huimin/registry/permissions.py.
Until a name is listed there, `allowed` falls back to what the office already grants:
writes need "institution.write" (as plans.py and clearing.py ask), reads need
"person.read" held by an insurance officer — a cashier also holds person.read but must
not browse the county's settlements or fund ledger.
"""

from huimin.registry.models import Role
from huimin.registry.permissions import PERMISSIONS, has_perm

# Proposed names (and their Chinese descriptions) for registry/permissions.py.
PROPOSED = {
    "plan.manage": "上传、启用、退回结算方案",
    "settlement.read": "查询结算记录与结算汇总",
    "ledger.read": "查看基金账簿与试算平衡",
    "clearing.manage": "查看对账结果，办理月度清算审核与复核",
}

# TODO(permissions): drop the fallbacks once registry/permissions.py lists PROPOSED
# and grants them to the insurance officer.
_FALLBACK = {
    "plan.manage": ("institution.write", None),
    "clearing.manage": ("institution.write", None),
    "settlement.read": ("person.read", Role.INSURANCE_OFFICER),
    "ledger.read": ("person.read", Role.INSURANCE_OFFICER),
}


def allowed(user, name: str) -> bool:
    if name not in PROPOSED:
        raise ValueError(f"unknown officer permission {name!r}")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if name in PERMISSIONS:
        return has_perm(user, name)
    permission, role = _FALLBACK[name]
    staff = getattr(user, "staff", None)
    if role is not None and (staff is None or staff.role != role):
        return False
    return has_perm(user, permission)

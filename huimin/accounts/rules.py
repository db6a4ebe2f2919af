"""Account, role and loan rules as pure functions over plain values (no database).

Each check returns the Chinese reason for a refusal, or None / an empty dict when fine.
"""

import datetime
import re

from huimin.policy.permissions import (
    ADMIN_ACTIONS,
    ADMIN_PERMISSION_OWNERS,
    ADMIN_ROLES,
    PERSONAL_DATA_PERMISSIONS,
)
from huimin.registry.models import INSTITUTION_ROLES, Role

# ---------------------------------------------------------------- passwords

# 等保 level 3 as the counties adopted it after record breaches: 10+ characters with upper
# case, lower case, digits and symbols together, and not the account's name inside.
# Settings may raise the length (HUIMIN_PASSWORD_MIN_LENGTH); see validators.py.
MIN_LENGTH = 10
MIN_CLASSES = 4
HISTORY_DEPTH = 5
# Shorter names ("li") occur inside ordinary words; checking them refuses too much.
USERNAME_CHECK_MIN = 3


def password_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password uses."""
    return sum(
        [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )


def password_strength_problems(
    password: str,
    username: str = "",
    *,
    min_length: int = MIN_LENGTH,
    min_classes: int = MIN_CLASSES,
) -> list[str]:
    problems = []
    if len(password) < min_length:
        problems.append(f"密码至少{min_length}位")
    if password_classes(password) < min_classes:
        if min_classes >= 4:
            problems.append("密码须同时包含大写字母、小写字母、数字和符号")
        else:
            problems.append(f"密码须包含大写字母、小写字母、数字、符号中的至少{min_classes}类")
    name = (username or "").strip().lower()
    if len(name) >= USERNAME_CHECK_MIN and name in password.lower():
        problems.append("密码不能包含用户名")
    return problems


def password_expired(
    changed_at: datetime.datetime | None, now: datetime.datetime, max_age_days: int
) -> bool:
    """A password never recorded as set counts as expired: the user must set one we know."""
    if changed_at is None:
        return True
    return now - changed_at >= datetime.timedelta(days=max_age_days)


# ---------------------------------------------------------------- second factor

VILLAGE_CODE_LENGTH = 12  # a jurisdiction this long is one village; shorter is wider
# The three administrators, whatever permissions they hold today.
ADMIN_ROLE_VALUES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def reads_beyond_one_village(jurisdiction: str | None, permissions: frozenset[str]) -> bool:
    if jurisdiction is None:
        return False
    reads_people = not PERSONAL_DATA_PERMISSIONS.isdisjoint(permissions)
    return len(jurisdiction) < VILLAGE_CODE_LENGTH and reads_people


def needs_second_factor(
    role: str | None,
    permissions: frozenset[str],
    is_superuser: bool,
    jurisdiction: str | None = None,
) -> bool:
    """An administrator, a holder of full ID numbers, or a reader of personal data beyond
    one village (DESIGN §6) logs in with a second factor. (Who needs four eyes for
    account changes is `is_privileged` below: a narrower circle.)"""
    if is_superuser:
        return True
    if role is None:
        return False
    if role in ADMIN_ROLE_VALUES or "person.unmask_id" in permissions:
        return True
    return reads_beyond_one_village(jurisdiction, permissions)


# ---------------------------------------------------------------- accounts

# Names attackers try first; an account called this is half-guessed already.
RESERVED_USERNAMES = frozenset(
    {"admin", "root", "administrator", "test", "guest", "user", "system"}
)
USERNAME_RE = re.compile(r"^[a-z][a-z0-9._-]{2,29}$")


def check_username(username: str) -> str | None:
    if not username:
        return "请填写用户名"
    if username.lower() in RESERVED_USERNAMES:
        return "不能使用默认或常见的用户名（admin、root、test 等）"
    if not USERNAME_RE.match(username):
        return "用户名为3至30位小写字母、数字或 . _ -，以字母开头"
    return None


def check_display_name(name: str) -> str | None:
    name = name.strip()
    if not name:
        return "请填写姓名"
    if len(name) > 30:
        return "姓名不能超过30个字"
    return None


def check_staff_place(
    role: str,
    jurisdiction: str,
    institution_region: str | None,
    actor_jurisdiction: str,
    jurisdiction_exists: bool,
) -> dict[str, str]:
    """Role, jurisdiction (a region prefix) and institution of a staff account.

    `institution_region` is the institution's region code, or None when none was chosen.
    """
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = "角色不在角色表中"
    if not re.fullmatch(r"\d{2,12}", jurisdiction or ""):
        errors["jurisdiction"] = "辖区应为2至12位数字的区划前缀"
    elif not jurisdiction_exists:
        errors["jurisdiction"] = "该辖区前缀不是已登记区划的前缀"
    elif not jurisdiction.startswith(actor_jurisdiction):
        errors["jurisdiction"] = "不能设置超出您本人辖区的辖区"
    if role in INSTITUTION_ROLES and institution_region is None:
        errors["institution"] = "收费员、医生和乡村医生必须属于一个医疗机构"
    if (
        institution_region is not None
        and "jurisdiction" not in errors
        and not institution_region.startswith(jurisdiction)
    ):
        errors["institution"] = "所选机构不在该辖区内"
    return errors


def is_dormant(
    last_login: datetime.datetime | None,
    date_joined: datetime.datetime,
    now: datetime.datetime,
    days: int,
) -> bool:
    """Not used for `days`; never used and created more than `days` ago."""
    cutoff = now - datetime.timedelta(days=days)
    return (last_login or date_joined) < cutoff


# ---------------------------------------------------------------- roles as data

# Without these the matrix or the account pages could no longer be reached at all.
KEEP = {Role.SECURITY_ADMIN: "roles.manage", Role.SYSTEM_ADMIN: "accounts.manage"}

ADMIN_PERMISSION_REASONS = {
    "audit.read": "只有审计管理员可以查阅审计记录",
    "accounts.manage": "只有系统管理员可以管理账号",
    "roles.manage": "只有安全管理员可以管理角色权限",
    "alerts.manage": "只有安全管理员可以处理安全告警、监督审计管理员",
}


def check_grant(role: str, permission: str, known: set[str] | frozenset[str]) -> str | None:
    """The policy table (policy/permissions.py) decides; this only words the refusal."""
    if role not in Role.values:
        return "角色不在角色表中"
    if permission not in known:
        return "权限不在权限表中"
    if role in ADMIN_ROLES and permission in PERSONAL_DATA_PERMISSIONS:
        return "系统、安全、审计管理员不得查看居民个人信息（含健康档案、结算、参保与借阅）"
    owner = ADMIN_PERMISSION_OWNERS.get(permission)
    if owner is not None and role != owner:
        return ADMIN_PERMISSION_REASONS[permission]
    if role in ADMIN_ROLES and permission not in ADMIN_ACTIONS[role]:
        return "超出该管理员的职责范围（三员分立）"
    return None


def check_revoke(role: str, permission: str) -> str | None:
    if KEEP.get(role) == permission:
        return "不能收回该角色赖以管理本系统的权限"
    return None


# ---------------------------------------------------------------- privileged accounts

# A jurisdiction this short (a county's 6 digits, a city's 4, a province's 2) covers a
# whole county or more.
COUNTY_PREFIX_LENGTH = 6


def is_privileged(role: str | None, jurisdiction: str | None, permissions) -> bool:
    """An administrator, or a role that reads personal data across a county or more.

    Derived from the role's current permissions and the account's jurisdiction, so a
    permission granted tomorrow makes its county-wide holders privileged at once.
    Institution staff (cashiers, doctors) are scoped to their institution (DESIGN §6),
    not to the county, so they are not county-wide readers whatever their jurisdiction.
    """
    if role is None:
        return False
    if role in ADMIN_ROLES:
        return True
    if role in INSTITUTION_ROLES:
        return False
    reads_people = not PERSONAL_DATA_PERMISSIONS.isdisjoint(permissions)
    # No jurisdiction counts as the widest: unknown reach is treated as privileged.
    return reads_people and len(jurisdiction or "") <= COUNTY_PREFIX_LENGTH


def four_eyes(*, actor_id: int, requester_id: int, target_id: int | None) -> str | None:
    """Who may decide on a privileged-account request: neither its author nor its subject.

    The subject clause is "nobody resets their own approver's credentials" seen from the
    other side: an administrator cannot approve a reset of their own password or second
    factor, so a requester never gets an approver's account by asking the approver.
    """
    if actor_id == requester_id:
        return "不能审批自己提交的申请，须由另一名管理员审批"
    if target_id is not None and actor_id == target_id:
        return "不能审批涉及自己账号的申请"
    return None


# ---------------------------------------------------------------- record loans


def check_loan_request(id_number_valid: bool, reason: str, days, max_days: int) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not id_number_valid:
        errors["id_number"] = "请填写正确的18位身份证号码"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请填写借阅事由"
    elif len(reason) > 500:
        errors["reason"] = "借阅事由不能超过500个字"
    errors.update(check_loan_days(days, max_days))
    return errors


def check_loan_days(days, max_days: int) -> dict[str, str]:
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= max_days:
        return {"days": f"借阅期限应为1至{max_days}天"}
    return {}


def decision_problem(
    *,
    approver_id: int,
    requester_id: int,
    approver_jurisdiction: str | None,
    person_village: str | None,
    may_approve: bool,
) -> str | None:
    if approver_id == requester_id:
        return "不能审批自己的借阅申请"
    if not may_approve or approver_jurisdiction is None:
        return "您无权审批档案借阅"
    if person_village is None or not person_village.startswith(approver_jurisdiction):
        return "该居民不在您的辖区内，不能审批"
    return None


def loan_is_active(
    status: str,
    valid_from: datetime.datetime | None,
    valid_until: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    return (
        status == "approved"
        and valid_from is not None
        and valid_until is not None
        and valid_from <= now < valid_until
    )

"""Accounts administration (system administrator) and roles as data (security
administrator): check_* validates and checks access, do_* writes in one transaction.

三员分立 on accounts: the system administrator creates, changes and resets ordinary
accounts alone. A privileged account — any of the three administrators, or a role that
reads residents' data across a county (rules.is_privileged, from the role's permissions
and the jurisdiction) — is created, elevated or has its password or second factor reset
only through an AccountRequest: filed by a system administrator, decided and carried out
by a security administrator who is neither its author nor its subject. The temporary
password an approved request produces is shown to the approver, never to the requester,
so no administrator can ever hold credentials that a request of their own produced —
in particular not those of the security administrators who approve their requests.
"""

import datetime
import os
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts import audit, conf, rules
from huimin.accounts.models import AccountRequest, RequestKind, RequestStatus
from huimin.accounts.services import can, now, refusals_recorded, set_temporary_password
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huimin.policy import PERMISSIONS, grants_changed, jurisdiction_of, role_permissions
from huimin.registry.models import Institution, Region, Role, RolePermission, Staff

User = get_user_model()


# ---------------------------------------------------------------- accounts administration


@dataclass
class StaffData:
    username: str
    name: str
    role: str
    jurisdiction: str
    institution_id: int | None = None


def check_manage_accounts(actor) -> str:
    """The actor's jurisdiction prefix, if they may manage accounts."""
    prefix = jurisdiction_of(actor)
    # None is "sees nothing": refused, never widened to "" (everything).
    if prefix is None or not can(actor, "accounts.manage"):
        raise PermissionDenied("只有系统管理员可以管理账号")
    return prefix


def managed_accounts(actor):
    prefix = check_manage_accounts(actor)
    return (
        User.objects.filter(staff__isnull=False, staff__jurisdiction__startswith=prefix)
        .select_related("staff__institution")
        .order_by("username")
    )


def managed_user(actor, user_id: int, *, lock: bool = False):
    qs = managed_accounts(actor)
    if lock:
        # of=self: the institution is outer-joined, and PostgreSQL locks no nullable side.
        qs = qs.select_for_update(of=("self",))
    user = qs.filter(pk=user_id).first()
    if user is None:
        raise NotFound("账号")
    return user


def check_staff_data(actor, data: StaffData, *, target=None) -> Institution | None:
    return _checked_place(check_manage_accounts(actor), data, target=target)


def _checked_place(prefix: str, data: StaffData, *, target=None) -> Institution | None:
    """The data's field errors within the jurisdiction `prefix`; the institution chosen."""
    errors: dict[str, str] = {}
    if target is None:
        problem = rules.check_username(data.username)
        if problem:
            errors["username"] = problem
        elif User.objects.filter(username__iexact=data.username).exists():
            errors["username"] = "该用户名已被使用"
    problem = rules.check_display_name(data.name)
    if problem:
        errors["name"] = problem
    institution = None
    if data.institution_id is not None:
        institution = Institution.objects.filter(pk=data.institution_id).first()
        if institution is None:
            errors["institution"] = "医疗机构不存在"
    errors.update(
        rules.check_staff_place(
            data.role,
            data.jurisdiction,
            institution.region_id if institution else None,
            prefix,
            Region.objects.filter(prefix=data.jurisdiction).exists(),
        )
    )
    if errors:
        raise ValidationFailed(errors)
    return institution


def do_create_staff(actor, data: StaffData, *, request=None) -> tuple:
    """Create an ordinary account; returns (user, temporary password to show once)."""
    institution = check_staff_data(actor, data)
    with refusals_recorded("create", "auth.user", actor=actor, request=request):
        _refuse_privileged(data.role, data.jurisdiction)
    return _create_account(actor, data, institution, request=request)


def _create_account(actor, data: StaffData, institution, *, request=None, purpose="") -> tuple:
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=data.username, first_name=data.name.strip())
            password = set_temporary_password(user)
            Staff.objects.create(
                user=user, role=data.role, jurisdiction=data.jurisdiction, institution=institution
            )
            audit.record(
                action="create",
                object_type="auth.user",
                object_id=str(user.pk),
                region_code=data.jurisdiction,
                changes={
                    "username": [None, data.username],
                    "role": [None, data.role],
                    "jurisdiction": [None, data.jurisdiction],
                    "institution": [None, institution.pk if institution else None],
                },
                purpose=purpose,
                actor=actor,
                request=request,
            )
    except IntegrityError:
        # Another administrator took the name between the check and the insert.
        raise ValidationFailed({"username": "该用户名已被使用"}) from None
    return user, password


def do_update_staff(actor, user_id: int, data: StaffData, *, request=None):
    with refusals_recorded("update", "auth.user", user_id, actor=actor, request=request):
        with transaction.atomic():
            user = managed_user(actor, user_id, lock=True)
            staff = Staff.objects.select_for_update().get(user=user)
            if user.pk == actor.pk and data.role != staff.role:
                raise PermissionDenied("不能修改自己的角色", code="own_role")
            institution = check_staff_data(actor, data, target=user)
            if place_changes(staff, data, institution):
                # Elevating to, or moving, a privileged place takes a second administrator.
                _refuse_privileged(staff.role, staff.jurisdiction)
                _refuse_privileged(data.role, data.jurisdiction)
            return _apply_update(actor, user, staff, data, institution, request=request)


def place_changes(staff: Staff, data: StaffData, institution) -> bool:
    """Whether role, jurisdiction or institution would change (the name alone does not)."""
    return (staff.role, staff.jurisdiction, staff.institution_id) != (
        data.role,
        data.jurisdiction,
        institution.pk if institution else None,
    )


def _apply_update(actor, user, staff, data: StaffData, institution, *, request, purpose=""):
    changes = {}
    for field, old, new in [
        ("name", user.first_name, data.name.strip()),
        ("role", staff.role, data.role),
        ("jurisdiction", staff.jurisdiction, data.jurisdiction),
        ("institution", staff.institution_id, institution.pk if institution else None),
    ]:
        if old != new:
            changes[field] = [old, new]
    if not changes:
        return user
    user.first_name = data.name.strip()
    user.save(update_fields=["first_name"])
    staff.role = data.role
    staff.jurisdiction = data.jurisdiction
    staff.institution = institution
    staff.save()
    audit.record(
        action="update",
        object_type="auth.user",
        object_id=str(user.pk),
        region_code=data.jurisdiction,
        changes=changes,
        purpose=purpose,
        actor=actor,
        request=request,
    )
    return user


def do_set_active(actor, user_id: int, active: bool, *, request=None):
    action = "resume" if active else "suspend"
    with refusals_recorded(action, "auth.user", user_id, actor=actor, request=request):
        if active and actor.pk == user_id:
            raise PermissionDenied("不能重新启用自己的账号", code="own_account")
        with transaction.atomic():
            user = managed_user(actor, user_id, lock=True)
            if user.is_active == active:
                return user
            user.is_active = active
            user.save(update_fields=["is_active"])
            audit.record(
                action=action,
                object_type="auth.user",
                object_id=str(user.pk),
                region_code=user.staff.jurisdiction,
                changes={"is_active": [not active, active]},
                actor=actor,
                request=request,
            )
            return user


def do_reset_password(actor, user_id: int, *, request=None) -> str:
    """A temporary password, shown once; the user must change it at next login."""
    with refusals_recorded("update", "auth.user", user_id, actor=actor, request=request):
        if actor.pk == user_id:
            raise PermissionDenied("请在“我的账号”中修改自己的密码", code="own_account")
        with transaction.atomic():
            user = managed_user(actor, user_id, lock=True)
            _refuse_privileged(user.staff.role, user.staff.jurisdiction)
            return _reset_password(actor, user, request=request)


def _reset_password(actor, user, *, request, purpose="") -> str:
    password = set_temporary_password(user)
    audit.record(
        action="update",
        object_type="auth.user",
        object_id=str(user.pk),
        region_code=user.staff.jurisdiction,
        fields=["password"],
        reason="password_reset",
        purpose=purpose,
        actor=actor,
        request=request,
    )
    return password


def do_reset_second_factor(actor, user_id: int, *, request=None) -> None:
    """Remove the user's TOTP devices: they enrol a new one at next login."""
    with refusals_recorded("revoke", "accounts.totp", user_id, actor=actor, request=request):
        if actor.pk == user_id:
            raise PermissionDenied("不能重置自己的动态口令", code="own_account")
        with transaction.atomic():
            user = managed_user(actor, user_id, lock=True)
            _refuse_privileged(user.staff.role, user.staff.jurisdiction)
            _reset_second_factor(actor, user, request=request)


def _reset_second_factor(actor, user, *, request, purpose="") -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        action="revoke",
        object_type="accounts.totp",
        object_id=str(user.pk),
        region_code=user.staff.jurisdiction,
        reason="second_factor_reset",
        purpose=purpose,
        actor=actor,
        request=request,
    )


def do_unlock(actor, user_id: int, *, request=None) -> int:
    """Clear the login lockout of this username from every address."""
    with transaction.atomic():
        user = managed_user(actor, user_id)
        count = AxesProxyHandler.reset_attempts(username=user.get_username())
        audit.record(
            action="resume",
            object_type="auth.user",
            object_id=str(user.pk),
            region_code=user.staff.jurisdiction,
            reason="lockout_cleared",
            actor=actor,
            request=request,
        )
    return count


def do_disable_dormant(at: datetime.datetime | None = None) -> list[str]:
    """Disable accounts unused for HUIMIN_DORMANT_DAYS (or never used and that old)."""
    at = at or now()
    days = conf.dormant_days()
    cutoff = at - datetime.timedelta(days=days)
    disabled = []
    with transaction.atomic():
        candidates = User.objects.select_for_update().filter(
            Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff),
            is_active=True,
        )
        for user in candidates.order_by("pk"):
            if not rules.is_dormant(user.last_login, user.date_joined, at, days):
                continue
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(
                action="suspend",
                object_type="auth.user",
                object_id=str(user.pk),
                changes={"is_active": [True, False]},
                reason="dormant",
            )
            disabled.append(user.get_username())
    return disabled


# ---------------------------------------------------------------- privileged accounts: four eyes

FOUR_EYES_REASON = (
    "管理员账号和全县范围查看居民个人信息的账号，须提交申请，由另一名管理员（安全管理员）审批"
)


def is_privileged_place(role: str, jurisdiction: str) -> bool:
    perms = role_permissions(role) if role in Role.values else frozenset()
    return rules.is_privileged(role, jurisdiction, perms)


def _refuse_privileged(role: str, jurisdiction: str) -> None:
    if is_privileged_place(role, jurisdiction):
        raise PermissionDenied(FOUR_EYES_REASON, code="four_eyes")


def create_needs_request(data: StaffData) -> bool:
    return is_privileged_place(data.role, data.jurisdiction)


def update_needs_request(actor, user_id: int, data: StaffData) -> bool:
    staff = managed_user(actor, user_id).staff
    place = (data.role, data.jurisdiction, data.institution_id)
    if (staff.role, staff.jurisdiction, staff.institution_id) == place:
        return False  # a name change alone
    return is_privileged_place(staff.role, staff.jurisdiction) or is_privileged_place(
        data.role, data.jurisdiction
    )


def reset_needs_request(actor, user_id: int) -> bool:
    staff = managed_user(actor, user_id).staff
    return is_privileged_place(staff.role, staff.jurisdiction)


def check_decide_requests(actor) -> str:
    """The approver's jurisdiction prefix, if they may decide on account requests."""
    prefix = jurisdiction_of(actor)
    if prefix is None or not can(actor, "roles.manage"):
        raise PermissionDenied("只有安全管理员可以审批账号申请")
    return prefix


def visible_requests(actor):
    """Requests in the actor's jurisdiction: theirs to file (system administrators) or
    to decide (security administrators)."""
    prefix = jurisdiction_of(actor)
    if prefix is None or not (can(actor, "accounts.manage") or can(actor, "roles.manage")):
        raise PermissionDenied("无权查看账号申请")
    return AccountRequest.objects.filter(region_code__startswith=prefix).select_related(
        "target__staff", "requested_by", "decided_by", "institution"
    )


def get_request(actor, request_id: int) -> AccountRequest:
    req = visible_requests(actor).filter(pk=request_id).first()
    if req is None:
        raise NotFound("账号申请")
    return req


def do_request(
    actor,
    kind: str,
    *,
    data: StaffData | None = None,
    user_id: int | None = None,
    reason: str = "",
    request=None,
) -> AccountRequest:
    """File a request for a second administrator; nothing about the account changes."""
    if kind not in RequestKind.values:
        raise ValidationFailed({"kind": "申请类型不在允许范围内"})
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationFailed({"reason": "申请事由不能超过500个字"})
    with refusals_recorded("create", "accounts.request", user_id, actor=actor, request=request):
        prefix = check_manage_accounts(actor)
        if user_id is not None and user_id == actor.pk:
            raise PermissionDenied("不能为自己的账号提交申请", code="own_account")
        with transaction.atomic():
            fields = {"kind": kind, "reason": reason, "requested_by": actor}
            changes: dict = {"kind": [None, kind]}
            if kind == RequestKind.CREATE:
                institution = _checked_place(prefix, data)
                if AccountRequest.objects.filter(
                    kind=RequestKind.CREATE,
                    status=RequestStatus.PENDING,
                    username__iexact=data.username,
                ).exists():
                    raise ValidationFailed({"username": "该用户名已有待审批的新建申请"})
                fields.update(region_code=data.jurisdiction, username=data.username)
            else:
                user = managed_user(actor, user_id, lock=True)
                staff = user.staff
                fields.update(target=user, region_code=staff.jurisdiction)
                changes["target"] = [None, user.pk]
                if kind == RequestKind.CHANGE:
                    institution = _checked_place(prefix, data, target=user)
                    if not place_changes(staff, data, institution):
                        raise ValidationFailed({"role": "角色、辖区和机构都没有变化，无须申请"})
                    # Seen by those whose jurisdiction covers both the old and new place:
                    # region codes are compared character by character, as wanted here.
                    pair = [staff.jurisdiction, data.jurisdiction]
                    region = os.path.commonprefix(pair)  # noqa: RUF071
                    fields.update(region_code=region, username=user.get_username())
            if kind in (RequestKind.CREATE, RequestKind.CHANGE):
                fields.update(
                    name=data.name.strip(),
                    role=data.role,
                    jurisdiction=data.jurisdiction,
                    institution=institution,
                )
                changes.update(
                    role=[None, data.role],
                    jurisdiction=[None, data.jurisdiction],
                    institution=[None, institution.pk if institution else None],
                )
                if kind == RequestKind.CREATE:
                    changes["username"] = [None, data.username]
            try:
                with transaction.atomic():
                    req = AccountRequest.objects.create(**fields)
            except IntegrityError:
                raise Conflict("pending_request", "该账号已有同类待审批的申请") from None
            audit.record(
                action="create",
                object_type="accounts.request",
                object_id=str(req.pk),
                region_code=req.region_code,
                changes=changes,
                reason=reason,
                actor=actor,
                request=request,
            )
            return req


def do_decide(actor, request_id: int, approve: bool, note: str = "", *, request=None):
    """Approve (and carry out) or reject a request. Returns (request, account, temporary
    password or None): the password is shown to this approver once, never to the
    requester."""
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed({"note": "审批意见不能超过500个字"})
    action = "approve" if approve else "reject"
    with refusals_recorded(action, "accounts.request", request_id, actor=actor, request=request):
        prefix = check_decide_requests(actor)
        with transaction.atomic():
            req = (
                AccountRequest.objects.select_for_update()
                .filter(pk=request_id, region_code__startswith=prefix)
                .first()
            )
            if req is None:
                raise NotFound("账号申请")
            if req.status != RequestStatus.PENDING:
                raise Conflict("not_pending", "该申请已处理，不能再审批")
            problem = rules.four_eyes(
                actor_id=actor.pk, requester_id=req.requested_by_id, target_id=req.target_id
            )
            if problem:
                raise PermissionDenied(problem, code="self_approval")
            account, secret = req.target, None
            if approve:
                account, secret = _carry_out(actor, req, request=request)
            req.status = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
            req.decided_by = actor
            req.decided_at = now()
            req.decision_note = note
            req.save()
            audit.record(
                action=action,
                object_type="accounts.request",
                object_id=str(req.pk),
                region_code=req.region_code,
                changes={"status": [RequestStatus.PENDING, req.status]},
                reason=note,
                actor=actor,
                request=request,
            )
            return req, account, secret


def _carry_out(actor, req: AccountRequest, *, request):
    """What the request asked for, done by the approver, checked again as of now."""
    requester = req.requested_by
    requester_prefix = jurisdiction_of(requester)
    if requester_prefix is None or not can(requester, "accounts.manage"):
        raise Conflict("requester_gone", "申请人已不再是系统管理员，该申请不能执行")
    purpose = f"执行账号申请#{req.pk}（申请人 {requester.get_username()}）"
    if req.kind == RequestKind.CREATE:
        data = StaffData(
            username=req.username,
            name=req.name,
            role=req.role,
            jurisdiction=req.jurisdiction,
            institution_id=req.institution_id,
        )
        institution = _checked_place(requester_prefix, data)
        return _create_account(actor, data, institution, request=request, purpose=purpose)
    user = (
        User.objects.select_for_update()
        .filter(pk=req.target_id, staff__jurisdiction__startswith=requester_prefix)
        .first()
    )
    if user is None:
        raise Conflict("target_gone", "该账号已不在申请人的管理范围内，该申请不能执行")
    staff = Staff.objects.select_for_update().get(user=user)
    if req.kind == RequestKind.CHANGE:
        data = StaffData(
            username=user.get_username(),
            name=req.name,
            role=req.role,
            jurisdiction=req.jurisdiction,
            institution_id=req.institution_id,
        )
        institution = _checked_place(requester_prefix, data, target=user)
        _apply_update(actor, user, staff, data, institution, request=request, purpose=purpose)
        return user, None
    if req.kind == RequestKind.PASSWORD:
        return user, _reset_password(actor, user, request=request, purpose=purpose)
    _reset_second_factor(actor, user, request=request, purpose=purpose)
    return user, None


def do_withdraw(actor, request_id: int, *, request=None) -> AccountRequest:
    """The requester takes back a request nobody has decided yet."""
    with refusals_recorded("revoke", "accounts.request", request_id, actor=actor, request=request):
        with transaction.atomic():
            req = (
                AccountRequest.objects.select_for_update()
                .filter(pk=request_id, requested_by=actor)
                .first()
            )
            if req is None:
                raise NotFound("账号申请")
            if req.status != RequestStatus.PENDING:
                raise Conflict("not_pending", "该申请已处理，不能撤回")
            req.status = RequestStatus.WITHDRAWN
            req.decided_at = now()
            req.save()
            audit.record(
                action="revoke",
                object_type="accounts.request",
                object_id=str(req.pk),
                region_code=req.region_code,
                changes={"status": [RequestStatus.PENDING, req.status]},
                actor=actor,
                request=request,
            )
            return req


# ---------------------------------------------------------------- roles as data


def check_manage_roles(actor) -> None:
    if not can(actor, "roles.manage"):
        raise PermissionDenied("只有安全管理员可以管理角色权限")


def role_matrix() -> set[tuple[str, str]]:
    return set(RolePermission.objects.values_list("role", "permission"))


def do_set_role_permissions(actor, wanted: set[tuple[str, str]], *, request=None) -> dict:
    """Make the role × permission table equal to `wanted`; all changes or none.

    Returns {"granted": [...], "revoked": [...]} of (role, permission) pairs.
    """
    with refusals_recorded("config", "registry.role", actor=actor, request=request):
        check_manage_roles(actor)
        with transaction.atomic():
            current = set(
                RolePermission.objects.select_for_update().values_list("role", "permission")
            )
            grants = sorted(wanted - current)
            revokes = sorted(current - wanted)
            errors = {}
            for role, perm in grants:
                problem = rules.check_grant(role, perm, PERMISSIONS.keys())
                if problem:
                    errors[f"{role}:{perm}"] = problem
            for role, perm in revokes:
                problem = rules.check_revoke(role, perm)
                if problem:
                    errors[f"{role}:{perm}"] = problem
            if errors:
                raise ValidationFailed(errors, code="grant_refused")
            for role, perm in grants:
                RolePermission.objects.create(role=role, permission=perm)
            for role, perm in revokes:
                RolePermission.objects.filter(role=role, permission=perm).delete()
            for (role, perm), (old, new) in [
                *[(g, (False, True)) for g in grants],
                *[(r, (True, False)) for r in revokes],
            ]:
                audit.record(
                    action="config",
                    object_type="registry.role",
                    object_id=role,
                    changes={perm: [old, new]},
                    actor=actor,
                    request=request,
                )
            if grants or revokes:
                # In this transaction: every process reloads the grants on its next
                # request after the commit (policy/permissions.py).
                grants_changed()
    return {"granted": grants, "revoked": revokes}

"""Accounts administration (system administrator) and roles as data (security
administrator): check_* validates and checks access, do_* writes in one transaction."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts import audit, conf, rules
from huimin.accounts.services import can, now, refusals_recorded, set_temporary_password
from huimin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huimin.policy import PERMISSIONS, grants_changed, jurisdiction_of
from huimin.registry.models import Institution, Region, RolePermission, Staff

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
    if not can(actor, "accounts.manage"):
        raise PermissionDenied("只有系统管理员可以管理账号")
    prefix = jurisdiction_of(actor)
    if prefix is None:
        # Fail closed: no jurisdiction is no accounts, never every account.
        raise PermissionDenied("您的账号没有辖区，不能管理账号")
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
    prefix = check_manage_accounts(actor)
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
    """Create an account; returns (user, temporary password to show once)."""
    institution = check_staff_data(actor, data)
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
            password = set_temporary_password(user)
            audit.record(
                action="update",
                object_type="auth.user",
                object_id=str(user.pk),
                region_code=user.staff.jurisdiction,
                fields=["password"],
                reason="password_reset",
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
            TOTPDevice.objects.filter(user=user).delete()
            audit.record(
                action="revoke",
                object_type="accounts.totp",
                object_id=str(user.pk),
                region_code=user.staff.jurisdiction,
                reason="second_factor_reset",
                actor=actor,
                request=request,
            )


def do_unlock(actor, user_id: int, *, request=None) -> int:
    """Clear the login lockout of this username from every address."""
    from axes.handlers.proxy import AxesProxyHandler

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

"""Account use cases: check_* validates and checks access, do_* writes in one transaction.

Every function takes the acting user explicitly. A refused call raises a DomainError and
changes nothing; refusals that matter to an auditor are recorded after the rollback.
"""

import base64
import datetime
import hashlib
import secrets
import time
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts import audit, conf, rules
from huimin.accounts.demo import ACCOUNTS
from huimin.accounts.models import (
    AccountState,
    LoginEvent,
    LoginOutcome,
)
from huimin.core.errors import NotFound, PermissionDenied, ValidationFailed
from huimin.core.net import client_ip
from huimin.policy import grants_of, has_perm

User = get_user_model()


def now() -> datetime.datetime:
    return timezone.now()


def can(user, permission: str) -> bool:
    """A named permission of the user's role (policy.has_perm: superusers hold none)."""
    return has_perm(user, permission)


def role_of(user) -> str | None:
    staff = getattr(user, "staff", None)
    return staff.role if staff else None


@contextmanager
def refusals_recorded(action: str, object_type: str, object_id="", *, actor, request=None):
    """Record a permission refusal in the audit log once the refused work rolled back."""
    try:
        yield
    except PermissionDenied as exc:
        audit.record(
            action=action,
            object_type=object_type,
            object_id=str(object_id or ""),
            outcome="denied",
            reason=exc.code,
            actor=actor,
            request=request,
        )
        raise


# ---------------------------------------------------------------- passwords


def password_changed_at(user) -> datetime.datetime:
    state = AccountState.objects.filter(user_id=user.pk).first()
    # Accounts created before this app kept no state: their age counts from creation.
    return state.password_changed_at if state else user.date_joined


def password_status(user, at: datetime.datetime | None = None) -> tuple[bool, datetime.datetime]:
    """(must the password be changed now, when does it expire), in one query.

    It must be changed when it has expired or an administrator's reset flagged it.
    """
    state = AccountState.objects.filter(user_id=user.pk).first()
    # Accounts created before this app kept no state: their age counts from creation.
    changed = state.password_changed_at if state else user.date_joined
    max_age = conf.password_max_age_days()
    flagged = state is not None and state.must_change_password
    expired = rules.password_expired(changed, at or now(), max_age)
    return flagged or expired, changed + datetime.timedelta(days=max_age)


def must_change_password(user) -> bool:
    return password_status(user)[0]


def password_expires_at(user) -> datetime.datetime:
    return password_status(user)[1]


def check_password_change(user, old: str, new: str, confirm: str) -> None:
    errors: dict[str, str] = {}
    if not user.check_password(old):
        errors["old_password"] = "原密码不正确"  # noqa: S105 - a message, not a password
    if new != confirm:
        errors["new_password2"] = "两次输入的新密码不一致"
    try:
        validate_password(new, user)
    except ValidationError as exc:
        errors["new_password1"] = "；".join(exc.messages)
    if errors:
        raise ValidationFailed(errors)


def do_change_password(user, old: str, new: str, confirm: str, *, request=None) -> None:
    check_password_change(user, old, new, confirm)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.set_password(new)
        locked.save()  # the history validator records the hash and the new age
        audit.record(
            action="update",
            object_type="auth.user",
            object_id=str(user.pk),
            fields=["password"],
            actor=user,
            request=request,
        )
    user.password = locked.password


_TEMP_CLASSES = ["ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz", "23456789", "@#%+=?"]


def temporary_password(user=None) -> str:
    """12 characters from all four classes, without look-alikes (I/l/1, O/0)."""
    rng = secrets.SystemRandom()
    everything = "".join(_TEMP_CLASSES)
    while True:
        chars = [rng.choice(c) for c in _TEMP_CLASSES]
        chars += [rng.choice(everything) for _ in range(8)]
        rng.shuffle(chars)
        password = "".join(chars)
        try:
            validate_password(password, user)
        except ValidationError:
            continue
        return password


def set_temporary_password(user) -> str:
    password = temporary_password(user)
    user.set_password(password)
    user.save()
    AccountState.objects.filter(user_id=user.pk).update(must_change_password=True)
    return password


# ---------------------------------------------------------------- second factor


def needs_second_factor(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    staff = getattr(user, "staff", None)
    role = staff.role if staff else None
    # grants_of: the request's one read of the policy version (the gate runs first).
    perms = grants_of(user)
    jurisdiction = staff.jurisdiction if staff else None
    return rules.needs_second_factor(role, perms, user.is_superuser, jurisdiction)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def enrolment_device(user) -> TOTPDevice | None:
    """The unconfirmed device being enrolled; None once a confirmed one exists.

    The same secret is shown on every visit until confirmed, so a reload does not
    invalidate what the user already scanned.
    """
    if confirmed_device(user) is not None:
        return None
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)


def base32_secret(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def _clean_token(token: str) -> str | None:
    token = (token or "").replace(" ", "").strip()
    return token if len(token) == 6 and token.isdigit() else None


def second_factor_wait(device: TOTPDevice) -> bool:
    """True while django-otp's throttle makes the device refuse every code."""
    allowed, _ = device.verify_is_allowed()
    return not allowed


def verify_second_factor(user, token: str) -> TOTPDevice | None:
    """The confirmed device that accepts this code now, or None (a failure is counted)."""
    token = _clean_token(token)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            return None
        if token is None:
            device.throttle_increment()
            return None
        return device if device.verify_token(token) else None


def do_confirm_enrolment(user, token: str, *, request=None) -> TOTPDevice | None:
    token = _clean_token(token)
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or confirmed_device(user) is not None:
            return None
        if token is None:
            device.throttle_increment()
            return None
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
        audit.record(
            action="issue_credential",
            object_type="accounts.totp",
            object_id=str(device.pk),
            actor=user,
            request=request,
        )
        return device


def demo_usernames() -> frozenset[str]:
    return frozenset(a[0] for a in ACCOUNTS)


def demo_totp_key(username: str) -> bytes:
    # Public by design, like the demo password: anyone may recompute a demo code.
    return hashlib.sha256(f"huimin-demo-totp:{username}".encode()).digest()[:20]


def enrol_demo_totp(user) -> str:
    """Give a demo account a confirmed TOTP device with a secret derived from its username.

    Returns the base32 secret (for an authenticator app). Refused for any account that
    is not one of the demo accounts, so a real account never gets a guessable secret.
    """
    username = user.get_username()
    if username not in demo_usernames():
        raise PermissionDenied("只有演示账号可以使用演示动态口令", code="not_demo_account")
    key = demo_totp_key(username).hex()
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).exclude(key=key, confirmed=True).delete()
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, key=key, defaults={"name": "演示动态口令", "confirmed": True}
        )
    return base32_secret(device)


def demo_code(username: str) -> str:
    """The current 6-digit code of a demo account (`huimin demo-totp`)."""
    if not conf.demo_enabled():
        raise PermissionDenied("未设置 HUIMIN_DEMO=1：只有演示环境可以取得动态口令", "not_demo")
    if username not in demo_usernames():
        raise PermissionDenied(f"{username} 不是演示账号", code="not_demo_account")
    device = TOTPDevice.objects.filter(
        user__username=username, confirmed=True, key=demo_totp_key(username).hex()
    ).first()
    if device is None:
        raise NotFound("演示账号的动态口令设备（先运行 huimin demo_accounts）")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


# ---------------------------------------------------------------- login history


def record_login(request, username: str, outcome: str, user=None) -> LoginEvent:
    username = (username or "")[:150]
    if user is None and username:
        user = User.objects.filter(username=username).first()
    event = LoginEvent.objects.create(
        user=user,
        username=username,
        source_ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        outcome=outcome,
    )
    audit.record(
        action="login" if outcome == LoginOutcome.SUCCESS else "login_failed",
        object_type="auth.user",
        object_id=str(user.pk) if user else "",
        outcome="success" if outcome == LoginOutcome.SUCCESS else "failed",
        reason="" if outcome == LoginOutcome.SUCCESS else outcome,
        actor=user if outcome == LoginOutcome.SUCCESS else None,
        request=request,
        source_ip=event.source_ip or "",
    )
    return event


def login_history(user, limit: int = 50):
    return LoginEvent.objects.filter(user=user).order_by("-at", "-id")[:limit]

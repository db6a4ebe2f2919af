"""Incident mode (应急处置): after a breach, end sessions and force new passwords for all
or selected accounts and suspend selected institutions' API access, in one order.

A security administrator requests the order; it takes effect only when a second
administrator approves it (the access onboarding's four-eyes rule, reused). Approval
carries the whole order out in one transaction, every step audited:

- each target account's password is made unusable, so nobody can log in with it until a
  system administrator issues a temporary one (which must be changed at first login);
  the new hash also fails Django's session hash check, so every session of the account
  ends on its next request whatever the session backend (the "bump");
- the accounts' database sessions are deleted at once;
- each selected institution's access is suspended through the access app's service.

The two administrators who carry the order out keep their accounts (someone must issue
the new passwords); the page tells them to change their own afterwards.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore as Cached
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from huimin.access import rules as access_rules
from huimin.access import services as access
from huimin.access.models import AccessStatus, InstitutionAccess
from huimin.accounts import audit
from huimin.accounts.models import AccountState, IncidentOrder, IncidentStatus
from huimin.accounts.services import can, refusals_recorded
from huimin.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

User = get_user_model()

REQUEST = "alerts.manage"  # the security administrator
# A second administrator: another security administrator, or the system administrator
# who runs the accounts the order touches.
APPROVE = ("alerts.manage", "accounts.manage")
SUSPEND = "access.approve"
MAX_REASON = 500
MAX_SELECTED = 1000

# The onboarding flow's state machine shape: action → (from states, to state).
TRANSITIONS = {
    "approve": ({IncidentStatus.REQUESTED}, IncidentStatus.EXECUTED),
    "reject": ({IncidentStatus.REQUESTED}, IncidentStatus.REJECTED),
}


def can_request(user) -> bool:
    return can(user, REQUEST)


def can_approve(user) -> bool:
    return any(can(user, p) for p in APPROVE)


def can_view(user) -> bool:
    return can_request(user) or can_approve(user)


def check_view(user) -> None:
    if not can_view(user):
        raise PermissionDenied("只有安全管理员和系统管理员可以使用应急处置")


def orders(user):
    check_view(user)
    return IncidentOrder.objects.select_related("requested_by", "decided_by")


def suspendable_institutions(user):
    """Institutions whose API access is active, for the order form."""
    if not can(user, SUSPEND):
        return InstitutionAccess.objects.none()
    return (
        InstitutionAccess.objects.filter(status=AccessStatus.ACTIVE)
        .select_related("institution")
        .order_by("institution__name")
    )


# ---------------------------------------------------------------- requesting


@dataclass
class OrderData:
    reason: str
    all_accounts: bool
    usernames: list[str] = field(default_factory=list)
    institution_ids: list[int] = field(default_factory=list)


def check_order(user, data: OrderData) -> tuple[list[int], list[int]]:
    """The account ids and institution ids the order names, or ValidationFailed."""
    if not can_request(user):
        raise PermissionDenied("只有安全管理员可以申请应急处置", code="incident_request")
    errors: dict[str, str] = {}
    reason = (data.reason or "").strip()
    if not reason:
        errors["reason"] = "请填写处置事由"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"处置事由不能超过{MAX_REASON}个字"
    names = sorted({n.strip() for n in data.usernames if n.strip()})
    account_ids: list[int] = []
    if data.all_accounts and names:
        errors["usernames"] = "选择了全部账号时不要再列出账号"
    elif not data.all_accounts:
        if len(names) > MAX_SELECTED:
            errors["usernames"] = f"一次最多选定{MAX_SELECTED}个账号，更多请选择全部账号"
        found = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        missing = [n for n in names if n not in found]
        if missing:
            errors["usernames"] = "没有这些账号：" + "、".join(missing[:20])
        account_ids = sorted(found.values())
    wanted = sorted(set(data.institution_ids))
    if wanted:
        allowed = set(
            suspendable_institutions(user)
            .filter(institution_id__in=wanted)
            .values_list("institution_id", flat=True)
        )
        if not can(user, SUSPEND):
            errors["institutions"] = "您无权暂停机构接入"
        elif set(wanted) - allowed:
            errors["institutions"] = "所选机构不存在或其接入不是正常状态"
    if not data.all_accounts and not account_ids and not wanted and "usernames" not in errors:
        errors["usernames"] = "请选择全部账号，或列出账号，或选择要暂停接入的机构"
    if errors:
        raise ValidationFailed(errors)
    return account_ids, wanted


def do_request(user, data: OrderData, *, request=None) -> IncidentOrder:
    with refusals_recorded("create", "accounts.incident", actor=user, request=request):
        account_ids, institution_ids = check_order(user, data)
        with transaction.atomic():
            order = IncidentOrder.objects.create(
                requested_by=user,
                reason=data.reason.strip(),
                all_accounts=data.all_accounts,
                account_ids=account_ids,
                institution_ids=institution_ids,
            )
            audit.record(
                action="create",
                object_type="accounts.incident",
                object_id=str(order.pk),
                changes={
                    "status": [None, order.status],
                    "all_accounts": [None, order.all_accounts],
                    "account_ids": [None, account_ids],
                    "institution_ids": [None, institution_ids],
                },
                purpose=order.reason,
                actor=user,
                request=request,
            )
    return order


# ---------------------------------------------------------------- deciding


def _decide(user, order_id: int, action: str, note: str, request, carry_out):
    with refusals_recorded(action, "accounts.incident", order_id, actor=user, request=request):
        if not can_approve(user):
            raise PermissionDenied("只有另一位安全管理员或系统管理员可以批准", code="incident")
        with transaction.atomic():
            order = (
                IncidentOrder.objects.select_for_update().filter(pk=order_id).first()
                if 0 < order_id < 2**63
                else None
            )
            if order is None:
                raise NotFound("应急处置单")
            to, refusal = access_rules.next_status(TRANSITIONS, action, order.status)
            if refusal:
                raise Conflict(refusal.code, "该处置单已经处理，不能再批准或驳回")
            refusal = access_rules.four_eyes(
                action, submitted_by=order.requested_by_id, reviewed_by=None, actor=user.pk
            )
            if refusal:
                raise PermissionDenied(
                    "不能批准或驳回自己申请的应急处置，须由另一位管理员决定", code=refusal.code
                )
            before = order.status
            order.status = to
            order.decided_by = user
            order.decided_at = timezone.now()
            order.decision_note = note
            if carry_out:
                order.result = _carry_out(order, user, request)
            order.save()
            audit.record(
                action=action,
                object_type="accounts.incident",
                object_id=str(order.pk),
                changes={"status": [before, to]},
                purpose=note or order.reason,
                actor=user,
                request=request,
            )
    return order


def do_approve(user, order_id: int, note: str = "", *, request=None) -> IncidentOrder:
    note = _check_note(note, required=False)
    return _decide(user, order_id, "approve", note, request, carry_out=True)


def do_reject(user, order_id: int, note: str, *, request=None) -> IncidentOrder:
    note = _check_note(note, required=True)
    return _decide(user, order_id, "reject", note, request, carry_out=False)


def _check_note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed({"note": "驳回须填写理由"})
    if len(note) > MAX_REASON:
        raise ValidationFailed({"note": f"审批意见不能超过{MAX_REASON}个字"})
    return note


# ---------------------------------------------------------------- carrying out


def _carry_out(order: IncidentOrder, approver, request) -> dict:
    responders = {order.requested_by_id, approver.pk}
    targets = (
        User.objects.all() if order.all_accounts else User.objects.filter(pk__in=order.account_ids)
    )
    targets = list(targets.exclude(pk__in=responders).order_by("pk"))
    now = timezone.now()
    for user in targets:
        # Unusable: the old password (perhaps the attacker's) no longer logs in, and the
        # changed hash ends every session of the account on its next request.
        user.set_unusable_password()
        user.save(update_fields=["password"])
        AccountState.objects.update_or_create(
            user_id=user.pk,
            defaults={"must_change_password": True},
            create_defaults={"password_changed_at": now, "must_change_password": True},
        )
        audit.record(
            action="revoke",
            object_type="auth.user",
            object_id=str(user.pk),
            fields=["password", "sessions"],
            reason=f"incident:{order.pk}",
            purpose=f"应急处置#{order.pk}：{order.reason}"[:500],
            actor=approver,
            request=request,
        )
    sessions = end_sessions({u.pk for u in targets}, now)
    suspended = _suspend_institutions(order, approver, request)
    return {
        "accounts": len(targets),
        "sessions_deleted": sessions,
        "institutions": suspended,
        "kept": sorted(responders),
    }


def end_sessions(user_ids: set[int], now: datetime.datetime) -> int:
    """Delete the database sessions of these accounts; the number deleted.

    With another session backend (cache, signed cookies) there is nothing to delete
    here: the changed password hash ends those sessions on their next request.
    """
    engine = settings.SESSION_ENGINE
    if not user_ids or not engine.endswith(("sessions.backends.db", "sessions.backends.cached_db")):
        return 0
    store = SessionStore()
    doomed = []
    for key, data in (
        Session.objects.filter(expire_date__gt=now)
        .values_list("session_key", "session_data")
        .iterator()
    ):
        owner = store.decode(data).get(SESSION_KEY)
        if owner is not None and str(owner).isdigit() and int(owner) in user_ids:
            doomed.append(key)
    if engine.endswith("cached_db"):
        for key in doomed:
            Cached(session_key=key).delete()
    deleted = 0
    for start in range(0, len(doomed), 500):
        deleted += Session.objects.filter(session_key__in=doomed[start : start + 500]).delete()[0]
    return deleted


def _suspend_institutions(order: IncidentOrder, approver, request) -> list[int]:
    """Suspend each selected institution still active, through the access service; the
    actor is the approver when they may suspend, else the requesting administrator."""
    if not order.institution_ids:
        return []
    actor = approver if access.can_approve(approver) else order.requested_by
    active = set(
        InstitutionAccess.objects.filter(
            institution_id__in=order.institution_ids, status=AccessStatus.ACTIVE
        ).values_list("institution_id", flat=True)
    )
    done = []
    for institution_id in order.institution_ids:
        if institution_id not in active:
            continue  # suspended or revoked meanwhile: nothing left to do
        access.do_change_access(
            actor,
            institution_id,
            "suspend",
            f"应急处置#{order.pk}：{order.reason}"[:500],
            request=request,
        )
        done.append(institution_id)
    return done

"""Audit use cases: append to the chain (`record`), read models over the log.

`record()` writes in the caller's transaction: a rolled-back write leaves no audit row.
To record a refusal, roll back the refused work first and call `record()` after it.
Appends are serialised by locking the single AuditChainHead row, so the chain never
forks; the lock is held until the caller commits, so call `record()` late in long
transactions.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huimin.audit import chain
from huimin.audit.models import AuditAction, AuditChainHead, AuditEvent, AuditOutcome

HEAD_PK = 1
TERMINAL_HEADER = "HTTP_X_HUIMIN_TERMINAL"


def _cut(value, field: str) -> str:
    # Longer text would fail on PostgreSQL (and silently pass on SQLite); cut it instead,
    # so an audit write never breaks the use case that asked for it.
    text = "" if value is None else str(value).replace("\x00", "")
    return text[: AuditEvent._meta.get_field(field).max_length]


def _client_ip(request) -> str:
    """The peer address; forwarding headers only when the operator configured a proxy.

    A client could otherwise write any address it likes into the audit log (and dodge
    the new-IP alert) by sending X-Forwarded-For.
    """
    from ipware import get_client_ip

    order = getattr(settings, "IPWARE_META_PRECEDENCE_ORDER", None) or ["REMOTE_ADDR"]
    try:
        ip, _routable = get_client_ip(request, request_header_order=order)
    except ValueError:
        ip = None
    return str(ip) if ip else (request.META.get("REMOTE_ADDR", "") or "")


def _user_of(request):
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def _lock_head() -> AuditChainHead:
    try:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    except AuditChainHead.DoesNotExist:
        pass
    # First append ever (or after a test flush): start from the newest row, if any.
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    AuditChainHead.objects.bulk_create(
        [
            AuditChainHead(
                pk=HEAD_PK,
                last_seq=last["seq"] if last else 0,
                last_hash=last["hash"] if last else chain.GENESIS,
            )
        ],
        ignore_conflicts=True,
    )
    return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def record(
    *,
    action: str,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    fields: list[str] | None = None,
    changes: dict | None = None,
    purpose: str = "",
    outcome: str = "success",
    reason: str = "",
    actor=None,
    request=None,
    loan_id: int | None = None,
    institution_id: int | None = None,
    terminal: str = "",
    source_ip: str = "",
) -> AuditEvent:
    """Append one event to the audit chain inside the caller's transaction."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in AuditOutcome.values:
        raise ValueError(f"unknown audit outcome {outcome!r}")
    if request is not None:
        actor = actor if actor is not None else _user_of(request)
        terminal = terminal or request.META.get(TERMINAL_HEADER, "") or ""
        terminal = terminal or getattr(request, "auth_terminal", "") or ""
        source_ip = source_ip or _client_ip(request)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    role = ""
    if actor is not None:
        staff = getattr(actor, "staff", None)
        if staff is not None:
            role = staff.role
            if institution_id is None:
                institution_id = staff.institution_id
    content = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": _cut(actor.get_username() if actor is not None else "", "actor_username"),
        "role": _cut(role, "role"),
        "institution_id": int(institution_id) if institution_id is not None else None,
        "terminal": _cut(terminal, "terminal"),
        "source_ip": _cut(source_ip, "source_ip"),
        "action": action,
        "object_type": _cut(object_type, "object_type"),
        "object_id": _cut(object_id, "object_id"),
        "region_code": _cut(region_code, "region_code"),
        "fields": chain.plain(list(fields or [])),
        "changes": chain.plain(dict(changes or {})),
        "purpose": _cut(purpose, "purpose"),
        "loan_id": int(loan_id) if loan_id is not None else None,
        "outcome": outcome,
        "reason": _cut(reason, "reason"),
    }
    with transaction.atomic():
        head = _lock_head()
        # Taken under the lock, so time never runs backwards along the chain.
        content["seq"] = head.last_seq + 1
        content["at"] = timezone.now()
        digest = chain.compute_hash(head.last_hash, content)
        event = AuditEvent.objects.create(prev_hash=head.last_hash, hash=digest, **content)
        AuditChainHead.objects.filter(pk=HEAD_PK).update(last_seq=event.seq, last_hash=digest)
    return event

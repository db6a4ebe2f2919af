"""Audit use cases: append to the chain (`record`), read models over the log.

`record()` writes in the caller's transaction: a rolled-back write leaves no audit row.
To record a refusal, roll back the refused work first and call `record()` after it.
Appends are serialised by locking the single AuditChainHead row, so the chain never
forks; the lock is held until the caller commits, so call `record()` late in long
transactions.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from huimin.audit import chain
from huimin.audit.models import (
    AuditAction,
    AuditArchive,
    AuditChainHead,
    AuditEvent,
    AuditOutcome,
)

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


# ---------------------------------------------------------------- verification

ROW_FIELDS = ("id", *chain.CONTENT_FIELDS, "prev_hash", "hash")
BATCH = 5000


@dataclass
class Verification:
    count: int  # rows checked in the database
    archived: int  # rows before them, kept in archive files
    last_seq: int
    last_hash: str
    problem: chain.ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _archive_problem(archive: AuditArchive, detail: str) -> chain.ChainProblem:
    return chain.ChainProblem(
        "archive_broken", archive.first_seq, None, archive.first_at, f"归档 #{archive.pk}：{detail}"
    )


def chain_start() -> tuple[chain.ChainState, int, chain.ChainProblem | None]:
    """Where the live chain starts: after the last archive, whose ranges must join up."""
    state, archived = chain.ChainState(seq=0, hash=chain.GENESIS), 0
    for archive in AuditArchive.objects.order_by("last_seq"):
        if archive.first_seq != state.seq + 1:
            return state, archived, _archive_problem(archive, "起始序号与前一段不连续")
        if archive.first_prev_hash != state.hash:
            return state, archived, _archive_problem(archive, "起始前哈希与前一段结束哈希不符")
        state = chain.ChainState(seq=archive.last_seq, hash=archive.last_hash)
        archived += archive.count
    return state, archived, None


def verify_chain(batch_size: int = BATCH) -> Verification:
    """Walk the chain in sequence order, a batch at a time, recomputing every hash."""
    head = AuditChainHead.objects.filter(pk=HEAD_PK).values("last_seq", "last_hash").first()
    state, archived, problem = chain_start()
    if problem is None:
        # Rows appended while we walk are past the head we read, and not our concern.
        end_seq = head["last_seq"] if head else None
        while problem is None:
            rows = AuditEvent.objects.filter(seq__gt=state.seq).order_by("seq")
            if end_seq is not None:
                rows = rows.filter(seq__lte=end_seq)
            batch = list(rows.values(*ROW_FIELDS)[:batch_size])
            if not batch:
                break
            problem = next(chain.walk(batch, state), None)
        if (
            problem is None
            and head
            and (state.seq, state.hash)
            != (
                head["last_seq"],
                head["last_hash"],
            )
        ):
            problem = chain.ChainProblem(
                "tail_missing",
                state.seq + 1,
                None,
                None,
                f"链头记录最后为第 {head['last_seq']} 条，实际只到第 {state.seq} 条",
            )
    return Verification(
        count=state.count,
        archived=archived,
        last_seq=state.seq,
        last_hash=state.hash,
        problem=problem,
    )

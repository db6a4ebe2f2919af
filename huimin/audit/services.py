"""Audit use cases: append to the chain (`record`), verify and archive it.

`record()` writes in the caller's transaction: a rolled-back write leaves no audit row.
To record a refusal, roll back the refused work first and call `record()` after it.
Each append locks one chain's head (AuditChainHead) until the caller commits, so no
chain forks; call `record()` late in long transactions. There are conf.CHAINS chains
so that concurrent transactions do not queue behind one head (see _locked_head).
Each event is hashed with an HMAC under HUIMIN_AUDIT_KEY (chain.py), and chain heads
are checkpointed outside the database after commit (checkpoints.py).
"""

import datetime
import functools
import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, connections, transaction
from django.db.models import Subquery
from django.utils import timezone

from huimin.audit import chain, checkpoints, conf, ids, triggers
from huimin.audit.models import (
    AuditAction,
    AuditArchive,
    AuditChainHead,
    AuditEvent,
    AuditEventPerson,
    AuditLegacyCutover,
    AuditOutcome,
)
from huimin.core import idnumber, statements
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.net import client_ip

TERMINAL_HEADER = "HTTP_X_HUIMIN_TERMINAL"


def _cut(value, field: str) -> str:
    # Longer text would fail on PostgreSQL (and silently pass on SQLite); cut it instead,
    # so an audit write never breaks the use case that asked for it.
    text = "" if value is None else str(value).replace("\x00", "")
    return text[: AuditEvent._meta.get_field(field).max_length]


_ID_NUMBER = re.compile(r"(?<![0-9])([1-8][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")


def _mask_ids(value):
    """A full resident ID number never enters the log, even if a caller passes one."""
    if isinstance(value, str):
        # Only numbers with a valid check character: other 18-digit codes stay readable.
        return _ID_NUMBER.sub(
            lambda m: idnumber.mask(m.group(0)) if idnumber.is_valid(m.group(0)) else m.group(0),
            value,
        )
    if isinstance(value, list):
        return [_mask_ids(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_ids(v) for k, v in value.items()}
    return value


def _client_ip(request) -> str:
    """The client's address: X-Forwarded-For is believed only from HUIMIN_TRUSTED_PROXIES
    (one implementation for login lockout, tokens, rate limits and audit: huimin.core.net)."""
    return client_ip(request) or request.META.get("REMOTE_ADDR", "") or ""


def _user_of(request):
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


_HEAD_SQL: dict[tuple[str, bool], str] = {}


def _head_sql(connection, *, any_free: bool) -> str:
    """The statement locking a chain head: chain 1 (waiting for it if held), or else
    `any_free`: the lowest-numbered head no other transaction holds, skipping held ones."""
    key = (connection.vendor, any_free)
    sql = _HEAD_SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        sql = (
            f"SELECT {q('id')}, {q('last_seq')}, {q('last_hash')} "  # noqa: S608 - model names
            f"FROM {q(AuditChainHead._meta.db_table)} "
        )
        if any_free:
            sql += f"WHERE {q('id')} <= %s ORDER BY {q('id')} LIMIT 1 FOR UPDATE SKIP LOCKED"
        else:
            sql += f"WHERE {q('id')} = %s"
            if connection.features.has_select_for_update:
                sql += " FOR UPDATE"
        _HEAD_SQL[key] = sql
    return sql


def _locked_head() -> tuple[int, int, str]:
    """(chain, last_seq, last_hash) of a chain head, locked until the caller's commit.

    A head stays locked from the append to the commit, which includes the rest of the
    caller's work and the commit's WAL flush; with one chain, every audited transaction
    in the county queued there. On PostgreSQL an append takes the lowest-numbered head
    no one else holds (SKIP LOCKED), so concurrent appends proceed side by side, and a
    lone writer always extends chain 1. Only when all CHAINS heads are held does it wait,
    and then always for chain 1: a transaction may hold several heads, but waiting only
    ever for the same one cannot form a cycle. SQLite serialises writers itself: chain 1.
    """
    connection = connections[AuditChainHead.objects.db]
    with connection.cursor() as cursor:
        row = None
        if connection.features.has_select_for_update_skip_locked:
            cursor.execute(_head_sql(connection, any_free=True), [conf.CHAINS])
            row = cursor.fetchone()
            if row is None and AuditChainHead.objects.filter(pk__lte=conf.CHAINS).count() < (
                conf.CHAINS
            ):
                _create_heads()  # some never made (CHAINS raised, or a test flush)
                cursor.execute(_head_sql(connection, any_free=True), [conf.CHAINS])
                row = cursor.fetchone()
        if row is None:
            cursor.execute(_head_sql(connection, any_free=False), [1])
            row = cursor.fetchone()
    if row is None:
        head = _lock_head()
        return head.pk, head.last_seq, head.last_hash
    return row[0], row[1], row[2]


_APPEND_SQL: dict[str, list[str]] = {}


def _append_sql(alias: str) -> list[str]:
    """The INSERT of an event, then the head's move to it; on PostgreSQL both in one
    statement (a data-modifying WITH). Each statement's result is the new event's id."""
    vendor = statements.vendor(alias)
    cached = _APPEND_SQL.get(vendor)
    if cached is not None:
        return cached
    head, event_id = statements.table(AuditChainHead, alias), statements.column(AuditEvent, "id")
    insert = statements.insert_sql(AuditEvent, alias)
    seq = statements.column(AuditChainHead, "last_seq", alias)
    last_hash = statements.column(AuditChainHead, "last_hash", alias)
    # Only quoted names from the models go into the text; the values are parameters.
    move = f"UPDATE {head} SET {seq} = %s, {last_hash} = %s"  # noqa: S608
    if vendor == "postgresql":
        cached = [f"WITH e AS ({insert}) {move} FROM e WHERE {head}.{event_id} = %s RETURNING e.id"]
    else:
        cached = [insert, f"{move} WHERE {event_id} = %s"]
    _APPEND_SQL[vendor] = cached
    return cached


def _append(event: AuditEvent) -> None:
    """Insert the event and move its chain's head to it (the head is locked by the caller)."""
    alias = AuditEvent.objects.db
    values = statements.insert_values(event, alias)
    move = [event.seq, event.hash, event.chain]
    sql = _append_sql(alias)
    if len(sql) == 1:
        (pk,) = statements.execute(sql[0], values + move, alias, fetch="one")
    else:
        (pk,) = statements.execute(sql[0], values, alias, fetch="one")
        statements.execute(sql[1], move, alias)
    statements.saved(event, pk, alias)


def _lock_head() -> AuditChainHead:
    """Chain 1's head, locked; first creating every missing head (a new database, or
    after a test flush)."""
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        pass
    _create_heads()
    return AuditChainHead.objects.select_for_update().get(pk=1)


def _create_heads() -> None:
    """The heads of chains 1..CHAINS that are missing, each from its chain's newest row."""
    heads = []
    for number in range(1, conf.CHAINS + 1):
        last = (
            AuditEvent.objects.filter(chain=number).order_by("-seq").values("seq", "hash").first()
        )
        heads.append(
            AuditChainHead(
                pk=number,
                last_seq=last["seq"] if last else 0,
                last_hash=last["hash"] if last else chain.GENESIS,
            )
        )
    AuditChainHead.objects.bulk_create(heads, ignore_conflicts=True)


# Choices' .values builds a new list on every access; every audited request checks both.
_ACTIONS = frozenset(AuditAction.values)
_OUTCOMES = frozenset(AuditOutcome.values)


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
    person_ids=None,
) -> AuditEvent:
    """Append one event to the audit chain inside the caller's transaction.

    `person_ids`: the residents whose data the event concerns (a read of their record,
    a list or export they appear in). They go into the hashed content as ranges
    (changes["person_ids"]) and into AuditEventPerson, where `reads_of_person` finds them.
    """
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if outcome not in _OUTCOMES:
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
    people = ids.normalise(person_ids or ())
    if people:
        changes = {**(changes or {}), "person_ids": ids.to_ranges(people)}
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
        "changes": _mask_ids(chain.plain(dict(changes or {}))),
        "purpose": _cut(_mask_ids(str(purpose or "")), "purpose"),
        "loan_id": int(loan_id) if loan_id is not None else None,
        "outcome": outcome,
        "reason": _cut(reason, "reason"),
    }
    keyring = conf.keyring()
    # No savepoint: an append is a few statements at the end of the caller's transaction,
    # and a failure in it must fail that transaction anyway.
    with transaction.atomic(savepoint=False):
        number, last_seq, last_hash = _locked_head()
        # Taken under the lock, so time never runs backwards along a chain.
        content["seq"] = last_seq + 1
        content["at"] = timezone.now()
        digest = chain.compute_mac(keyring.current, last_hash, content)
        event = AuditEvent(
            chain=number, prev_hash=last_hash, hash=digest, key_id=keyring.current_id, **content
        )
        _append(event)
        if people:
            AuditEventPerson.objects.bulk_create(
                [AuditEventPerson(event_id=event.pk, person_id=p) for p in people],
                batch_size=2000,
            )
        if checkpoints.due(number, event.seq):
            # After commit: a checkpoint must never record a head that was rolled back.
            transaction.on_commit(
                functools.partial(checkpoints.write_quietly, number, event.seq, digest)
            )
    return event


# ---------------------------------------------------------------- verification

ROW_FIELDS = ("id", *chain.CONTENT_FIELDS, "key_id", "prev_hash", "hash")  # chain: filtered on
BATCH = 5000


@dataclass
class Verification:
    count: int  # rows checked in the database
    archived: int  # rows before them, kept in archive files
    tails: dict[int, tuple[int, str]]  # chain → (last seq, last hash) verified
    problem: chain.ChainProblem | None
    anchors: checkpoints.Anchors | None = None  # the checkpoints checked against

    @property
    def ok(self) -> bool:
        return self.problem is None


def _archive_problem(archive: AuditArchive, detail: str) -> chain.ChainProblem:
    return chain.ChainProblem(
        "archive_broken",
        archive.first_seq,
        None,
        archive.first_at,
        f"归档 #{archive.pk}：{detail}",
        chain=archive.chain,
    )


def chains_in_use() -> list[int]:
    """Every chain with a head, an archive or an event: a chain whose head was deleted is
    still walked. Found by skipping along the (chain, seq) index, not by a scan."""
    found = set(AuditChainHead.objects.values_list("pk", flat=True))
    found |= set(AuditArchive.objects.values_list("chain", flat=True).distinct())
    found |= set(AuditLegacyCutover.objects.values_list("chain", flat=True))
    number = 0
    while True:
        following = (
            AuditEvent.objects.filter(chain__gt=number)
            .order_by("chain")
            .values_list("chain", flat=True)
            .first()
        )
        if following is None:
            return sorted(found)
        found.add(following)
        number = following


def _archive_facts(archive: AuditArchive) -> tuple:
    return (
        archive.chain,
        archive.first_seq,
        archive.last_seq,
        archive.first_prev_hash,
        archive.last_hash,
        archive.count,
        archive.checksum,
    )


def _cutover(number: int, keyring: chain.Keyring) -> tuple[int, str, chain.ChainProblem | None]:
    """A chain's sealed cut-over: (last unkeyed seq, its hash), (0, GENESIS) if none."""
    cut = AuditLegacyCutover.objects.filter(chain=number).first()
    if cut is None:
        return 0, chain.GENESIS, None
    why = keyring.check(cut.key_id, cut.mac, "legacy-cutover", number, cut.last_seq, cut.last_hash)
    if why is not None:
        problem = chain.ChainProblem(
            "cutover_broken", cut.last_seq, None, None, f"切换封签{why}", chain=number
        )
        return 0, chain.GENESIS, problem
    return cut.last_seq, cut.last_hash, None


def chain_start(
    number: int = 1, keyring: chain.Keyring | None = None, anchors: dict[int, str] | None = None
) -> tuple[chain.ChainState, int, chain.ChainProblem | None]:
    """Where a live chain starts: after its last archive, whose ranges must join up and
    whose records must carry the audit key's signature."""
    keyring = keyring or conf.keyring()
    anchors = anchors or {}
    legacy_seq, legacy_hash, problem = _cutover(number, keyring)
    state, archived = chain.ChainState(seq=0, hash=chain.GENESIS), 0
    if problem is not None:
        return state, archived, problem
    for archive in AuditArchive.objects.filter(chain=number).order_by("last_seq"):
        if archive.first_seq != state.seq + 1:
            return state, archived, _archive_problem(archive, "起始序号与前一段不连续")
        if archive.first_prev_hash != state.hash:
            return state, archived, _archive_problem(archive, "起始前哈希与前一段结束哈希不符")
        why = keyring.check(archive.key_id, archive.mac, "archive", *_archive_facts(archive))
        if why is not None:
            return state, archived, _archive_problem(archive, f"归档记录{why}")
        if anchors.get(archive.last_seq, archive.last_hash) != archive.last_hash:
            return state, archived, _archive_problem(archive, "结束哈希与链外检查点不符")
        state = chain.ChainState(seq=archive.last_seq, hash=archive.last_hash)
        archived += archive.count
    state.legacy_seq, state.legacy_hash, state.anchors = legacy_seq, legacy_hash, anchors
    return state, archived, None


def _verify_one(
    number: int, batch_size: int, keyring: chain.Keyring, anchors: checkpoints.Anchors
) -> tuple[chain.ChainState, int, chain.ChainProblem | None]:
    """Walk one chain in sequence order, a batch at a time, recomputing every hash; then
    hold its end against its head, its cut-over and the checkpoints outside the database."""
    head = AuditChainHead.objects.filter(pk=number).values("last_seq", "last_hash").first()
    state, archived, problem = chain_start(number, keyring, anchors.of(number))
    if problem is not None:
        return state, archived, problem
    # Rows appended while we walk are past the head we read, and not our concern.
    end_seq = head["last_seq"] if head else None
    while problem is None:
        rows = AuditEvent.objects.filter(chain=number, seq__gt=state.seq).order_by("seq")
        if end_seq is not None:
            rows = rows.filter(seq__lte=end_seq)
        batch = list(rows.values(*ROW_FIELDS)[:batch_size])
        if not batch:
            break
        problem = next(chain.walk(batch, state, number, keyring), None)
    tail = (head["last_seq"], head["last_hash"]) if head else None
    if problem is None and tail and (state.seq, state.hash) != tail:
        problem = chain.ChainProblem(
            "tail_missing",
            state.seq + 1,
            None,
            None,
            f"链头记录最后为第 {head['last_seq']} 条，实际只到第 {state.seq} 条",
            chain=number,
        )
    if problem is None:
        problem = _short_of_anchors(number, state, anchors)
    if problem is None and head:
        problem = _beyond_head(number)
    return state, archived, problem


def _short_of_anchors(
    number: int, state: chain.ChainState, anchors: checkpoints.Anchors
) -> chain.ChainProblem | None:
    """The chain ends before a row its cut-over seal or a checkpoint saw: rows removed
    from its end, the head moved back to match."""
    latest = anchors.latest.get(number)
    if latest is not None and latest["seq"] > state.seq:
        return chain.ChainProblem(
            "truncated",
            state.seq + 1,
            None,
            None,
            f"链外检查点（{latest['written']} 写入）记录本链已到第 {latest['seq']} 条，"
            f"数据库中只到第 {state.seq} 条：第 {state.seq + 1}–{latest['seq']} 条缺失",
            chain=number,
        )
    if state.seq < state.legacy_seq:
        return chain.ChainProblem(
            "truncated",
            state.seq + 1,
            None,
            None,
            f"切换封签记录本链已到第 {state.legacy_seq} 条，数据库中只到第 {state.seq} 条",
            chain=number,
        )
    return None


def _beyond_head(number: int) -> chain.ChainProblem | None:
    """A row past its chain's head: never an append, which moves the head in the same
    transaction, so a row inserted some other way. Head and rows are read by one
    statement (one snapshot): rows appended during the walk are under the head it sees."""
    head_seq = AuditChainHead.objects.filter(pk=number).values("last_seq")[:1]
    stray = (
        AuditEvent.objects.filter(chain=number, seq__gt=Subquery(head_seq))
        .order_by("seq")
        .values("id", "seq", "at")
        .first()
    )
    if stray is None:
        return None
    return chain.ChainProblem(
        "beyond_head",
        stray["seq"],
        stray["id"],
        stray["at"],
        "该记录在链头记录的最后一条之后，不是经正常追加写入的",
        chain=number,
    )


def verify_chain(batch_size: int = BATCH) -> Verification:
    """Walk every chain against the checkpoints; the first problem found stops the walk."""
    keyring = conf.keyring()
    # The checkpoint files first: each records a committed head, so every row they name
    # is at or under the heads read next, even while appends go on.
    anchors = checkpoints.read(keyring=keyring)
    count = archived = 0
    tails: dict[int, tuple[int, str]] = {}
    problem = anchors.problem
    if problem is not None:
        return Verification(count, archived, tails, problem, anchors)
    for number in sorted(set(chains_in_use()) | set(anchors.by_chain)):
        state, archived_here, problem = _verify_one(number, batch_size, keyring, anchors)
        count += state.count
        archived += archived_here
        tails[number] = (state.seq, state.hash)
        if problem is not None:
            break
    return Verification(count, archived, tails, problem, anchors)


def mark_restored() -> dict[int, tuple[int, str]]:
    """After a restore: record each chain's restored head as a signed "restore" line, so
    the checkpoints of events lost with the restore are not taken for a truncation."""
    heads = {
        pk: (seq, digest)
        for pk, seq, digest in AuditChainHead.objects.values_list("pk", "last_seq", "last_hash")
    }
    checkpoints.checkpoint_heads(heads, kind="restore")
    return heads


def checkpoint_now() -> dict[int, tuple[int, str]]:
    """Checkpoint every chain's committed head now (`huimin audit-checkpoint`)."""
    heads = {
        pk: (seq, digest)
        for pk, seq, digest in AuditChainHead.objects.values_list("pk", "last_seq", "last_hash")
    }
    checkpoints.checkpoint_heads(heads)
    return heads


# ---------------------------------------------------------------- archiving


def _row_line(row: dict) -> str:
    line = {**row, "at": chain.iso_utc(row["at"])}
    return json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _parse_line(line: str) -> dict:
    row = json.loads(line)
    row.setdefault("key_id", chain.LEGACY)  # archived before the audit key existed
    row["at"] = datetime.datetime.strptime(row["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.UTC
    )
    return row


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def latest_archivable(today: datetime.date | None = None) -> datetime.date:
    """The latest --before date the retention period allows."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=conf.retention_days())


def check_archive_before(before: datetime.date, today: datetime.date | None = None) -> None:
    limit = latest_archivable(today)
    if before > limit:
        raise ValidationFailed(
            {
                "before": f"审计记录须保留至少 {conf.retention_days()} 天，"
                f"归档截止日期不能晚于 {limit.isoformat()}"
            },
            code="retention_not_reached",
        )


def do_archive(
    before: datetime.date, *, actor=None, today=None, batch_size: int = BATCH
) -> list[AuditArchive]:
    """Move events older than `before` (local date) to gzip JSON-lines files, one per
    chain, then delete them.

    Each range is verified while it is written; a broken chain is never archived (that
    would destroy the evidence). Returns the archives made: none when nothing is old
    enough.
    """
    check_archive_before(before, today)
    cutoff = datetime.datetime.combine(
        before, datetime.time.min, tzinfo=timezone.get_default_timezone()
    )
    made = []
    for number in chains_in_use():
        archive = _archive_chain(number, before, cutoff, actor, batch_size)
        if archive is not None:
            made.append(archive)
    return made


class ChainBroken(Conflict):
    """Archiving stopped at a broken chain: the problem rides along so the caller (the
    oversight side, which owns the alerts) can raise the security alert."""

    def __init__(self, problem: chain.ChainProblem | None, message: str):
        super().__init__("audit_chain_broken", message)
        self.problem = problem


def _broken(problem: chain.ChainProblem) -> ChainBroken:
    return ChainBroken(problem, f"审计链被破坏，不能归档：{problem.describe()}")


def _archive_chain(number: int, before, cutoff, actor, batch_size: int) -> AuditArchive | None:
    keyring = conf.keyring()
    state, _archived, problem = chain_start(number, keyring)
    if problem is not None:
        raise _broken(problem)
    start = chain.ChainState(seq=state.seq, hash=state.hash)
    # Within a chain `at` only grows (it is taken under the head's lock), so the events
    # before the cutoff are a prefix of the live chain.
    last_seq = (
        AuditEvent.objects.filter(chain=number, seq__gt=state.seq, at__lt=cutoff)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    if last_seq is None:
        return None

    folder = conf.archive_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"audit-{number}-{start.seq + 1:012d}-{last_seq:012d}.jsonl.gz"
    path, partial = folder / name, folder / (name + ".partial")
    first_at = last_at = None
    # Slow file I/O outside any transaction: these rows are old and never change.
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        while state.seq < last_seq:
            rows = AuditEvent.objects.filter(chain=number, seq__gt=state.seq, seq__lte=last_seq)
            batch = list(rows.order_by("seq").values(*ROW_FIELDS)[:batch_size])
            if not batch:
                break
            problem = next(chain.walk(batch, state, number, keyring), None)
            if problem is not None:
                partial.unlink()
                raise _broken(problem)
            for row in batch:
                out.write(_row_line(row) + "\n")
            first_at = first_at or batch[0]["at"]
            last_at = batch[-1]["at"]
    if state.seq != last_seq:
        partial.unlink()
        raise ChainBroken(None, "审计链被破坏，不能归档：归档范围内记录缺失")
    partial.rename(path)
    checksum = _sha256_of(path)
    (folder / (name + ".sha256")).write_text(f"{checksum}  {name}\n", encoding="utf-8")

    with transaction.atomic():
        _lock_head()  # one archiver at a time
        if AuditArchive.objects.filter(chain=number, last_seq__gt=start.seq).exists():
            raise Conflict("archive_running", "另一个归档操作已处理这一范围")
        archive = AuditArchive(
            chain=number,
            first_seq=start.seq + 1,
            last_seq=last_seq,
            first_at=first_at,
            last_at=last_at,
            before=before,
            count=state.count,
            first_prev_hash=start.hash,
            last_hash=state.hash,
            file=str(path),
            checksum=checksum,
            created_by=actor.get_username() if actor is not None else "",
        )
        archive.key_id, archive.mac = keyring.sign("archive", *_archive_facts(archive))
        archive.save()
        with connection.cursor() as cursor, triggers.permit_delete(connection):
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL huimin.audit_archiving = 'on'")
            # The person index goes with its events (it is rebuilt from them, never alone).
            cursor.execute(
                "DELETE FROM audit_auditeventperson WHERE event_id IN (SELECT id FROM "
                "audit_auditevent WHERE chain = %s AND seq > %s AND seq <= %s)",
                [number, start.seq, last_seq],
            )
            cursor.execute(
                "DELETE FROM audit_auditevent WHERE chain = %s AND seq > %s AND seq <= %s",
                [number, start.seq, last_seq],
            )
            deleted = cursor.rowcount
        if deleted != state.count:
            raise Conflict("archive_mismatch", "删除的记录数与归档文件不一致，已放弃归档")
        record(
            action="delete",
            object_type="audit.archive",
            object_id=str(archive.pk),
            changes={"chain": number, "seq": [start.seq + 1, last_seq], "count": [state.count, 0]},
            purpose=f"归档 {before.isoformat()} 之前的审计记录至 {name}",
            actor=actor,
        )
    return archive


def verify_archive_file(archive: AuditArchive) -> str | None:
    """Recheck an archive file: its checksum and the chain inside it. None when sound."""
    path = Path(archive.file)
    if not path.is_file():
        return f"归档文件不存在：{path}"
    if _sha256_of(path) != archive.checksum:
        return f"归档文件校验和不符：{path}"
    keyring = conf.keyring()
    legacy_seq, legacy_hash, problem = _cutover(archive.chain, keyring)
    if problem is not None:
        return problem.describe()
    state = chain.ChainState(
        seq=archive.first_seq - 1,
        hash=archive.first_prev_hash,
        legacy_seq=legacy_seq,
        legacy_hash=legacy_hash,
    )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            problem = next(chain.walk([_parse_line(line)], state, archive.chain, keyring), None)
            if problem is not None:
                return f"归档文件 {path.name}：{problem.describe()}"
    if (state.seq, state.hash) != (archive.last_seq, archive.last_hash):
        return f"归档文件 {path.name} 的末尾与归档记录不符"
    return None

"""Idempotent writes: one key rule, one body hash, one "run once".

A client that lost an answer (a timeout, a dropped connection, a crashed server) cannot
tell whether its request was done, so it sends it again with the same Idempotency-Key.
`run_once` makes that safe: the first request with a key does the write and stores its
answer in the same transaction; every later request with that key and the same body gets
that first answer back (the API says 200 instead of 201) and writes nothing; the same key
with another body is a 409 `idempotency_key_reuse`.

**The key** (one rule for every caller): 1 to 64 visible ASCII characters — letters,
digits and punctuation, U+0021 to U+007E. No spaces, no control characters, nothing
outside ASCII (a header travels as Latin-1 bytes, so anything else arrives mangled); not
trimmed: a key is compared exactly. A UUID, a HIS serial number or a form's token all
fit. No key, or any other key, is a 422 `idempotency_key_required`.

**The scope** names whose key space a key is in: `institution:<id>` for the institution
transactions (each hospital system picks its own keys), `user:<id>` for a clerk's
payments. Keys are per scope, across operations: a key once used for a fee upload
cannot be used again for a settlement.

**Concurrency**: the record is claimed first (INSERT … ON CONFLICT DO NOTHING), before
the write looks at anything. A retry arriving while the first request is still running
waits on that insert (PostgreSQL waits for the uncommitted row; SQLite's write
transactions are serial, BEGIN IMMEDIATE), then finds the committed record and replays
it — never the "already settled" the write itself would say. If the first request
failed, nothing was stored (its transaction rolled back, record included): the retry
runs the write itself. Refusals are not replayed.

Core knows no domain: the caller says how to store its result (`answer`: a JSON-able
dict, e.g. the row ids it wrote) and how to get it back (`replay`).
"""

import hashlib
import json
import re
from collections.abc import Callable
from typing import TypeVar

from django.db import router, transaction

from huimin.core import statements
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.models import IdempotencyRecord

T = TypeVar("T")

HEADER = "Idempotency-Key"
KEY_MAX_LENGTH = 64
_KEY = re.compile(rf"[!-~]{{1,{KEY_MAX_LENGTH}}}")
KEY_RULE = f"须提供1至{KEY_MAX_LENGTH}个字符的幂等键（字母、数字或英文标点，不含空格）"


def check_key(key) -> str:
    """The key as given, or a 422 `idempotency_key_required` naming the header."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValidationFailed({HEADER: KEY_RULE}, code="idempotency_key_required")
    return key


def body_hash(body) -> str:
    """What a retry must repeat exactly to get the first answer: SHA-256 of the body as
    canonical JSON (keys sorted, dates and decimals as text)."""
    text = json.dumps(body, sort_keys=True, default=str, ensure_ascii=False)
    # surrogatepass: a lone surrogate in a string hashes instead of raising.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def request_hash(operation: str, body) -> str:
    """The hash a record keeps: the operation with its body."""
    return body_hash({"operation": operation, "body": body})


def run_once(
    scope: str,
    key: str,
    operation: str,
    body: dict,
    run: Callable[[], T],
    *,
    answer: Callable[[T], dict] | None,
    replay: Callable[[dict], T],
    region_code: str = "",
) -> tuple[T, bool]:
    """Run `run` once per (scope, key). Returns (result, replayed).

    `run` does the write (it may open its own atomic blocks; they nest); `answer(result)`
    is stored with the record in the same transaction; a replay returns
    `replay(stored answer)`. `answer=None`: the write keeps the key itself (a unique
    column), so `replay` finds the result by key and the record stays `{}` — one
    statement less on the hot path. A refusal raised by `run` rolls everything back,
    the record included, so it is not replayed.
    """
    key = check_key(key)
    digest = request_hash(operation, body)
    db = router.db_for_write(IdempotencyRecord)
    with transaction.atomic(using=db):
        claimed = _claim(db, scope, key, operation, digest, region_code)
        if claimed is None:
            # Committed by an earlier request (or by one we just waited for).
            first = IdempotencyRecord.objects.using(db).get(scope=scope, key=key)
            if first.request_hash != digest:
                raise Conflict(
                    "idempotency_key_reuse",
                    "幂等键已用于另一笔不同的请求",
                    {HEADER: "与首次请求的操作或内容不同"},
                )
            return replay(first.answer), True
        result = run()
        if answer is not None:
            IdempotencyRecord.objects.using(db).filter(pk=claimed).update(answer=answer(result))
        return result, False


def _claim(db: str, scope: str, key: str, operation: str, digest: str, region: str) -> int | None:
    """Insert the record; its id, or None when (scope, key) is taken.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit or
    roll back, so "taken" means taken by a committed request.
    """
    record = IdempotencyRecord(
        scope=scope,
        key=key,
        operation=operation,
        request_hash=digest,
        answer={},
        region_code=region,
    )
    inserted = statements.insert_if_absent(record, ("scope", "key"), db)
    return record.pk if inserted else None

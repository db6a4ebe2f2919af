"""The audit hash chain: canonical content, hashing and verification. Pure functions.

hash = SHA-256(prev_hash + canonical JSON of the row's content), the first row of each
chain chaining from GENESIS. The chain number is not hashed: an event moved to another
chain breaks both chains' links. The canonical form is stable across databases: sorted keys, compact
separators, timestamps as UTC ISO strings with microseconds, no floats.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

GENESIS = "0" * 64

# The columns the hash covers, in no particular order (the JSON sorts them).
CONTENT_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "institution_id",
    "terminal",
    "source_ip",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "fields",
    "changes",
    "purpose",
    "loan_id",
    "outcome",
    "reason",
)


def plain(value):
    """A JSON value that reads back identically from any database's JSON column.

    Floats become strings (PostgreSQL's jsonb would rewrite 1e20 as an integer), as do
    Decimals, dates and anything else; NUL characters are dropped (jsonb refuses them).
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return str(value).replace("\x00", "")


def iso_utc(at: datetime.datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(content: dict) -> str:
    body = {name: content.get(name) for name in CONTENT_FIELDS}
    body["at"] = iso_utc(content["at"])
    return json.dumps(
        body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )


def compute_hash(prev_hash: str, content: dict) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """The first place the chain is broken."""

    kind: str  # one of KINDS
    seq: int
    id: int | None
    at: datetime.datetime | None
    detail: str
    chain: int = 1

    KINDS = {
        "content_changed": "内容被修改（哈希不符）",
        "chain_broken": "链接断开（前一条哈希不符）",
        "gap": "记录缺失（序号不连续）",
        "tail_missing": "末尾记录缺失（链头与最后一条不符）",
        "beyond_head": "链头之后有多出的记录",
        "archive_broken": "归档段不连续",
    }

    @property
    def label(self) -> str:
        return self.KINDS[self.kind]

    def describe(self) -> str:
        when = self.at.isoformat() if self.at else "-"
        ident = self.id if self.id is not None else "-"
        return (
            f"第 {self.chain} 链第 {self.seq} 条（id={ident}，时间 {when}）："
            f"{self.label}。{self.detail}"
        )


@dataclass
class ChainState:
    """Where a walk stands: the last verified sequence number and hash."""

    seq: int
    hash: str
    count: int = 0


def walk(rows: Iterable[dict], state: ChainState, number: int = 1) -> Iterator[ChainProblem]:
    """Check rows of chain `number` (in seq order) continuing from `state`; yield the
    first problem and stop.

    Each row is a dict with the CONTENT_FIELDS plus id, prev_hash and hash. `state` is
    advanced as rows pass, so a caller can feed batches one after another.
    """

    def problem(kind: str, row: dict, detail: str) -> ChainProblem:
        return ChainProblem(kind, row["seq"], row.get("id"), row["at"], detail, chain=number)

    for row in rows:
        expected_seq = state.seq + 1
        if row["seq"] != expected_seq:
            yield problem(
                "gap",
                row,
                f"应为第 {expected_seq} 条，缺少 {row['seq'] - expected_seq} 条"
                if row["seq"] > expected_seq
                else f"序号倒退（应为 {expected_seq}）",
            )
            return
        if row["prev_hash"] != state.hash:
            yield problem("chain_broken", row, "记录的前一条哈希与上一条记录的哈希不一致")
            return
        if compute_hash(row["prev_hash"], row) != row["hash"]:
            yield problem("content_changed", row, "按记录内容重新计算的哈希与存储的哈希不一致")
            return
        state.seq, state.hash = row["seq"], row["hash"]
        state.count += 1

"""The audit hash chain: canonical content, keyed hashing and verification. Pure functions.

hash = HMAC-SHA256(audit key, prev_hash + canonical JSON of the row's content), the first
row of each chain chaining from GENESIS. Each row names the key it was made under
(`key_id`, derived from the key: see key_id()), so keys can be rotated. Rows written
before the audit key existed were hashed unkeyed (SHA-256, `key_id` = LEGACY); they
verify only up to the sealed cut-over of their chain (a LegacyCutover), so a row
claiming the unkeyed scheme after it is refused. The chain number is not hashed: an
event moved to another chain breaks both chains' links. The canonical form is stable
across databases: sorted keys, compact separators, timestamps as UTC ISO strings with
microseconds, no floats.
"""

import datetime
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

GENESIS = "0" * 64
# The key id of rows hashed before the audit key existed (plain SHA-256).
LEGACY = "legacy"

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
    """The unkeyed hash of rows before the cut-over: anyone can recompute it, so it only
    verifies LEGACY rows sealed by a LegacyCutover."""
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def compute_mac(key: bytes, prev_hash: str, content: dict) -> str:
    """The keyed hash of every row since the cut-over."""
    message = (prev_hash + canonical(content)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@lru_cache(maxsize=16)
def key_id(key: bytes) -> str:
    """A key's public name: derived from the key (so it cannot be mislabelled), and
    one-way (so it says nothing about the key)."""
    return hmac.new(key, b"huimin audit key id", hashlib.sha256).hexdigest()[:12]


def seal_message(kind: str, *parts) -> bytes:
    """What a seal (a cut-over, an archive record, a checkpoint) signs: its kind and
    its facts, '|'-joined; hashes and numbers never contain '|'."""
    return "|".join(["huimin-audit", kind, *(str(p) for p in parts)]).encode("utf-8")


@dataclass(frozen=True)
class Keyring:
    """The current audit key and the rotated-out ones still accepted, by key id."""

    current: bytes
    previous: tuple[bytes, ...] = ()

    @property
    def current_id(self) -> str:
        return key_id(self.current)

    def get(self, ident: str) -> bytes | None:
        for key in (self.current, *self.previous):
            if key_id(key) == ident:
                return key
        return None

    def sign(self, kind: str, *parts) -> tuple[str, str]:
        """(key id, MAC) of a seal under the current key."""
        message = seal_message(kind, *parts)
        return self.current_id, hmac.new(self.current, message, hashlib.sha256).hexdigest()

    def check(self, ident: str, mac: str, kind: str, *parts) -> str | None:
        """None when `mac` is a valid seal by key `ident`, else why not."""
        key = self.get(ident)
        if key is None:
            return f"密钥 {ident or '（无）'} 不在当前配置中"
        expected = hmac.new(key, seal_message(kind, *parts), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, mac or ""):
            return "签名不符"
        return None


def row_hash(row: dict, keyring: Keyring) -> str | None:
    """The hash a row should carry under its own key id; None when that key is unknown."""
    ident = row.get("key_id") or LEGACY
    if ident == LEGACY:
        return compute_hash(row["prev_hash"], row)
    key = keyring.get(ident)
    return None if key is None else compute_mac(key, row["prev_hash"], row)


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
        "unknown_key": "密钥不符（记录所用密钥未配置）",
        "legacy_after_cutover": "切换到密钥后仍出现未加密钥的记录",
        "cutover_broken": "切换前的记录与切换封签不符",
        "truncated": "链被截断或链头回退（检查点之后的记录缺失）",
        "checkpoint_mismatch": "与链外检查点不符（记录被改写）",
        "checkpoint_broken": "链外检查点文件被改动",
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
    """Where a walk stands: the last verified sequence number and hash.

    `legacy_seq`/`legacy_hash` are the chain's sealed cut-over (0 and GENESIS when it
    has none): LEGACY rows are accepted up to that row, which must carry that hash.
    `anchors` maps sequence numbers to the hashes checkpoints outside the database
    recorded for them.
    """

    seq: int
    hash: str
    count: int = 0
    legacy_seq: int = 0
    legacy_hash: str = GENESIS
    anchors: Mapping[int, str] = field(default_factory=dict)


def walk(
    rows: Iterable[dict], state: ChainState, number: int = 1, keyring: Keyring | None = None
) -> Iterator[ChainProblem]:
    """Check rows of chain `number` (in seq order) continuing from `state`; yield the
    first problem and stop.

    Each row is a dict with the CONTENT_FIELDS plus id, key_id, prev_hash and hash. `state`
    is advanced as rows pass, so a caller can feed batches one after another. Without a
    keyring only LEGACY rows can verify.
    """
    keyring = keyring or Keyring(current=b"")

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
        ident = row.get("key_id") or LEGACY
        if ident == LEGACY and row["seq"] > state.legacy_seq:
            yield problem(
                "legacy_after_cutover",
                row,
                f"该记录声称使用切换前的无密钥哈希，但本链的切换点是第 {state.legacy_seq} 条",
            )
            return
        expected = row_hash(row, keyring)
        if expected is None:
            yield problem("unknown_key", row, f"记录的密钥编号 {ident} 不在当前配置中")
            return
        if not hmac.compare_digest(expected, row["hash"]):
            yield problem("content_changed", row, "按记录内容重新计算的哈希与存储的哈希不一致")
            return
        if row["seq"] == state.legacy_seq and row["hash"] != state.legacy_hash:
            yield problem("cutover_broken", row, "切换点的哈希与封签记录的不一致")
            return
        anchored = state.anchors.get(row["seq"])
        if anchored is not None and anchored != row["hash"]:
            yield problem(
                "checkpoint_mismatch", row, f"链外检查点记录该条的哈希为 {anchored[:16]}…"
            )
            return
        state.seq, state.hash = row["seq"], row["hash"]
        state.count += 1

"""Chain-head checkpoints written outside the database, so that rows removed from a chain's
end (and the head moved back to match) are found by verify-audit.

One append-only JSON-lines file per chain under HUIMIN_AUDIT_CHECKPOINT_DIR (and, when
HUIMIN_AUDIT_CHECKPOINT_SYSLOG is set, a copy to syslog). Each line records a chain's
sequence number and hash at a committed moment, is signed under the audit key, and
carries the signature of the line before it, so a line removed from the middle of a
file, or one made up, is found too. A "restore" line records where a chain stands after
`huimin restore`: the events the checkpoints before it recorded beyond that point were
lost with the restore, not removed by someone.

Appends schedule a checkpoint (on commit, so only committed heads are recorded) every
HUIMIN_AUDIT_CHECKPOINT_EVERY appends to a chain, or when this process last did so
HUIMIN_AUDIT_CHECKPOINT_MINUTES ago, and on its first append to a chain: a constant-time
test per append. `huimin audit-checkpoint` records every head at once (cron, for quiet
hours).
"""

import datetime
import fcntl
import json
import logging
import logging.handlers
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from huimin.audit import chain, conf

logger = logging.getLogger("huimin.audit")

VERSION = 1
KINDS = ("checkpoint", "restore")
LINE_FIELDS = {"v", "kind", "chain", "seq", "hash", "written", "prev", "key_id", "mac"}
TAIL_BYTES = 4096  # more than one line: where the previous line's signature is found

# chain → (seq, monotonic time) of the last checkpoint this process scheduled.
_scheduled: dict[int, tuple[int, float]] = {}


def due(number: int, seq: int) -> bool:
    """Whether the append that made `seq` on chain `number` should be checkpointed."""
    now = time.monotonic()
    last = _scheduled.get(number)
    if (
        last is None
        or seq - last[0] >= settings.HUIMIN_AUDIT_CHECKPOINT_EVERY
        or seq < last[0]  # the chain was restored or emptied under this process
        or now - last[1] >= settings.HUIMIN_AUDIT_CHECKPOINT_MINUTES * 60
    ):
        _scheduled[number] = (seq, now)
        return True
    return False


def path_of(number: int, folder: Path | None = None) -> Path:
    return (folder or conf.checkpoint_dir()) / f"chain-{int(number)}.jsonl"


def _signed(keyring: chain.Keyring, body: dict) -> tuple[str, str]:
    return keyring.sign("checkpoint", *_facts(body))


def _facts(body: dict) -> tuple:
    """What a line's signature covers: everything on it but the signature."""
    names = ("v", "kind", "chain", "seq", "hash", "written", "prev")
    return tuple(body[name] for name in names)


def _last_mac(fh) -> str:
    """The signature on the file's last line ('' for an empty file)."""
    size = fh.seek(0, os.SEEK_END)
    fh.seek(max(0, size - TAIL_BYTES))
    lines = fh.read().splitlines()
    if not lines:
        return ""
    try:
        return str(json.loads(lines[-1])["mac"])
    except (ValueError, KeyError, TypeError):
        return ""  # verification reports the bad line


def write(number: int, seq: int, digest: str, *, kind: str = "checkpoint") -> dict:
    """Append one signed line to chain `number`'s checkpoint file; returns it."""
    if kind not in KINDS:
        raise ValueError(f"unknown checkpoint kind {kind!r}")
    keyring = conf.keyring()
    path = path_of(number)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "r+b") as fh:
        # Several processes append to one file: the lock keeps each line's `prev` true.
        fcntl.flock(fh, fcntl.LOCK_EX)
        body = {
            "v": VERSION,
            "kind": kind,
            "chain": int(number),
            "seq": int(seq),
            "hash": digest,
            "written": chain.iso_utc(datetime.datetime.now(datetime.UTC)),
            "prev": _last_mac(fh),
        }
        body["key_id"], body["mac"] = _signed(keyring, body)
        line = json.dumps(body, sort_keys=True, separators=(",", ":"))
        fh.write(line.encode("utf-8") + b"\n")
        fh.flush()
        os.fsync(fh.fileno())
    _to_syslog(line)
    return body


def write_quietly(number: int, seq: int, digest: str) -> None:
    """write() from an on_commit callback: the transaction is committed, so a full disk
    must not fail the request that made it; the next checkpoint or verify-audit tells."""
    try:
        write(number, seq, digest)
    except Exception:
        logger.exception("audit checkpoint of chain %s at %s not written", number, seq)


_syslog: dict[object, logging.Handler] = {}


def _to_syslog(line: str) -> None:
    address = conf.checkpoint_syslog()
    if address is None:
        return
    handler = _syslog.get(address)
    if handler is None:
        handler = logging.handlers.SysLogHandler(
            address=address, facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV
        )
        _syslog[address] = handler
    handler.emit(logging.makeLogRecord({"msg": f"huimin-audit-checkpoint {line}"}))


def checkpoint_heads(heads: dict[int, tuple[int, str]], *, kind: str = "checkpoint") -> int:
    """Write a line for each chain's (seq, hash) with seq > 0; returns how many."""
    written = 0
    for number, (seq, digest) in sorted(heads.items()):
        if seq:
            write(number, seq, digest, kind=kind)
            written += 1
    return written


# ---------------------------------------------------------------- reading


@dataclass
class Anchors:
    """What the checkpoint files say, checked: per chain, seq → hash (after restores)."""

    by_chain: dict[int, dict[int, str]] = field(default_factory=dict)
    latest: dict[int, dict] = field(default_factory=dict)  # chain → line of the highest seq
    restores: list[dict] = field(default_factory=list)
    lines: int = 0
    problem: chain.ChainProblem | None = None

    def of(self, number: int) -> dict[int, str]:
        return self.by_chain.get(number, {})


def _file_problem(number: int, seq: int, detail: str) -> chain.ChainProblem:
    return chain.ChainProblem("checkpoint_broken", seq, None, None, detail, chain=number)


def read(folder: Path | None = None, keyring: chain.Keyring | None = None) -> Anchors:
    """Read and check every chain's checkpoint file; the first bad line stops it."""
    folder = folder or conf.checkpoint_dir()
    keyring = keyring or conf.keyring()
    anchors = Anchors()
    if not folder.is_dir():
        return anchors
    files = []
    for path in folder.glob("chain-*.jsonl"):
        number = path.stem.removeprefix("chain-")
        if number.isdigit():
            files.append((int(number), path))
    for number, path in sorted(files):
        anchors.problem = _read_file(number, path, keyring, anchors)
        if anchors.problem is not None:
            break
    return anchors


def _read_file(number: int, path: Path, keyring: chain.Keyring, anchors: Anchors):
    seen: dict[int, dict] = {}  # seq → the line that anchors it
    prev = ""
    with path.open("rb") as fh:
        for line_no, raw in enumerate(fh, start=1):
            where = f"检查点文件 {path.name} 第 {line_no} 行"
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict) or not LINE_FIELDS <= body.keys():
                return _file_problem(number, 0, f"{where}无法解析")
            seq = body["seq"]
            if body["v"] != VERSION or body["kind"] not in KINDS or body["chain"] != number:
                return _file_problem(number, seq, f"{where}的版本、类型或链号不符")
            if not isinstance(seq, int) or not isinstance(body["hash"], str):
                return _file_problem(number, 0, f"{where}的序号或哈希格式不符")
            why = keyring.check(body["key_id"], body["mac"], "checkpoint", *_facts(body))
            if why is not None:
                return _file_problem(number, seq, f"{where}{why}")
            if body["prev"] != prev:
                return _file_problem(number, seq, f"{where}与上一行不相接（有行被删除或插入）")
            prev = body["mac"]
            anchors.lines += 1
            if body["kind"] == "restore":
                # Checkpoints past the restored head recorded history the restore undid.
                seen = {s: line for s, line in seen.items() if s <= seq}
                anchors.restores.append(body)
            elif seq in seen and seen[seq]["hash"] != body["hash"]:
                return _file_problem(number, seq, f"{where}与此前同一序号的检查点哈希不同")
            seen[seq] = body
    anchors.by_chain[number] = {s: line["hash"] for s, line in seen.items()}
    if seen:
        anchors.latest[number] = seen[max(seen)]
    return None

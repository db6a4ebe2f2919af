"""Backups and restores of the whole database, each with a manifest that proves it.

A backup is one file plus `<same name>.manifest.json`: the database vendor, when it was
taken, the app version, the latest applied migration per app, the row count of every
table, the audit chain's last hash and the backup file's SHA-256. The facts in the
manifest are read from the same snapshot the backup holds, so a restore can be checked
against them exactly while the application keeps writing during the backup:

- SQLite: the online backup API copies a consistent snapshot (in WAL mode writers go on
  while it reads); the facts are read from the copy, which is then gzip-compressed.
- PostgreSQL: a REPEATABLE READ transaction exports its snapshot, the facts are read in
  it, and `pg_dump --snapshot` dumps exactly that snapshot (custom format).

A restore goes into an empty database only, checks the file against its manifest before
touching anything, and compares row counts afterwards.

Uploaded documents (appeal evidence, mediation files) live outside the database under
HUIMIN_DOCUMENT_ROOT, named by their SHA-256 (core/documents.py). A backup archives the
files the snapshot's document rows name into `<same name>.documents.tar` beside the
dump, each checked against its name as it is added; the manifest records the archive's
size, SHA-256 and file count, and any file that was lost or damaged on disk. A restore
checks the archive with the dump before touching anything, puts each file back under
the document root only after its bytes hash to its name (a store named by checksums:
merging into a root that already holds files is safe), and then counts the restored
rows whose file is still missing.
"""

import datetime
import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from huimin.audit.services import mark_restored
from huimin.core import crypto

FORMAT = "huimin-backup/1"
EXTENSIONS = {"sqlite": ".sqlite3.gz", "postgresql": ".dump"}
MANIFEST_SUFFIX = ".manifest.json"
DOCUMENTS_SUFFIX = ".documents.tar"
_MEMBER = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
PG_FALLBACK_BIN = Path("/usr/lib/postgresql/15/bin")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in Chinese."""


@dataclass
class Backup:
    path: Path
    manifest_path: Path
    manifest: dict


@dataclass
class RestoreResult:
    path: Path
    manifest: dict
    counts: dict[str, int]
    mismatches: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    documents: int = 0  # files put back under HUIMIN_DOCUMENT_ROOT
    missing_documents: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


# ---------------------------------------------------------------- shared helpers


def default_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def our_tables() -> list[str]:
    """Tables of Huimin's own apps (including many-to-many tables)."""
    tables = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("huimin."):
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def read_facts(query, tables: list[str]) -> dict:
    """Row counts, migration state and audit chain head, through `query(sql) -> rows`."""
    # Table names come from the database's own catalogue and are quoted.
    counts = {t: int(query(f"SELECT COUNT(*) FROM {_q(t)}")[0][0]) for t in sorted(tables)}  # noqa: S608
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        for app, name in query("SELECT app, name FROM django_migrations"):
            # Migration names start with a zero-padded number: the greatest is the latest.
            if name > migrations.get(app, ""):
                migrations[app] = name
    return {
        "row_counts": counts,
        "migrations": dict(sorted(migrations.items())),
        "audit_chain": _audit_head(query, tables),
    }


def _audit_head(query, tables: list[str]) -> dict | None:
    """Each audit chain's last sequence number and hash, by chain number (as text: the
    manifest is JSON)."""
    try:
        model = apps.get_model("audit", "AuditEvent")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    table = model._meta.db_table
    if table not in tables or not {"chain", "seq", "hash"} <= names:
        return None
    chain_col, seq_col, hash_col = (
        _q(model._meta.get_field(n).column) for n in ("chain", "seq", "hash")
    )
    heads = {}
    number = 0
    while True:  # chain by chain along the (chain, seq) index, not a scan of the table
        [(following,)] = query(
            f"SELECT MIN({chain_col}) FROM {_q(table)} WHERE {chain_col} > {int(number)}"  # noqa: S608
        )
        if following is None:
            return heads
        number = int(following)
        [(seq, digest)] = query(
            f"SELECT {seq_col}, {hash_col} FROM {_q(table)} "  # noqa: S608
            f"WHERE {chain_col} = {number} ORDER BY {seq_col} DESC LIMIT 1"
        )
        heads[str(number)] = {"last_seq": int(seq), "last_hash": digest}


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return sorted(r[0] for r in rows)


def _django_query(cursor):
    def query(sql: str):
        cursor.execute(sql)
        return cursor.fetchall()

    return query


def _stamp(now: datetime.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def _free_base(directory: Path, vendor: str, now: datetime.datetime) -> str:
    base = f"huimin-{vendor}-{_stamp(now)}"
    candidate, n = base, 1
    while any(
        (directory / (candidate + suffix)).exists()
        for suffix in (EXTENSIONS[vendor], MANIFEST_SUFFIX, DOCUMENTS_SUFFIX)
    ):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _private_dir(directory: Path) -> None:
    # The files hold personal data (encrypted ID numbers, names, addresses).
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)


def _write_json(path: Path, data: dict) -> None:
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    os.replace(partial, path)


# ---------------------------------------------------------------- PostgreSQL tools


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    fallback = PG_FALLBACK_BIN / name
    if fallback.is_file():
        return str(fallback)
    raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（postgresql-client-15）或加入 PATH")


def pg_connection_args(db: dict) -> tuple[list[str], dict]:
    """Command-line options and environment for libpq tools; the password only in env."""
    args = []
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    env = {**os.environ}
    env.pop("PGPASSWORD", None)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if (db.get("OPTIONS") or {}).get(option):
            env[variable] = str(db["OPTIONS"][option])
    return args, env


def _run(cmd: list[str], env: dict, what: str) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise BackupError(f"{what}失败（退出码 {result.returncode}）：" + " / ".join(tail))


# ---------------------------------------------------------------- documents


def document_root() -> Path:
    return Path(settings.HUIMIN_DOCUMENT_ROOT)


def _document_path(root: Path, digest: str) -> Path:
    # core.documents.path_of's layout, under the given root
    return root / digest[:2] / digest[2:4] / digest


def document_digests(query, tables: list[str]) -> list[str]:
    """The distinct SHA-256s the database's document rows name, sorted."""
    try:
        model = apps.get_model("core", "StoredDocument")
    except LookupError:
        return []
    table = model._meta.db_table
    if table not in tables:
        return []
    column = _q(model._meta.get_field("sha256").column)
    rows = query(f"SELECT DISTINCT {column} FROM {_q(table)}")  # noqa: S608
    return sorted(str(r[0]) for r in rows if r[0] and re.fullmatch(r"[0-9a-f]{64}", str(r[0])))


def _hash_file(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def _archive_documents(path: Path, digests: list[str]) -> dict:
    """Archive each named file whose bytes still hash to its name; what is lost or
    damaged on disk is listed, not archived (the backup is still taken: the database
    matters more than one file, and the operator is told)."""
    root = document_root()
    missing, damaged, count, total = [], [], 0, 0
    partial = path.with_name(path.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            for digest in digests:
                source = _document_path(root, digest)
                found = _hash_file(source)
                if found is None:
                    missing.append(digest)
                    continue
                if found != digest:
                    damaged.append(digest)
                    continue
                info = tar.gettarinfo(str(source), arcname=f"{digest[:2]}/{digest[2:4]}/{digest}")
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                with open(source, "rb") as fh:
                    tar.addfile(info, fh)
                count, total = count + 1, total + info.size
        size, digest_of_archive = partial.stat().st_size, sha256_of(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return {
        "file": path.name,
        "size": size,
        "sha256": digest_of_archive,
        "count": count,
        "bytes": total,
        "missing": missing,
        "damaged": damaged,
    }


def _verify_documents(backup_dir: Path, manifest: dict) -> Path | None:
    """The documents archive, checked against the manifest; None for a backup taken
    before documents were archived."""
    docs = manifest.get("documents")
    if not docs:
        return None
    if not isinstance(docs, dict) or not {"file", "size", "sha256", "count"} <= set(docs):
        raise BackupError("备份清单的 documents 项缺少必要字段")
    path = backup_dir / Path(str(docs["file"])).name
    if not path.is_file():
        raise BackupError(f"找不到文档归档 {path}：清单记录了 {docs['count']} 份文档，拒绝恢复")
    size = path.stat().st_size
    if size != docs["size"]:
        raise BackupError(
            f"文档归档已损坏：大小 {size} 字节，清单记录 {docs['size']} 字节（文件不完整或被改动）"
        )
    digest = sha256_of(path)
    if digest != docs["sha256"]:
        raise BackupError(
            f"文档归档已损坏：SHA-256 为 {digest}，清单记录为 {docs['sha256']}（文件被改动）"
        )
    return path


def _restore_documents(archive: Path, expected: int) -> int:
    """Put each archived file back under the document root, only once its bytes hash
    to its name; a file already there with the right bytes is left alone."""
    root = document_root()
    root.mkdir(parents=True, exist_ok=True)
    restored = 0
    try:
        with tarfile.open(archive, mode="r:") as tar:
            for member in tar:
                match = _MEMBER.fullmatch(member.name)
                if not member.isfile() or not match or match[3][:4] != match[1] + match[2]:
                    raise BackupError(f"文档归档中有不应出现的条目：{member.name[:100]}")
                digest = match[3]
                target = _document_path(root, digest)
                restored += 1
                if _hash_file(target) == digest:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".restore-", dir=target.parent)
                try:
                    hasher = hashlib.sha256()
                    with os.fdopen(fd, "wb") as out, tar.extractfile(member) as src:
                        while chunk := src.read(CHUNK):
                            hasher.update(chunk)
                            out.write(chunk)
                    if hasher.hexdigest() != digest:
                        raise BackupError(f"文档 {digest} 的内容与其校验值不符，拒绝恢复")
                    os.chmod(tmp, 0o600)
                    os.replace(tmp, target)
                finally:
                    Path(tmp).unlink(missing_ok=True)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"恢复文档失败：{exc}") from None
    if restored != expected:
        raise BackupError(f"文档归档中有 {restored} 份文档，清单记录 {expected} 份")
    return restored


def _missing_documents(query, tables: list[str]) -> list[str]:
    root = document_root()
    return [d for d in document_digests(query, tables) if not _document_path(root, d).is_file()]


# ---------------------------------------------------------------- backup


def create_backup(output_dir: Path | None = None) -> Backup:
    directory = Path(output_dir) if output_dir else default_dir()
    _private_dir(directory)
    vendor = connection.vendor
    if vendor not in EXTENSIONS:
        raise BackupError(f"不支持备份 {vendor} 数据库（仅支持 SQLite 与 PostgreSQL）")
    now = datetime.datetime.now(datetime.UTC)
    base = _free_base(directory, vendor, now)
    path = directory / (base + EXTENSIONS[vendor])
    partial = path.with_name(path.name + ".partial")
    try:
        if vendor == "sqlite":
            facts = _backup_sqlite(connection.settings_dict, partial)
        else:
            facts = _backup_postgresql(connection.settings_dict, partial)
        os.chmod(partial, 0o600)
        digest = sha256_of(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    digests = facts.pop("_documents")
    documents = _archive_documents(directory / (base + DOCUMENTS_SUFFIX), digests)
    manifest = {
        "format": FORMAT,
        "vendor": vendor,
        "file": path.name,
        "size": path.stat().st_size,
        "sha256": digest,
        "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "app_version": settings.VERSION,
        "database": Path(str(connection.settings_dict["NAME"])).name,
        # Encrypted columns need this key (or a rotation's previous key) to be read.
        "field_key_id": crypto.current_key_id(),
        "documents": documents,
        **facts,
    }
    manifest_path = directory / (base + MANIFEST_SUFFIX)
    _write_json(manifest_path, manifest)
    return Backup(path=path, manifest_path=manifest_path, manifest=manifest)


def _backup_sqlite(db: dict, partial: Path) -> dict:
    source_path = str(db["NAME"])
    if source_path in ("", ":memory:") or not Path(source_path).is_file():
        raise BackupError(f"SQLite 数据库文件不存在：{source_path}")
    copy = partial.with_name(partial.name + ".sqlite3")
    try:
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(copy)
        try:
            # One step (pages=-1): a single read transaction, so the copy is one
            # consistent snapshot; WAL lets the application keep writing meanwhile.
            source.backup(target)
        finally:
            source.close()
        # A self-contained file: no -wal beside it when it is restored.
        target.execute("PRAGMA journal_mode=DELETE")
        query = lambda sql: target.execute(sql).fetchall()  # noqa: E731
        tables = _sqlite_tables(target)
        facts = {**read_facts(query, tables), "_documents": document_digests(query, tables)}
        target.close()
        with open(copy, "rb") as src, gzip.open(partial, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    finally:
        copy.unlink(missing_ok=True)
    return facts


def _backup_postgresql(db: dict, partial: Path) -> dict:
    pg_dump = pg_tool("pg_dump")
    args, env = pg_connection_args(db)
    with transaction.atomic(), connection.cursor() as cursor:
        # The facts and the dump read the same snapshot, exported from this transaction;
        # the transaction stays open until pg_dump has finished.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = sorted(r[0] for r in cursor.fetchall())
        query = _django_query(cursor)
        facts = {**read_facts(query, tables), "_documents": document_digests(query, tables)}
        _run(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={partial}",
                *args,
                f"--dbname={db['NAME']}",
            ],
            env,
            "pg_dump",
        )
    return {**facts, "server_version": server_version}


# ---------------------------------------------------------------- restore


def locate(file: Path) -> tuple[Path, Path]:
    """The backup file and its manifest, given either of them."""
    file = Path(file)
    if file.name.endswith(MANIFEST_SUFFIX):
        manifest_path = file
        try:
            name = json.loads(file.read_text(encoding="utf-8"))["file"]
        except (OSError, ValueError, KeyError, TypeError):
            raise BackupError(f"清单文件无法读取或格式错误：{file}") from None
        return file.with_name(Path(str(name)).name), manifest_path
    for ext in EXTENSIONS.values():
        if file.name.endswith(ext):
            return file, file.with_name(file.name[: -len(ext)] + MANIFEST_SUFFIX)
    raise BackupError(f"无法识别的备份文件名：{file.name}（应以 .sqlite3.gz 或 .dump 结尾）")


def load_and_verify(file: Path) -> tuple[Path, dict]:
    """Refuse a file that does not match its manifest, naming what is wrong."""
    path, manifest_path = locate(file)
    if not manifest_path.is_file():
        raise BackupError(f"找不到备份清单 {manifest_path.name}：没有清单无法校验，拒绝恢复")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"备份清单 {manifest_path.name} 不是有效的 JSON") from None
    required = {"format", "vendor", "file", "sha256", "size", "row_counts"}
    if not isinstance(manifest, dict) or not required <= set(manifest):
        raise BackupError(f"备份清单 {manifest_path.name} 缺少必要字段")
    if manifest["format"] != FORMAT:
        raise BackupError(f"不支持的备份格式 {manifest['format']!r}（本版本读取 {FORMAT}）")
    if manifest["file"] != path.name:
        raise BackupError(f"清单记录的备份文件是 {manifest['file']}，而不是 {path.name}")
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    size = path.stat().st_size
    if size != manifest["size"]:
        raise BackupError(
            f"备份文件已损坏：大小 {size} 字节，清单记录 {manifest['size']} 字节"
            "（文件不完整或被改动）"
        )
    digest = sha256_of(path)
    if digest != manifest["sha256"]:
        raise BackupError(
            f"备份文件已损坏：SHA-256 为 {digest}，清单记录为 {manifest['sha256']}（文件被改动）"
        )
    return path, manifest


def non_empty_tables(conn) -> list[str]:
    """Huimin tables in the configured database that hold at least one row."""
    existing = set(conn.introspection.table_names())
    found = []
    with conn.cursor() as cursor:
        for table in our_tables():
            if table in existing:
                cursor.execute(f"SELECT 1 FROM {_q(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    found.append(table)
    return found


def check_target(conn, manifest: dict) -> None:
    if manifest["vendor"] != conn.vendor:
        raise BackupError(
            f"这是 {manifest['vendor']} 数据库的备份，而当前配置的数据库是 {conn.vendor}"
        )
    if conn.vendor == "sqlite" and str(conn.settings_dict["NAME"]) in ("", ":memory:"):
        raise BackupError("当前配置的是内存数据库，无法恢复到其中")
    busy = non_empty_tables(conn)
    if busy:
        shown = "、".join(busy[:5]) + ("等" if len(busy) > 5 else "")
        raise BackupError(
            f"目标数据库不是空的（{shown} 中已有数据）：恢复只能写入新建的空数据库，"
            "以免覆盖现有数据"
        )
    if conn.vendor == "postgresql" and conn.introspection.table_names():
        raise BackupError(
            "目标数据库已有表结构（例如已运行过 migrate）：请用 createdb 新建空数据库后再恢复"
        )


def restore(file: Path) -> RestoreResult:
    path, manifest = load_and_verify(file)
    archive = _verify_documents(path.parent, manifest)
    conn = connection
    check_target(conn, manifest)
    documents = 0
    if archive is not None:
        # Before the database: a failure here leaves it as empty as it was, and files
        # named by their checksums harm nothing where no row names them.
        documents = _restore_documents(archive, int(manifest["documents"]["count"]))
    if conn.vendor == "sqlite":
        counts = _restore_sqlite(path, conn)
    else:
        counts = _restore_postgresql(path, conn)
    result = RestoreResult(path=path, manifest=manifest, counts=counts, documents=documents)
    expected = manifest["row_counts"]
    for table in sorted(set(expected) | set(counts)):
        if expected.get(table) != counts.get(table):
            result.mismatches[table] = (expected.get(table), counts.get(table))
    result.notes = _notes(manifest)
    if archive is None:
        result.notes.append("该备份不含文档归档（较早版本的备份）：上传的文档须另行恢复")
    result.missing_documents = _restored_missing_documents(conn)
    if result.missing_documents:
        result.notes.append(
            f"{len(result.missing_documents)} 份文档在备份时已缺失或损坏，恢复后仍无法读取"
            "（见清单 documents.missing / documents.damaged）"
        )
    if result.ok:
        result.notes.extend(_mark_audit_restored())
    return result


def _restored_missing_documents(conn) -> list[str]:
    if conn.vendor == "sqlite":
        db = sqlite3.connect(str(conn.settings_dict["NAME"]))
        try:
            return _missing_documents(lambda sql: db.execute(sql).fetchall(), _sqlite_tables(db))
        finally:
            db.close()
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = sorted(r[0] for r in cursor.fetchall())
        return _missing_documents(_django_query(cursor), tables)


def _mark_audit_restored() -> list[str]:
    """Tell the audit checkpoints outside the database that the chains now end where the
    backup left them; events checkpointed after it were lost with the restore."""
    try:
        mark_restored()
    except OSError as exc:
        return [f"审计检查点未能记录本次恢复（{exc}）：huimin verify-audit 将报告链被截断"]
    return []


def _restore_sqlite(path: Path, conn) -> dict[str, int]:
    target = Path(str(conn.settings_dict["NAME"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    try:
        with gzip.open(path, "rb") as src, open(staging, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        check = sqlite3.connect(staging)
        try:
            status = check.execute("PRAGMA integrity_check").fetchone()[0]
            if status != "ok":
                raise BackupError(f"解压后的数据库未通过完整性检查：{status}")
        finally:
            check.close()
        os.chmod(staging, 0o600)
        # Nobody may hold the old (empty) file open while it is swapped out.
        connections.close_all()
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        os.replace(staging, target)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise BackupError(f"解压备份失败：{exc}") from None
    finally:
        staging.unlink(missing_ok=True)
    restored = sqlite3.connect(target)
    try:
        return read_facts(lambda sql: restored.execute(sql).fetchall(), _sqlite_tables(restored))[
            "row_counts"
        ]
    finally:
        restored.close()


def _restore_postgresql(path: Path, conn) -> dict[str, int]:
    db = conn.settings_dict
    args, env = pg_connection_args(db)
    connections.close_all()
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            # All or nothing: a failed restore leaves the database as empty as it was.
            "--single-transaction",
            *args,
            f"--dbname={db['NAME']}",
            str(path),
        ],
        env,
        "pg_restore",
    )
    with conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = sorted(r[0] for r in cursor.fetchall())
        return read_facts(_django_query(cursor), tables)["row_counts"]


def _notes(manifest: dict) -> list[str]:
    """What the operator should know after a restore: migrations and field keys."""
    notes = []
    loader = MigrationLoader(None, ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app, name in loader.disk_migrations:
        if name > latest.get(app, ""):
            latest[app] = name
    saved = manifest.get("migrations") or {}
    behind = sorted(app for app, name in latest.items() if name > saved.get(app, ""))
    ahead = sorted(app for app, name in saved.items() if name > latest.get(app, ""))
    if behind:
        notes.append(
            "备份的数据库结构早于当前代码（" + "、".join(behind) + "）：请运行 huimin migrate"
        )
    if ahead:
        notes.append(
            "备份来自更新的版本（" + "、".join(ahead) + " 有本代码没有的迁移）："
            "请换用相应版本的代码"
        )
    key = manifest.get("field_key_id")
    held = {crypto.current_key_id(), *(crypto.key_id(k) for k in crypto.previous_masters())}
    if key and key not in held:
        notes.append(
            f"备份中的加密字段使用密钥 {key}，当前配置中没有该密钥：身份证号与电话将无法解密，"
            "请配置 HUIMIN_FIELD_KEY 为备份时的密钥"
        )
    return notes

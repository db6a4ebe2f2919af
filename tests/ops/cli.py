"""Run `huimin` in a subprocess against a file database, as an operator would."""

import base64
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIELD_KEY = base64.b64encode(b"K" * 32).decode()


def huimin(*args, database, input: str | None = None, **env) -> subprocess.CompletedProcess:
    """`huimin ARGS` with HUIMIN_DATABASE_URL=database (a path for SQLite, or a URL)."""
    database = str(database)
    url = database if "://" in database else f"sqlite:///{database}"
    environment = {
        **os.environ,
        "HUIMIN_DATABASE_URL": url,
        "HUIMIN_SECRET_KEY": "ops-test-secret-key-0123456789-abcdefghijkl",
        "HUIMIN_FIELD_KEY": FIELD_KEY,
        "HUIMIN_ENV_FILE": os.devnull,
        "HUIMIN_DEBUG": "0",
        **env,
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "huimin.cli", *[str(a) for a in args]],
        cwd=ROOT,
        env=environment,
        input=input,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def table_counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        count = 'SELECT COUNT(*) FROM "{}"'
        return {n: conn.execute(count.format(n)).fetchone()[0] for n in names}
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

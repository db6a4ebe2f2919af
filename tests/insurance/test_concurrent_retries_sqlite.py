"""The concurrent-retry tests on SQLite as production runs it: a database file (WAL,
BEGIN IMMEDIATE, a busy timeout), in a subprocess, because the in-memory test database
answers a second writer "database table is locked" instead of letting it wait."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SUITES = [
    "tests/insurance/test_concurrent_retries_replayed.py",
    "tests/enrollment/test_concurrent_payment_retries.py",
    "tests/insurance/test_api_connection_dropped_after_commit.py",
]


def test_concurrent_retries_on_a_sqlite_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("on PostgreSQL the suites run in this process")
    env = os.environ | {
        "HUIMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'huimin.sqlite3'}",
        "HUIMIN_TEST_SQLITE_FILE": str(tmp_path / "test_huimin.sqlite3"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--create-db", *SUITES],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " skipped" not in done.stdout.splitlines()[-1], done.stdout[-2000:]

"""Loaded by pytest (`-p huimin.core.pytest_plugin`) before Django settings are read.

Gives the test run its own secrets so it never depends on a developer's `.env`, while
an explicitly exported variable (e.g. HUIMIN_DATABASE_URL for PostgreSQL) still wins.
"""

import atexit
import base64
import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["HUIMIN_ENV_FILE"] = os.devnull
os.environ.setdefault("HUIMIN_SECRET_KEY", "test-secret-key-0123456789-abcdefghijklmnop")
os.environ.setdefault("HUIMIN_FIELD_KEY", base64.b64encode(b"T" * 32).decode())
os.environ.setdefault("HUIMIN_AUDIT_KEY", base64.b64encode(b"U" * 32).decode())
os.environ.setdefault("HUIMIN_DATABASE_URL", "sqlite:///:memory:")

_CHECKPOINTS = Path(tempfile.mkdtemp(prefix="huimin-test-checkpoints-"))
atexit.register(shutil.rmtree, _CHECKPOINTS, ignore_errors=True)
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def audit_checkpoint_dir(monkeypatch) -> Path:
    """Each test its own audit checkpoint directory (made when first written to; command
    subprocesses inherit it): one test's checkpoints must not be held against the
    next test's chains, nor land in the worktree's var/."""
    path = _CHECKPOINTS / str(next(_numbers))
    monkeypatch.setenv("HUIMIN_AUDIT_CHECKPOINT_DIR", str(path))
    return path

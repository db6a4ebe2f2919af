import shutil

import pytest

from tests.ops.cli import huimin, ok


@pytest.fixture(scope="session")
def populated_template(tmp_path_factory):
    """A migrated SQLite file with a generated county and a non-empty audit chain."""
    path = tmp_path_factory.mktemp("template") / "a.sqlite3"
    ok(huimin("migrate", "--noinput", "-v0", database=path))
    ok(huimin("generate", "--residents", "50", "--seed", "3", "--no-progress", database=path))
    # Backups are audited: this one leaves events in the chain the next backup carries.
    ok(huimin("backup", "--output", path.parent / "warmup", database=path))
    return path


@pytest.fixture
def populated(populated_template, tmp_path):
    """A private copy of the template database for one test."""
    path = tmp_path / "source.sqlite3"
    shutil.copy(populated_template, path)
    return path


@pytest.fixture
def client():
    """force_login also completes the second factor the administrators' roles require."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Accounts are made per test; the default PBKDF2 costs most of a second each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

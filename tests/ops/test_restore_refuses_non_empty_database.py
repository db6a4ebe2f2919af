"""Restore writes only into an empty database: a database holding any rows of ours is
refused and left exactly as it was; an unconfirmed restore changes nothing either."""

import pytest

from tests.ops.cli import digest, huimin, ok, table_counts


@pytest.fixture
def backup_path(populated, tmp_path):
    ok(huimin("backup", "--output", tmp_path / "b", database=populated))
    [path] = (tmp_path / "b").glob("*.sqlite3.gz")
    return path


def test_restore_over_a_database_with_data_is_refused_and_changes_nothing(backup_path, populated):
    before_counts, before_digest = table_counts(populated), digest(populated)
    result = huimin("restore", backup_path, "--yes", database=populated)
    assert result.returncode != 0
    # The refusal names tables that hold data (the first few, alphabetically).
    assert "目标数据库不是空的" in result.stderr and "audit_auditevent" in result.stderr
    assert table_counts(populated) == before_counts
    assert digest(populated) == before_digest


def test_restore_over_a_freshly_migrated_database_is_refused(backup_path, tmp_path):
    # Migrations seed region codes and role grants: such a database is not empty.
    target = tmp_path / "migrated.sqlite3"
    ok(huimin("migrate", "--noinput", "-v0", database=target))
    before = table_counts(target)
    result = huimin("restore", backup_path, "--yes", database=target)
    assert result.returncode != 0 and "目标数据库不是空的" in result.stderr
    assert table_counts(target) == before


def test_restore_not_confirmed_changes_nothing(backup_path, tmp_path):
    target = tmp_path / "restored.sqlite3"
    result = huimin("restore", backup_path, database=target, input="no\n")
    assert result.returncode != 0 and "已取消" in result.stderr
    assert not target.exists() or table_counts(target) == {}

"""Back up a live SQLite database and restore it into a fresh file: same tables, same
rows, the manifest describes exactly what was backed up, and the audit chain survives."""

import gzip
import json
import sqlite3

from django.core.management import get_commands

from tests.ops.cli import digest, huimin, ok, rows, table_counts


def backup(source, out):
    stdout = ok(huimin("backup", "--output", out, database=source))
    [manifest_path] = out.glob("*.manifest.json")
    [backup_path] = out.glob("*.sqlite3.gz")
    return stdout, backup_path, json.loads(manifest_path.read_text(encoding="utf-8"))


def test_restored_copy_has_every_row_of_the_source(populated, tmp_path):
    source_counts = table_counts(populated)
    _, backup_path, _ = backup(populated, tmp_path / "b")
    target = tmp_path / "restored.sqlite3"
    out = ok(huimin("restore", backup_path, "--yes", database=target))
    assert "全部表的行数与清单一致" in out
    restored = table_counts(target)
    # The restore itself is audited in the restored database; every other table is equal.
    assert restored.pop("audit_auditevent") == source_counts.pop("audit_auditevent") + 1
    assert restored == source_counts
    assert source_counts["registry_person"] == 50
    query = "SELECT id, name, id_number_enc, id_number_index, village_code FROM registry_person"
    assert sorted(rows(target, query)) == sorted(rows(populated, query))


def test_manifest_describes_the_backup(populated, tmp_path):
    stdout, backup_path, manifest = backup(populated, tmp_path / "b")
    assert backup_path.name.startswith("huimin-sqlite-")
    assert backup_path.name.endswith("Z.sqlite3.gz")
    assert manifest["vendor"] == "sqlite" and manifest["file"] == backup_path.name
    assert manifest["sha256"] == digest(backup_path) and manifest["sha256"] in stdout
    assert str(backup_path) in stdout
    assert manifest["app_version"]
    assert manifest["migrations"]["registry"] == max(
        name
        for (app, name) in rows(populated, "SELECT app, name FROM django_migrations")
        if app == "registry"
    )
    assert manifest["row_counts"]["registry_person"] == 50
    # Each chain's head in the manifest is its newest event before this backup was taken
    # (one writer, as on SQLite: all in chain 1).
    [(seq, last_hash)] = rows(
        populated, "SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1 OFFSET 1"
    )
    assert manifest["audit_chain"] == {"1": {"last_seq": seq, "last_hash": last_hash}}
    # The copy inside is a complete SQLite database with those very counts.
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(gzip.decompress(backup_path.read_bytes()))
    assert sqlite3.connect(copy).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert table_counts(copy) == manifest["row_counts"]


def test_backup_is_recorded_in_the_audit_log(populated, tmp_path):
    _, backup_path, _ = backup(populated, tmp_path / "b")
    [(action, object_id)] = rows(
        populated, "SELECT action, object_id FROM audit_auditevent ORDER BY seq DESC LIMIT 1"
    )
    assert (action, object_id) == ("backup", backup_path.name)


def test_audit_chain_of_the_restored_copy_verifies(populated, tmp_path):
    _, backup_path, _ = backup(populated, tmp_path / "b")
    target = tmp_path / "restored.sqlite3"
    ok(huimin("restore", backup_path, "--yes", database=target))
    if "verify_audit" in get_commands():
        ok(huimin("verify-audit", database=target))
    [(action,)] = rows(target, "SELECT action FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
    assert action == "restore"


def test_restore_accepts_the_manifest_as_its_argument(populated, tmp_path):
    backup(populated, tmp_path / "b")
    [manifest_path] = (tmp_path / "b").glob("*.manifest.json")
    ok(huimin("restore", manifest_path, "--yes", database=tmp_path / "restored.sqlite3"))

"""A backup that does not match its manifest is refused before anything is touched, and
the refusal names the problem; a restore whose row counts differ exits non-zero."""

import json

import pytest

from tests.ops.cli import huimin, ok


@pytest.fixture
def made(populated, tmp_path):
    ok(huimin("backup", "--output", tmp_path / "b", database=populated))
    [backup_path] = (tmp_path / "b").glob("*.sqlite3.gz")
    [manifest_path] = (tmp_path / "b").glob("*.manifest.json")
    return backup_path, manifest_path


def refused(backup_path, target, *expected):
    result = huimin("restore", backup_path, "--yes", database=target)
    assert result.returncode != 0
    for text in expected:
        assert text in result.stderr
    return result


def test_a_flipped_byte_is_refused_by_checksum(made, tmp_path):
    backup_path, _ = made
    data = bytearray(backup_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup_path.write_bytes(bytes(data))
    target = tmp_path / "restored.sqlite3"
    refused(backup_path, target, "拒绝恢复", "已损坏", "SHA-256")
    assert not target.exists()


def test_a_truncated_file_is_refused_by_size(made, tmp_path):
    backup_path, _ = made
    backup_path.write_bytes(backup_path.read_bytes()[:-100])
    target = tmp_path / "restored.sqlite3"
    refused(backup_path, target, "已损坏", "大小")
    assert not target.exists()


def test_a_backup_without_its_manifest_is_refused(made, tmp_path):
    backup_path, manifest_path = made
    manifest_path.unlink()
    target = tmp_path / "restored.sqlite3"
    refused(backup_path, target, "找不到备份清单")
    assert not target.exists()


def test_a_backup_of_another_vendor_is_refused(made, tmp_path):
    backup_path, manifest_path = made
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["vendor"] = "postgresql"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    target = tmp_path / "restored.sqlite3"
    refused(backup_path, target, "postgresql 数据库的备份")


def test_row_counts_that_differ_from_the_manifest_exit_non_zero(made, tmp_path):
    backup_path, manifest_path = made
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["row_counts"]["registry_person"] += 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = huimin("restore", backup_path, "--yes", database=tmp_path / "restored.sqlite3")
    assert result.returncode != 0
    assert "registry_person" in result.stdout and "不一致" in result.stdout
    assert "行数不一致" in result.stderr

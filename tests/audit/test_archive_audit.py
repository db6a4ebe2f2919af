"""huimin archive-audit: only past the retention period, to a checksummed file, then
deleted; verify-audit continues from the archive's last hash."""

import datetime
import gzip
import hashlib
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.utils import timezone

from huimin.audit import services
from huimin.audit.models import AuditArchive, AuditEvent, SecurityAlert
from huimin.audit.services import record


@pytest.fixture(autouse=True)
def archive_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HUIMIN_AUDIT_ARCHIVE_DIR", str(tmp_path))
    monkeypatch.delenv("HUIMIN_AUDIT_RETENTION_DAYS", raising=False)
    return tmp_path


def _record_at(at, n, actor):
    # Django's clock, not ours, is set back: the events are written exactly as in use.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: at)
        return [record(action="read", actor=actor, object_id=str(i)) for i in range(n)]


def _today():
    return timezone.localdate()


@pytest.fixture
def old_and_new(officer):
    old_events = _record_at(timezone.now() - datetime.timedelta(days=200), 30, officer)
    new_events = [record(action="read", actor=officer) for _ in range(5)]
    return old_events, new_events


@pytest.mark.django_db
def test_old_rows_go_to_a_checksummed_file_and_the_chain_continues(
    old_and_new, archive_dir, capsys
):
    old_events, _ = old_and_new
    before = _today() - datetime.timedelta(days=190)

    call_command("archive_audit", before=before.isoformat())

    archive = AuditArchive.objects.get()
    assert (archive.first_seq, archive.last_seq, archive.count) == (1, 30, 30)
    assert archive.last_hash == old_events[-1].hash
    path = services.Path(archive.file)
    assert path.parent == archive_dir and path.is_file()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == archive.checksum
    sums = (path.parent / (path.name + ".sha256")).read_text()
    assert sums == f"{archive.checksum}  {path.name}\n"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [json.loads(line) for line in fh]
    assert [line["seq"] for line in lines] == list(range(1, 31))
    assert lines[-1]["hash"] == archive.last_hash

    assert not AuditEvent.objects.filter(seq__lte=30).exists()
    # The archiving itself is an audit event.
    assert AuditEvent.objects.filter(action="delete", object_type="audit.archive").exists()
    capsys.readouterr()
    call_command("verify_audit", archives=True)
    out = capsys.readouterr().out
    assert "审计链完整：6 条" in out
    assert "另有 30 条已归档" in out


@pytest.mark.django_db
def test_a_date_inside_the_retention_period_is_refused(old_and_new, archive_dir):
    too_recent = _today() - datetime.timedelta(days=100)
    before = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="至少 183 天"):
        call_command("archive_audit", before=too_recent.isoformat())

    assert AuditEvent.objects.count() == before
    assert not AuditArchive.objects.exists()
    assert not list(archive_dir.iterdir())


@pytest.mark.django_db
def test_a_malformed_date_is_refused(old_and_new):
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("archive_audit", before="2025-13-01")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_retention_below_180_days_is_a_configuration_error(old_and_new, monkeypatch):
    monkeypatch.setenv("HUIMIN_AUDIT_RETENTION_DAYS", "90")
    before = AuditEvent.objects.count()
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_AUDIT_RETENTION_DAYS"):
        call_command("archive_audit", before="2020-01-01")
    monkeypatch.setenv("HUIMIN_AUDIT_RETENTION_DAYS", "half a year")
    with pytest.raises(ImproperlyConfigured, match="HUIMIN_AUDIT_RETENTION_DAYS"):
        call_command("archive_audit", before="2020-01-01")
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_longer_retention_moves_the_limit(old_and_new, monkeypatch):
    monkeypatch.setenv("HUIMIN_AUDIT_RETENTION_DAYS", "365")
    with pytest.raises(CommandError, match="至少 365 天"):
        call_command("archive_audit", before=(_today() - datetime.timedelta(days=190)).isoformat())
    assert not AuditArchive.objects.exists()


@pytest.mark.django_db
def test_nothing_old_enough_archives_nothing(officer, capsys):
    record(action="read", actor=officer)
    call_command("archive_audit", before=(_today() - datetime.timedelta(days=190)).isoformat())
    assert "没有需要归档" in capsys.readouterr().out
    assert not AuditArchive.objects.exists()


@pytest.mark.django_db
def test_a_broken_chain_is_not_archived(old_and_new, tamper, archive_dir):
    old_events, _ = old_and_new
    tamper("UPDATE audit_auditevent SET purpose = 'x' WHERE id = %s", [old_events[3].pk])
    before = AuditEvent.objects.count()

    with pytest.raises(CommandError, match="审计链被破坏"):
        call_command("archive_audit", before=(_today() - datetime.timedelta(days=190)).isoformat())

    assert AuditEvent.objects.filter(action="read").count() == 35
    assert AuditEvent.objects.count() >= before  # only the alert's own event was added
    # The security administrator hears of it: the command raises the chain alert.
    assert SecurityAlert.objects.filter(rule="audit_chain_broken").exists()
    assert not AuditArchive.objects.exists()
    assert not list(archive_dir.glob("*.gz*"))


@pytest.mark.django_db
def test_a_changed_archive_file_fails_verification(old_and_new, capsys):
    call_command("archive_audit", before=(_today() - datetime.timedelta(days=190)).isoformat())
    archive = AuditArchive.objects.get()
    path = services.Path(archive.file)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.readlines()
    lines[2] = lines[2].replace('"action":"read"', '"action":"search"')
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(lines)

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", archives=True)

    assert exit_info.value.code == 1
    assert "校验和不符" in capsys.readouterr().err

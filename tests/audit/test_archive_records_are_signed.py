"""An archive record is signed under the audit key: rows deleted from the start of a
chain cannot be passed off as archived by a made-up record."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from huimin.audit import chain
from huimin.audit.models import AuditArchive, AuditEvent
from huimin.audit.services import record
from tests.audit.verify import run_verify


@pytest.fixture(autouse=True)
def archive_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HUIMIN_AUDIT_ARCHIVE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.django_db
def test_a_made_up_archive_record_is_refused(officer, capsys, tamper):
    events = [record(action="read", actor=officer) for _ in range(8)]
    tamper("DELETE FROM audit_auditevent WHERE seq <= 3")
    AuditArchive.objects.create(
        chain=1,
        first_seq=1,
        last_seq=3,
        first_at=events[0].at,
        last_at=events[2].at,
        before=datetime.date(2000, 1, 1),
        count=3,
        first_prev_hash=chain.GENESIS,
        last_hash=events[2].hash,
        file="/nowhere.jsonl.gz",
        checksum="0" * 64,
        key_id=chain.key_id(b"X" * 32),
        mac="0" * 64,
    )

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "第 1 链第 1 条" in err and "归档记录密钥" in err


@pytest.mark.django_db
def test_a_real_archive_is_signed_and_verifies(officer, capsys):
    old = timezone.now() - datetime.timedelta(days=200)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: old)
        [record(action="read", actor=officer) for _ in range(4)]
    record(action="read", actor=officer)
    before = timezone.localdate() - datetime.timedelta(days=190)
    call_command("archive_audit", before=before.isoformat())
    archive = AuditArchive.objects.get()
    assert archive.mac and archive.key_id != chain.LEGACY
    assert not AuditEvent.objects.filter(seq__lte=4).exists()

    code, out, _ = run_verify(capsys, archives=True)

    assert code == 0, out
    assert "另有 4 条已归档" in out
    AuditArchive.objects.filter(pk=archive.pk).update(count=3)
    code, _, err = run_verify(capsys)
    assert code == 1 and "归档记录签名不符" in err

"""Checkpoints outside the database: one signed, append-only file per chain, written after
commit; a line removed, changed or made up is found by verify-audit."""

import json

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from huimin.audit import checkpoints
from huimin.audit.services import record
from tests.audit.verify import run_verify


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.django_db
def test_every_nth_append_checkpoints_its_chain_after_commit(
    officer, audit_checkpoint_dir, checkpoint_state, django_capture_on_commit_callbacks
):
    with override_settings(HUIMIN_AUDIT_CHECKPOINT_EVERY=5):
        with django_capture_on_commit_callbacks(execute=True):
            events = [record(action="read", actor=officer) for _ in range(12)]

    lines = _lines(audit_checkpoint_dir / "chain-1.jsonl")
    # The process's first append, then every fifth.
    assert [line["seq"] for line in lines] == [1, 6, 11]
    assert [line["hash"] for line in lines] == [events[0].hash, events[5].hash, events[10].hash]
    assert lines[0]["prev"] == "" and lines[1]["prev"] == lines[0]["mac"]
    assert {line["kind"] for line in lines} == {"checkpoint"}


@pytest.mark.django_db
def test_a_rolled_back_append_leaves_no_checkpoint(
    officer, audit_checkpoint_dir, checkpoint_state, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            record(action="read", actor=officer)
            raise RuntimeError("the use case failed")

    assert not (audit_checkpoint_dir / "chain-1.jsonl").exists()


@pytest.mark.django_db
def test_minutes_since_the_last_checkpoint_also_make_one(
    officer, audit_checkpoint_dir, checkpoint_state, django_capture_on_commit_callbacks, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr(checkpoints.time, "monotonic", lambda: clock[0])
    with override_settings(HUIMIN_AUDIT_CHECKPOINT_EVERY=1000, HUIMIN_AUDIT_CHECKPOINT_MINUTES=10):
        with django_capture_on_commit_callbacks(execute=True):
            record(action="read", actor=officer)
            clock[0] += 9 * 60
            record(action="read", actor=officer)
            clock[0] += 61
            record(action="read", actor=officer)

    assert [line["seq"] for line in _lines(audit_checkpoint_dir / "chain-1.jsonl")] == [1, 3]


@pytest.mark.django_db
def test_a_line_deleted_from_the_middle_of_a_file_is_found(officer, audit_checkpoint_dir, capsys):
    for _ in range(3):
        record(action="read", actor=officer)
        call_command("audit_checkpoint")
    path = audit_checkpoint_dir / "chain-1.jsonl"
    kept = path.read_text().splitlines()
    path.write_text(kept[0] + "\n" + kept[2] + "\n")

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "第 1 链第 3 条" in err
    assert "chain-1.jsonl 第 2 行与上一行不相接" in err


@pytest.mark.django_db
def test_a_changed_line_is_found(officer, audit_checkpoint_dir, capsys):
    record(action="read", actor=officer)
    call_command("audit_checkpoint")
    path = audit_checkpoint_dir / "chain-1.jsonl"
    line = json.loads(path.read_text())
    line["seq"] = 0  # as if the chain had never been written to
    path.write_text(json.dumps(line) + "\n")

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "检查点文件 chain-1.jsonl 第 1 行签名不符" in err


@pytest.mark.django_db
def test_an_unreadable_line_is_found(officer, audit_checkpoint_dir, capsys):
    record(action="read", actor=officer)
    call_command("audit_checkpoint")
    with (audit_checkpoint_dir / "chain-1.jsonl").open("a") as fh:
        fh.write("not json\n")

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "第 2 行无法解析" in err


@pytest.mark.django_db
def test_the_command_checkpoints_every_chain_written_to(officer, audit_checkpoint_dir, capsys):
    events = [record(action="read", actor=officer) for _ in range(2)]

    call_command("audit_checkpoint")

    out = capsys.readouterr().out
    assert f"第 1 链：第 2 条，哈希 {events[-1].hash}" in out
    assert "已写入 1 条链的检查点" in out
    assert sorted(p.name for p in audit_checkpoint_dir.iterdir()) == ["chain-1.jsonl"]
    assert (audit_checkpoint_dir / "chain-1.jsonl").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_a_restore_line_lets_the_chain_end_earlier(officer, audit_checkpoint_dir, capsys, tamper):
    # As `huimin restore` leaves things: checkpoints of events after the backup, then a
    # signed line saying where the restored chain ends.
    events = [record(action="read", actor=officer) for _ in range(6)]
    call_command("audit_checkpoint")
    tamper("DELETE FROM audit_auditevent WHERE seq > 4")
    tamper(
        "UPDATE audit_auditchainhead SET last_seq = 4, last_hash = %s WHERE id = 1",
        [events[3].hash],
    )
    assert run_verify(capsys)[0] == 1

    checkpoints.write(1, 4, events[3].hash, kind="restore")
    code, out, _ = run_verify(capsys)

    assert code == 0, out
    assert "从备份恢复至第 4 条" in out


@pytest.mark.django_db
def test_syslog_gets_a_copy(officer, monkeypatch):
    sent = []
    monkeypatch.setenv("HUIMIN_AUDIT_CHECKPOINT_SYSLOG", "127.0.0.1:5514")
    monkeypatch.setattr(
        checkpoints.logging.handlers.SysLogHandler, "emit", lambda self, r: sent.append(r.msg)
    )
    event = record(action="read", actor=officer)

    checkpoints.write(1, event.seq, event.hash)

    assert len(sent) == 1 and sent[0].startswith("huimin-audit-checkpoint {")
    assert json.loads(sent[0].split(" ", 1)[1])["hash"] == event.hash

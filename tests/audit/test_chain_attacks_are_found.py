"""The attacks issue 13 replayed against verify-audit, each by someone who can write to the
database but holds neither the audit key nor the checkpoint directory: all are found,
named by chain and position, and the command exits non-zero.

Before the keyed chain, truncating a chain's end with its head moved back, and rewriting
an event and recomputing the hashes forward with chain.compute_hash, both passed.
"""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from huimin.audit import chain
from huimin.audit.models import AuditEvent
from huimin.audit.services import ROW_FIELDS, record
from tests.audit.verify import run_verify


def _fill(actor, n):
    return [record(action="read", actor=actor, object_id=str(i)) for i in range(n)]


def _checkpoint(capsys):
    call_command("audit_checkpoint")
    capsys.readouterr()


def _truncate(tamper, keep: AuditEvent):
    """Delete every row of chain 1 after `keep` and move the head back to it."""
    tamper("DELETE FROM audit_auditevent WHERE chain = 1 AND seq > %s", [keep.seq])
    tamper(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1",
        [keep.seq, keep.hash],
    )


@pytest.mark.django_db
def test_deleting_the_last_five_rows_and_moving_the_head_back_is_found(officer, capsys, tamper):
    events = _fill(officer, 20)
    _checkpoint(capsys)
    _truncate(tamper, events[14])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert "第 1 链第 16 条" in err
    assert "链被截断或链头回退" in err
    assert "第 16–20 条缺失" in err


@pytest.mark.django_db
def test_appends_checkpoint_themselves_after_commit(
    officer, capsys, tamper, checkpoint_state, django_capture_on_commit_callbacks
):
    # No command run: the appends' own checkpoints (every 4 here) anchor the chain.
    with override_settings(HUIMIN_AUDIT_CHECKPOINT_EVERY=4):
        with django_capture_on_commit_callbacks(execute=True):
            events = _fill(officer, 9)
    _truncate(tamper, events[5])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert "第 1 链第 7 条" in err and "链被截断或链头回退" in err


@pytest.mark.django_db
def test_rewriting_an_actor_and_recomputing_forward_unkeyed_is_found(officer, capsys, tamper):
    events = _fill(officer, 12)
    rows = list(AuditEvent.objects.filter(chain=1).order_by("seq").values(*ROW_FIELDS))
    victim = rows[6]
    victim.update(actor_username="someone_else", purpose="例行核查")
    prev = victim["prev_hash"]
    for row in rows[6:]:
        # The attack of issue 13: the old, public hash function, forward to the head.
        row["prev_hash"] = prev
        row["hash"] = prev = chain.compute_hash(prev, row)
        tamper(
            "UPDATE audit_auditevent SET actor_username = %s, purpose = %s, prev_hash = %s, "
            "hash = %s WHERE id = %s",
            [row["actor_username"], row["purpose"], row["prev_hash"], row["hash"], row["id"]],
        )
    tamper("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [prev])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 1 链第 {events[6].seq} 条（id={events[6].pk}" in err
    assert "内容被修改" in err


@pytest.mark.django_db
def test_a_rewritten_row_claiming_the_unkeyed_scheme_is_refused(officer, capsys, tamper):
    events = _fill(officer, 6)
    row = AuditEvent.objects.values(*ROW_FIELDS).get(pk=events[3].pk)
    row["purpose"] = "伪造"
    forged = chain.compute_hash(row["prev_hash"], row)
    tamper(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s, key_id = %s WHERE id = %s",
        ["伪造", forged, chain.LEGACY, row["id"]],
    )

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 1 链第 {events[3].seq} 条" in err
    assert "切换到密钥后仍出现未加密钥的记录" in err


@pytest.mark.django_db
def test_rewinding_the_head_and_appending_again_is_found(officer, capsys, tamper):
    # The application itself signs the new rows, so every link and HMAC is sound: only
    # the checkpoint of the row that was replaced tells.
    events = _fill(officer, 10)
    _checkpoint(capsys)
    _truncate(tamper, events[6])
    replacements = _fill(officer, 3)

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    # The checkpoint recorded the old head, seq 10; its replacement is named.
    assert replacements[-1].seq == events[-1].seq
    assert f"第 1 链第 {replacements[-1].seq} 条（id={replacements[-1].pk}" in err
    assert "与链外检查点不符" in err


@pytest.mark.django_db
def test_moving_the_head_back_over_rows_left_in_place_is_found(officer, capsys, tamper):
    events = _fill(officer, 8)
    tamper(
        "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s WHERE id = 1",
        [events[4].seq, events[4].hash],
    )

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 1 链第 {events[5].seq} 条" in err and "链头之后有多出的记录" in err


@pytest.mark.django_db
def test_deleting_a_whole_chain_is_found(officer, capsys, tamper):
    _fill(officer, 4)
    _checkpoint(capsys)
    tamper("DELETE FROM audit_auditevent")
    tamper("DELETE FROM audit_auditchainhead")

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert "第 1 链第 1 条" in err and "第 1–4 条缺失" in err


@pytest.mark.django_db
def test_events_under_another_key_are_refused(officer, capsys):
    _fill(officer, 3)
    with override_settings(HUIMIN_AUDIT_KEY=b"W" * 32, HUIMIN_AUDIT_KEY_PREVIOUS=()):
        code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert "第 1 链第 1 条" in err
    assert "密钥不符" in err and chain.key_id(settings.HUIMIN_AUDIT_KEY) in err


@pytest.mark.django_db
def test_a_row_forged_under_the_attackers_own_key_is_refused(officer, capsys, tamper):
    events = _fill(officer, 4)
    row = AuditEvent.objects.values(*ROW_FIELDS).get(pk=events[-1].pk)
    row["object_id"] = "forged"
    # Right key id, wrong key: the id names the key, it does not stand in for it.
    forged = chain.compute_mac(b"X" * 32, row["prev_hash"], row)
    tamper(
        "UPDATE audit_auditevent SET object_id = 'forged', hash = %s WHERE id = %s",
        [forged, row["id"]],
    )
    tamper("UPDATE audit_auditchainhead SET last_hash = %s WHERE id = 1", [forged])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 1 链第 {events[-1].seq} 条" in err and "内容被修改" in err


@pytest.mark.django_db
def test_an_untouched_chain_verifies_against_its_checkpoints(officer, capsys):
    _fill(officer, 5)
    _checkpoint(capsys)
    _fill(officer, 3)  # rows after the last checkpoint are fine too

    code, out, _ = run_verify(capsys, batch_size=100)

    assert code == 0, out
    assert "审计链完整：8 条" in out
    assert "链外检查点：1 行，均签名有效并与链一致" in out

"""huimin verify-audit: an intact chain passes; a changed or removed row is named."""

import pytest
from django.conf import settings

from huimin.audit import chain
from huimin.audit.models import AuditChainHead, AuditEvent, SecurityAlert
from huimin.audit.services import record
from tests.audit.verify import run_verify

KEY_ID = chain.key_id(settings.HUIMIN_AUDIT_KEY)


def _fill(actor, n=250):
    # More rows than one batch, so the walk crosses batch boundaries.
    return [record(action="read", actor=actor, object_id=str(i)) for i in range(n)]


@pytest.mark.django_db
def test_an_intact_chain_passes(officer, capsys):
    _fill(officer)
    code, out, _ = run_verify(capsys, batch_size=100)
    assert code == 0
    assert "审计链完整：250 条" in out
    assert not SecurityAlert.objects.exists()


@pytest.mark.django_db
def test_an_empty_log_is_intact(db, capsys):
    code, out, _ = run_verify(capsys, batch_size=100)
    assert code == 0
    assert "审计链完整：0 条" in out


@pytest.mark.django_db
def test_a_changed_row_is_named_and_raises_an_alert(officer, capsys, tamper):
    events = _fill(officer)
    victim = events[137]
    tamper("UPDATE audit_auditevent SET object_id = %s WHERE id = %s", ["999", victim.pk])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 {victim.seq} 条（id={victim.pk}" in err
    assert "内容被修改" in err
    alert = SecurityAlert.objects.get()
    assert alert.rule == "audit_chain_broken"
    assert alert.severity == "critical"
    assert alert.details["seq"] == victim.seq


@pytest.mark.django_db
def test_rehashing_a_changed_row_with_the_unkeyed_hash_is_named(officer, capsys, tamper):
    # Before the audit key, recomputing a changed row's hash left only the link to the
    # next row broken (and recomputing forward, nothing); now the row itself is named.
    from huimin.audit import chain

    events = _fill(officer, 10)
    victim = AuditEvent.objects.values().get(pk=events[4].pk)
    victim["purpose"] = "篡改"
    forged = chain.compute_hash(victim["prev_hash"], victim)
    tamper(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s WHERE id = %s",
        ["篡改", forged, victim["id"]],
    )

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 {victim['seq']} 条（id={victim['id']}" in err
    assert "内容被修改" in err


@pytest.mark.django_db
def test_a_deleted_middle_row_is_found(officer, capsys, tamper):
    events = _fill(officer, 20)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[9].pk])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 {events[10].seq} 条" in err
    assert "记录缺失" in err


@pytest.mark.django_db
def test_a_deleted_last_row_is_found(officer, capsys, tamper):
    events = _fill(officer, 5)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert "末尾记录缺失" in err


@pytest.mark.django_db
def test_running_again_on_the_same_break_raises_one_alert(officer, capsys, tamper):
    events = _fill(officer, 5)
    tamper("UPDATE audit_auditevent SET role = 'x' WHERE id = %s", [events[2].pk])

    assert run_verify(capsys, batch_size=100)[0] == 1
    assert run_verify(capsys, batch_size=100)[0] == 1
    assert SecurityAlert.objects.count() == 1


@pytest.mark.django_db
def test_the_huimin_command_name_is_verify_audit(officer, capsys):
    from huimin.cli import main

    _fill(officer, 3)
    main(["verify-audit"])
    assert "审计链完整：3 条" in capsys.readouterr().out


def _second_chain(n: int) -> list[AuditEvent]:
    """n events on chain 2, as concurrent writers' appends would have made them (on
    SQLite every append takes chain 1, so they are written here directly)."""
    from django.utils import timezone

    from huimin.audit import chain

    made, prev = [], chain.GENESIS
    for seq in range(1, n + 1):
        content = {name: "" for name in chain.CONTENT_FIELDS}
        content.update(
            seq=seq,
            at=timezone.now(),
            actor_id=None,
            institution_id=None,
            loan_id=None,
            action="read",
            object_id=f"c2-{seq}",
            fields=[],
            changes={},
            outcome="success",
        )
        digest = chain.compute_mac(settings.HUIMIN_AUDIT_KEY, prev, content)
        made.append(
            AuditEvent.objects.create(
                chain=2, prev_hash=prev, hash=digest, key_id=KEY_ID, **content
            )
        )
        prev = digest
    # …and moved chain 2's head, as each append does.
    AuditChainHead.objects.update_or_create(pk=2, defaults={"last_seq": n, "last_hash": prev})
    return made


@pytest.mark.django_db
def test_every_chain_is_walked(officer, capsys):
    _fill(officer, 5)
    second = _second_chain(4)

    code, out, _ = run_verify(capsys, batch_size=100)

    assert code == 0
    assert "审计链完整：9 条" in out
    assert f"第 2 链最后一条：第 4 条，哈希 {second[-1].hash}" in out


@pytest.mark.django_db
def test_a_changed_row_on_another_chain_is_named_with_its_chain(officer, capsys, tamper):
    _fill(officer, 5)
    second = _second_chain(4)
    tamper("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [second[1].pk])

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 2 链第 2 条（id={second[1].pk}" in err
    assert "内容被修改" in err
    assert SecurityAlert.objects.get().details["chain"] == 2


@pytest.mark.django_db
def test_a_row_slipped_in_past_the_head_is_found(officer, capsys):
    # Linked correctly to the last event, so only its place past the head gives it away:
    # an append moves the head in the same transaction; this insert did not.
    from django.utils import timezone

    from huimin.audit import chain

    events = _fill(officer, 5)
    last = events[-1]
    content = {name: "" for name in chain.CONTENT_FIELDS}
    content.update(
        seq=last.seq + 1,
        at=timezone.now(),
        actor_id=None,
        institution_id=None,
        loan_id=None,
        action="read",
        fields=[],
        changes={},
        outcome="success",
    )
    forged = AuditEvent.objects.create(
        chain=1,
        prev_hash=last.hash,
        hash=chain.compute_mac(settings.HUIMIN_AUDIT_KEY, last.hash, content),
        key_id=KEY_ID,
        **content,
    )

    code, _, err = run_verify(capsys, batch_size=100)

    assert code == 1
    assert f"第 1 链第 {forged.seq} 条（id={forged.pk}" in err
    assert "链头之后有多出的记录" in err

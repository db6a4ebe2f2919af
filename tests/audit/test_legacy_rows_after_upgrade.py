"""Events hashed before the audit key existed (unkeyed SHA-256) still verify after the
upgrade, but only up to the cut-over the migration sealed with the key: a row claiming
the unkeyed scheme after it, or a moved seal, is refused."""

import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from huimin.audit import chain
from huimin.audit.models import AuditChainHead, AuditEvent, AuditLegacyCutover
from huimin.audit.services import record
from tests.audit.verify import run_verify

migration = importlib.import_module("huimin.audit.migrations.0006_audit_key")


def _legacy_rows(n: int) -> list[AuditEvent]:
    """Rows as the code before the audit key wrote them, and its head."""
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
            object_id=str(seq),
            fields=[],
            changes={},
            outcome="success",
        )
        digest = chain.compute_hash(prev, content)
        made.append(
            AuditEvent.objects.create(
                chain=1, prev_hash=prev, hash=digest, key_id=chain.LEGACY, **content
            )
        )
        prev = digest
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_seq": n, "last_hash": prev})
    return made


@pytest.fixture
def upgraded(db):
    """Five legacy rows, the migration's seal, then keyed appends."""
    legacy = _legacy_rows(5)
    migration.seal_legacy(apps, None)
    return legacy


@pytest.mark.django_db
def test_legacy_rows_then_keyed_rows_verify(upgraded, officer, capsys):
    keyed = [record(action="read", actor=officer) for _ in range(3)]

    code, out, _ = run_verify(capsys)

    assert code == 0, out
    assert "审计链完整：8 条" in out
    cut = AuditLegacyCutover.objects.get(chain=1)
    assert (cut.last_seq, cut.last_hash) == (5, upgraded[-1].hash)
    assert keyed[0].prev_hash == upgraded[-1].hash and keyed[0].key_id != chain.LEGACY


@pytest.mark.django_db
def test_without_a_seal_legacy_rows_are_refused(db, capsys):
    _legacy_rows(2)

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "第 1 链第 1 条" in err and "切换到密钥后仍出现未加密钥的记录" in err


@pytest.mark.django_db
def test_a_forged_legacy_row_after_the_cut_over_is_refused(upgraded, officer, capsys, tamper):
    keyed = [record(action="read", actor=officer) for _ in range(3)]
    row = AuditEvent.objects.values().get(pk=keyed[1].pk)
    row["purpose"] = "伪造"
    forged = chain.compute_hash(row["prev_hash"], row)
    tamper(
        "UPDATE audit_auditevent SET purpose = %s, hash = %s, key_id = %s WHERE id = %s",
        ["伪造", forged, chain.LEGACY, row["id"]],
    )

    code, _, err = run_verify(capsys)

    assert code == 1
    assert f"第 1 链第 {keyed[1].seq} 条" in err
    assert "切换到密钥后仍出现未加密钥的记录" in err


@pytest.mark.django_db
def test_moving_the_seal_forward_breaks_its_signature(upgraded, officer, capsys, tamper):
    keyed = [record(action="read", actor=officer) for _ in range(3)]
    AuditLegacyCutover.objects.filter(chain=1).update(last_seq=keyed[-1].seq)

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "切换前的记录与切换封签不符" in err and "签名不符" in err


@pytest.mark.django_db
def test_rewriting_the_legacy_prefix_forward_is_refused(upgraded, officer, capsys, tamper):
    record(action="read", actor=officer)
    rows = list(AuditEvent.objects.filter(key_id=chain.LEGACY).order_by("seq").values())
    prev = rows[1]["prev_hash"]
    rows[1]["object_id"] = "rewritten"
    for row in rows[1:]:
        row["prev_hash"], row["hash"] = prev, chain.compute_hash(prev, row)
        prev = row["hash"]
        tamper(
            "UPDATE audit_auditevent SET object_id = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [row["object_id"], row["prev_hash"], row["hash"], row["id"]],
        )

    code, _, err = run_verify(capsys)

    assert code == 1
    assert "第 1 链第 5 条" in err and "切换点的哈希与封签记录的不一致" in err

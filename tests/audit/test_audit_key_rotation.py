"""Rotating HUIMIN_AUDIT_KEY: new events are signed under the new key; events and
checkpoints under the old one verify while it is listed in HUIMIN_AUDIT_KEY_PREVIOUS."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from huimin.audit import chain
from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from tests.audit.verify import run_verify

KEY_A, KEY_B = b"A" * 32, b"B" * 32
UNDER_A = override_settings(HUIMIN_AUDIT_KEY=KEY_A, HUIMIN_AUDIT_KEY_PREVIOUS=())
ROTATED = override_settings(HUIMIN_AUDIT_KEY=KEY_B, HUIMIN_AUDIT_KEY_PREVIOUS=(KEY_A,))
ONLY_B = override_settings(HUIMIN_AUDIT_KEY=KEY_B, HUIMIN_AUDIT_KEY_PREVIOUS=())


@pytest.mark.django_db
def test_a_chain_spanning_a_rotation_verifies_with_the_old_key_listed(officer, capsys):
    with UNDER_A:
        [record(action="read", actor=officer) for _ in range(3)]
        call_command("audit_checkpoint")
    with ROTATED:
        [record(action="read", actor=officer) for _ in range(2)]
        code, out, _ = run_verify(capsys)

    assert code == 0, out
    assert "审计链完整：5 条" in out
    ids = list(AuditEvent.objects.order_by("seq").values_list("key_id", flat=True))
    assert ids == [chain.key_id(KEY_A)] * 3 + [chain.key_id(KEY_B)] * 2


@pytest.mark.django_db
def test_dropping_the_old_key_too_early_is_reported(officer, capsys):
    with UNDER_A:
        first = record(action="read", actor=officer)
    with ROTATED:
        record(action="read", actor=officer)
    with ONLY_B:
        code, _, err = run_verify(capsys)

    assert code == 1
    assert f"第 1 链第 {first.seq} 条" in err
    assert f"密钥编号 {chain.key_id(KEY_A)} 不在当前配置中" in err


def test_key_ids_are_derived_from_the_key_and_reveal_nothing_of_it():
    assert chain.key_id(KEY_A) == chain.key_id(bytes(KEY_A))
    assert chain.key_id(KEY_A) != chain.key_id(KEY_B)
    assert len(chain.key_id(KEY_A)) == 12
    assert chain.key_id(KEY_A) not in KEY_A.hex()

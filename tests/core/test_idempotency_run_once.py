"""core.idempotency.run_once on its own, with no domain: the record it claims by hand-
written SQL reads back through the ORM as written; a replay does not run the write; a
refusal leaves no record."""

import pytest

from huimin.core import idempotency
from huimin.core.errors import Conflict, ValidationFailed
from huimin.core.models import IdempotencyRecord

pytestmark = pytest.mark.django_db


class Writes:
    """A stand-in write: counts its runs, answers with a number."""

    def __init__(self):
        self.runs = 0

    def __call__(self):
        self.runs += 1
        return 100 + self.runs


def once(write, key="k-1", body=None, operation="op", answer=lambda n: {"n": n}):
    return idempotency.run_once(
        "test:1",
        key,
        operation,
        {"a": 1} if body is None else body,
        write,
        answer=answer,
        replay=lambda stored: stored.get("n"),
        region_code="430522",
    )


def test_the_first_call_writes_and_its_record_reads_back_through_the_orm():
    write = Writes()
    assert once(write) == (101, False)
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.key, record.operation, record.region_code) == (
        "test:1",
        "k-1",
        "op",
        "430522",
    )
    assert record.request_hash == idempotency.request_hash("op", {"a": 1})
    assert record.answer == {"n": 101} and record.created_at is not None


def test_a_retry_is_answered_from_the_record_without_running_the_write():
    write = Writes()
    once(write)
    assert once(write) == (101, True)
    assert write.runs == 1 and IdempotencyRecord.objects.count() == 1


def test_another_body_or_operation_under_the_key_is_a_409():
    once(Writes())
    for kwargs in ({"body": {"a": 2}}, {"operation": "other"}):
        with pytest.raises(Conflict) as exc:
            once(Writes(), **kwargs)
        assert exc.value.code == "idempotency_key_reuse"


def test_a_refused_write_leaves_no_record_and_the_key_free():
    def refuse():
        IdempotencyRecord.objects.create(scope="x", key="written-then-undone", operation="o")
        raise ValidationFailed({"a": "不对"})

    with pytest.raises(ValidationFailed):
        once(refuse)
    assert not IdempotencyRecord.objects.exists()  # the claim and the write rolled back
    assert once(Writes(), body={"a": 2}) == (101, False)


def test_a_bad_key_is_refused_before_anything_is_written():
    write = Writes()
    with pytest.raises(ValidationFailed) as exc:
        once(write, key="has space")
    assert exc.value.code == "idempotency_key_required"
    assert write.runs == 0 and not IdempotencyRecord.objects.exists()


def test_without_an_answer_the_record_stays_empty_and_the_replay_finds_the_result():
    # answer=None: the write keeps the key itself (settlements, payments).
    write = Writes()
    assert once(write, answer=None) == (101, False)
    assert IdempotencyRecord.objects.get().answer == {}
    assert once(write, answer=None) == (None, True)  # replay got the empty record
    assert write.runs == 1

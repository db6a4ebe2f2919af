"""Many writers at once on PostgreSQL: each chain stays one unforked, gapless chain, and
an append does not queue behind another transaction's uncommitted append."""

import threading
from collections import defaultdict

import pytest
from django.db import connection, connections, transaction

from huimin.audit import conf
from huimin.audit.models import AuditEvent
from huimin.audit.services import record, verify_chain
from tests import factories

pytestmark = pytest.mark.postgres_only

THREADS = 8
PER_THREAD = 25


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself; the locks are tested on PostgreSQL")


class Writers:
    """One thread per user appending audit events, each in its own transaction (as use
    cases do), while `more(i)` says so; `ready` is called first (a barrier, say)."""

    def __init__(self, users, ready, more):
        self.errors = []
        self.threads = [threading.Thread(target=self._write, args=(u, ready, more)) for u in users]

    def _write(self, user, ready, more):
        try:
            ready()
            i = 0
            while more(i):
                with transaction.atomic():
                    record(action="read", actor=user, object_id=str(i))
                i += 1
        except Exception as exc:  # reported by join(); a thread's exception is otherwise lost
            self.errors.append(exc)
        finally:
            connections.close_all()

    def start(self):
        for t in self.threads:
            t.start()

    def join(self) -> list:
        for t in self.threads:
            t.join(timeout=120)
        return self.errors

    def run_until_done(self) -> list:
        self.start()
        return self.join()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_every_chain_intact():
    _postgres_only()
    users = [factories.make_staff(f"writer{i}", "insurance_officer") for i in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors = Writers(users, start.wait, lambda i: i < PER_THREAD).run_until_done()

    assert not errors
    by_chain = defaultdict(list)
    for number, seq, prev in AuditEvent.objects.order_by("chain", "seq").values_list(
        "chain", "seq", "prev_hash"
    ):
        by_chain[number].append((seq, prev))
    assert set(by_chain) <= set(range(1, conf.CHAINS + 1))
    for rows in by_chain.values():
        # Gapless from 1, and no two events link to the same predecessor (no fork).
        assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))
        assert len({prev for _, prev in rows}) == len(rows)
    result = verify_chain(batch_size=50)
    assert result.ok, result.problem
    assert result.count == THREADS * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_an_append_does_not_wait_for_a_transaction_holding_a_head():
    _postgres_only()
    user = factories.make_staff("writer", "insurance_officer")
    record(action="read", actor=user, object_id="first")  # heads exist
    holding, release = threading.Event(), threading.Event()
    held = {}

    def hold():
        try:
            with transaction.atomic():
                held["event"] = record(action="read", actor=user, object_id="held")
                holding.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        # Would block until the holder commits (and fail on the timeout) if appends
        # queued behind one head.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            other = record(action="read", actor=user, object_id="alongside")
    finally:
        release.set()
        holder.join(timeout=30)

    assert held["event"].chain == 1  # a lone writer extends chain 1
    assert other.chain == 2
    assert (other.seq, other.prev_hash) == (1, "0" * 64)
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True)
def test_verifying_while_others_append_finds_nothing_wrong():
    # verify-audit runs at night while the counters work: rows appended during its walk
    # (past the head it read, or committed between its statements) are no tampering.
    _postgres_only()
    users = [factories.make_staff(f"busy{i}", "insurance_officer") for i in range(4)]
    stop = threading.Event()
    writers = Writers(users, lambda: None, lambda i: not stop.is_set())
    writers.start()
    try:
        results = [verify_chain(batch_size=100) for _ in range(15)]
    finally:
        stop.set()
        errors = writers.join()

    assert not errors
    assert all(r.ok for r in results), [r.problem.describe() for r in results if not r.ok]
    assert results[-1].count > 0

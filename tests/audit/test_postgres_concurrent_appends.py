"""Many writers at once on PostgreSQL: the chain-head lock keeps one unforked chain."""

import threading

import pytest
from django.db import connection, connections, transaction

from huimin.audit.models import AuditEvent
from huimin.audit.services import record, verify_chain
from tests import factories

pytestmark = pytest.mark.postgres_only

THREADS = 8
PER_THREAD = 25


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_one_intact_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself; the lock is tested on PostgreSQL")
    users = [factories.make_staff(f"writer{i}", "insurance_officer") for i in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors = []

    def write(user):
        try:
            start.wait()
            for i in range(PER_THREAD):
                # Some appends inside a longer transaction, as use cases do.
                with transaction.atomic():
                    record(action="read", actor=user, object_id=str(i))
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, THREADS * PER_THREAD + 1))
    assert AuditEvent.objects.values("prev_hash").distinct().count() == len(seqs)
    result = verify_chain(batch_size=50)
    assert result.ok, result.problem
    assert result.count == THREADS * PER_THREAD

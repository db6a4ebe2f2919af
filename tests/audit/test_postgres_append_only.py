"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit events."""

import pytest
from django.db import DatabaseError, connection, transaction

from huimin.audit.models import AuditEvent
from huimin.audit.services import record
from tests import factories

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_plain_update_is_refused(officer):
    event = record(action="read", actor=officer, object_id="7")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("UPDATE audit_auditevent SET object_id = '8' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


@pytest.mark.django_db
def test_plain_delete_is_refused(officer):
    event = record(action="read", actor=officer)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_update_is_refused_even_with_the_archiving_setting(officer):
    event = record(action="read", actor=officer, object_id="7")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("SET LOCAL huimin.audit_archiving = 'on'", [])
        _raw("UPDATE audit_auditevent SET object_id = '8' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


# A real transaction: SET LOCAL lasts until the outer transaction ends, not a savepoint.
@pytest.mark.django_db(transaction=True)
def test_delete_under_the_archiving_setting_is_let_through():
    # No fixtures that need migration data: a transactional test starts from a flush.
    officer = factories.make_staff("officer", "insurance_officer")
    event = record(action="read", actor=officer)
    with transaction.atomic():
        _raw("SET LOCAL huimin.audit_archiving = 'on'", [])
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    # The setting ends with its transaction: the next plain delete is refused again.
    other = record(action="read", actor=officer)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [other.pk])

"""On SQLite, as on PostgreSQL, the database itself refuses UPDATE and DELETE of audit
events; only archiving (and the test runner's flush of a test database) deletes."""

import sqlite3

import pytest
from django.db import DatabaseError, connection, transaction

from huimin.audit import triggers
from huimin.audit.apps import _reinstall_sqlite_triggers
from huimin.audit.models import AuditEvent
from huimin.audit.services import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite triggers (PostgreSQL has its own: test_postgres_append_only)")


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_plain_update_is_refused(officer):
    event = record(action="read", actor=officer, object_id="7")
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        _raw("UPDATE audit_auditevent SET object_id = '8' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_id == "7"


def test_plain_delete_is_refused_even_in_a_test_database(officer):
    event = record(action="read", actor=officer)
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        _raw("DELETE FROM audit_auditevent WHERE id > 0")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_delete_under_the_archiving_permit_is_let_through_and_ends_with_it(officer):
    event, other = record(action="read", actor=officer), record(action="read", actor=officer)
    with triggers.permit_delete(connection):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert not AuditEvent.objects.filter(pk=event.pk).exists()
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [other.pk])


def test_a_client_without_the_permit_function_cannot_delete(officer, tmp_path):
    # The sqlite3 shell, say: the audit table and its triggers as the database has them,
    # opened without the application.
    event = record(action="read", actor=officer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'audit_auditevent' "
            "AND type IN ('table', 'trigger') ORDER BY type = 'trigger'"
        )
        schema = [row[0] for row in cursor.fetchall()]
    shell = sqlite3.connect(tmp_path / "shell.sqlite3")
    try:
        for sql in schema:
            shell.execute(sql)
        columns = [f.column for f in AuditEvent._meta.concrete_fields]
        values = [
            f.get_db_prep_save(getattr(event, f.attname), connection)
            for f in AuditEvent._meta.concrete_fields
        ]
        placeholders = ", ".join("?" * len(columns))
        shell.execute(
            f"INSERT INTO audit_auditevent ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
            values,
        )
        with pytest.raises(sqlite3.OperationalError, match=triggers.FUNCTION):
            shell.execute("DELETE FROM audit_auditevent")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            shell.execute("UPDATE audit_auditevent SET purpose = 'x'")
    finally:
        shell.close()


def test_a_table_rebuild_loses_no_trigger_after_migrate(officer):
    # Django rebuilds a SQLite table for most column changes, dropping its triggers.
    with connection.cursor() as cursor:
        for sql in triggers.SQLITE_UNINSTALL:
            cursor.execute(sql)
    assert triggers.installed(connection) == set()

    _reinstall_sqlite_triggers(sender=None, using=connection.alias)

    assert triggers.installed(connection) == {"audit_event_no_update", "audit_event_no_delete"}


@pytest.mark.django_db(transaction=True)
def test_the_test_runners_flush_of_a_test_database_is_let_through():
    # As on PostgreSQL, where TRUNCATE passes in test_* databases only.
    from django.core.management import call_command

    record(action="read", object_id="1")
    assert triggers.is_test_database(connection.settings_dict["NAME"])

    call_command("flush", verbosity=0, interactive=False)

    assert not AuditEvent.objects.exists()


def test_only_throw_away_databases_count_as_test_databases():
    assert triggers.is_test_database("file:memorydb_default?mode=memory&cache=shared")
    assert triggers.is_test_database("/srv/ci/test_huimin.sqlite3")
    assert not triggers.is_test_database("/srv/huimin/var/huimin.sqlite3")
    assert not triggers.is_test_database("/srv/huimin/var/latest_test.sqlite3")

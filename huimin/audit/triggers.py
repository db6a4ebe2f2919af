"""Append-only audit events on SQLite, as the PostgreSQL trigger does there (migration 0002).

Two triggers refuse UPDATE and DELETE of audit_auditevent. SQLite has no session
settings, so the one sanctioned removal, archiving, is let through by a function the
application registers on each of its connections: huimin_audit_delete_permitted() is
true only while `permit_delete()` holds. A client without the function (the sqlite3
shell) cannot delete at all. Like the PostgreSQL trigger, which lets TRUNCATE through in
throw-away test databases, the test runner's flush (a whole-table DELETE) of a test
database is let through; the hash chain, not the trigger, is the proof against someone
who owns the database.

A SQLite table rebuild (how Django alters most columns there) drops the table's
triggers, so they are reinstalled after every migrate (apps.py).
"""

from contextlib import contextmanager
from pathlib import Path

TABLE = "audit_auditevent"
FUNCTION = "huimin_audit_delete_permitted"
_PERMIT = "_huimin_audit_delete_permitted"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE}
    WHEN NOT {FUNCTION}()
    BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
]
# What Django's flush sends for this table on SQLite (DatabaseOperations.sql_flush).
_FLUSH = f'DELETE FROM "{TABLE}";'  # noqa: S608 - a constant name


@contextmanager
def permit_delete(connection):
    """Let this connection delete audit events for the duration (archiving only)."""
    setattr(connection, _PERMIT, True)
    try:
        yield
    finally:
        setattr(connection, _PERMIT, False)


def is_test_database(name) -> bool:
    """Django's throw-away test databases: in memory, or a file named test_*."""
    name = str(name or "")
    return name.startswith("file:memorydb_") or Path(name).name.startswith("test_")


def _let_test_flush_through(execute, sql, params, many, context):
    if sql == _FLUSH:
        with permit_delete(context["connection"]):
            return execute(sql, params, many, context)
    return execute(sql, params, many, context)


def on_connection_created(sender, connection, **kwargs):
    """Register the permit function on each new SQLite connection of the application."""
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function(
        FUNCTION, 0, lambda: 1 if getattr(connection, _PERMIT, False) else 0
    )
    if is_test_database(connection.settings_dict.get("NAME")):
        if _let_test_flush_through not in connection.execute_wrappers:
            connection.execute_wrappers.append(_let_test_flush_through)


def install(connection) -> None:
    """Install the SQLite triggers if missing (idempotent)."""
    if connection.vendor != "sqlite" or TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        for sql in SQLITE_INSTALL:
            cursor.execute(sql)


def installed(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
        )
        return {row[0] for row in cursor.fetchall()}

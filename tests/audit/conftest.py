import pytest

from tests import factories


@pytest.fixture
def auditor(county):
    return factories.make_staff("auditor", "audit_admin", factories.COUNTY)


@pytest.fixture
def security_admin(county):
    return factories.make_staff("secadmin", "security_admin", factories.COUNTY)


@pytest.fixture
def tamper():
    """Run raw SQL against the audit table as someone who owns the database would:
    on PostgreSQL with the append-only trigger switched off for the statement."""
    from django.db import connection, transaction

    def run(sql, params=()):
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")

    return run

import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Staff accounts are made in most tests; the password hash's cost is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_permission_cache():
    # Role permissions are cached; start and leave every test with an empty cache.
    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture
def client():
    """Force-logged-in administrators have also given their second factor."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()

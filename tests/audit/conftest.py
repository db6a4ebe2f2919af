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
    """Run raw SQL against the audit tables as someone who owns the database would: with
    the append-only triggers switched off for the statement (on SQLite dropped and made
    again, in one transaction)."""
    from django.db import connection, transaction

    from huimin.audit import triggers

    def run(sql, params=()):
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            else:
                for statement in triggers.SQLITE_UNINSTALL:
                    cursor.execute(statement)
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                for statement in triggers.SQLITE_INSTALL:
                    cursor.execute(statement)

    return run


@pytest.fixture
def checkpoint_state():
    """This process's memory of when it last checkpointed each chain, empty for the test
    (a test that counts checkpoints must not depend on the tests before it)."""
    from huimin.audit import checkpoints

    saved = dict(checkpoints._scheduled)
    checkpoints._scheduled.clear()
    yield checkpoints._scheduled
    checkpoints._scheduled.clear()
    checkpoints._scheduled.update(saved)


@pytest.fixture
def client():
    """Force-logged-in administrators have also given their second factor."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()

import os

import pytest

from tests import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """HUIMIN_TEST_SQLITE_FILE: the SQLite test database in that file instead of memory.

    Threads on the in-memory test database share one cache, where a writer meets
    "database table is locked" at once instead of waiting as on a file (production's
    SQLite, WAL and a busy timeout). The SQLite concurrency tests run in a subprocess
    with this set (tests/insurance/test_concurrent_retries_sqlite.py)."""
    from django.conf import settings

    path = os.environ.get("HUIMIN_TEST_SQLITE_FILE")
    db = settings.DATABASES["default"]
    if path and db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("TEST", {})["NAME"] = path


@pytest.fixture(autouse=True)
def migration_seed_data(request):
    """Put back what migrations load (national regions, role grants) when a transactional
    test's flush has removed it, so a test's outcome never depends on the order of tests."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    request.getfixturevalue(
        "_django_db_helper"
        if marker
        else ("transactional_db" if names & {"transactional_db", "live_server"} else "db")
    )
    from huimin.policy.permissions import DEFAULT_GRANTS
    from huimin.registry.models import Region, RolePermission
    from huimin.registry.regions import load_national

    if not Region.objects.filter(level="province").exists():
        load_national(Region)
    if not RolePermission.objects.exists():
        from django.core.cache import cache

        RolePermission.objects.bulk_create(
            RolePermission(role=role, permission=p)
            for role, perms in DEFAULT_GRANTS.items()
            for p in sorted(perms)
        )
        cache.clear()  # role grants are cached; entries from before the flush are stale


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2's cost is not what the suite tests; a login test that cares sets its own.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    """force_login also completes the second factor, as a privileged user does at login."""
    from huimin.accounts.testing import VerifiedClient

    return VerifiedClient()


@pytest.fixture
def county(db):
    """Two townships and three villages under 新邵县, and one village of the next county."""
    factories.make_regions()


@pytest.fixture
def officer(county):
    return factories.make_staff("officer", "insurance_officer", factories.COUNTY)


@pytest.fixture
def township_clerk(county):
    return factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])

"""Concurrent changes to one item on PostgreSQL: the item-row lock keeps versions apart."""

import datetime
import itertools
import os
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from huimin.core.errors import ValidationFailed
from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import CatalogVersion
from tests import factories
from tests.catalog.conftest import DRUG_B, make_item, terms

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("HUIMIN_DATABASE_URL", "").startswith("postgres"),
        reason="SQLite serialises writers by itself; the lock is tested on PostgreSQL",
    ),
]

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_never_overlap(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by itself; the lock is tested on PostgreSQL")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    factories.make_regions()
    user = factories.make_staff("officer", "insurance_officer")
    make_item(DRUG_B, "drug", [(datetime.date(2020, 1, 1), None, terms(ceiling=Decimal(90)))])
    start = threading.Barrier(THREADS)
    errors, refused = [], []

    def change(i):
        try:
            start.wait()
            services.do_add_version(
                user,
                DRUG_B,
                terms(ceiling=Decimal(80 - i)),
                datetime.date(2026, 1, 1) + datetime.timedelta(days=30 * i),
            )
        except ValidationFailed:
            refused.append(i)  # it started before a version another thread just added
        except Exception as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=change, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert not errors
    rows = list(
        CatalogVersion.objects.filter(item__code=DRUG_B)
        .order_by("effective_from")
        .values_list("effective_from", "effective_to")
    )
    assert len(rows) == 1 + THREADS - len(refused)
    for (_, end), (begin, _) in itertools.pairwise(rows):
        assert end == begin - datetime.timedelta(days=1)
    assert rows[-1][1] is None

"""The batch's findings on a generated 400-resident year are the ones it stored before
it was made faster (rendering from the hits' own columns, rows written by COPY):
`findings_400.json` was written by the batch as of a759fcb over the same seeded year.
Same rules, same claims, same explanations, lines, facts and amounts; fingerprints are
each claim's own. Rules added to the batch since (not_insured, identity_mismatch) may add
findings of their own, nothing else."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from huimin.review.models import Finding
from tests.insurance.test_seed_settlements import COUNTY, YEAR
from tests.review.batch.findings_snapshot import build_and_review, snapshot

GOLDEN = Path(__file__).with_name("findings_400.json")
ADDED_SINCE = {"not_insured", "identity_mismatch"}


@pytest.fixture(scope="module")
def reviewed(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        old = settings.BASE_DIR
        settings.BASE_DIR = tmp_path_factory.mktemp("var")
        try:
            build_and_review()
            yield snapshot()
        finally:
            settings.BASE_DIR = old
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _db(db):
    """Each test in its own savepoint inside the module's transaction."""


def test_same_findings_as_before(reviewed):
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    ours = {k: v for k, v in reviewed.items() if k.split("|")[0] not in ADDED_SINCE}
    assert sorted(ours) == sorted(golden)
    for key, expected in golden.items():
        assert ours[key] == expected, key


def test_rerun_adds_nothing_and_changes_nothing(reviewed):
    count = Finding.objects.count()
    out = io.StringIO()
    call_command(
        "review", "run", "--region", COUNTY, "--from", f"{YEAR}-01-01",
        "--to", f"{YEAR}-12-31", "--no-progress", "--no-score", stdout=out,
    )  # fmt: skip
    assert Finding.objects.count() == count
    assert snapshot() == reviewed

"""A generated county's year (people, enrollment, claims with planted fraud, records'
forms, the database batch's findings), built once for the module and rolled back."""

import base64
import io

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.insurance.test_seed_settlements import AS_OF, COUNTY, YEAR, build_county

KEY = base64.b64encode(b"K" * 32).decode()
RESIDENTS = 300


@pytest.fixture(scope="module")
def county_year(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    with django_db_blocker.unblock(), transaction.atomic():
        old = settings.BASE_DIR
        settings.BASE_DIR = tmp_path_factory.mktemp("var")
        try:
            out = io.StringIO()
            build_county(RESIDENTS)
            call_command("generate_claims", residents=RESIDENTS, year=YEAR, per_kind=4, stdout=out)
            call_command(
                "generate_records", year=YEAR, as_of=AS_OF, region=COUNTY, no_progress=True,
                stdout=out,
            )  # fmt: skip
            call_command(
                "review", "run", "--region", COUNTY, "--from", f"{YEAR}-01-01",
                "--to", f"{YEAR}-12-31", "--no-progress", "--no-score", stdout=out,
            )  # fmt: skip
            yield settings.BASE_DIR
        finally:
            settings.BASE_DIR = old
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _export_key(settings):
    settings.HUIMIN_EXPORT_KEY = base64.b64decode(KEY)

"""Fuzz the records API against its own OpenAPI schema: bad input is never a 500,
responses match the schema, errors keep the contract's shape."""

import datetime

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.openapi import from_wsgi

from huimin.records import services
from huimin.records.models import Programme

# keep_test_connection is an autouse fixture: importing it here is what enables it.
from tests.fuzzing import CHECKS, assert_error_shape, keep_test_connection, session_credentials  # noqa: F401

schema = from_wsgi("/api/v1/openapi.json", get_wsgi_application()).include(
    path_regex="^/api/v1/records/"
)


@pytest.fixture
def doctor_headers(client, village_doctor, resident_record):
    # A record (and a draft and a signed form) for the fuzzer's small ids to find.
    Programme.objects.create(
        record=resident_record,
        person=resident_record.person,
        region_code=resident_record.region_code,
        kind="hypertension",
        registered_on=datetime.date(2025, 1, 6),
    )
    services.do_save_form(
        village_doctor, "htn_followup", {"systolic": "130"}, record_id=resident_record.pk
    )
    headers, cookies = session_credentials(client, village_doctor)
    return {"headers": headers, "cookies": cookies}


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, doctor_headers):
    response = case.call_and_validate(checks=CHECKS, **doctor_headers)
    assert_error_shape(response)

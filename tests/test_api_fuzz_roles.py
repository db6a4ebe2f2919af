"""Fuzz the whole JSON API as every kind of caller: an institution's system with a real
bearer token, and each staff role with its own (second-factor verified) session.

The officer's fuzz (test_api_fuzz.py) goes deep with one identity; this one goes wide:
what a role may do changes which code a request reaches (the institution transactions
are a 401 to every session, most registry writes a 403 to a doctor), and none of it may
answer a 5xx. Every response must match the schema's documented statuses and shapes,
and every 4xx keep the error contract. Bounded: a few examples per operation per
identity, so the whole file stays within a few minutes on two cores.
"""

import uuid

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.openapi import from_wsgi

from huimin.policy.roles import INSTITUTION_ROLES, Role
from huimin.wsgi import application
from tests import factories
from tests.access import helpers

# keep_test_connection is an autouse fixture: importing it here is what enables it.
from tests.fuzzing import (  # noqa: F401 - keep_test_connection is an autouse fixture
    CHECKS,
    assert_error_shape,
    detach_connection_closing,
    keep_test_connection,
    session_credentials,
)

# The production WSGI entry point: bearer requests take the machines' middleware chain,
# sessions the people's (huimin/core/handlers.py), as they do behind gunicorn.
schema = from_wsgi("/api/v1/openapi.json", application)

INSTITUTION = "institution"
IDENTITIES = [INSTITUTION, *(role.value for role in Role)]
TOWN = factories.TOWNSHIPS[0]


def _idempotent(operation) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == "Idempotency-Key"
        for p in operation.definition.raw.get("parameters", [])
    )


def call_and_check(case, caller: dict) -> None:
    """No 5xx, the schema's statuses and shapes, and every 4xx in the error contract."""
    kwargs = dict(caller, headers=dict(caller["headers"]))
    if _idempotent(case.operation):
        kwargs["headers"]["Idempotency-Key"] = uuid.uuid4().hex  # a fresh one, not a replay
    response = case.call_and_validate(checks=CHECKS, **kwargs)
    assert_error_shape(response)


@pytest.fixture
def world(county, settings):
    # Fuzzing sends hundreds of list and search requests a minute from one account and one
    # address: the limiter would answer most of them 429. Raise the limits so the fuzz
    # exercises the endpoints (core/ratelimit.py has its own tests).
    settings.HUIMIN_RATE_LIMITS = {
        name: (10**9, window, what)
        for name, (_, window, what) in settings.HUIMIN_RATE_LIMITS.items()
    }
    person = factories.make_person("周一", village=factories.VILLAGES[0])
    factories.make_household(person)
    return factories.make_institution(
        "酿溪镇卫生院", region=TOWN, kind="township_health_centre", level="1"
    )


@pytest.fixture
def caller(identity, world, client) -> dict:
    """The transport arguments of one identity's requests (headers, cookies, environ)."""
    if identity == INSTITUTION:
        inst = helpers.onboard(helpers.people(), name="新邵县中医医院")
        token = helpers.get_token(client, inst)
        detach_connection_closing()  # the test client's request put the handlers back
        return {
            "headers": {"Authorization": f"Bearer {token}", "X-Huimin-Terminal": inst.terminal},
            # Tokens are bound to the institution's approved address ranges.
            "environ_base": {"REMOTE_ADDR": helpers.IP},
        }
    institution = world if identity in INSTITUTION_ROLES else None
    user = factories.make_staff(f"u_{identity}", identity, TOWN, institution=institution)
    headers, cookies = session_credentials(client, user)
    return {"headers": headers, "cookies": cookies}


# Who each identity is to the API, asked through the fuzz's own transport: if the
# credentials did not arrive, every fuzzed request would be a 401 and prove nothing.
WHO = {INSTITUTION: ("GET", "/api/v1/access/whoami")}
STAFF_WHO = ("GET", "/api/v1/registry/regions")


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_fuzz_is_signed_in(identity, caller):
    method, path = WHO.get(identity, STAFF_WHO)
    case = schema[path][method].Case(query={"limit": 1} if path == STAFF_WHO[1] else None)
    response = case.call(**caller)
    assert response.status_code == 200, (identity, response.status_code, response.text)


@schema.parametrize()
@pytest.mark.parametrize("identity", IDENTITIES)
@hypothesis_settings(
    max_examples=5,
    deadline=None,
    # Generated cases only: the officer's fuzz runs the schema's coverage phase in depth.
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_identity_gets_no_server_error(case, identity, caller):
    call_and_check(case, caller)


# The institution transactions again, in depth: only an institution's token reaches them
# (to every session they are a 401), so none of the staff fuzzes gets past their door.
# Here with the schema's coverage phase too (boundary and malformed values of every
# parameter), and a few more generated cases.
institution_schema = schema.include(path_regex="^/api/v1/(insurance|catalog|access)/")


@institution_schema.parametrize()
@pytest.mark.parametrize("identity", [INSTITUTION])
@hypothesis_settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_institution_transactions_in_depth(case, identity, caller):
    call_and_check(case, caller)

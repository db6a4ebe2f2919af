"""The access pages run a fixed number of queries however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from huimin.access import services
from tests.access import helpers


def populate(staff, n: int, start: int) -> None:
    for i in range(start, start + n):
        inst = helpers.onboard(staff, name=f"测试卫生院{i}")
        services.do_issue_credential(staff["approver"], inst.institution.pk)
        services.do_change_access(staff["approver"], inst.institution.pk, "suspend", "核查")


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "name", ["access:application_list", "access:access_list", "access:expiring"]
)
def test_list_pages_do_not_grow_with_rows(client, staff, name, settings):
    settings.HUIMIN_CREDENTIAL_DAYS = 10  # so every credential shows on the expiring page
    helpers.login_verified(client, staff["approver"])
    populate(staff, 2, 0)
    client.get(reverse(name))  # the session's first request does one-off work
    few = count(client, reverse(name))
    populate(staff, 5, 2)
    assert count(client, reverse(name)) == few


def test_institution_page_does_not_grow_with_credentials_and_keys(client, staff):
    helpers.login_verified(client, staff["approver"])
    inst = helpers.onboard(staff)
    url = reverse("access:institution_access", args=[inst.institution.pk])
    client.get(url)  # the session's first request does one-off work
    few = count(client, url)
    for _ in range(4):
        c = services.do_issue_credential(staff["approver"], inst.institution.pk)
        services.do_register_keys(
            staff["approver"], c.pk, helpers.public_jwks(helpers.new_key(), helpers.new_key())
        )
    assert count(client, url) == few

"""A token is only issued to a registered terminal of the same institution, from inside
its approved network ranges, while its access is active, for scopes it was granted."""

import pytest

from huimin.access import services
from huimin.access.models import AccessToken, UsedAssertion
from huimin.audit.models import AuditEvent
from tests.access import helpers


def refused(response, code: str):
    assert response.status_code == 403, response.content
    assert helpers.error_code(response) == code
    assert AccessToken.objects.count() == 0
    assert UsedAssertion.objects.count() == 0  # the jti stays usable after a refusal
    assert AuditEvent.objects.filter(action="token_refused", reason=code).count() == 1


def test_from_an_ip_outside_the_ranges(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    response = helpers.token_request(
        client, text, terminal=hospital.terminal, ip=helpers.OUTSIDE_IP
    )
    refused(response, "ip_not_allowed")
    assert AuditEvent.objects.get(action="token_refused").source_ip == helpers.OUTSIDE_IP


def test_from_the_second_range_is_accepted(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    response = helpers.token_request(client, text, terminal=hospital.terminal, ip="192.168.50.7")
    assert response.status_code == 200


def test_without_a_terminal(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    refused(helpers.token_request(client, text, terminal=""), "terminal_missing")


def test_from_an_unknown_terminal(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    refused(helpers.token_request(client, text, terminal="HIS-NOT-REGISTERED"), "terminal_unknown")


def test_from_another_institutions_terminal(client, staff, hospital):
    other = helpers.onboard(staff, name="严塘镇中心卫生院")
    text = helpers.assertion(hospital.key, hospital.client_id)
    refused(
        helpers.token_request(client, text, terminal=other.terminal),
        "terminal_other_institution",
    )


@pytest.mark.parametrize(("action", "code"), [("suspend", "institution_suspended")])
def test_from_a_suspended_institution(client, staff, hospital, action, code):
    services.do_change_access(staff["approver"], hospital.institution.pk, action, "核查中")
    text = helpers.assertion(hospital.key, hospital.client_id)
    refused(helpers.token_request(client, text, terminal=hospital.terminal), code)


def test_for_a_scope_that_was_not_approved(client, hospital):
    text = helpers.assertion(hospital.key, hospital.client_id)
    refused(
        helpers.token_request(client, text, terminal=hospital.terminal, scope="records.write"),
        "scope_not_granted",
    )


def test_after_the_credential_was_revoked(client, staff, hospital):
    services.do_revoke_credential(staff["approver"], hospital.credential.pk, "密钥泄露")
    text = helpers.assertion(hospital.key, hospital.client_id)
    response = helpers.token_request(client, text, terminal=hospital.terminal)
    assert response.status_code == 401
    assert helpers.error_code(response) == "credential_revoked"
    assert AccessToken.objects.count() == 0

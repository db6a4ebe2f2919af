"""An incident order suspends selected institutions' API access through the access app's
service: their tokens stop on the next request, and the suspension names the order."""

from huimin.access.models import AccessEvent, InstitutionAccess
from huimin.accounts import incident
from huimin.core.errors import ValidationFailed
from tests.access import helpers


def test_selected_institutions_are_suspended_on_approval(client, county):
    staff = helpers.people()
    hospital = helpers.onboard(staff)
    other = helpers.onboard(staff, name="新邵县中医医院")
    token = helpers.get_token(client, hospital)
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200

    order = incident.do_request(
        staff["approver"],
        incident.OrderData(
            reason="机构私钥疑似泄露",
            all_accounts=False,
            institution_ids=[hospital.institution.pk],
        ),
    )
    # Requested only: still working.
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200
    order = incident.do_approve(staff["approver2"], order.pk)
    assert order.result["institutions"] == [hospital.institution.pk]
    assert order.result["accounts"] == 0

    response = helpers.whoami(client, token, terminal=hospital.terminal)
    assert response.status_code == 403
    assert helpers.error_code(response) == "institution_suspended"
    access = InstitutionAccess.objects.get(institution=hospital.institution)
    assert access.status == "suspended"
    assert access.status_reason.startswith(f"应急处置#{order.pk}")
    assert AccessEvent.objects.filter(action="suspend", actor=staff["approver2"]).count() == 1
    other.access.refresh_from_db()
    assert other.access.status == "active"


def test_only_active_institutions_can_be_named(county):
    staff = helpers.people()
    hospital = helpers.onboard(staff)
    from huimin.access import services

    services.do_change_access(staff["approver"], hospital.institution.pk, "suspend", "核查")
    try:
        incident.do_request(
            staff["approver"],
            incident.OrderData(
                reason="x", all_accounts=False, institution_ids=[hospital.institution.pk]
            ),
        )
    except ValidationFailed as exc:
        assert "institutions" in exc.fields
    else:
        raise AssertionError("a suspended institution was accepted")

"""An approved institution adds a terminal (and a range) through its own four-eyes
application; the new terminal can then get tokens, the old ones keep working."""

from huimin.access import services
from huimin.access.models import InstitutionAccess, Terminal
from tests.access import helpers


def test_new_terminal_and_range_after_approval(client, staff, hospital):
    data = helpers.application_data(
        hospital.institution,
        kind="terminal",
        ip_ranges=["10.1.2.0/24", "172.16.8.0/24"],
        terminals=[("HIS-INPATIENT-01", "住院处")],
        scopes=[],
    )
    app = services.do_submit_application(staff["submitter"], data)
    outside_until_approved = helpers.token_request(
        client,
        helpers.assertion(hospital.key, hospital.client_id),
        terminal="HIS-INPATIENT-01",
        ip="172.16.8.9",
    )
    assert helpers.error_code(outside_until_approved) == "ip_not_allowed"

    services.do_review(staff["reviewer"], app.pk)
    services.do_approve(staff["approver"], app.pk)

    access = InstitutionAccess.objects.get(institution=hospital.institution)
    assert access.ip_ranges == [*helpers.RANGES, "172.16.8.0/24"]
    assert access.scopes == ["catalog.read", "settlement"]
    assert set(Terminal.objects.values_list("device_id", flat=True)) == {
        hospital.terminal,
        "HIS-INPATIENT-01",
    }
    token = helpers.get_token(
        client,
        helpers.Onboarded(**{**hospital.__dict__, "terminal": "HIS-INPATIENT-01"}),
        ip="172.16.8.9",
    )
    response = helpers.whoami(client, token, terminal="HIS-INPATIENT-01", ip="172.16.8.9")
    assert response.json()["terminal"] == "HIS-INPATIENT-01"
    assert (
        helpers.whoami(
            client, helpers.get_token(client, hospital), terminal=hospital.terminal
        ).status_code
        == 200
    )

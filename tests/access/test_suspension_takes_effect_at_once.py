"""Suspending an institution stops its already-issued tokens on the very next request;
resuming brings them back; revoking ends them and the institution's credentials."""

from huimin.access import services
from huimin.access.models import AccessEvent, ClientCredential
from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict
from tests.access import helpers


def test_suspend_then_resume(client, staff, hospital):
    token = helpers.get_token(client, hospital)
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200

    services.do_change_access(staff["approver"], hospital.institution.pk, "suspend", "对账异常核查")
    response = helpers.whoami(client, token, terminal=hospital.terminal)
    assert response.status_code == 403
    assert helpers.error_code(response) == "institution_suspended"
    refusal = AuditEvent.objects.get(action="api_refused")
    assert (refusal.reason, refusal.institution_id) == (
        "institution_suspended",
        hospital.institution.pk,
    )

    services.do_change_access(staff["approver2"], hospital.institution.pk, "resume", "核查完毕")
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200

    events = list(
        AccessEvent.objects.filter(action__in=["suspend", "resume"]).values_list(
            "action", "from_status", "to_status", "reason", "actor__username"
        )
    )
    assert events == [
        ("suspend", "active", "suspended", "对账异常核查", "secadmin"),
        ("resume", "suspended", "active", "核查完毕", "secadmin2"),
    ]
    audited = AuditEvent.objects.filter(action__in=["suspend", "resume"]).order_by("seq")
    assert [(e.action, e.reason, e.changes["status"]) for e in audited] == [
        ("suspend", "对账异常核查", ["active", "suspended"]),
        ("resume", "核查完毕", ["suspended", "active"]),
    ]


def test_revoke_ends_tokens_and_credentials(client, staff, hospital):
    token = helpers.get_token(client, hospital)
    services.do_change_access(staff["approver"], hospital.institution.pk, "revoke", "解除定点")
    response = helpers.whoami(client, token, terminal=hospital.terminal)
    assert response.status_code == 403
    assert helpers.error_code(response) == "institution_revoked"
    assert ClientCredential.objects.get().status == "revoked"
    # A revoked access cannot simply be resumed.
    try:
        services.do_change_access(staff["approver"], hospital.institution.pk, "resume", "误操作")
    except Conflict as exc:
        assert exc.code == "invalid_state"
    else:
        raise AssertionError("resume after revoke was accepted")


def test_status_change_needs_a_reason_and_the_permission(client, staff, hospital):
    import pytest

    from huimin.core.errors import PermissionDenied, ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        services.do_change_access(staff["approver"], hospital.institution.pk, "suspend", "  ")
    assert caught.value.fields == {"reason": "须填写理由"}
    with pytest.raises(PermissionDenied):
        services.do_change_access(staff["reviewer"], hospital.institution.pk, "suspend", "试试")
    hospital.access.refresh_from_db()
    assert hospital.access.status == "active"
    assert not AccessEvent.objects.filter(action="suspend").exists()
    denied = AuditEvent.objects.get(action="suspend")
    assert (denied.outcome, denied.actor_username) == ("denied", "officer_b")
    assert (
        helpers.whoami(
            client, helpers.get_token(client, hospital), terminal=hospital.terminal
        ).status_code
        == 200
    )

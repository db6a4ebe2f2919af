"""An application can be turned down at review or at approval, always with a reason;
the rejection is final and in the history."""

import pytest

from huimin.access import services
from huimin.access.models import AccessEvent, InstitutionAccess
from huimin.audit.models import AuditEvent
from huimin.core.errors import Conflict, PermissionDenied, ValidationFailed
from tests import factories
from tests.access import helpers


@pytest.fixture
def app(staff):
    institution = factories.make_institution("严塘镇中心卫生院", kind="township_health_centre")
    return services.do_submit_application(staff["submitter"], helpers.application_data(institution))


def test_reject_at_review(staff, app):
    services.do_reject(staff["reviewer"], app.pk, "地址段与网络台账不符")
    app.refresh_from_db()
    assert (app.status, app.reject_reason, app.decided_by) == (
        "rejected",
        "地址段与网络台账不符",
        staff["reviewer"],
    )
    event = AccessEvent.objects.get(action="reject")
    assert (event.from_status, event.to_status, event.reason) == (
        "submitted",
        "rejected",
        "地址段与网络台账不符",
    )
    audited = AuditEvent.objects.get(action="reject")
    assert audited.reason == "地址段与网络台账不符"
    with pytest.raises(Conflict):
        services.do_review(staff["reviewer"], app.pk)
    assert not InstitutionAccess.objects.exists()


def test_reject_at_approval(staff, app):
    services.do_review(staff["reviewer"], app.pk)
    services.do_reject(staff["approver"], app.pk, "终端未通过安全检查")
    app.refresh_from_db()
    assert app.status == "rejected"


def test_reject_without_a_reason_is_refused(staff, app):
    with pytest.raises(ValidationFailed) as caught:
        services.do_reject(staff["reviewer"], app.pk, "")
    assert caught.value.fields == {"reason": "须填写理由"}
    app.refresh_from_db()
    assert app.status == "submitted"
    assert not AccessEvent.objects.filter(action="reject").exists()


def test_reviewer_cannot_reject_what_they_reviewed(staff, app):
    services.do_review(staff["reviewer"], app.pk)
    with pytest.raises(PermissionDenied):
        services.do_reject(staff["reviewer"], app.pk, "改主意了")
    app.refresh_from_db()
    assert app.status == "reviewed"


def test_submitter_cannot_withdraw_by_rejecting(staff, app):
    with pytest.raises(PermissionDenied) as caught:
        services.do_reject(staff["submitter"], app.pk, "撤回")
    assert caught.value.code == "self_approval"
    app.refresh_from_db()
    assert app.status == "submitted"

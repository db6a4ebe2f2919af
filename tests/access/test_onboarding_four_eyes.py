"""An application goes submitted → reviewed → approved by three different people; nobody
reviews their own submission or approves what they submitted or reviewed. A refused
attempt changes nothing and is audited as denied."""

import pytest

from huimin.access import services
from huimin.access.models import AccessApplication, AccessEvent, InstitutionAccess, Terminal
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied
from tests import factories
from tests.access import helpers


@pytest.fixture
def submitted(staff):
    institution = factories.make_institution("严塘镇中心卫生院", kind="township_health_centre")
    return services.do_submit_application(staff["submitter"], helpers.application_data(institution))


def unchanged(app, status):
    app.refresh_from_db()
    assert app.status == status
    assert not InstitutionAccess.objects.exists()
    assert not Terminal.objects.exists()


def test_the_whole_path_is_recorded(staff, submitted):
    services.do_review(staff["reviewer"], submitted.pk)
    services.do_approve(staff["approver"], submitted.pk)
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    assert (submitted.reviewed_by, submitted.decided_by) == (staff["reviewer"], staff["approver"])
    access = InstitutionAccess.objects.get(institution=submitted.institution)
    assert access.status == "active"
    assert access.ip_ranges == helpers.RANGES
    assert access.scopes == ["catalog.read", "settlement"]
    assert list(Terminal.objects.values_list("device_id", flat=True)) == [
        f"HIS-{submitted.institution.pk}-01"
    ]
    history = list(
        AccessEvent.objects.filter(application=submitted).values_list(
            "action", "from_status", "to_status", "actor__username"
        )
    )
    assert history == [
        ("submit", "", "submitted", "officer_a"),
        ("review", "submitted", "reviewed", "officer_b"),
        ("grant", "", "active", "secadmin"),
        ("approve", "reviewed", "approved", "secadmin"),
    ]
    audited = AuditEvent.objects.filter(object_type="access.application").order_by("seq")
    assert [(e.action, e.actor_username, e.changes.get("status")) for e in audited] == [
        ("create", "officer_a", [None, "submitted"]),
        ("approve", "officer_b", ["submitted", "reviewed"]),
        ("approve", "secadmin", ["reviewed", "approved"]),
    ]


def test_submitter_cannot_review(staff, submitted):
    with pytest.raises(PermissionDenied) as caught:
        services.do_review(staff["submitter"], submitted.pk)
    assert caught.value.code == "self_review"
    unchanged(submitted, "submitted")
    denied = AuditEvent.objects.get(outcome="denied")
    assert (denied.reason, denied.actor_username) == ("self_review", "officer_a")


def test_reviewer_cannot_approve(staff, submitted):
    # An officer who also held access.approve would still be stopped by four eyes.
    reviewer = factories.make_staff("dual", "security_admin")
    from huimin.access.models import AccessApplication as App

    App.objects.filter(pk=submitted.pk).update(status="reviewed", reviewed_by=reviewer)
    with pytest.raises(PermissionDenied) as caught:
        services.do_approve(reviewer, submitted.pk)
    assert caught.value.code == "self_approval"
    unchanged(submitted, "reviewed")
    assert AuditEvent.objects.get(outcome="denied").reason == "self_approval"


def test_submitter_cannot_approve(staff, county):
    submitter = staff["approver2"]  # a security admin entering an application themselves
    institution = factories.make_institution("城东村卫生室", kind="village_clinic", level="")
    from huimin.access.models import AccessApplication as App

    app = App.objects.create(
        institution=institution,
        kind="institution",
        contact_name="李医生",
        contact_phone="13807390000",
        ip_ranges=["10.5.0.0/24"],
        terminals=[{"device_id": "VC-01", "description": ""}],
        scopes=["settlement"],
        submitted_by=submitter,
    )
    services.do_review(staff["reviewer"], app.pk)
    with pytest.raises(PermissionDenied) as caught:
        services.do_approve(submitter, app.pk)
    assert caught.value.code == "self_approval"
    unchanged(app, "reviewed")


def test_review_needs_the_review_permission(staff, submitted):
    with pytest.raises(PermissionDenied):
        services.do_review(factories.make_staff("aud", "audit_admin"), submitted.pk)
    unchanged(submitted, "submitted")


def test_approval_needs_the_approve_permission(staff, submitted):
    services.do_review(staff["reviewer"], submitted.pk)
    third_officer = factories.make_staff("officer_c", "insurance_officer")
    with pytest.raises(PermissionDenied):
        services.do_approve(third_officer, submitted.pk)
    unchanged(submitted, "reviewed")


def test_approval_skipping_review_is_refused(staff, submitted):
    from huimin.core.errors import Conflict

    with pytest.raises(Conflict) as caught:
        services.do_approve(staff["approver"], submitted.pk)
    assert caught.value.code == "invalid_state"
    unchanged(submitted, "submitted")


def test_database_refuses_a_self_review_written_past_the_service(staff, submitted):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessApplication.objects.filter(pk=submitted.pk).update(
            status="reviewed", reviewed_by=staff["submitter"]
        )


def test_two_applications_for_the_same_device_id(staff, submitted):
    from huimin.core.errors import Conflict

    other = factories.make_institution("城东村卫生室", kind="village_clinic", level="")
    device = submitted.terminals[0]["device_id"]
    rival = services.do_submit_application(
        staff["submitter"], helpers.application_data(other, terminals=[(device, "")])
    )
    for app in (submitted, rival):
        services.do_review(staff["reviewer"], app.pk)
    services.do_approve(staff["approver"], submitted.pk)
    with pytest.raises(Conflict) as caught:
        services.do_approve(staff["approver"], rival.pk)
    assert caught.value.code == "terminal_exists"
    rival.refresh_from_db()
    assert rival.status == "reviewed"
    assert not InstitutionAccess.objects.filter(institution=other).exists()

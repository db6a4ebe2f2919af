"""A privileged account — an administrator, or a role reading residents' data across the
county — is created, elevated or reset only by a system administrator's request that a
second administrator (a security administrator) approves. Replays the escalations of
issue 12 and sees each refused; then the approved path, audited."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts import administration
from huimin.accounts.models import AccountRequest, AccountState
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied
from huimin.registry.models import Staff
from tests import factories
from tests.accounts.conftest import login

User = get_user_model()


@pytest.fixture
def auditadmin(county):
    return factories.make_staff("auditadmin1", "audit_admin", factories.COUNTY)


@pytest.fixture
def sys_client(verified_client, sysadmin):
    verified_client.force_login(sysadmin)
    return verified_client


@pytest.fixture
def sec_client(secadmin):
    from huimin.accounts.testing import VerifiedClient

    client = VerifiedClient()
    client.force_login(secadmin)
    return client


def create(client, **overrides):
    data = {
        "username": "wangfang",
        "name": "王芳",
        "role": "audit_admin",
        "jurisdiction": factories.COUNTY,
        "institution": "",
        "reason": "审计科新进人员",
    }
    data.update(overrides)
    return client.post("/accounts/staff/new/", data)


def decide(client, req, decision="approve", note="已电话核实"):
    return client.post(f"/accounts/requests/{req.pk}/", {"decision": decision, "note": note})


# ---------------------------------------------------------------- escalations refused


@pytest.mark.parametrize(
    "role, jurisdiction",
    [
        ("audit_admin", factories.COUNTY),
        ("security_admin", factories.COUNTY),
        ("system_admin", factories.COUNTY),
        ("insurance_officer", factories.COUNTY),
        ("public_health_officer", factories.COUNTY),
        ("assessor", factories.COUNTY),
        # Not the role's name but its reach: a clerk over the whole county reads it all.
        ("township_clerk", factories.COUNTY),
    ],
)
def test_the_sysadmin_cannot_create_a_privileged_account_alone(sys_client, role, jurisdiction):
    response = create(sys_client, role=role, jurisdiction=jurisdiction)
    assert not User.objects.filter(username="wangfang").exists()
    assert "password" not in (response.context or {})
    req = AccountRequest.objects.get(username="wangfang")
    assert (req.kind, req.status, req.role) == ("create", "pending", role)
    assert response["Location"] == f"/accounts/requests/{req.pk}/"
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.request", object_id=str(req.pk)
    ).exists()


def test_an_ordinary_account_is_still_created_by_one_administrator(sys_client):
    response = create(sys_client, role="township_clerk", jurisdiction=factories.TOWNSHIPS[0])
    assert response.status_code == 200
    assert response.context["password"]
    assert User.objects.get(username="wangfang").staff.role == "township_clerk"
    assert not AccountRequest.objects.exists()


def test_the_create_service_refuses_a_privileged_account(sysadmin):
    data = administration.StaffData("wangfang", "王芳", "insurance_officer", factories.COUNTY)
    with pytest.raises(PermissionDenied) as refused:
        administration.do_create_staff(sysadmin, data)
    assert refused.value.code == "four_eyes"
    assert not User.objects.filter(username="wangfang").exists()
    assert AuditEvent.objects.filter(action="create", outcome="denied", reason="four_eyes").exists()


def test_resetting_the_auditadmins_password_alone_is_refused(sys_client, sysadmin, auditadmin):
    before = auditadmin.password
    response = sys_client.post(f"/accounts/staff/{auditadmin.pk}/password/")
    auditadmin.refresh_from_db()
    assert auditadmin.password == before
    assert "password" not in (response.context or {})
    req = AccountRequest.objects.get(target=auditadmin)
    assert (req.kind, req.status, req.requested_by) == ("password", "pending", sysadmin)
    with pytest.raises(PermissionDenied):
        administration.do_reset_password(sysadmin, auditadmin.pk)
    auditadmin.refresh_from_db()
    assert auditadmin.password == before


def test_resetting_the_auditadmins_second_factor_alone_is_refused(sys_client, sysadmin, auditadmin):
    TOTPDevice.objects.create(user=auditadmin, name="手机", confirmed=True)
    sys_client.post(f"/accounts/staff/{auditadmin.pk}/2fa/", {"reason": "换手机"})
    assert TOTPDevice.objects.filter(user=auditadmin).exists()
    req = AccountRequest.objects.get(target=auditadmin)
    assert (req.kind, req.reason) == ("second_factor", "换手机")
    with pytest.raises(PermissionDenied):
        administration.do_reset_second_factor(sysadmin, auditadmin.pk)
    assert TOTPDevice.objects.filter(user=auditadmin).exists()


@pytest.mark.parametrize(
    "role, jurisdiction",
    [("audit_admin", factories.COUNTY), ("township_clerk", factories.COUNTY)],
)
def test_elevating_an_account_alone_is_refused(sys_client, county, role, jurisdiction):
    clerk = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    response = sys_client.post(
        f"/accounts/staff/{clerk.pk}/",
        {"name": "李四", "role": role, "jurisdiction": jurisdiction, "institution": ""},
    )
    assert response.status_code == 302
    staff = Staff.objects.get(user=clerk)
    assert (staff.role, staff.jurisdiction) == ("township_clerk", factories.TOWNSHIPS[0])
    req = AccountRequest.objects.get(target=clerk)
    assert (req.kind, req.role, req.jurisdiction) == ("change", role, jurisdiction)


def test_demoting_an_administrator_also_takes_a_second_administrator(sys_client, auditadmin):
    sys_client.post(
        f"/accounts/staff/{auditadmin.pk}/",
        {"name": "审计", "role": "township_clerk", "jurisdiction": factories.TOWNSHIPS[0]},
    )
    assert Staff.objects.get(user=auditadmin).role == "audit_admin"
    assert AccountRequest.objects.get(target=auditadmin).kind == "change"


def test_a_name_change_needs_no_request(sys_client, auditadmin):
    sys_client.post(
        f"/accounts/staff/{auditadmin.pk}/",
        {"name": "赵审计", "role": "audit_admin", "jurisdiction": factories.COUNTY},
    )
    auditadmin.refresh_from_db()
    assert auditadmin.first_name == "赵审计"
    assert not AccountRequest.objects.exists()


def test_the_sysadmin_cannot_approve_its_own_request(sys_client, sysadmin):
    create(sys_client)
    req = AccountRequest.objects.get()
    assert decide(sys_client, req).status_code == 403
    req.refresh_from_db()
    assert req.status == "pending"
    assert not User.objects.filter(username="wangfang").exists()


def test_nobody_approves_a_request_about_their_own_account(sysadmin, secadmin):
    req = administration.do_request(sysadmin, "password", user_id=secadmin.pk)
    with pytest.raises(PermissionDenied) as refused:
        administration.do_decide(secadmin, req.pk, True)
    assert refused.value.code == "self_approval"
    assert AuditEvent.objects.filter(
        action="approve", outcome="denied", object_id=str(req.pk)
    ).exists()
    # The database refuses a request decided by its own author too.
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountRequest.objects.filter(pk=req.pk).update(decided_by=sysadmin)


def test_a_superuser_holds_no_duty_and_cannot_file_or_decide(county, sysadmin):
    # Superusers hold no permission in Huimin (docs/architecture.md): no back door
    # around 三员分立 and its four eyes.
    root = User.objects.create_superuser("breakglass", password="Huimin#2026pass")
    data = administration.StaffData("wangfang", "王芳", "audit_admin", factories.COUNTY)
    with pytest.raises(PermissionDenied):
        administration.do_request(root, "create", data=data)
    req = administration.do_request(sysadmin, "create", data=data)
    with pytest.raises(PermissionDenied):
        administration.do_decide(root, req.pk, True)
    assert not User.objects.filter(username="wangfang").exists()


def test_nobody_files_a_request_about_their_own_account(sys_client, sysadmin):
    with pytest.raises(PermissionDenied):
        administration.do_request(sysadmin, "password", user_id=sysadmin.pk)
    assert not AccountRequest.objects.exists()


def test_nobody_approves_the_reset_of_their_own_credentials(
    sys_client, sysadmin, secadmin, sec_client, county
):
    """The approver of a reset is never its subject, and the password goes to the
    approver, never to the requester: a system administrator cannot come to hold the
    credentials of the security administrators who approve its requests."""
    sys_client.post(f"/accounts/staff/{secadmin.pk}/password/", {"reason": "忘记密码"})
    req = AccountRequest.objects.get(target=secadmin)
    before = User.objects.get(pk=secadmin.pk).password

    response = decide(sec_client, req)

    assert response.status_code == 403
    assert "不能审批涉及自己账号的申请" in response.content.decode()
    assert User.objects.get(pk=secadmin.pk).password == before
    # A second security administrator approves; the temporary password is theirs to hand
    # over, and nothing the requester can open shows it.
    other = factories.make_staff("secadmin2", "security_admin", factories.COUNTY)
    from huimin.accounts.testing import VerifiedClient

    second = VerifiedClient()
    second.force_login(other)
    response = decide(second, req)
    password = response.context["password"]
    assert User.objects.get(pk=secadmin.pk).check_password(password)
    assert password not in sys_client.get(f"/accounts/requests/{req.pk}/").content.decode()
    assert password not in sys_client.get("/accounts/requests/?status=").content.decode()


def test_other_roles_cannot_see_or_decide_requests(client, sys_client, auditadmin, officer):
    create(sys_client)
    req = AccountRequest.objects.get()
    for user in (auditadmin, officer):
        client.force_login(user)
        assert client.get("/accounts/requests/").status_code == 403
        assert client.get(f"/accounts/requests/{req.pk}/").status_code == 403
        assert decide(client, req).status_code == 403
    req.refresh_from_db()
    assert req.status == "pending"


def test_a_second_pending_request_for_the_same_username_is_refused(sys_client):
    create(sys_client)
    response = create(sys_client, role="assessor")
    assert response.status_code == 200
    assert "该用户名已有待审批的新建申请" in response.content.decode()
    assert AccountRequest.objects.count() == 1


# ---------------------------------------------------------------- four eyes, approved


def test_create_requested_by_one_approved_by_another(
    sys_client, sec_client, client, sysadmin, secadmin
):
    create(sys_client)
    req = AccountRequest.objects.get()
    queue = sec_client.get("/accounts/requests/")
    assert queue.status_code == 200
    assert f"/accounts/requests/{req.pk}/" in queue.content.decode()
    page = sec_client.get(f"/accounts/requests/{req.pk}/").content.decode()
    assert "审计管理员" in page and "审计科新进人员" in page and "批准并执行" in page

    response = decide(sec_client, req)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    user = User.objects.get(username="wangfang")
    assert (user.staff.role, user.staff.jurisdiction) == ("audit_admin", factories.COUNTY)
    assert AccountState.objects.get(user=user).must_change_password
    req.refresh_from_db()
    assert (req.status, req.decided_by) == ("approved", secadmin)
    created = AuditEvent.objects.get(action="create", object_type="auth.user")
    assert created.actor_id == secadmin.pk
    assert f"账号申请#{req.pk}" in created.purpose
    assert password not in str(created.changes)
    approved = AuditEvent.objects.get(action="approve", object_type="accounts.request")
    assert approved.actor_id == secadmin.pk
    assert approved.object_id == str(req.pk)
    assert login(client, "wangfang", password).status_code == 302
    # Decided once only.
    assert decide(sec_client, req).status_code == 409


def test_password_and_second_factor_resets_approved(sys_client, sec_client, auditadmin):
    TOTPDevice.objects.create(user=auditadmin, name="手机", confirmed=True)
    sys_client.post(f"/accounts/staff/{auditadmin.pk}/password/")
    sys_client.post(f"/accounts/staff/{auditadmin.pk}/2fa/")
    password_req = AccountRequest.objects.get(kind="password")
    factor_req = AccountRequest.objects.get(kind="second_factor")

    password = decide(sec_client, password_req).context["password"]
    assert decide(sec_client, factor_req).status_code == 302

    auditadmin.refresh_from_db()
    assert auditadmin.check_password(password)
    assert AccountState.objects.get(user=auditadmin).must_change_password
    assert not TOTPDevice.objects.filter(user=auditadmin).exists()
    assert AuditEvent.objects.filter(
        action="update", object_id=str(auditadmin.pk), reason="password_reset"
    ).exists()
    assert AuditEvent.objects.filter(
        action="revoke", object_type="accounts.totp", object_id=str(auditadmin.pk)
    ).exists()


def test_elevation_approved(sys_client, sec_client, county):
    clerk = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    sys_client.post(
        f"/accounts/staff/{clerk.pk}/",
        {"name": "李四", "role": "township_clerk", "jurisdiction": factories.COUNTY},
    )
    decide(sec_client, AccountRequest.objects.get())
    assert Staff.objects.get(user=clerk).jurisdiction == factories.COUNTY


def test_a_rejected_request_changes_nothing(sys_client, sec_client, auditadmin):
    before = auditadmin.password
    sys_client.post(f"/accounts/staff/{auditadmin.pk}/password/")
    req = AccountRequest.objects.get()
    assert decide(sec_client, req, "reject", "未核实本人").status_code == 302
    req.refresh_from_db()
    assert (req.status, req.decision_note) == ("rejected", "未核实本人")
    auditadmin.refresh_from_db()
    assert auditadmin.password == before
    assert AuditEvent.objects.filter(action="reject", object_id=str(req.pk)).exists()


def test_the_requester_may_withdraw_and_nothing_is_done(sys_client, sec_client, auditadmin):
    sys_client.post(f"/accounts/staff/{auditadmin.pk}/2fa/")
    req = AccountRequest.objects.get()
    assert sec_client.post(f"/accounts/requests/{req.pk}/withdraw/").status_code == 404
    sys_client.post(f"/accounts/requests/{req.pk}/withdraw/")
    req.refresh_from_db()
    assert req.status == "withdrawn"
    assert decide(sec_client, req).status_code == 409


def test_an_approval_whose_requester_lost_the_duty_is_not_carried_out(
    sys_client, sec_client, sysadmin
):
    create(sys_client)
    req = AccountRequest.objects.get()
    sysadmin.is_active = False
    sysadmin.save()
    response = decide(sec_client, req)
    assert response.status_code == 409
    assert "申请人已不再是系统管理员" in response.content.decode()
    assert not User.objects.filter(username="wangfang").exists()
    req.refresh_from_db()
    assert req.status == "pending"


def test_requests_outside_the_approvers_jurisdiction_are_invisible(sys_client, county):
    from huimin.accounts.testing import VerifiedClient

    create(sys_client)
    req = AccountRequest.objects.get()
    township = factories.make_staff("secadm3", "security_admin", factories.TOWNSHIPS[0])
    client = VerifiedClient()
    client.force_login(township)
    assert f"/accounts/requests/{req.pk}/" not in client.get("/accounts/requests/").content.decode()
    assert client.get(f"/accounts/requests/{req.pk}/").status_code == 404
    assert decide(client, req).status_code == 404
    req.refresh_from_db()
    assert req.status == "pending"


def test_the_queue_costs_a_fixed_number_of_queries(
    sys_client, sec_client, county, django_assert_max_num_queries
):
    for i in range(8):
        create(sys_client, username=f"officer{i}", role="insurance_officer")
    with django_assert_max_num_queries(12):
        response = sec_client.get("/accounts/requests/")
    assert len(response.context["rows"]) == 8


def test_forms_name_the_field_they_refuse(sys_client, sec_client):
    response = create(sys_client, reason="长" * 501)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert "申请事由：" in response.content.decode()
    assert not AccountRequest.objects.exists()
    create(sys_client)
    req = AccountRequest.objects.get()
    response = sec_client.post(f"/accounts/requests/{req.pk}/", {"decision": "maybe"})
    assert response.status_code == 422
    assert "审批结果：" in response.content.decode()
    req.refresh_from_db()
    assert req.status == "pending"

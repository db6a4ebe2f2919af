"""Creating or elevating a privileged account (an administrator, or a reader of personal
data beyond one village) raises an alert; ordinary accounts and changes do not."""

import pytest
from django.core.cache import cache

from huimin.accounts import administration
from huimin.accounts.administration import StaffData
from huimin.oversight import alerts
from huimin.registry.models import RolePermission
from tests import factories


@pytest.fixture
def sysadmin(county):
    return factories.make_staff("sysadmin1", "system_admin", factories.COUNTY)


def privileged_alerts():
    return [a for a in alerts.evaluate() if a.rule == "privileged_account_change"]


def approver():
    """The second administrator who carries out four-eyes account requests."""
    from django.contrib.auth import get_user_model

    found = get_user_model().objects.filter(username="secadmin2").first()
    return found or factories.make_staff("secadmin2", "security_admin", factories.COUNTY)


def create(actor, username, role, jurisdiction, institution=None):
    data = StaffData(username, "新人", role, jurisdiction, institution.pk if institution else None)
    if administration.create_needs_request(data):
        # A privileged account is created by a second administrator's approval.
        req = administration.do_request(actor, "create", data=data)
        return administration.do_decide(approver(), req.pk, True)[1]
    return administration.do_create_staff(actor, data)[0]


def update(actor, user, data):
    if administration.update_needs_request(actor, user.pk, data):
        req = administration.do_request(actor, "change", data=data, user_id=user.pk)
        return administration.do_decide(approver(), req.pk, True)
    return administration.do_update_staff(actor, user.pk, data)


@pytest.mark.parametrize(
    "role, jurisdiction",
    [
        ("security_admin", factories.COUNTY),
        ("audit_admin", factories.COUNTY),
        ("public_health_officer", factories.COUNTY),  # county-wide reader
        ("township_clerk", factories.TOWNSHIPS[0]),
    ],
)
def test_creating_a_privileged_account_raises_an_alert(sysadmin, role, jurisdiction):
    user = create(sysadmin, "newcomer", role, jurisdiction)
    raised = privileged_alerts()
    assert len(raised) == 1
    alert = raised[0]
    assert alert.subject == f"account:{user.pk}"
    assert alert.details["kind"] == "created"
    assert alert.details["by"] in ("sysadmin1", "secadmin2")  # the creator, or its approver
    assert "新建特权账号" in alert.summary
    assert privileged_alerts() == []  # once


def test_creating_a_one_village_account_raises_nothing(sysadmin):
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    create(sysadmin, "villager", "village_doctor", factories.VILLAGES[0], clinic)
    create(sysadmin, "assessor1", "assessor", factories.VILLAGES[1])
    assert privileged_alerts() == []


def test_widening_a_readers_jurisdiction_beyond_a_village_is_an_elevation(sysadmin):
    user = create(sysadmin, "assessor1", "assessor", factories.VILLAGES[0])
    assert privileged_alerts() == []
    update(sysadmin, user, StaffData("assessor1", "新人", "assessor", factories.COUNTY))
    raised = privileged_alerts()
    assert [a.details["kind"] for a in raised] == ["elevated"]
    assert raised[0].details["jurisdiction"] == [factories.VILLAGES[0], factories.COUNTY]


def test_a_change_of_name_raises_nothing(sysadmin):
    user = create(sysadmin, "phoff", "public_health_officer", factories.COUNTY)
    privileged_alerts()
    update(sysadmin, user, StaffData("phoff", "改名", "public_health_officer", factories.COUNTY))
    assert privileged_alerts() == []


def test_granting_a_role_a_personal_data_permission_raises_an_alert(county):
    secadmin = factories.make_staff("secadmin1", "security_admin", factories.COUNTY)
    wanted = set(RolePermission.objects.values_list("role", "permission"))
    administration.do_set_role_permissions(secadmin, wanted | {("cashier", "record.read")})
    cache.clear()
    raised = privileged_alerts()
    assert [a.subject for a in raised] == ["role:cashier"]
    assert raised[0].details["granted"] == ["record.read"]


def test_the_rule_reads_changes_not_action_names():
    """A new flow (a four-eyes account request) is caught by what it records."""
    import datetime

    from huimin.oversight import rules

    row = rules.AccountChange(
        7,
        datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC),
        "approve",
        "sec2",
        "accounts.accountrequest",
        "42",
        {"role": [None, "system_admin"], "jurisdiction": [None, "430522"]},
    )
    found = rules.privileged_account_change(
        [row],
        lambda role, place: role == "system_admin",
        {},
        frozenset(),
        rules.RuleConfig(1, 60),
    )
    assert [f.details["kind"] for f in found] == ["created"]


def test_reenabling_a_disabled_privileged_account_raises_an_alert(sysadmin):
    user = create(sysadmin, "phoff", "public_health_officer", factories.COUNTY)
    privileged_alerts()
    administration.do_set_active(sysadmin, user.pk, False)
    assert privileged_alerts() == []  # disabling lowers, it does not elevate
    administration.do_set_active(sysadmin, user.pk, True)
    assert [a.details["kind"] for a in privileged_alerts()] == ["reactivated"]

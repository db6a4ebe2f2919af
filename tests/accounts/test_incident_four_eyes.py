"""An incident order takes effect only when a second administrator approves it: the
requester cannot approve their own, nothing changes before approval, and every step and
refusal is audited."""

import pytest

from huimin.accounts import incident
from huimin.accounts.models import IncidentOrder
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied, ValidationFailed
from tests import factories
from tests.accounts.conftest import PASSWORD


@pytest.fixture
def secadmin2(county):
    return factories.make_staff("secadmin2", "security_admin", factories.COUNTY)


def order_for(actor, *usernames, **kw):
    data = incident.OrderData(reason="账号疑似泄露", all_accounts=False, usernames=list(usernames))
    for key, value in kw.items():
        setattr(data, key, value)
    return incident.do_request(actor, data)


def test_nothing_happens_until_a_second_administrator_approves(secadmin, secadmin2, cashier):
    order = order_for(secadmin, "cashier1")
    cashier.refresh_from_db()
    assert cashier.check_password(PASSWORD)  # requested only

    with pytest.raises(PermissionDenied):
        incident.do_approve(secadmin, order.pk)
    order.refresh_from_db()
    assert order.status == "requested"
    cashier.refresh_from_db()
    assert cashier.check_password(PASSWORD)
    refused = AuditEvent.objects.get(action="approve", outcome="denied")
    assert refused.object_type == "accounts.incident" and refused.reason == "self_approval"

    incident.do_approve(secadmin2, order.pk, "同意")
    order.refresh_from_db()
    assert (order.status, order.decided_by) == ("executed", secadmin2)
    cashier.refresh_from_db()
    assert not cashier.has_usable_password()
    assert AuditEvent.objects.filter(
        action="approve", object_type="accounts.incident", outcome="success"
    ).exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="accounts.incident", object_id=str(order.pk)
    ).exists()


def test_a_system_administrator_may_be_the_second_pair_of_eyes(secadmin, sysadmin, cashier):
    order = order_for(secadmin, "cashier1")
    incident.do_approve(sysadmin, order.pk)
    cashier.refresh_from_db()
    assert not cashier.has_usable_password()


def test_a_rejected_order_changes_nothing_and_needs_a_reason(secadmin, secadmin2, cashier):
    order = order_for(secadmin, "cashier1")
    with pytest.raises(ValidationFailed):
        incident.do_reject(secadmin2, order.pk, "")
    incident.do_reject(secadmin2, order.pk, "误报")
    order.refresh_from_db()
    assert order.status == "rejected"
    cashier.refresh_from_db()
    assert cashier.check_password(PASSWORD)
    with pytest.raises(Exception, match="已经处理"):
        incident.do_approve(secadmin2, order.pk)


def test_only_the_security_administrator_requests(sysadmin, cashier):
    with pytest.raises(PermissionDenied):
        order_for(sysadmin, "cashier1")
    with pytest.raises(PermissionDenied):
        order_for(cashier, "cashier1")
    assert not IncidentOrder.objects.exists()


def test_an_order_names_accounts_that_exist_and_gives_a_reason(secadmin):
    with pytest.raises(ValidationFailed) as refused:
        order_for(secadmin, "nobody")
    assert "没有这些账号：nobody" in refused.value.fields["usernames"]
    with pytest.raises(ValidationFailed) as refused:
        incident.do_request(
            secadmin, incident.OrderData(reason=" ", all_accounts=True, usernames=[])
        )
    assert "reason" in refused.value.fields

"""The incident page (应急处置): in the security and system administrators' menus, in
Chinese; a request through the page, and another administrator's approval there."""

import pytest

from huimin.accounts.models import IncidentOrder
from tests import factories


@pytest.fixture
def secadmin2(county):
    return factories.make_staff("secadmin2", "security_admin", factories.COUNTY)


def test_the_menu_offers_it_to_administrators_only(client, secadmin, sysadmin, cashier):
    for user, shown in [(secadmin, True), (sysadmin, True), (cashier, False)]:
        client.force_login(user)
        body = client.get("/accounts/me/").content.decode()
        assert ("应急处置" in body) is shown, user
    client.force_login(cashier)
    assert client.get("/accounts/incident/").status_code == 403


def test_request_and_approve_through_the_page(client, secadmin, secadmin2, cashier):
    client.force_login(secadmin)
    page = client.get("/accounts/incident/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "申请应急处置" in body and "须另一位管理员" in body
    response = client.post(
        "/accounts/incident/",
        {"reason": "账号疑似泄露", "scope": "selected", "usernames": "cashier1\n"},
    )
    assert response.status_code == 302
    order = IncidentOrder.objects.get()
    assert order.account_ids == [cashier.pk]
    # The requester sees no approve button on their own order.
    assert "批准并执行" not in client.get("/accounts/incident/").content.decode()
    refused = client.post(f"/accounts/incident/{order.pk}/decide/", {"decision": "approve"})
    assert refused.status_code == 403
    assert "不能批准或驳回自己申请的应急处置" in refused.content.decode()

    client.force_login(secadmin2)
    assert "批准并执行" in client.get("/accounts/incident/").content.decode()
    done = client.post(f"/accounts/incident/{order.pk}/decide/", {"decision": "approve"})
    assert done.status_code == 302
    follow = client.get("/accounts/incident/").content.decode()
    assert "已执行" in follow
    cashier.refresh_from_db()
    assert not cashier.has_usable_password()


def test_a_bad_request_is_answered_in_chinese(client, secadmin):
    client.force_login(secadmin)
    response = client.post("/accounts/incident/", {"reason": "", "scope": "selected"})
    assert response.status_code == 422
    assert "处置事由" in response.content.decode()
    assert not IncidentOrder.objects.exists()

"""An approved incident order ends the sessions of all or selected accounts at once and
voids their passwords: the old password no longer logs in, an administrator's temporary
password does and must be changed. The two responders keep their accounts."""

from django.contrib.sessions.models import Session

from huimin.accounts import administration, incident
from huimin.accounts.models import AccountState
from huimin.accounts.testing import VerifiedClient
from tests import factories
from tests.accounts.conftest import PASSWORD, login


def logged_in(user) -> VerifiedClient:
    client = VerifiedClient()
    client.force_login(user)
    assert client.get("/accounts/me/").status_code == 200
    return client


def approve(requester, approver, **data):
    order = incident.do_request(requester, incident.OrderData(reason="疑似入侵", **data))
    return incident.do_approve(approver, order.pk)


def test_selected_accounts_lose_sessions_and_passwords(client, county, secadmin, sysadmin, cashier):
    other = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    target_session = logged_in(cashier)
    bystander = logged_in(other)
    order = approve(secadmin, sysadmin, all_accounts=False, usernames=["cashier1"])
    assert order.result["accounts"] == 1 and order.result["sessions_deleted"] == 1

    # The session is gone at once, and the old password opens nothing.
    response = target_session.get("/accounts/me/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert login(client, "cashier1").status_code == 200
    assert AccountState.objects.get(user=cashier).must_change_password
    # Someone not named is untouched.
    assert bystander.get("/accounts/me/").status_code == 200

    # The system administrator issues a temporary password; it must be changed first.
    temporary = administration.do_reset_password(sysadmin, cashier.pk)
    response = login(client, "cashier1", temporary)
    assert response.status_code == 302
    assert client.get("/accounts/me/")["Location"].startswith("/accounts/password/")


def test_all_accounts_but_the_two_responders(county, secadmin, sysadmin, cashier):
    clerk = factories.make_staff("clerk1", "township_clerk", factories.TOWNSHIPS[0])
    sessions = {u.username: logged_in(u) for u in (cashier, clerk, secadmin, sysadmin)}
    order = approve(secadmin, sysadmin, all_accounts=True)
    assert order.result["accounts"] == 2
    assert sorted(order.result["kept"]) == sorted([secadmin.pk, sysadmin.pk])
    for name in ("cashier1", "clerk1"):
        assert sessions[name].get("/accounts/me/").status_code == 302, name
    for name in ("secadmin1", "sysadmin1"):
        assert sessions[name].get("/accounts/me/").status_code == 200, name
    for user in (cashier, clerk):
        user.refresh_from_db()
        assert not user.has_usable_password()
    secadmin.refresh_from_db()
    assert secadmin.check_password(PASSWORD)


def test_a_session_the_database_does_not_hold_ends_too(county, secadmin, sysadmin, cashier):
    """Deleting rows ends database sessions; the voided password's new hash ends a session
    kept anywhere else (a cache) on its next request."""
    from django.contrib.auth import HASH_SESSION_KEY

    target = logged_in(cashier)
    key = target.session.session_key
    saved = Session.objects.get(session_key=key)
    approve(secadmin, sysadmin, all_accounts=False, usernames=["cashier1"])
    assert not Session.objects.filter(session_key=key).exists()
    # Put the session back as a cache would still hold it: the hash no longer matches.
    saved.save()
    assert HASH_SESSION_KEY in saved.get_decoded()
    response = target.get("/accounts/me/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_every_voided_account_is_audited(county, secadmin, sysadmin, cashier):
    from huimin.audit.models import AuditEvent

    order = approve(secadmin, sysadmin, all_accounts=False, usernames=["cashier1"])
    event = AuditEvent.objects.get(action="revoke", object_type="auth.user")
    assert event.object_id == str(cashier.pk)
    assert event.reason == f"incident:{order.pk}"
    assert event.actor_id == sysadmin.pk

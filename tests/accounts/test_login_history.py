"""Every login attempt is recorded; "我的账号" shows the user their own last 50."""

import datetime

from django.utils import timezone

from huimin.accounts.models import LoginEvent
from huimin.audit.models import AuditEvent
from tests import factories
from tests.accounts.conftest import login


def test_each_attempt_is_recorded_with_address_and_browser(client, cashier):
    login(
        client, "cashier1", "Wrong#pass1", ip="10.2.0.1", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 300
    )
    login(client, "nobody", "Wrong#pass1", ip="10.2.0.2")
    login(client, "cashier1", ip="10.2.0.3")
    events = list(LoginEvent.objects.order_by("id"))
    assert [(e.username, e.outcome, e.source_ip) for e in events] == [
        ("cashier1", "failure", "10.2.0.1"),
        ("nobody", "failure", "10.2.0.2"),
        ("cashier1", "success", "10.2.0.3"),
    ]
    assert events[0].user == cashier and events[1].user is None
    assert len(events[0].user_agent) == 200


def test_attempts_are_audited(client, cashier):
    login(client, "cashier1", "Wrong#pass1")
    login(client, "cashier1")
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.outcome == "failed" and failed.source_ip == "10.1.1.1"
    ok = AuditEvent.objects.get(action="login")
    assert ok.actor_id == cashier.pk and ok.outcome == "success"


def test_my_account_shows_my_failures_but_not_other_peoples(client, cashier, county):
    factories.make_staff(
        "doctor1", "village_doctor", factories.VILLAGES[0], institution=cashier.staff.institution
    )
    login(client, "doctor1", "Wrong#pass1", ip="10.3.3.3")
    login(client, "cashier1", "Wrong#pass1", ip="10.4.4.4")
    login(client, "cashier1", ip="10.5.5.5")
    body = client.get("/accounts/me/").content.decode()
    assert "10.4.4.4" in body and "用户名或密码错误" in body
    assert "10.5.5.5" in body
    assert "10.3.3.3" not in body


def test_my_account_lists_the_last_fifty(client, cashier):
    now = timezone.now()
    LoginEvent.objects.bulk_create(
        LoginEvent(
            user=cashier,
            username="cashier1",
            outcome="failure",
            source_ip=f"10.9.{i // 250}.{i % 250}",
            at=now - datetime.timedelta(minutes=i),
        )
        for i in range(60)
    )
    client.force_login(cashier)
    response = client.get("/accounts/me/")
    assert len(response.context["events"]) == 50
    body = response.content.decode()
    assert "10.9.0.0<" in body  # the newest
    assert "10.9.0.59<" not in body  # older than the fifty newest

"""Logout is a POST (a link or an image cannot log anyone out) and is audited."""

from huimin.audit.models import AuditEvent
from tests.accounts.conftest import login


def test_logout_by_get_is_refused_and_keeps_the_session(client, cashier):
    login(client, "cashier1")
    assert client.get("/logout/").status_code == 405
    assert client.get("/accounts/me/").status_code == 200


def test_logout_by_post_ends_the_session(client, cashier):
    login(client, "cashier1")
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/accounts/me/")["Location"].startswith("/login/")
    assert AuditEvent.objects.filter(action="logout", actor_id=cashier.pk).exists()

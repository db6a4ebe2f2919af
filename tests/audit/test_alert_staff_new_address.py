"""A staff login from an address the account has not used in the lookback raises an
alert; the first address ever is the baseline, and a known one raises nothing."""

from huimin.audit.models import SecurityAlert
from huimin.oversight import alerts
from tests import factories

PASSWORD = "Huimin#2026pass"


def address_alerts():
    return [a for a in alerts.evaluate() if a.rule == "staff_new_address"]


def login(client, username, ip):
    response = client.post("/login/", {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip)
    assert response.status_code == 302
    client.post("/logout/", REMOTE_ADDR=ip)


def test_a_login_from_a_new_address_raises_one_alert(client, county):
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    factories.make_staff("vdoc", "village_doctor", factories.VILLAGES[0], institution=clinic)
    login(client, "vdoc", "10.1.1.1")
    login(client, "vdoc", "10.1.1.1")
    assert address_alerts() == []  # the first address is the baseline

    login(client, "vdoc", "203.0.113.9")
    raised = address_alerts()
    assert len(raised) == 1
    alert = raised[0]
    assert alert.subject == "user:vdoc"
    assert alert.details["ip"] == "203.0.113.9"
    assert alert.details["known_ips"] == ["10.1.1.1"]
    assert "新的IP" in alert.summary

    # Again from the now-known address: nothing new.
    login(client, "vdoc", "203.0.113.9")
    assert address_alerts() == []
    assert SecurityAlert.objects.filter(rule="staff_new_address").count() == 1


def test_failed_logins_from_a_new_address_are_not_this_rule(client, county):
    clinic = factories.make_institution("城东村卫生室", factories.VILLAGES[0], "village_clinic", "")
    factories.make_staff("vdoc", "village_doctor", factories.VILLAGES[0], institution=clinic)
    login(client, "vdoc", "10.1.1.1")
    client.post("/login/", {"username": "vdoc", "password": "Wrong#pass12"}, REMOTE_ADDR="10.9.9.9")
    assert not SecurityAlert.objects.filter(rule="staff_new_address").exists()
    alerts.evaluate()
    assert not SecurityAlert.objects.filter(rule="staff_new_address").exists()

"""A lost device is disabled with a reason: its token stops at the next request while
the institution's other terminals keep working; enabling it restores it."""

import pytest
from django.urls import reverse

from huimin.access import services
from huimin.access.models import AccessEvent, Terminal
from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied, ValidationFailed
from tests.access import helpers


def test_disable_and_enable_a_terminal(client, staff, hospital):
    token = helpers.get_token(client, hospital)
    terminal = Terminal.objects.get(device_id=hospital.terminal)
    services.do_set_terminal_status(staff["approver"], terminal.pk, "disable", "笔记本电脑丢失")
    response = helpers.whoami(client, token, terminal=hospital.terminal)
    assert (response.status_code, helpers.error_code(response)) == (403, "terminal_disabled")
    refused = helpers.token_request(
        client, helpers.assertion(hospital.key, hospital.client_id), terminal=hospital.terminal
    )
    assert helpers.error_code(refused) == "terminal_disabled"

    services.do_set_terminal_status(staff["approver2"], terminal.pk, "enable", "设备已找回")
    assert helpers.whoami(client, token, terminal=hospital.terminal).status_code == 200
    assert list(
        AccessEvent.objects.filter(action__endswith="_terminal").values_list(
            "action", "from_status", "to_status"
        )
    ) == [("disable_terminal", "active", "disabled"), ("enable_terminal", "disabled", "active")]
    assert AuditEvent.objects.filter(object_type="access.terminal").count() == 2


def test_refused_without_reason_or_permission(staff, hospital):
    terminal = Terminal.objects.get(device_id=hospital.terminal)
    with pytest.raises(ValidationFailed):
        services.do_set_terminal_status(staff["approver"], terminal.pk, "disable", "")
    with pytest.raises(PermissionDenied):
        services.do_set_terminal_status(staff["reviewer"], terminal.pk, "disable", "试试")
    terminal.refresh_from_db()
    assert terminal.status == "active"
    assert not AccessEvent.objects.filter(action="disable_terminal").exists()


def test_disable_from_the_page(client, staff, hospital):
    helpers.login_verified(client, staff["approver"])
    terminal = Terminal.objects.get(device_id=hospital.terminal)
    url = reverse("access:terminal_status", args=[terminal.pk])
    page = client.get(reverse("access:institution_access", args=[hospital.institution.pk]))
    assert url in page.content.decode()
    response = client.post(url, {"action": "disable", "reason": "报废"}, follow=True)
    assert f"已停用终端 {hospital.terminal}" in response.content.decode()
    terminal.refresh_from_db()
    assert terminal.status == "disabled"
    assert client.post(reverse("access:terminal_status", args=[99999]), {}).status_code == 404

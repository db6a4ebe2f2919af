"""Demo accounts get a TOTP secret derived from the username; `huimin demo-totp` prints
its code, only for demo accounts and only with HUIMIN_DEMO=1."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from huimin.accounts.services import enrol_demo_totp
from huimin.core.errors import PermissionDenied
from tests import factories
from tests.accounts.conftest import login


def demo_totp(username) -> str:
    out = io.StringIO()
    call_command("demo_totp", username, stdout=out)
    return out.getvalue().strip()


def test_the_printed_code_completes_a_demo_login(client, officer, monkeypatch):
    monkeypatch.setenv("HUIMIN_DEMO", "1")
    secret = enrol_demo_totp(officer)
    assert len(secret) == 32
    code = demo_totp("officer")
    assert len(code) == 6 and code.isdigit()
    login(client, "officer")
    assert client.post("/accounts/2fa/", {"code": code}).status_code == 302
    assert client.get("/registry/people/").status_code == 200


def test_the_secret_is_the_same_every_time(officer):
    first = enrol_demo_totp(officer)
    assert enrol_demo_totp(officer) == first
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_a_non_demo_account_gets_no_demo_secret(county):
    user = factories.make_staff("wangwei", "insurance_officer", factories.COUNTY)
    with pytest.raises(PermissionDenied):
        enrol_demo_totp(user)
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_command_refuses_without_huimin_demo(officer, monkeypatch):
    enrol_demo_totp(officer)
    monkeypatch.delenv("HUIMIN_DEMO", raising=False)
    with pytest.raises(CommandError, match="HUIMIN_DEMO"):
        demo_totp("officer")
    monkeypatch.setenv("HUIMIN_DEMO", "0")
    with pytest.raises(CommandError, match="HUIMIN_DEMO"):
        demo_totp("officer")


def test_the_command_refuses_a_non_demo_username(county, monkeypatch):
    monkeypatch.setenv("HUIMIN_DEMO", "1")
    user = factories.make_staff("wangwei", "insurance_officer", factories.COUNTY)
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    with pytest.raises(CommandError, match="不是演示账号"):
        demo_totp("wangwei")


def test_the_command_refuses_a_demo_name_with_a_real_device(officer, monkeypatch):
    # An "officer" enrolled with a phone (not the demo secret) gets no code printed.
    monkeypatch.setenv("HUIMIN_DEMO", "1")
    TOTPDevice.objects.create(user=officer, name="手机", confirmed=True)
    with pytest.raises(CommandError):
        demo_totp("officer")

"""`huimin demo_accounts`: one working login per role, safe to run again."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from huimin.accounts.demo import ACCOUNTS, DEMO_PASSWORD
from huimin.accounts.rules import password_classes
from huimin.registry.models import INSTITUTION_ROLES, Role, Staff

COUNTY = "430522"


def run(**options) -> str:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out, **options)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    # Ten accounts hashed on every run: the production hasher would dominate the tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def generated(db):
    call_command(
        "generate",
        residents=200,
        seed=1,
        as_of=datetime.date(2026, 11, 24),
        no_progress=True,
        stdout=io.StringIO(),
    )


def test_every_role_gets_an_account_that_can_log_in(generated, client):
    output = run()
    assert {s.role for s in Staff.objects.all()} == set(Role.values)
    for username, role, display, _ in ACCOUNTS:
        assert username in output and Role(role).label in output
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
        user = get_user_model().objects.get(username=username)
        assert user.first_name == display
        assert not user.is_superuser  # three separate admin roles, none all-powerful


def test_accounts_are_placed_in_their_jurisdiction_and_institution(generated):
    run()
    staff = {s.user.username: s for s in Staff.objects.select_related("user", "institution")}
    assert staff["officer"].jurisdiction == COUNTY
    assert len(staff["clerk"].jurisdiction) == 9 and staff["clerk"].jurisdiction[:6] == COUNTY
    assert staff["cashier"].institution.kind == "county_hospital"
    assert staff["doctor"].institution == staff["cashier"].institution
    vdoctor = staff["vdoctor"]
    assert vdoctor.institution.kind == "village_clinic"
    assert vdoctor.jurisdiction == vdoctor.institution.region_id
    for s in staff.values():
        assert s.jurisdiction.startswith(COUNTY)
        assert (s.institution is not None) == (s.role in INSTITUTION_ROLES)


def test_running_again_resets_passwords_without_duplicating(generated, client):
    run()
    user = get_user_model().objects.get(username="officer")
    user.set_password("Changed#2026x")
    user.save()
    run()
    assert get_user_model().objects.filter(username="officer").count() == 1
    assert Staff.objects.count() == len(ACCOUNTS)
    assert client.login(username="officer", password=DEMO_PASSWORD)


def test_accounts_that_need_a_second_factor_get_the_demo_device(generated):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from huimin.accounts.services import demo_totp_key, needs_second_factor

    output = run()
    needing = set()
    for user in get_user_model().objects.filter(username__in=[a[0] for a in ACCOUNTS]):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        if needs_second_factor(user):
            needing.add(user.username)
            assert [d.key for d in devices] == [demo_totp_key(user.username).hex()]
        else:
            assert not devices.exists()
    assert {"officer", "sysadmin", "secadmin", "auditadmin"} <= needing
    assert "huimin demo-totp" in output
    run()  # again: still one device each
    assert TOTPDevice.objects.filter(user__username="officer").count() == 1


def test_the_demo_password_meets_the_strong_policy():
    assert len(DEMO_PASSWORD) >= 8 and password_classes(DEMO_PASSWORD) >= 3


def test_refuses_a_weak_password(generated):
    # The one password policy, as for every account: its own reasons, in Chinese.
    with pytest.raises(CommandError, match="大写字母"):
        run(password="password")
    assert not Staff.objects.exists()


def test_refuses_a_county_without_synthetic_data(db):
    with pytest.raises(CommandError, match="先运行 huimin generate"):
        run()
    assert not Staff.objects.exists()

"""A system administrator creates staff accounts; a temporary password is shown once."""

import pytest
from django.contrib.auth import get_user_model

from huimin.accounts.models import AccountState
from huimin.audit.models import AuditEvent
from huimin.registry.models import Staff
from tests import factories
from tests.accounts.conftest import login

User = get_user_model()


@pytest.fixture
def admin(verified_client, sysadmin):
    verified_client.force_login(sysadmin)
    return verified_client


def create(client, **overrides):
    data = {
        "username": "liming",
        "name": "李明",
        "role": "township_clerk",
        "jurisdiction": factories.TOWNSHIPS[0],
        "institution": "",
    }
    data.update(overrides)
    return client.post("/accounts/staff/new/", data)


def test_created_account_gets_a_one_time_password_and_must_change_it(admin, client):
    response = create(admin)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="liming")
    assert user.first_name == "李明"
    assert (user.staff.role, user.staff.jurisdiction) == ("township_clerk", factories.TOWNSHIPS[0])
    assert AccountState.objects.get(user=user).must_change_password
    audit = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert password not in str(audit.changes)
    # The new user logs in with it and is sent to change it (a clerk: after the TOTP step).
    login(client, "liming", password)
    from huimin.accounts.testing import verify_second_factor

    verify_second_factor(client, user)
    assert client.get("/")["Location"].startswith("/accounts/password/")


@pytest.mark.parametrize(
    "name", ["admin", "root", "Administrator", "test", "guest", "user", "SYSTEM"]
)
def test_default_usernames_are_refused(admin, name):
    response = create(admin, username=name)
    assert response.status_code == 200
    assert "不能使用默认或常见的用户名" in response.content.decode()
    assert not User.objects.filter(username__iexact=name).exists()


def test_a_taken_username_is_refused_whatever_its_case(admin, county):
    factories.make_staff(
        "liming", "doctor", factories.COUNTY, institution=factories.make_institution()
    )
    response = create(admin, username="LiMing")
    assert "用户名" in response.content.decode()
    assert User.objects.filter(username__iexact="liming").count() == 1


def test_institution_roles_need_an_institution(admin):
    response = create(admin, role="cashier", jurisdiction=factories.COUNTY)
    assert "必须属于一个医疗机构" in response.content.decode()
    assert not User.objects.filter(username="liming").exists()


def test_the_institution_must_lie_in_the_jurisdiction(admin):
    far = factories.make_institution(
        name="塘渡口卫生院", region="430523100", kind="township_health_centre"
    )
    near = factories.make_institution(name="酿溪镇卫生院", region=factories.TOWNSHIPS[1])
    response = create(
        admin, role="doctor", jurisdiction=factories.TOWNSHIPS[0], institution=near.pk
    )
    assert "所选机构不在该辖区内" in response.content.decode()
    # An institution outside the administrator's county is not even offered.
    response = create(admin, role="doctor", jurisdiction=factories.COUNTY, institution=far.pk)
    assert response.status_code == 200
    assert not User.objects.filter(username="liming").exists()


@pytest.mark.parametrize(
    "jurisdiction, reason",
    [
        ("430522999", "不是已登记区划的前缀"),
        ("43x", "2至12位数字"),
        ("430523", "超出您本人辖区"),  # a real county, but not the administrator's
    ],
)
def test_the_jurisdiction_must_be_a_known_prefix_within_the_admins(admin, jurisdiction, reason):
    from huimin.registry.models import Region

    Region.objects.get_or_create(
        code="430523", defaults={"name": "邵阳县", "level": "county", "prefix": "430523"}
    )
    response = create(admin, jurisdiction=jurisdiction)
    assert reason in response.content.decode()
    assert not Staff.objects.filter(user__username="liming").exists()


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("username", "李明", "用户名为3至30位小写字母"),
        ("username", "li,ming", "用户名为3至30位小写字母"),
        ("name", " ", "姓名"),
    ],
)
def test_username_shape_and_name_are_checked(admin, field, value, reason):
    response = create(admin, **{field: value})
    assert reason in response.content.decode()
    assert not User.objects.filter(username__in=["liming", value]).exists()

"""Menu entries follow the named permissions."""

import pytest

from huimin.accounts.nav import menu_items
from tests import factories


def labels(user):
    return [
        i["label"] for i in menu_items(user, getattr(getattr(user, "staff", None), "role", None))
    ]


@pytest.mark.parametrize(
    "role, expected",
    [
        ("cashier", ["档案借阅", "我的账号"]),
        ("township_clerk", ["档案借阅", "我的账号"]),
        ("system_admin", ["账号管理", "账号审批", "应急处置", "我的账号"]),
        ("security_admin", ["账号审批", "角色权限", "应急处置", "我的账号"]),
        ("audit_admin", ["我的账号"]),
    ],
)
def test_menu_by_role(county, role, expected):
    institution = factories.make_institution() if role == "cashier" else None
    user = factories.make_staff(f"u_{role}", role, factories.COUNTY, institution=institution)
    assert labels(user) == expected


def test_the_page_shows_the_entries(verified_client, cashier):
    verified_client.force_login(cashier)
    body = verified_client.get("/accounts/me/").content.decode()
    assert 'href="/accounts/loans/"' in body and 'href="/accounts/me/"' in body
    assert 'href="/accounts/staff/"' not in body

"""A new password needs 10+ characters of all four classes; a weak one changes nothing."""

import pytest

from huimin.accounts import rules
from tests.accounts.conftest import PASSWORD


@pytest.fixture
def logged_in(client, cashier):
    client.force_login(cashier)
    return cashier


def change(client, new, confirm=None):
    return client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": confirm or new},
    )


@pytest.mark.parametrize(
    "weak, reason",
    [
        ("Ab#12xyZq", "至少10位"),  # nine characters, four classes
        ("abcdefgh12", "同时包含"),  # lower + digit only
        ("ABCDEFGH!!", "同时包含"),  # upper + symbol only
    ],
)
def test_weak_password_is_refused_and_old_one_still_works(client, logged_in, weak, reason):
    before = logged_in.password
    response = change(client, weak)
    assert response.status_code == 200
    assert reason in response.content.decode()
    logged_in.refresh_from_db()
    assert logged_in.password == before
    assert logged_in.check_password(PASSWORD)


def test_common_password_is_refused_in_chinese(client, logged_in):
    response = change(client, "Password1!")
    assert response.status_code == 200
    assert "太常见" in response.content.decode()
    logged_in.refresh_from_db()
    assert logged_in.check_password(PASSWORD)


def test_wrong_old_password_or_mismatch_is_refused(client, logged_in):
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Wrong#2026x",
            "new_password1": "Xq7#pLm2va",
            "new_password2": "Xq7#pLm2vb",
        },
    )
    body = response.content.decode()
    assert "原密码不正确" in body and "两次输入的新密码不一致" in body
    logged_in.refresh_from_db()
    assert logged_in.check_password(PASSWORD)


def test_strong_password_is_accepted(client, logged_in):
    response = change(client, "Xq7#pLm2va")
    assert response.status_code == 302
    logged_in.refresh_from_db()
    assert logged_in.check_password("Xq7#pLm2va")
    # The session survives its own password change.
    assert client.get("/accounts/me/").status_code == 200


def test_four_classes_rule():
    assert rules.password_strength_problems("abcdEF12#x") == []
    assert rules.password_strength_problems("abcdEF12xy") != []  # no symbol
    assert rules.password_strength_problems("abcd#@12xy") != []  # no upper case
    assert rules.password_strength_problems("Ab1#") != []
    assert rules.password_strength_problems("Xq7#zhang9k", "zhang") != []

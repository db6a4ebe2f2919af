"""等保 password rule: 10+ characters with upper case, lower case, digits and symbols
together, not containing the username; the length is configurable."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.accounts.conftest import PASSWORD


@pytest.fixture
def logged_in(client, cashier):
    client.force_login(cashier)
    return cashier


def change(client, new):
    return client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    "weak, reason",
    [
        ("Abcdefg1", "至少10位"),  # the finding: 8 characters, no symbol
        ("abcdef1!", "至少10位"),  # the finding: no upper case
        ("Abcdefgh12", "同时包含大写字母、小写字母、数字和符号"),  # no symbol
        ("abcdefgh1!", "同时包含大写字母、小写字母、数字和符号"),  # no upper case
        ("ABCDEFGH1!", "同时包含大写字母、小写字母、数字和符号"),  # no lower case
        ("Abcdefgh!!", "同时包含大写字母、小写字母、数字和符号"),  # no digit
        ("Xq7#Cashier1", "不能包含用户名"),  # the username, in another case
    ],
)
def test_weak_passwords_are_refused_and_change_nothing(client, logged_in, weak, reason):
    before = logged_in.password
    response = change(client, weak)
    assert response.status_code == 200
    assert reason in response.content.decode()
    logged_in.refresh_from_db()
    assert logged_in.password == before


def test_ten_characters_of_all_four_classes_are_accepted(client, logged_in):
    assert change(client, "Xq7#pLm2va").status_code == 302
    logged_in.refresh_from_db()
    assert logged_in.check_password("Xq7#pLm2va")


def test_the_page_states_the_rule(client, logged_in):
    body = client.get("/accounts/password/").content.decode()
    assert "密码至少10位，同时包含大写字母、小写字母、数字和符号，且不能包含用户名" in body


def test_the_minimum_length_follows_the_settings(settings, cashier):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "huimin.accounts.validators.ComplexityValidator",
            "OPTIONS": {"min_length": 14},
        }
    ]
    with pytest.raises(ValidationError, match="至少14位"):
        validate_password("Xq7#pLm2vaBc", cashier)
    validate_password("Xq7#pLm2vaBcDe", cashier)


def test_the_demo_and_test_passwords_meet_the_rule():
    from huimin.accounts.demo import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)

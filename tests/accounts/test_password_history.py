"""None of the last five passwords (the current one included) may be used again."""

import pytest

from huimin.accounts.models import PasswordHistory
from tests.accounts.conftest import PASSWORD

NEW = ["Xq7#pLm2v1", "Xq7#pLm2v2", "Xq7#pLm2v3", "Xq7#pLm2v4", "Xq7#pLm2v5"]


@pytest.fixture
def logged_in(client, cashier):
    client.force_login(cashier)
    return cashier


def change(client, old, new):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_current_password_cannot_be_reused(client, logged_in):
    response = change(client, PASSWORD, PASSWORD)
    assert "不能使用最近5次用过的密码" in response.content.decode()


def test_one_of_the_last_five_is_refused_the_sixth_back_is_allowed(client, logged_in):
    old = PASSWORD
    for new in NEW[:4]:
        assert change(client, old, new).status_code == 302
        old = new
    # History now: PASSWORD and NEW[0..3] (five). PASSWORD is still one of them.
    before = PasswordHistory.objects.filter(user=logged_in).count()
    response = change(client, old, PASSWORD)
    assert response.status_code == 200
    assert "不能使用最近5次用过的密码" in response.content.decode()
    logged_in.refresh_from_db()
    assert logged_in.check_password(old)
    assert PasswordHistory.objects.filter(user=logged_in).count() == before
    # One more change pushes PASSWORD out of the last five: it may come back.
    assert change(client, old, NEW[4]).status_code == 302
    assert change(client, NEW[4], PASSWORD).status_code == 302
    logged_in.refresh_from_db()
    assert logged_in.check_password(PASSWORD)


def test_history_keeps_only_five_hashes_never_the_password(client, logged_in):
    old = PASSWORD
    for new in NEW:
        change(client, old, new)
        old = new
    hashes = list(PasswordHistory.objects.filter(user=logged_in).values_list("password", flat=True))
    assert len(hashes) == 5
    assert not any(new in h for h in hashes for new in NEW)

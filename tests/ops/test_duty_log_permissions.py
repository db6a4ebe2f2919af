"""Only the network administrators (duty.write) see and write the duty log, each within
their jurisdiction; others get 403 and no menu entry."""

import pytest
from django.urls import reverse

from tests import factories
from tests.ops.duty import admin, write

pytestmark = pytest.mark.django_db

PAGES = ["ops:duty_list", "ops:duty_new"]


@pytest.mark.parametrize("role", ["system_admin", "security_admin"])
def test_administrators_see_the_pages_and_the_menu_entry(client, role):
    client.force_login(admin("admin", role))
    for name in PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 200
    assert any(item["label"] == "值班日志" for item in response.context["nav_items"])


@pytest.mark.parametrize("role", ["insurance_officer", "audit_admin", "doctor"])
def test_other_roles_are_refused_and_see_no_menu_entry(client, county, role):
    institution = factories.make_institution() if role == "doctor" else None
    user = factories.make_staff("someone", role, institution=institution)
    entry = write(admin())
    client.force_login(user)
    for url in [reverse(n) for n in PAGES] + [reverse("ops:duty_detail", args=[entry.pk])]:
        assert client.get(url).status_code == 403
    response = client.post(reverse("ops:duty_new"), {"shift": "day", "kind": "routine"})
    assert response.status_code == 403
    home = client.get(reverse("home"))
    assert all(item["label"] != "值班日志" for item in home.context["nav_items"])


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("ops:duty_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_another_countys_entries_are_invisible(client):
    mine = write(admin("here"), text="本县记录")
    theirs = write(admin("there", jurisdiction="430523"), text="邻县记录")
    client.force_login(admin("me", "security_admin"))
    page = client.get(reverse("ops:duty_list")).content.decode()
    assert "本县记录" in page and "邻县记录" not in page
    assert client.get(reverse("ops:duty_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("ops:duty_detail", args=[theirs.pk])).status_code == 404

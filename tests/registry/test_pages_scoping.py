"""Registry pages show only what lies in the user's jurisdiction; the rest is a 404."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests import factories


@pytest.fixture
def two_townships(county):
    """张三 in 酿溪镇 (township 0), 李四 in 严塘镇 (township 1), each with a household."""
    zhang = factories.make_person("张三", village=factories.VILLAGES[0])
    li = factories.make_person("李四", village=factories.VILLAGES[2])
    outsider = factories.make_person("王外", village=factories.OTHER_COUNTY_VILLAGE)
    return {
        "zhang": zhang,
        "li": li,
        "outsider": outsider,
        "zhang_home": factories.make_household(zhang),
        "li_home": factories.make_household(li),
        "li_clinic": factories.make_institution(
            "严塘镇卫生院", region=factories.TOWNSHIPS[1], kind="township_health_centre", level="1"
        ),
    }


def person_url(p):
    return reverse("registry:person_detail", args=[p.pk])


def household_url(h):
    return reverse("registry:household_detail", args=[h.pk])


def test_township_clerk_sees_own_township_only(client, township_clerk, two_townships):
    client.force_login(township_clerk)
    page = client.get(reverse("registry:person_list")).content.decode()
    assert person_url(two_townships["zhang"]) in page
    assert person_url(two_townships["li"]) not in page
    households = client.get(reverse("registry:household_list")).content.decode()
    assert two_townships["zhang_home"].number in households
    assert two_townships["li_home"].number not in households


def test_township_clerk_gets_404_outside_township(client, township_clerk, two_townships):
    client.force_login(township_clerk)
    assert client.get(person_url(two_townships["zhang"])).status_code == 200
    assert client.get(household_url(two_townships["zhang_home"])).status_code == 200
    assert client.get(person_url(two_townships["li"])).status_code == 404
    assert client.get(household_url(two_townships["li_home"])).status_code == 404
    clinic = reverse("registry:institution_detail", args=[two_townships["li_clinic"].pk])
    assert client.get(clinic).status_code == 404


def test_county_officer_sees_both_townships_not_next_county(client, officer, two_townships):
    client.force_login(officer)
    page = client.get(reverse("registry:person_list")).content.decode()
    assert person_url(two_townships["zhang"]) in page
    assert person_url(two_townships["li"]) in page
    assert person_url(two_townships["outsider"]) not in page
    assert client.get(person_url(two_townships["li"])).status_code == 200
    assert client.get(household_url(two_townships["li_home"])).status_code == 200
    assert client.get(person_url(two_townships["outsider"])).status_code == 404


def test_user_without_staff_profile_is_refused(client, two_townships):
    # No role holds nothing: the pages' declared person.read refuses the account.
    nobody = get_user_model().objects.create_user("nobody", password="Huimin#2026pass")
    client.force_login(nobody)
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 403
    assert "张三" not in response.content.decode()
    assert client.get(person_url(two_townships["zhang"])).status_code == 403
    assert client.get(reverse("registry:household_list")).status_code == 403


def test_dashboard_counts_only_the_jurisdiction(client, township_clerk, two_townships):
    client.force_login(township_clerk)
    summary = client.get(reverse("registry:summary"), headers={"HX-Request": "true"})
    # 张三, his household, and no institution in 酿溪镇
    assert summary.context["counts"] == {"people": 1, "households": 1, "institutions": 0}


def test_administrators_read_no_personal_data(client, two_townships):
    admin = factories.make_staff("sysadmin", "system_admin", factories.COUNTY)
    client.force_login(admin)
    assert client.get(reverse("registry:person_list")).status_code == 403
    assert client.get(person_url(two_townships["zhang"])).status_code == 403
    assert client.get(household_url(two_townships["zhang_home"])).status_code == 403
    summary = client.get(reverse("registry:summary")).content.decode()
    assert "在册居民" not in summary
    assert client.get(reverse("registry:institution_list")).status_code == 200


def test_pages_need_login(client, two_townships):
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")

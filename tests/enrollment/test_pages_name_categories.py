"""Enrollment pages name special categories in Chinese (特困人员, 低保对象), not by code."""

from django.urls import reverse

from huimin.insurance.enrollment import services


def test_periods_and_household_say_the_category_names(client, officer, this_year, family):
    services.do_enroll_household(officer, family["household"].pk, this_year.year)
    client.force_login(officer)
    for name in ("enrollment:index", "enrollment:periods"):
        html = client.get(reverse(name)).content.decode()
        assert "特困人员 1.00；低保对象 0.50" in html, name
        assert "tekun 1.00" not in html and "dibao 0.50" not in html, name
    url = reverse("enrollment:household", args=[family["household"].pk])
    html = client.get(f"{url}?year={this_year.year}").content.decode()
    assert "低保对象" in html and "特困人员" in html
    assert ">dibao<" not in html and ">tekun<" not in html

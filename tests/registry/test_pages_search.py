"""The people list's one search box: pinyin, full pinyin, ID number, household number, name."""

import datetime

import pytest
from django.urls import reverse

from huimin.accounts.testing import VerifiedClient
from huimin.core import idnumber
from tests import factories


def id_ending_in_x(taken: str = "") -> str:
    for seq in range(1000):
        number = idnumber.make(factories.COUNTY, datetime.date(1975, 3, 9), seq, "2")
        if number.endswith("X") and number != taken:
            return number
    raise AssertionError("no sequence gives an X check character")


@pytest.fixture
def residents(county):
    zhang_number = factories.valid_id()
    zhang = factories.make_person("张三", id_number=zhang_number)
    wang = factories.make_person("王芳", sex="2", birth=datetime.date(1975, 3, 9))
    # Not the number the factory just gave 王芳 (same birth date, same county).
    wang_x_number = id_ending_in_x(taken=wang.reveal_id_number())
    wang_x = factories.make_person(
        "王小兰", sex="2", birth=datetime.date(1975, 3, 9), id_number=wang_x_number
    )
    liu = factories.make_person("刘四", village=factories.VILLAGES[1])
    home = factories.make_household(zhang, others=[wang])
    return {
        "zhang": zhang,
        "zhang_number": zhang_number,
        "wang": wang,
        "wang_x": wang_x,
        "wang_x_number": wang_x_number,
        "liu": liu,
        "home": home,
    }


def found(client, q) -> set[str]:
    # The search box posts (an ID number never travels in the URL).
    response = client.post(reverse("registry:person_list"), {"q": q})
    assert response.status_code == 200
    return {p.name for p in response.context["page"].rows}


@pytest.fixture
def logged_in(client, officer):
    client.force_login(officer)
    return client


def test_pinyin_initials_find_zhang_san(logged_in, residents):
    assert found(logged_in, "zs") == {"张三"}
    assert found(logged_in, "ZS") == {"张三"}


def test_full_pinyin_finds_by_prefix(logged_in, residents):
    assert found(logged_in, "zhangsan") == {"张三"}
    assert found(logged_in, "wang") == {"王芳", "王小兰"}


def test_full_id_number_finds_exactly_one(logged_in, residents):
    assert found(logged_in, residents["zhang_number"]) == {"张三"}


def test_id_number_with_lowercase_x(logged_in, residents):
    assert found(logged_in, residents["wang_x_number"].lower()) == {"王小兰"}


def test_id_number_with_bad_check_character_says_why(logged_in, residents):
    number = residents["zhang_number"]
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    response = logged_in.post(reverse("registry:person_list"), {"q": wrong})
    assert list(response.context["page"].rows) == []
    assert "校验码错误" in response.content.decode()


def test_household_number_lists_its_members(logged_in, residents):
    assert found(logged_in, residents["home"].number) == {"张三", "王芳"}


def test_name_prefix(logged_in, residents):
    assert found(logged_in, "王") == {"王芳", "王小兰"}
    assert found(logged_in, "王小兰") == {"王小兰"}


def test_region_and_sex_filters_narrow_the_list(logged_in, residents):
    response = logged_in.get(
        reverse("registry:person_list"), {"region": factories.VILLAGES[1], "sex": "1"}
    )
    assert {p.name for p in response.context["page"].rows} == {"刘四"}


def test_household_search_by_head_name_and_number(logged_in, residents):
    url = reverse("registry:household_list")
    by_name = logged_in.get(url, {"q": "张三"}).context["page"].rows
    by_number = logged_in.get(url, {"q": residents["home"].number[:14]}).context["page"].rows
    assert [h.pk for h in by_name] == [residents["home"].pk]
    assert [h.pk for h in by_number] == [residents["home"].pk]


def test_id_numbers_are_masked_everywhere(logged_in, residents):
    number = residents["zhang_number"]
    pages = [
        logged_in.post(reverse("registry:person_list"), {"q": number}),
        logged_in.get(reverse("registry:person_detail", args=[residents["zhang"].pk])),
        logged_in.get(reverse("registry:household_detail", args=[residents["home"].pk])),
    ]
    for response in pages:
        html = response.content.decode()
        assert idnumber.mask(number) in html
        assert number not in html
        assert residents["wang_x_number"] not in html


def test_id_number_search_stays_out_of_the_address_bar(logged_in, residents):
    htmx = {"HX-Request": "true", "HX-Target": "results"}
    url = reverse("registry:person_list")
    number = residents["zhang_number"]
    by_number = logged_in.post(url, {"q": number}, headers=htmx)
    by_name = logged_in.post(url, {"q": "张"}, headers=htmx)
    # The address bar gets a search token for the number, the name as it is.
    pushed = by_number["HX-Push-Url"]
    assert pushed.startswith(f"{url}?st=") and number not in pushed
    assert by_name["HX-Push-Url"] == f"{url}?q=%E5%BC%A0"
    # The token finds the same person again (a reload, the back button, a pager link).
    again = logged_in.get(pushed)
    assert {p.name for p in again.context["page"].rows} == {"张三"}
    assert number not in again.content.decode()


def test_a_token_from_another_session_finds_nothing(logged_in, officer, residents):
    url = reverse("registry:person_list")
    token_url = logged_in.post(
        url, {"q": residents["zhang_number"]}, headers={"HX-Request": "true"}
    )["HX-Push-Url"]
    other = VerifiedClient()
    other.force_login(officer)
    # Another session does not hold the token: the list is not narrowed to the number.
    names = {p.name for p in other.get(token_url).context["page"].rows}
    assert names == {"张三", "王芳", "王小兰", "刘四"}


def test_an_id_number_in_the_url_is_refused_naming_the_field(logged_in, residents):
    url = reverse("registry:person_list")
    response = logged_in.get(url, {"q": residents["zhang_number"]})
    assert response.status_code == 400
    assert "q：身份证号码、电话号码不能放在网址中" in response.content.decode()
    fullwidth = residents["zhang_number"].translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert logged_in.get(url, {"q": fullwidth}).status_code == 400

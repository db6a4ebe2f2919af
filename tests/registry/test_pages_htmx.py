"""Search updates the results in place through htmx; without htmx the whole page comes."""

import re

import pytest
from django.urls import reverse

from tests import factories

HTMX = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def logged_in(client, officer):
    factories.make_person("张三")
    client.force_login(officer)
    return client


def test_htmx_search_returns_only_the_results(logged_in):
    response = logged_in.get(reverse("registry:person_list"), {"q": "zs"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert "张三" in html
    assert "HX-Request" in response["Vary"]


def test_plain_request_and_history_restore_get_the_whole_page(logged_in):
    url = reverse("registry:household_list")
    plain = logged_in.get(url).content.decode()
    restore = logged_in.get(
        url, headers={**HTMX, "HX-History-Restore-Request": "true"}
    ).content.decode()
    for html in (plain, restore):
        assert "<html" in html and 'id="results"' in html


def test_pages_send_the_csrf_token_with_htmx_and_offer_logout(logged_in):
    html = logged_in.get(reverse("registry:person_list")).content.decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html
    assert re.search(r'<form method="post" action="/logout/">', html)
    assert "县医保经办人员" in html  # the role, in words

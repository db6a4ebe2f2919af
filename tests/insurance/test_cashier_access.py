"""Who may use the counter: institution staff for their own institution; officers,
administrators and anonymous visitors may not. The menu follows."""

import pytest

from huimin.insurance.models import Visit
from tests import factories
from tests.insurance.test_cashier_counter_flow import counter_client

PAGES = [
    ("get", "/insurance/cashier/"),
    ("get", "/insurance/cashier/today/"),
    ("post", "/insurance/cashier/find/"),
    ("post", "/insurance/cashier/visits/new/"),
]


@pytest.mark.parametrize("role", ["cashier", "doctor", "village_doctor"])
def test_institution_staff_use_the_counter_and_see_it_in_the_menu(client, insured, role):
    counter_client(client, insured.centre, username=f"u_{role}", role=role)
    page = client.get("/insurance/cashier/")
    assert page.status_code == 200
    assert {"label": "收费结算", "url": "/insurance/cashier/"} in page.context["nav_items"]
    assert insured.centre.name in page.content.decode()


@pytest.mark.parametrize("role", ["insurance_officer", "township_clerk", "system_admin"])
def test_other_roles_are_refused_and_see_no_menu_entry(client, insured, role):
    user = factories.make_staff(f"u_{role}", role, factories.COUNTY)
    client.force_login(user)
    for method, url in PAGES:
        # An ID number travels only in a posted form (a URL holding one is refused first).
        data = {"id_number": insured.id_number} if method == "post" else {}
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
    home = client.get("/")
    assert "收费结算" not in [item["label"] for item in home.context["nav_items"]]
    assert not Visit.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, insured):
    for method, url in PAGES:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")

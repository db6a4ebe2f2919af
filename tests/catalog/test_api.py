"""Catalog API (1312/1318/1319): the version in force on a date, contract-shaped errors."""

import datetime
from decimal import Decimal

import pytest

from tests.catalog.conftest import DRUG, DRUG_B, SERVICE, make_item, terms

API = "/api/v1/catalog"
D = datetime.date


@pytest.fixture
def api(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def catalog(amino):
    make_item(DRUG, "drug", [(D(2020, 1, 1), None, terms("盐酸左氧氟沙星注射液", "A", unit="支"))])
    make_item(
        SERVICE,
        "service",
        [
            (
                D(2020, 1, 1),
                None,
                terms(
                    "床位费（二级）",
                    "A",
                    unit="日",
                    ceiling=Decimal(40),
                    allowed_levels=("2",),
                    max_quantity_per_day=Decimal(1),
                ),
            )
        ],
    )


def assert_contract_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])
    return body["error"]


def test_unknown_code_is_a_contract_404(api, catalog):
    for suffix in ("", "/ceiling", "/self-pay"):
        r = api.get(f"{API}/items/XNOSUCHCODE000000000000{suffix}")
        assert_contract_error(r, 404, "not_found")


def test_a_date_before_the_first_version_is_a_404_naming_it(api, catalog):
    r = api.get(f"{API}/items/{DRUG_B}", {"on": "2019-12-31"})
    error = assert_contract_error(r, 404, "not_in_force")
    assert "2019-12-31" in error["message"]


def test_item_with_its_restrictions(api, catalog):
    body = api.get(f"{API}/items/{SERVICE}", {"on": "2026-03-02"}).json()
    assert body["name"] == "床位费（二级）" and body["item_class"] == "A"
    assert body["ceiling"] == "40.00"
    assert body["restrictions"] == {
        "sex": "",
        "age_min": None,
        "age_max": None,
        "institution_levels": ["2"],
        "max_quantity_per_day": "1",
        "restricted_use": "",
    }


def test_ceiling_on_a_date(api, catalog):
    old = api.get(f"{API}/items/{DRUG_B}/ceiling", {"on": "2025-12-31"}).json()
    new = api.get(f"{API}/items/{DRUG_B}/ceiling", {"on": "2026-01-01"}).json()
    assert (old["ceiling"], old["effective_to"]) == ("88.00", "2025-12-31")
    assert (new["ceiling"], new["effective_to"]) == ("85.00", None)
    assert api.get(f"{API}/items/{DRUG}/ceiling").json()["ceiling"] is None


def test_self_pay_ratio_by_class(api, catalog):
    b = api.get(f"{API}/items/{DRUG_B}/self-pay").json()
    assert (b["item_class"], b["self_pay_ratio"], b["ratio_source"]) == ("B", None, "plan")
    a = api.get(f"{API}/items/{DRUG}/self-pay").json()
    assert (a["self_pay_ratio"], a["ratio_source"]) == ("0.00", "class")


def test_an_items_own_b_ratio(api, db, officer):
    make_item(versions=[(D(2020, 1, 1), None, terms(b_self_ratio=Decimal("0.15")))])
    body = api.get(f"{API}/items/{DRUG_B}/self-pay").json()
    assert (body["self_pay_ratio"], body["ratio_source"]) == ("0.15", "item")


def test_search_by_code_name_and_pinyin(api, catalog):
    def codes(**params):
        return [i["code"] for i in api.get(f"{API}/items", params).json()["items"]]

    assert codes(q="0011") == [SERVICE]
    assert codes(q="氨基酸") == [DRUG_B]
    assert codes(q="FFAJ") == [DRUG_B]
    assert codes(kind="drug") == [DRUG_B, DRUG]
    assert codes(item_class="A") == [SERVICE, DRUG]
    assert codes(q="ffaj", on="2019-01-01") == []


def test_paging(api, catalog):
    first = api.get(f"{API}/items", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = api.get(f"{API}/items", {"limit": 2, "offset": 2}).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/items", {"on": "2026-02-30"}, "on"),
        ("/items", {"limit": "0"}, "limit"),
        ("/items", {"kind": "food"}, "kind"),
        ("/items", {"q": "x" * 51}, "q"),
        (f"/items/{DRUG_B}/ceiling", {"on": "yesterday"}, "on"),
    ],
)
def test_bad_query_is_a_422_naming_the_field(api, catalog, path, params, field):
    error = assert_contract_error(api.get(API + path, params), 422, "validation_failed")
    assert field in error["fields"]


def test_anonymous_and_administrators_are_refused(client, catalog):
    assert_contract_error(client.get(f"{API}/items"), 401, "unauthenticated")
    from tests import factories

    client.force_login(factories.make_staff("sysadmin", "system_admin", factories.COUNTY))
    assert_contract_error(client.get(f"{API}/items"), 403, "forbidden")


def test_an_institutions_system_queries_the_catalog_with_its_token(client, catalog):
    # 1312/1318/1319 are institution transactions: a token with the catalog.read scope
    # answers them; one without it is refused; a staff session still works beside it.
    from tests.access import helpers

    staff = helpers.people()
    inst = helpers.onboard(staff, name="新邵县中医医院")
    headers = {
        "HTTP_AUTHORIZATION": f"Bearer {helpers.get_token(client, inst)}",
        "HTTP_X_HUIMIN_TERMINAL": inst.terminal,
        "REMOTE_ADDR": helpers.IP,
    }
    r = client.get(f"{API}/items/{SERVICE}/ceiling", **headers)
    assert r.status_code == 200, r.content
    assert r.json()["ceiling"] == "40.00"
    assert client.get(f"{API}/items", {"q": "左氧"}, **headers).json()["items"][0]["code"] == DRUG
    narrow = helpers.onboard(staff, name="新邵县妇幼保健院", scopes=["settlement"])
    refused = client.get(
        f"{API}/items/{SERVICE}/ceiling",
        HTTP_AUTHORIZATION=f"Bearer {helpers.get_token(client, narrow)}",
        HTTP_X_HUIMIN_TERMINAL=narrow.terminal,
        REMOTE_ADDR=helpers.IP,
    )
    assert_contract_error(refused, 403, "insufficient_scope")
    bad = client.get(f"{API}/items", HTTP_AUTHORIZATION="Bearer nonsense")
    assert_contract_error(bad, 401, "token_invalid")

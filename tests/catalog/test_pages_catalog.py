"""Catalog pages: the search list (htmx), each item with all its versions, role checks."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tests.catalog.conftest import DRUG, DRUG_B, make_item, terms

HTMX = {"HX-Request": "true", "HX-Target": "results"}
D = datetime.date


def cell(number: str) -> str:
    return f'<td class="num">{number}</td>'


@pytest.fixture
def catalog(amino):
    make_item(DRUG, "drug", [(D(2020, 1, 1), None, terms("盐酸左氧氟沙星注射液", "A", sex="2"))])


@pytest.fixture
def as_cashier(client, cashier, catalog):
    client.force_login(cashier)
    return client


def test_list_filters_by_text_kind_class_and_date(as_cashier):
    url = reverse("catalog:catalog_list")
    html = as_cashier.get(url).content.decode()
    assert "复方氨基酸注射液" in html and "盐酸左氧氟沙星注射液" in html
    assert cell("85") in html and cell("88") not in html  # today's version
    html = as_cashier.get(url, {"on": "2025-06-01"}).content.decode()
    assert cell("88") in html
    html = as_cashier.get(url, {"q": "yszy"}).content.decode()
    assert "盐酸左氧氟沙星注射液" in html and "复方氨基酸注射液" not in html
    html = as_cashier.get(url, {"item_class": "B"}).content.decode()
    assert "复方氨基酸注射液" in html and "盐酸左氧氟沙星注射液" not in html
    html = as_cashier.get(url, {"kind": "service"}).content.decode()
    assert "没有符合条件的目录项目" in html


def test_bad_filter_values_are_reported_not_a_500(as_cashier):
    response = as_cashier.get(reverse("catalog:catalog_list"), {"on": "2026-02-30", "kind": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "error-box" in html and "复方氨基酸注射液" in html


def test_htmx_gets_only_the_results(as_cashier):
    response = as_cashier.get(reverse("catalog:catalog_list"), {"q": "ffaj"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html and "复方氨基酸注射液" in html
    assert "HX-Target" in response["Vary"]


def test_paging_by_code(as_cashier, settings):
    settings.HUIMIN_PAGE_SIZE = 5
    for i in range(7):
        make_item(f"0012{i:06d}00000", "service", [(D(2020, 1, 1), None, terms(f"项目{i}", "A"))])
    url = reverse("catalog:catalog_list")
    first = as_cashier.get(url, {"kind": "service"}).content.decode()
    assert "项目4" in first and "项目5" not in first and 'rel="next"' in first
    second = as_cashier.get(url, {"kind": "service", "after": "001200000400000"}).content.decode()
    assert "项目5" in second and "项目6" in second and "项目4" not in second


def test_detail_shows_every_version_and_the_current_one(as_cashier):
    html = as_cashier.get(reverse("catalog:item_detail", args=[DRUG_B])).content.decode()
    assert "2020-01-01" in html and "2025-12-31" in html and "2026-01-01" in html
    assert "现行" in html and cell("85") in html and cell("88") in html


def test_unknown_item_is_a_404(as_cashier):
    assert as_cashier.get(reverse("catalog:item_detail", args=["XNOSUCH"])).status_code == 404


def test_search_fragment_rows_carry_data_attributes(as_cashier):
    html = as_cashier.get(reverse("catalog:search"), {"q": "ffaj"}).content.decode()
    assert f'data-code="{DRUG_B}"' in html
    assert 'data-class="B"' in html and 'data-unit="瓶"' in html and 'data-ceiling="85"' in html
    assert "<html" not in html
    empty = as_cashier.get(reverse("catalog:search"), {"q": "zzzz"}).content.decode()
    assert "没有匹配" in empty


def test_administrators_and_anonymous_are_kept_out(client, catalog, county):
    url = reverse("catalog:catalog_list")
    assert client.get(url).status_code == 302
    client.force_login(factories.make_staff("auditor", "audit_admin", factories.COUNTY))
    assert client.get(url).status_code == 403
    assert client.get(reverse("catalog:search"), {"q": "f"}).status_code == 403


def test_menu_entries(cashier, officer, county):
    from huimin.insurance.catalog.nav import menu_items

    assert [i["label"] for i in menu_items(cashier, "cashier")] == ["医保目录", "目录对照"]
    assert [i["label"] for i in menu_items(officer, "insurance_officer")] == [
        "医保目录",
        "目录对照",
    ]
    clerk = factories.make_staff("ph", "public_health_officer", factories.COUNTY)
    assert [i["label"] for i in menu_items(clerk, "public_health_officer")] == ["医保目录"]
    admin = factories.make_staff("sys", "system_admin", factories.COUNTY)
    assert menu_items(admin, "system_admin") == []

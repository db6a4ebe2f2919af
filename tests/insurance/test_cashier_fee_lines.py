"""Fee lines at the counter: priced by the catalog, refused with the reason next to the
field when wrong (keeping what was typed, writing nothing), removable until settled."""

from decimal import Decimal

import pytest

from huimin.insurance.models import FeeDetail, Visit
from tests.insurance.test_cashier_counter_flow import (
    CLOPIDOGREL,
    HX,
    add_line,
    code_of,
    counter_client,
    form_key,
    register,
    settle,
)


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


@pytest.fixture
def visit(at_counter, insured):
    register(at_counter, insured.id_number)
    return Visit.objects.get()


def test_a_line_is_priced_by_the_catalog_and_shown(at_counter, visit):
    response = add_line(at_counter, visit, CLOPIDOGREL, "28", "1.50")
    html = response.content.decode()
    assert response.status_code == 200
    line = FeeDetail.objects.get()
    assert (line.item_class, line.ceiling, line.quantity) == ("B", Decimal("1.20"), 28)
    assert CLOPIDOGREL in html and "42.00" in html and "乙" in html
    # The form is empty again, ready for the next line.
    assert response.context["form"] == {}


@pytest.mark.parametrize(
    "quantity, price, field, reason",
    [
        ("", "1.50", "quantity", "请填写数量"),
        ("2", "", "unit_price", "请填写单价"),
        ("abc", "1.50", "quantity", "不是有效的数值"),
        ("0", "1.50", "quantity", "数量须大于0"),
        ("-1", "1.50", "quantity", "不能为负数"),
        ("100000000", "1.50", "quantity", "数量过大"),
        ("1e3", "1", "quantity", "不接受科学计数法"),
        ("1e400", "1.50", "quantity", "不接受科学计数法"),
        ("NaN", "1.50", "quantity", "不是有效的数值"),
        ("Infinity", "1.50", "quantity", "不是有效的数值"),
        ("1.00001", "1.50", "quantity", "数量最多四位小数"),
        ("2", "-0.01", "unit_price", "不能为负数"),
        ("2", "10000000000", "unit_price", "单价过大"),
        ("2", "1e30", "unit_price", "不接受科学计数法"),
        ("2", "1.5元", "unit_price", "不是有效的数值"),
        ("9999999", "999999999", "unit_price", "单行金额过大"),
    ],
)
def test_bad_numbers_are_refused_and_nothing_is_written(
    at_counter, visit, quantity, price, field, reason
):
    response = add_line(at_counter, visit, CLOPIDOGREL, quantity, price)
    html = response.content.decode()
    assert response.status_code == 422
    assert reason in response.context["error"]["fields"][field]
    # Reasons are for people: no Python repr of what was typed.
    assert "'" not in response.context["error"]["fields"][field]
    assert f'value="{quantity}"' in html and f'value="{price}"' in html
    assert not FeeDetail.objects.exists()


def test_full_width_digits_typed_with_a_chinese_input_method_are_read(at_counter, visit):
    assert add_line(at_counter, visit, CLOPIDOGREL, "２８", "１.５０").status_code == 200
    line = FeeDetail.objects.get()
    assert (line.quantity, line.unit_price) == (28, Decimal("1.50"))


def test_an_unknown_code_is_refused(at_counter, visit):
    response = add_line(at_counter, visit, "X0000NOSUCHITEM", "1", "1.00")
    assert response.status_code == 422
    assert "目录中没有编码X0000NOSUCHITEM" in response.context["error"]["fields"]["code"]
    assert 'value="X0000NOSUCHITEM"' in response.content.decode()
    assert not FeeDetail.objects.exists()


def test_a_missing_code_is_refused(at_counter, visit):
    response = add_line(at_counter, visit, "", "1", "1.00")
    assert response.status_code == 422
    assert response.context["error"]["fields"]["code"] == "请选择或输入医保目录编码"
    assert not FeeDetail.objects.exists()


def test_a_line_can_be_removed_before_settling(at_counter, visit):
    add_line(at_counter, visit, CLOPIDOGREL, "28", "1.50")
    line = FeeDetail.objects.get()
    response = at_counter.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/{line.line_no}/cancel/",
        {"idempotency_key": form_key()},
        **HX,
    )
    assert response.status_code == 200
    assert "尚无费用明细" in response.content.decode()
    line.refresh_from_db()
    assert line.cancelled


def test_a_settled_visit_takes_no_more_lines(at_counter, visit):
    add_line(at_counter, visit, CLOPIDOGREL, "28", "1.50")
    settle(at_counter, visit)
    response = add_line(at_counter, visit, CLOPIDOGREL, "1", "1.00")
    assert response.status_code == 409
    assert FeeDetail.objects.count() == 1
    cancel = at_counter.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/1/cancel/",
        {"idempotency_key": form_key()},
        **HX,
    )
    assert cancel.status_code == 409
    assert not FeeDetail.objects.filter(cancelled=True).exists()


def test_another_institutions_visit_is_not_found(client, insured, visit):
    other = counter_client(client, insured.centre, username="centre_cashier")
    response = add_line(other, visit, CLOPIDOGREL, "1", "1.00")
    assert response.status_code == 404
    assert other.get(f"/insurance/cashier/visits/{visit.pk}/").status_code == 404
    assert not FeeDetail.objects.exists()


def test_the_search_field_asks_the_catalog_for_items_in_force_on_the_visit_date(at_counter, visit):
    page = at_counter.get(f"/insurance/cashier/visits/{visit.pk}/").content.decode()
    assert 'hx-get="/catalog/search/"' in page and '"on": "2026-05-12"' in page
    picks = at_counter.get("/catalog/search/", {"q": "lsqlbglp", "on": "2026-05-12"})
    assert f'data-code="{code_of(CLOPIDOGREL)}"' in picks.content.decode()
    assert 'data-ceiling="1.2000"' in picks.content.decode()  # the page prefills the price


def test_without_htmx_a_refused_line_comes_back_on_the_whole_page(at_counter, visit):
    url = f"/insurance/cashier/visits/{visit.pk}/fees/"
    refused = at_counter.post(
        url, {"code": code_of(CLOPIDOGREL), "quantity": "x", "unit_price": "1"}
    )
    html = refused.content.decode()
    assert refused.status_code == 422
    assert "<html" in html and 'value="x"' in html and "不是有效的数值" in html
    assert not FeeDetail.objects.exists()
    added = at_counter.post(
        url,
        {
            "code": code_of(CLOPIDOGREL),
            "quantity": "2",
            "unit_price": "1",
            "idempotency_key": form_key(),
        },
    )
    assert (
        added.status_code == 302 and added["Location"] == f"/insurance/cashier/visits/{visit.pk}/"
    )
    assert FeeDetail.objects.count() == 1

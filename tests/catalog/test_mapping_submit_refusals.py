"""A refused mapping submission answers 4xx with the reason (422 for bad input, 409 for a
local code already mapped), keeps what was typed, and saves nothing."""

import pytest

from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import InstitutionItemMap
from tests.catalog.conftest import DRUG_B, make_item

SUBMIT = "/catalog/mappings/new/"


@pytest.fixture
def item(db):
    return make_item(DRUG_B)


def test_an_unknown_catalog_code_is_422(client, item, cashier):
    client.force_login(cashier)
    r = client.post(SUBMIT, {"local_code": "YP0001", "local_name": "x", "code": "XNOSUCH"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "提交失败" in html and "医保目录中没有该编码" in html
    assert 'value="YP0001"' in html and 'value="XNOSUCH"' in html
    assert not InstitutionItemMap.objects.exists()


def test_an_empty_field_is_422_naming_it(client, item, cashier):
    client.force_login(cashier)
    r = client.post(SUBMIT, {"local_code": "", "local_name": "x", "code": DRUG_B})
    assert r.status_code == 422 and "本机构项目编码" in r.content.decode()
    assert not InstitutionItemMap.objects.exists()


def test_a_local_code_already_mapped_is_409(client, item, cashier):
    services.do_submit_mapping(cashier, cashier.staff.institution_id, "YP1", "x", DRUG_B)
    client.force_login(cashier)
    r = client.post(SUBMIT, {"local_code": "YP1", "local_name": "又一次", "code": DRUG_B})
    assert r.status_code == 409 and "已有待审核或已通过的对照" in r.content.decode()
    assert InstitutionItemMap.objects.count() == 1

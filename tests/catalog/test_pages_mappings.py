"""The mapping pages: institution staff submit, officers review the queue in their county."""

import pytest

from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import InstitutionItemMap
from tests import factories
from tests.catalog.conftest import DRUG_B, make_item

LIST, SUBMIT = "/catalog/mappings/", "/catalog/mappings/new/"


def review_url(pk):
    return f"/catalog/mappings/{pk}/review/"


@pytest.fixture
def item(db):
    return make_item(DRUG_B)


def states():
    return sorted(InstitutionItemMap.objects.values_list("local_code", "status"))


def test_submit_then_review(client, item, cashier, officer):
    client.force_login(cashier)
    response = client.post(
        SUBMIT, {"local_code": "YP0001", "local_name": "复方氨基酸", "code": DRUG_B}, follow=True
    )
    assert "等待医保经办人员审核" in response.content.decode()
    assert "YP0001" in client.get(LIST).content.decode()
    row = InstitutionItemMap.objects.get()
    client.force_login(officer)
    html = client.get(LIST).content.decode()
    assert "YP0001" in html and review_url(row.pk) in html
    response = client.post(review_url(row.pk), {"decision": "approve"}, follow=True)
    assert "已通过" in response.content.decode()
    assert services.resolve_codes(row.institution_id, ["YP0001"]) == {"YP0001": DRUG_B}


def test_bad_submission_is_explained_and_nothing_saved(client, item, cashier):
    client.force_login(cashier)
    response = client.post(
        SUBMIT, {"local_code": "YP0001", "local_name": "x", "code": "XNOSUCH"}, follow=True
    )
    assert "医保目录中没有该编码" in response.content.decode()
    response = client.post(SUBMIT, {"local_code": "", "code": DRUG_B}, follow=True)
    assert "提交失败" in response.content.decode()
    assert states() == []


def test_cashiers_cannot_review_and_rejection_needs_a_note(client, item, cashier, officer):
    row = services.do_submit_mapping(cashier, cashier.staff.institution_id, "YP1", "x", DRUG_B)
    client.force_login(cashier)
    assert client.post(review_url(row.pk), {"decision": "approve"}).status_code == 403
    client.force_login(officer)
    response = client.post(review_url(row.pk), {"decision": "reject", "note": ""}, follow=True)
    assert "驳回时须填写审核意见" in response.content.decode()
    assert client.post(review_url(row.pk), {"decision": "maybe"}).status_code == 302
    assert states() == [("YP1", "submitted")]


def test_officers_see_only_their_countys_queue(client, item, cashier, officer):
    services.do_submit_mapping(cashier, cashier.staff.institution_id, "YP1", "本院药", DRUG_B)
    far = factories.make_staff("far", "insurance_officer", "430523")
    client.force_login(far)
    assert "YP1" not in client.get(LIST).content.decode()
    client.force_login(officer)
    assert "YP1" in client.get(LIST).content.decode()


def test_roles_without_an_institution_or_review_right_are_kept_out(client, county):
    client.force_login(factories.make_staff("ph", "public_health_officer", factories.COUNTY))
    assert client.get(LIST).status_code == 403
    form = {"local_code": "a", "local_name": "b", "code": "c"}
    assert client.post(SUBMIT, form).status_code == 403


def test_the_queue_pages_and_keeps_its_filter(client, item, cashier, officer, settings):
    settings.HUIMIN_PAGE_SIZE = 2
    client.force_login(cashier)
    for n in range(3):
        client.post(SUBMIT, {"local_code": f"YP{n:04d}", "local_name": f"药{n}", "code": DRUG_B})
    assert InstitutionItemMap.objects.count() == 3
    client.force_login(officer)
    first = client.get(LIST, {"status": "submitted"})
    assert [m.local_code for m in first.context["rows"]] == ["YP0002", "YP0001"]
    cursor = first.context["page"].next_cursor
    assert "status=submitted&amp;after=" in first.content.decode()
    second = client.get(LIST, {"status": "submitted", "after": cursor})
    assert [m.local_code for m in second.context["rows"]] == ["YP0000"]

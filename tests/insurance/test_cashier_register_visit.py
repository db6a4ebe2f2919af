"""Registering a visit at the counter: a number made up when none is typed, the plan's
visit types only, and a refused registration keeps what was typed and writes nothing."""

import datetime

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Visit
from huimin.insurance.views.counter import next_visit_no
from tests.insurance.test_cashier_counter_flow import DAY, HX, counter_client, form_key, register


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def test_numbers_follow_the_day_and_the_type(at_counter, insured):
    register(at_counter, insured.id_number)
    register(at_counter, insured.id_number)
    register(at_counter, insured.id_number, visit_type="inpatient")
    assert list(Visit.objects.order_by("pk").values_list("his_visit_no", "visit_type")) == [
        ("MZ202605120001", "outpatient_chronic"),
        ("MZ202605120002", "outpatient_chronic"),
        ("ZY202605120001", "inpatient"),
    ]
    created = AuditEvent.objects.filter(action="create", object_type="insurance.visit")
    assert created.count() == 3
    assert set(created.values_list("actor_username", flat=True)) == {"cashier"}


def test_a_typed_number_is_kept(at_counter, insured):
    response = register(at_counter, insured.id_number, his_visit_no="HIS-778812")
    visit = Visit.objects.get()
    assert visit.his_visit_no == "HIS-778812"
    assert response["HX-Redirect"] == f"/insurance/cashier/visits/{visit.pk}/"


def test_a_number_already_used_is_refused_and_the_form_kept(at_counter, insured):
    register(at_counter, insured.id_number, his_visit_no="HIS-1")
    response = at_counter.post(
        "/insurance/cashier/visits/new/",
        {
            "id_number": insured.id_number,
            "visit_date": DAY.isoformat(),
            "visit_type": "outpatient_chronic",
            "his_visit_no": "HIS-1",
            "diagnosis_name": "原发性高血压",
            "idempotency_key": form_key(),
        },
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "该就诊流水号已登记" in html and "已存在" in html
    assert 'value="HIS-1"' in html and 'value="原发性高血压"' in html
    assert Visit.objects.count() == 1


def test_only_the_plans_types_paid_at_this_level_are_offered(at_counter, insured):
    found = at_counter.post(
        "/insurance/cashier/find/",
        {"id_number": insured.id_number, "visit_date": DAY.isoformat()},
        **HX,
    )
    offered = [t["code"] for t in found.context["visit_types"]]
    # 普通门诊统筹 is for level-1 institutions only; this is a level-2 hospital.
    assert offered == ["inpatient", "outpatient_chronic"]


@pytest.mark.parametrize(
    "visit_type, status, message",
    [
        ("outpatient_general", 422, "该就诊类型在此等级的机构不予报销"),
        ("dental", 422, "就诊类型不在结算方案中"),
        ("", 422, "就诊类型不在结算方案中"),
    ],
)
def test_a_forged_visit_type_is_refused(at_counter, insured, visit_type, status, message):
    response = register(at_counter, insured.id_number, visit_type=visit_type)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Visit.objects.exists()


def test_a_number_longer_than_forty_characters_is_refused(at_counter, insured):
    response = register(at_counter, insured.id_number, his_visit_no="N" * 41)
    assert response.status_code == 422
    assert "不超过40字符" in response.content.decode()
    assert not Visit.objects.exists()


def test_next_number_skips_numbers_typed_by_hand():
    assert next_visit_no("MZ20260512", []) == "MZ202605120001"
    used = ["MZ202605120001", "MZ202605120009", "MZ20260512ABC", "MZ20260512"]
    assert next_visit_no("MZ20260512", used) == "MZ202605120010"


@pytest.mark.parametrize("day", ["2026-02-30", "yesterday", "2026-05-12T00:00"])
def test_a_visit_date_that_is_not_a_date_registers_nothing(at_counter, insured, day):
    response = at_counter.post(
        "/insurance/cashier/visits/new/",
        {"id_number": insured.id_number, "visit_date": day, "visit_type": "outpatient_chronic"},
        **HX,
    )
    assert response.status_code == 422
    assert "就诊日期须为不晚于今天的日期" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_visit_date_after_today_registers_nothing(at_counter, insured):
    response = register(
        at_counter, insured.id_number, day=datetime.date.today() + datetime.timedelta(3)
    )
    assert response.status_code == 422
    assert "就诊日期不能晚于今天" in response.content.decode()
    assert not Visit.objects.exists()

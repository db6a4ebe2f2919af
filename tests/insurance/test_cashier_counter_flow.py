"""A cashier settles a visit at the counter through the pages: find, register, bill,
pre-settle, settle, receipt — the walk a patient waits through at the window.

The helpers below are the steps as the page takes them; other test_cashier_* and
test_receipt_* files use them.
"""

import datetime
import secrets
from decimal import Decimal

import pytest

from huimin.audit.models import AuditEvent
from huimin.insurance.models import Accumulator, FeeDetail, Settlement, Visit
from tests import factories

DAY = datetime.date(2026, 5, 12)
AMLODIPINE = "苯磺酸氨氯地平片"  # class A, no ceiling
CLOPIDOGREL = "硫酸氢氯吡格雷片"  # class B, ceiling 1.20
# Two lines of a 两病 visit and the money they make (see the hand working below).
LINES = ((AMLODIPINE, "30", "0.85"), (CLOPIDOGREL, "28", "1.50"))
HX = {"HTTP_HX_REQUEST": "true"}


def code_of(name: str) -> str:
    from huimin.insurance.catalog.models import CatalogVersion

    return CatalogVersion.objects.filter(name=name).values_list("item__code", flat=True).first()


def counter_client(client, institution, username="cashier", role="cashier"):
    user = factories.make_staff(username, role, institution=institution)
    client.force_login(user)
    return client


def form_key() -> str:
    """A form's Idempotency-Key, fresh as a newly rendered form's (views.new_key)."""
    return secrets.token_urlsafe(24)


def register(
    client, id_number, visit_type="outpatient_chronic", his_visit_no="", day=DAY, key=None
):
    return client.post(
        "/insurance/cashier/visits/new/",
        {
            "id_number": id_number,
            "visit_date": day.isoformat(),
            "visit_type": visit_type,
            "his_visit_no": his_visit_no,
            "idempotency_key": key or form_key(),
        },
        **HX,
    )


def add_line(client, visit, name_or_code, quantity, price, reason="", key=None):
    code = code_of(name_or_code) or name_or_code
    return client.post(
        f"/insurance/cashier/visits/{visit.pk}/fees/",
        {
            "code": code,
            "quantity": quantity,
            "unit_price": price,
            "override_reason": reason,
            "idempotency_key": key or form_key(),
        },
        **HX,
    )


def billed_visit(client, insured, lines=LINES) -> Visit:
    register(client, insured.id_number)
    visit = Visit.objects.latest("pk")
    for name, quantity, price in lines:
        assert add_line(client, visit, name, quantity, price).status_code == 200
    return visit


def settle_key(client, visit) -> str:
    return client.get(f"/insurance/cashier/visits/{visit.pk}/").context["settle_key"]


def settle(client, visit, key=None):
    key = key if key is not None else settle_key(client, visit)
    return client.post(f"/insurance/cashier/visits/{visit.pk}/settle/", {"idempotency_key": key})


def settled(client, insured) -> Settlement:
    visit = billed_visit(client, insured)
    assert settle(client, visit).status_code == 302
    return Settlement.objects.get(visit=visit, kind="settle", reversed_at__isnull=True)


@pytest.fixture
def at_counter(client, insured):
    return counter_client(client, insured.hospital)


def test_find_register_bill_pre_settle_settle(at_counter, insured):
    client = at_counter
    page = client.get("/insurance/cashier/")
    assert page.status_code == 200
    assert "身份证号" in page.content.decode()

    found = client.post(
        "/insurance/cashier/find/",
        {"id_number": insured.id_number, "visit_date": DAY.isoformat()},
        **HX,
    )
    html = found.content.decode()
    assert found.status_code == 200
    assert insured.person.name in html and insured.person.id_number_masked in html
    assert "已参保" in html and "低保对象" in html
    assert "两病门诊" in html  # the plan's visit types paid at a level-2 hospital
    read = AuditEvent.objects.get(action="read", object_type="registry.person")
    assert (
        read.object_id == str(insured.person.pk) and read.region_code == insured.person.village_id
    )

    registered = register(client, insured.id_number)
    visit = Visit.objects.get()
    # No number typed: the page makes one up from the type and the date.
    assert visit.his_visit_no == "MZ202605120001"
    assert visit.visit_type == "outpatient_chronic" and visit.person_id == insured.person.pk
    assert registered["HX-Redirect"] == f"/insurance/cashier/visits/{visit.pk}/"

    for name, quantity, price in LINES:
        assert add_line(client, visit, name, quantity, price).status_code == 200
    assert FeeDetail.objects.filter(visit=visit).count() == 2

    # By hand, the dibao person at a level-2 hospital, 两病 (deductible 0, ratio
    # 0.50 + 0.05 bonus, assistance 0.70):
    #   氨氯地平 A 30 × 0.85 = 25.50, all eligible
    #   氯吡格雷 B 28 × 1.50 = 42.00; over the 1.20 ceiling 28 × 0.30 = 8.40 self-pay;
    #            乙类 share (42.00 − 8.40) × 0.10 = 3.36; eligible 30.24
    #   eligible 55.74; basic fund 55.74 × 0.55 = 30.657 → 30.66
    #   assistance (55.74 − 30.66) × 0.70 = 17.556 → 17.56
    #   patient pays 67.50 − 30.66 − 17.56 = 19.28
    pre = client.get(f"/insurance/cashier/visits/{visit.pk}/pre-settle/")
    assert pre.status_code == 200
    money = pre.context["money"]
    assert [(r.label, r.amount) for r in money.totals if r.label != "大病保险支付"][:9] == [
        ("医疗费总额", Decimal("67.50")),
        ("全自费（丙类及超限价部分）", Decimal("8.40")),
        ("乙类先行自付", Decimal("3.36")),
        ("政策范围内费用", Decimal("55.74")),
        ("本次起付线", Decimal("0.00")),
        ("基本医保统筹支付", Decimal("30.66")),
        ("医疗救助支付", Decimal("17.56")),
        ("基金支付合计", Decimal("48.22")),
        ("个人现金支付", Decimal("19.28")),
    ]
    assert not Settlement.objects.exists() and not Accumulator.objects.exists()

    response = settle(client, visit)
    s = Settlement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/insurance/settlements/{s.pk}/receipt/"
    assert (s.basic_fund, s.assistance, s.patient_pay) == (
        Decimal("30.66"),
        Decimal("17.56"),
        Decimal("19.28"),
    )
    assert s.settled_by.username == "cashier"
    visit.refresh_from_db()
    assert visit.status == "settled"
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert receipt.context["r"].breakdown.patient_pay == Decimal("19.28")

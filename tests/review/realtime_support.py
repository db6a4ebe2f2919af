"""Settlements made through the real institution API, for the real-time review tests."""

from huimin.insurance.models import Settlement

NURSING_2 = "001103000030000"  # 二级护理, charged per day
INJECTION = "001201000020000"  # 静脉注射, a service: twice on one day is a duplicate charge
CBC = "002201000010000"  # 血常规（五分类）


def settle_visit(
    his,
    insured,
    no="ZY-1",
    *,
    lines=None,
    visit_date="2026-03-02",
    discharge="2026-03-06",
    visit_type="inpatient",
    diagnosis="J18.9",
    key=None,
):
    """Register, upload fees, discharge (inpatient) and settle; the Settlement row."""
    r = his.post(
        "/visits",
        {
            "id_number": insured.id_number,
            "visit_type": visit_type,
            "his_visit_no": no,
            "visit_date": visit_date,
            "diagnosis_code": diagnosis,
        },
    )
    assert r.status_code == 201, r.json()
    lines = lines or [
        {"code": CBC, "name": "血常规", "quantity": "1", "unit_price": "20.00"},
    ]
    r = his.post(f"/visits/{no}/fees", {"lines": lines})
    assert r.status_code == 201, r.json()
    if visit_type == "inpatient":
        r = his.post(f"/visits/{no}/discharge", {"discharge_date": discharge})
        assert r.status_code == 200, r.json()
    kw = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    r = his.post(f"/visits/{no}/settle", {}, **kw)
    return r


def settlement_of(r) -> Settlement:
    assert r.status_code == 201, r.json()
    return Settlement.objects.select_related("visit").get(pk=r.json()["settlement_id"])

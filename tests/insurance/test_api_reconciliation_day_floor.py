"""3201/3202: a day before the floor is refused naming `day` (before, 0001-01-01 was a
500 on SQLite: the day's start in Asia/Shanghai is before year 1 in UTC)."""

import pytest

from huimin.insurance.models import Reconciliation

TOTALS = {"count": 0, "total": "0", "fund_paid": "0", "patient_pay": "0"}


@pytest.mark.parametrize(
    "path, body",
    [("/reconciliation/totals", TOTALS), ("/reconciliation/details", {"lines": []})],
)
@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
def test_a_day_before_the_floor_is_refused(insured, his, path, body, day):
    r = his.post(path, {**body, "day": day})
    assert r.status_code == 422, r.content
    assert "2000-01-01" in r.json()["error"]["fields"]["day"]
    assert not Reconciliation.objects.exists()


def test_a_day_at_the_floor_is_reconciled(insured, his):
    r = his.post("/reconciliation/totals", {**TOTALS, "day": "2000-01-01"})
    assert r.status_code == 201, r.content
    assert r.json()["matched"] is True

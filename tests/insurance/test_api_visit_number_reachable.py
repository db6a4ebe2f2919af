"""A visit number is the path of every later call, so 2201/2401 refuses one that could
not travel in it (before, "A/B" was registered and every later call answered 404)."""

import pytest

from huimin.insurance.models import Visit
from tests.insurance.conftest import visit_body


@pytest.mark.parametrize(
    "number", ["A/B", "A\\B", "A?B", "A#B", "A%2FB", "A%B", " A1", "A1 ", "A\tB", "..", "."]
)
def test_a_number_that_cannot_travel_in_the_path_is_refused(insured, his, number):
    r = his.post("/visits", visit_body(insured, his_visit_no=number))
    assert r.status_code == 422, r.content
    assert "his_visit_no" in r.json()["error"]["fields"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("number", ["ZY-2026_0001.3", "MZ20260302001", "住院-0001"])
def test_ordinary_numbers_register_and_are_reached_again(insured, his, number):
    assert his.post("/visits", visit_body(insured, his_visit_no=number)).status_code == 201
    r = his.post(f"/visits/{number}/cancel", {})
    assert r.status_code == 200, r.content
    assert r.json()["his_visit_no"] == number

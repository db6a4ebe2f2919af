"""National code shapes by kind: the worked example's codes pass, malformed ones do not."""

import pytest

from huimin.insurance.catalog import rules
from tests.catalog.conftest import CONSUMABLE, DRUG, DRUG_B, LOCAL, SERVICE


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (DRUG, "drug"),
        (DRUG_B, "drug"),
        ("ZA01AAG001D001010101414", "drug"),  # 中成药
        (SERVICE, "service"),
        ("003105030010000", "service"),
        (CONSUMABLE, "consumable"),
        (LOCAL, "consumable"),
        (LOCAL, "drug"),
    ],
)
def test_accepted(code, kind):
    assert rules.code_problem(code, kind) is None


@pytest.mark.parametrize(
    ("code", "kind", "reason"),
    [
        ("XC01EBL134A00101010144", "drug", "23位"),  # one short
        ("AC01EBL134A001010101445", "drug", "X或Z"),
        ("1102000010000", "service", "文本格式"),  # leading zeros lost in a spreadsheet
        ("00110200001000A", "service", "15位数字"),
        ("D02010100001000100019100001", "consumable", "C开头"),
        (DRUG, "service", "15位数字"),  # a drug code filed as a service
        (SERVICE, "unknown", "项目类型"),
    ],
)
def test_refused_with_a_reason(code, kind, reason):
    problem = rules.code_problem(code, kind)
    assert problem is not None and reason in problem


def test_kind_is_read_from_an_unambiguous_code():
    assert rules.kind_of_code(DRUG) == "drug"
    assert rules.kind_of_code(SERVICE) == "service"
    assert rules.kind_of_code(CONSUMABLE) == "consumable"
    assert rules.kind_of_code(LOCAL) is None  # a local code says nothing about its kind

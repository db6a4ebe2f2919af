"""Registration refusals about the visit type speak of visit types by their Chinese
names (住院, 普通门诊), the machine code staying in `code`; a plan may name its own."""

import yaml

from huimin.insurance.models import VisitType
from huimin.insurance.plan import STANDARD_VISIT_TYPE_NAMES, parse_plan
from tests.insurance.conftest import example_plan_text, visit_body


def test_an_unknown_visit_type_lists_the_choices_by_name(insured, his):
    r = his.post("/visits", visit_body(insured, visit_type="dental"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "visit_type_unknown"
    assert error["fields"]["visit_type"] == "可选：住院、普通门诊、两病门诊"


def test_a_level_not_paid_names_the_type_and_level_in_chinese(insured, his):
    level = his.onboarded.institution.level or "1"
    assert level != "1", "this test needs an institution above level 1"
    r = his.post("/visits", visit_body(insured, visit_type="outpatient_general"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "visit_type_not_covered"
    reason = error["fields"]["visit_type"]
    assert reason.startswith("普通门诊不在") and "outpatient" not in reason
    assert "级机构" in reason


def test_the_standard_names_are_the_models_labels():
    assert STANDARD_VISIT_TYPE_NAMES == dict(VisitType.choices)


def test_a_plan_may_name_its_visit_types(insured):
    doc = yaml.safe_load(example_plan_text())
    doc["basic"]["visit_types"]["outpatient_general"]["name"] = "门诊统筹"
    plan = parse_plan(doc, strict=True)
    assert plan.visit_types["outpatient_general"].name == "门诊统筹"
    assert plan.visit_types["inpatient"].name == "住院"

"""Child health forms: newborn visit, the check-ups by month of age and TCM guidance."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.child import DEVELOPMENT, month_age_for
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
NEWBORN = Context(today=TODAY, birth_date=dt.date(2026, 11, 10), sex="1")
TODDLER = Context(today=TODAY, birth_date=dt.date(2025, 5, 20), sex="2")  # 18 months
PRESCHOOL = Context(today=TODAY, birth_date=dt.date(2023, 8, 10), sex="1")  # 3 y 3 m

VISIT = {
    "gestational_weeks": "39",
    "mother_illness": ["1"],
    "delivery_institution": "县妇幼保健院",
    "birth_conditions": ["1"],
    "asphyxia": "1",
    "malformation": "1",
    "hearing_screening": "1",
    "disease_screening": ["2"],
    "birth_weight": "3.25",
    "weight": "3.4",
    "birth_length": "50",
    "feeding": "1",
    "temperature": "36.7",
    "heart_rate": "140",
    "respiration": "45",
    "jaundice": ["2"],
    "eyes": "1",
    "heart_lungs": "1",
    "umbilical_cord": "1",
    "guidance": ["1", "3"],
    "visit_date": "2026-11-17",
    "next_visit_place": "城关镇卫生院",
    "next_visit_date": "2026-12-10",
    "doctor": "孙医生",
}

CHECK_18 = {
    "visit_date": "2026-11-20",
    "month_age": "18",
    "weight": "10.8",
    "weight_eval": "2",
    "height": "81.5",
    "height_eval": "2",
    "fontanelle": "1",
    "teeth": "12",
    "caries": "0",
    "gait": "1",
    "haemoglobin": "118",
    "outdoor_hours": "2",
    "vitamin_d_iu": "400",
    "development": ["0"],
    "illnesses": ["1"],
    "guidance": ["1", "2", "5"],
    "next_visit_date": "2027-05-20",
    "doctor": "孙医生",
}

CHECK_36 = {
    **{k: v for k, v in CHECK_18.items() if k not in ("fontanelle", "vitamin_d_iu", "gait")},
    "month_age": "36",
    "weight": "15.2",
    "height": "98.0",
    "weight_for_height_eval": "2",
    "physical_evaluation": "1",
    "vision": "4.8/4.9",
    "hearing": "1",  # behavioural audiometry at 36 months
    "teeth": "20",
    "next_visit_date": "2027-08-10",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_complete_newborn_visit_signs():
    data, problems = clean(SPECS["newborn_visit"], VISIT, NEWBORN, final=True)
    assert problems == []
    assert data["birth_weight"] == "3.25" and data["jaundice"] == ["2"]


def test_a_birth_weight_of_40_kg_is_refused_naming_the_field():
    _, problems = clean(
        SPECS["newborn_visit"], {**VISIT, "birth_weight": "40"}, NEWBORN, final=True
    )
    assert [(p.field, p.code) for p in problems] == [("birth_weight", "above_range")]
    assert "6.5" in problems[0].message
    _, problems = clean(
        SPECS["newborn_visit"], {**VISIT, "birth_weight": "0.3"}, NEWBORN, final=False
    )
    assert ("birth_weight", "below_range") in codes(problems)


def test_a_visit_before_birth_or_after_the_newborn_period_is_refused():
    _, problems = clean(
        SPECS["newborn_visit"], {**VISIT, "visit_date": "2026-11-09"}, NEWBORN, final=True
    )
    assert ("visit_date", "before_birth") in codes(problems)
    older = Context(today=TODAY, birth_date=dt.date(2026, 10, 20), sex="1")
    _, problems = clean(
        SPECS["newborn_visit"], {**VISIT, "visit_date": "2026-11-17"}, older, final=True
    )
    assert ("visit_date", "not_newborn") not in codes(problems)  # day 28
    _, problems = clean(
        SPECS["newborn_visit"], {**VISIT, "visit_date": "2026-11-18"}, older, final=True
    )
    assert ("visit_date", "not_newborn") in codes(problems)  # day 29


def test_newborn_logic_none_with_others_asphyxia_without_apgar_abnormal_without_detail():
    raw = {
        **VISIT,
        "jaundice": ["1", "3"],
        "asphyxia": "2",
        "malformation": "2",
        "spine": "2",
        "referral": "2",
    }
    _, problems = clean(SPECS["newborn_visit"], raw, NEWBORN, final=True)
    assert {
        ("jaundice", "contradiction"),
        ("apgar_1min", "required"),
        ("malformation_detail", "required"),
        ("spine_detail", "required"),
        ("referral_reason", "required"),
    } <= codes(problems)


def test_the_18_month_check_signs_without_bmi():
    data, problems = clean(SPECS["child_check"], CHECK_18, TODDLER, final=True)
    assert problems == []
    assert "bmi" not in data


def test_from_three_years_bmi_is_derived_and_infant_items_are_refused():
    data, problems = clean(SPECS["child_check"], {**CHECK_36, "bmi": "30"}, PRESCHOOL, final=True)
    assert problems == []
    # 15.2 / 0.98² = 15.2 / 0.9604 = 15.826… → 15.8
    assert data["bmi"] == "15.8"
    _, problems = clean(
        SPECS["child_check"], {**CHECK_36, "head_circumference": "49"}, PRESCHOOL, final=True
    )
    assert ("head_circumference", "not_for_this_age") in codes(problems)
    _, problems = clean(SPECS["child_check"], {**CHECK_18, "vision": "4.8"}, TODDLER, final=True)
    assert ("vision", "not_for_this_age") in codes(problems)


def test_month_age_must_match_the_childs_age_on_the_visit_date():
    _, problems = clean(SPECS["child_check"], {**CHECK_18, "month_age": "12"}, TODDLER, final=True)
    assert ("month_age", "month_age_mismatch") in codes(problems)
    message = next(p.message for p in problems if p.field == "month_age")
    assert "18月龄" in message  # tells which check this visit is
    birth = dt.date(2025, 5, 20)
    assert month_age_for(birth, dt.date(2025, 6, 16)) is None  # day 27
    assert month_age_for(birth, dt.date(2025, 6, 17)) == 1  # day 28: 满月
    assert month_age_for(birth, dt.date(2026, 8, 19)) == 12  # 14 months
    assert month_age_for(birth, dt.date(2026, 8, 20)) == 18  # 15 months
    assert month_age_for(birth, dt.date(2032, 5, 20)) is None  # 7 years


def test_a_check_before_birth_or_beyond_six_is_refused():
    _, problems = clean(
        SPECS["child_check"], {**CHECK_18, "visit_date": "2025-05-01"}, TODDLER, final=True
    )
    assert ("visit_date", "before_birth") in codes(problems)
    seven = Context(today=TODAY, birth_date=dt.date(2019, 1, 1), sex="1")
    _, problems = clean(SPECS["child_check"], {**CHECK_36, "month_age": "72"}, seven, final=False)
    assert ("person", "too_old") in codes(problems)


def test_development_signs_belong_to_the_check_and_caries_to_teeth():
    assert len(DEVELOPMENT) == 1 + 11 * 4
    raw = {**CHECK_18, "development": ["12-1"], "caries": "13", "illnesses": ["2"]}
    _, problems = clean(SPECS["child_check"], raw, TODDLER, final=True)
    assert {
        ("development", "not_for_this_age"),
        ("caries", "above_teeth"),
        ("pneumonia_times", "required"),
    } <= codes(problems)
    data, problems = clean(
        SPECS["child_check"], {**CHECK_18, "development": ["18-4"]}, TODDLER, final=True
    )
    assert problems == [] and data["development"] == ["18-4"]


def test_infant_checks_need_head_circumference():
    infant = Context(today=TODAY, birth_date=dt.date(2026, 5, 10), sex="2")  # 6 months
    raw = {
        **CHECK_18,
        "visit_date": "2026-11-12",
        "month_age": "6",
        "weight": "7.9",
        "height": "67",
        "fontanelle": "2",
        "teeth": "2",
        "gait": "",
        "development": ["0"],
        "hearing": "1",  # behavioural audiometry at 6 months
        "next_visit_date": "2027-01-10",
    }
    _, problems = clean(SPECS["child_check"], raw, infant, final=True)
    assert codes(problems) == {("head_circumference", "required")}
    _, problems = clean(
        SPECS["child_check"], {**raw, "head_circumference": "43.5"}, infant, final=True
    )
    assert problems == []


def test_tcm_guidance_teaches_the_method_of_the_age():
    spec = SPECS["tcm_child"]
    raw = {
        "visit_date": "2026-11-20",
        "month_age": "18",
        "services": ["1", "2", "4", "5"],
        "next_visit_date": "2027-05-20",
        "doctor": "孙医生",
    }
    _, problems = clean(spec, raw, TODDLER, final=True)
    assert problems == []
    _, problems = clean(spec, {**raw, "services": ["1", "2", "3"]}, TODDLER, final=True)
    assert ("services", "not_for_this_age") in codes(problems)
    _, problems = clean(spec, {**raw, "services": ["1", "4"]}, TODDLER, final=True)
    assert ("services", "method_missing") in codes(problems)
    _, problems = clean(spec, {**raw, "month_age": "8"}, TODDLER, final=True)
    assert ("month_age", "unknown_code") in codes(problems)

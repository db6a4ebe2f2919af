"""健康体检表: vital-sign ranges, both arms' blood pressure, lifestyle logic, women-only
and elderly-only items, and BMI derived from height and weight."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
OLD_MAN = Context(today=TODAY, birth_date=dt.date(1950, 2, 1), sex="1")
WOMAN_50 = Context(today=TODAY, birth_date=dt.date(1976, 2, 1), sex="2")
SPEC = SPECS["health_check"]

COMPLETE = {
    "check_date": "2026-11-20",
    "symptoms": ["1"],
    "temperature": "36.5",
    "pulse": "76",
    "respiration": "18",
    "systolic_left": "138",
    "diastolic_left": "86",
    "systolic_right": "136",
    "diastolic_right": "84",
    "height": "165",
    "weight": "70",
    "waist": "88",
    "elderly_health_self": "2",
    "elderly_selfcare_self": "1",
    "elderly_cognition": "1",
    "elderly_emotion": "1",
    "exercise_frequency": "3",
    "exercise_minutes": "30",
    "diet": ["1", "4"],
    "smoking": "2",
    "smoking_start_age": "20",
    "smoking_quit_age": "60",
    "drinking": "1",
    "occupational_exposure": "1",
    "lips": "1",
    "dentition": ["2", "4"],
    "throat": "1",
    "vision_left": "4.8",
    "vision_right": "4.9",
    "hearing": "1",
    "motor": "1",
    "skin": "1",
    "sclera": "1",
    "lymph_nodes": "1",
    "barrel_chest": "1",
    "breath_sounds": "1",
    "rales": "1",
    "heart_rate": "76",
    "heart_rhythm": "1",
    "heart_murmur": "1",
    "abdomen_tenderness": "1",
    "abdomen_mass": "1",
    "hepatomegaly": "1",
    "splenomegaly": "1",
    "shifting_dullness": "1",
    "oedema": "1",
    "haemoglobin": "135",
    "fasting_glucose": "6.3",
    "urine_protein": "-",
    "cerebrovascular": ["1"],
    "kidney": ["1"],
    "heart": ["1"],
    "vascular": ["1"],
    "eye": ["4"],
    "nervous": "1",
    "other_system": "1",
    "hospital_stays": [
        {
            "in_date": "2024-03-02",
            "out_date": "2024-03-12",
            "reason": "白内障",
            "institution": "县医院",
        }
    ],
    "medications": [{"name": "氨氯地平", "usage": "口服", "dose": "5mg qd", "adherence": "1"}],
    "evaluation": "2",
    "abnormalities": "空腹血糖受损",
    "guidance": ["2"],
    "risk_control": ["3", "5"],
    "target_weight": "65",
    "doctor": "王医生",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_complete_check_signs_and_bmi_is_derived_not_typed():
    data, problems = clean(SPEC, {**COMPLETE, "bmi": "40"}, OLD_MAN, final=True)
    assert problems == []
    # 70 / 1.65² = 70 / 2.7225 = 25.711… → 25.7
    assert data["bmi"] == "25.7"
    assert data["temperature"] == "36.5" and data["systolic_left"] == 138


def test_the_left_arm_and_the_body_measures_are_lifted_into_columns():
    assert SPEC.measures == {
        "height": "height_cm",
        "weight": "weight_kg",
        "waist": "waist_cm",
        "systolic_left": "systolic",
        "diastolic_left": "diastolic",
        "fasting_glucose": "fasting_glucose",
    }


def test_typos_in_vital_signs_are_out_of_range_and_name_the_field():
    raw = {
        **COMPLETE,
        "temperature": "365",
        "pulse": "15",
        "height": "1.65",
        "weight": "700",
        "waist": "880",
        "haemoglobin": "13",  # g/dL typed where g/L is asked
    }
    _, problems = clean(SPEC, raw, OLD_MAN, final=False)
    assert {
        ("temperature", "above_range"),
        ("pulse", "below_range"),
        ("height", "below_range"),
        ("weight", "above_range"),
        ("waist", "above_range"),
        ("haemoglobin", "below_range"),
    } <= codes(problems)


def test_blood_pressure_is_checked_on_each_arm():
    raw = {**COMPLETE, "systolic_right": "80", "diastolic_right": "120"}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert codes(problems) == {("systolic_right", "systolic_not_above_diastolic")}


def test_smoking_ages_must_be_in_order_and_fit_the_persons_age():
    raw = {**COMPLETE, "smoking_start_age": "40", "smoking_quit_age": "30"}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert ("smoking_quit_age", "age_order") in codes(problems)
    # born 1950-02-01, checked 2026-11-20: 76 years old, so cannot have quit at 80
    _, too_old = clean(SPEC, {**COMPLETE, "smoking_quit_age": "80"}, OLD_MAN, final=True)
    assert ("smoking_quit_age", "above_age") in codes(too_old)


def test_lifestyle_answers_bring_their_dependent_items():
    raw = {**COMPLETE, "smoking": "3", "smoking_quit_age": "", "drinking": "4"}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert {
        ("cigarettes_per_day", "required"),
        ("alcohol_per_day", "required"),
        ("quit_drinking", "required"),
    } <= codes(problems)
    never = {**COMPLETE, "smoking": "1", "drinking": "1", "alcohol_per_day": "2"}
    _, problems = clean(SPEC, never, OLD_MAN, final=True)
    assert {
        ("smoking_start_age", "contradiction"),
        ("alcohol_per_day", "contradiction"),
    } <= codes(problems)


def test_none_choices_are_exclusive():
    raw = {**COMPLETE, "symptoms": ["1", "3"], "heart": ["1", "3"], "dentition": ["1", "2"]}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert {
        ("symptoms", "contradiction"),
        ("heart", "contradiction"),
        ("dentition", "contradiction"),
    } <= codes(problems)


def test_gynaecology_is_for_women_only():
    raw = {**COMPLETE, "cervix": "1", "cervical_smear": "1"}
    _, man = clean(SPEC, raw, OLD_MAN, final=True)
    assert {("cervix", "women_only"), ("cervical_smear", "women_only")} <= codes(man)
    younger = {k: v for k, v in raw.items() if not k.startswith("elderly_")}
    younger.update(smoking_quit_age="40")
    _, woman = clean(SPEC, younger, WOMAN_50, final=True)
    assert woman == []


def test_elderly_self_assessments_are_required_at_65_and_refused_below():
    raw = {k: v for k, v in COMPLETE.items() if k != "elderly_emotion"}
    _, old = clean(SPEC, raw, OLD_MAN, final=True)
    assert ("elderly_emotion", "required") in codes(old)
    _, young = clean(SPEC, {**COMPLETE, "smoking_quit_age": "40"}, WOMAN_50, final=True)
    assert ("elderly_health_self", "elderly_only") in codes(young)
    positive = {**COMPLETE, "elderly_cognition": "2"}
    _, screened = clean(SPEC, positive, OLD_MAN, final=True)
    assert ("elderly_mmse", "required") in codes(screened)


def test_hospital_stays_end_after_they_begin_and_abnormal_needs_its_items():
    raw = {
        **COMPLETE,
        "hospital_stays": [{"in_date": "2024-03-12", "out_date": "2024-03-02"}],
        "abnormalities": "",
        "risk_control": ["5"],
        "target_weight": "",
    }
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert {
        ("hospital_stays.0.out_date", "date_order"),
        ("abnormalities", "required"),
        ("target_weight", "required"),
    } <= codes(problems)


def test_signing_needs_the_vital_signs_and_the_doctor():
    raw = {k: v for k, v in COMPLETE.items() if k not in ("temperature", "waist", "doctor")}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert {("temperature", "required"), ("waist", "required"), ("doctor", "required")} <= codes(
        problems
    )
    draft, problems = clean(SPEC, {"height": "165"}, OLD_MAN, final=False)
    assert draft == {"height": "165.0"} and problems == []


def test_occupational_exposure_names_its_hazards_and_their_protection():
    raw = {**COMPLETE, "occupational_exposure": "2", "job": "石料厂工人", "job_years": "12"}
    _, problems = clean(SPEC, raw, OLD_MAN, final=True)
    assert ("hazard_dust", "required") in codes(problems)
    _, unprotected = clean(SPEC, {**raw, "hazard_dust": "石粉"}, OLD_MAN, final=True)
    assert codes(unprotected) == {("hazard_dust_protection", "required")}
    _, ok = clean(
        SPEC, {**raw, "hazard_dust": "石粉", "hazard_dust_protection": "2"}, OLD_MAN, final=True
    )
    assert ok == []

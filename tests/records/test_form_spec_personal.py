"""个人基本信息表: code tables, "none" choices, dependent fields and history rows."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
ADULT = Context(today=TODAY, birth_date=dt.date(1960, 5, 1), sex="2")
SPEC = SPECS["personal_info"]

COMPLETE = {
    "filled_date": "2026-11-20",
    "blood_type": "3",
    "rh": "2",
    "education": "7",
    "occupation": "4",
    "marital_status": "2",
    "payment_methods": ["3"],
    "drug_allergy": ["2", "5"],
    "drug_allergy_other": "头孢",
    "exposure": ["1"],
    "past_disease": "2",
    "past_diseases": [
        {"disease": "2", "diagnosed_on": "2015-03-01"},
        {"disease": "6", "name": "乳腺癌", "diagnosed_on": "2020-06-01"},
    ],
    "past_operation": "2",
    "operations": [{"name": "乳腺切除术", "date": "2020-07-01"}],
    "past_injury": "1",
    "past_transfusion": "1",
    "family_father": ["2", "7"],
    "family_mother": ["1"],
    "family_siblings": ["1"],
    "family_children": ["1"],
    "hereditary": "1",
    "disability": ["1"],
    "kitchen_exhaust": "4",
    "fuel": "5",
    "drinking_water": "3",
    "toilet": "2",
    "livestock_pen": "4",
    "doctor": "李医生",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_complete_form_signs_and_keeps_its_rows():
    data, problems = clean(SPEC, COMPLETE, ADULT, final=True)
    assert problems == []
    assert data["past_diseases"][1] == {
        "disease": "6",
        "name": "乳腺癌",
        "diagnosed_on": "2020-06-01",
    }
    assert data["drug_allergy"] == ["2", "5"]


def test_signing_needs_the_table_filled_and_the_doctor():
    raw = {k: v for k, v in COMPLETE.items() if k not in ("blood_type", "toilet", "doctor")}
    _, problems = clean(SPEC, raw, ADULT, final=True)
    assert {("blood_type", "required"), ("toilet", "required"), ("doctor", "required")} <= codes(
        problems
    )


def test_education_and_marriage_are_asked_of_adults_only():
    raw = {
        k: v for k, v in COMPLETE.items() if k not in ("education", "occupation", "marital_status")
    }
    _, adult = clean(SPEC, raw, ADULT, final=True)
    assert {("education", "required"), ("marital_status", "required")} <= codes(adult)
    baby = Context(today=TODAY, birth_date=dt.date(2025, 1, 1), sex="1")
    raw.update(past_disease="1", past_diseases=[], past_operation="1", operations=[])
    _, problems = clean(SPEC, raw, baby, final=True)
    assert problems == []
    _, married = clean(SPEC, {**raw, "marital_status": "2"}, baby, final=True)
    assert ("marital_status", "implausible") in codes(married)


def test_none_cannot_be_chosen_with_another_choice():
    _, problems = clean(
        SPEC,
        {**COMPLETE, "exposure": ["1", "3"], "family_mother": ["1", "2"], "disability": ["1", "5"]},
        ADULT,
        final=True,
    )
    assert {
        ("exposure", "contradiction"),
        ("family_mother", "contradiction"),
        ("disability", "contradiction"),
    } <= codes(problems)


def test_other_choices_need_their_text():
    raw = {
        **COMPLETE,
        "drug_allergy_other": "",
        "payment_methods": ["8"],
        "family_children": ["12"],
        "hereditary": "2",
        "disability": ["8"],
    }
    _, problems = clean(SPEC, raw, ADULT, final=True)
    assert {
        ("drug_allergy_other", "required"),
        ("payment_other", "required"),
        ("family_other", "required"),
        ("hereditary_name", "required"),
        ("disability_other", "required"),
    } <= codes(problems)


def test_history_rows_must_agree_with_their_yes_or_no():
    raw = {
        **COMPLETE,
        "past_injury": "1",
        "injuries": [{"name": "骨折", "date": "2001-01-01"}],
        "past_transfusion": "2",
    }
    _, problems = clean(SPEC, raw, ADULT, final=True)
    assert {("past_injury", "contradiction"), ("transfusions", "required")} <= codes(problems)


def test_history_rows_need_name_and_date_and_lie_before_the_form():
    raw = {
        **COMPLETE,
        "past_diseases": [
            {"disease": "12", "diagnosed_on": "2010-01-01"},
            {"disease": "3"},
        ],
        "operations": [{"date": "2026-11-22"}],
    }
    _, problems = clean(SPEC, raw, ADULT, final=True)
    assert {
        ("past_diseases.0.name", "required"),
        ("past_diseases.1.diagnosed_on", "required"),
        ("operations.0.name", "required"),
        ("operations.0.date", "date_order"),
    } <= codes(problems)


def test_unknown_codes_and_dates_before_birth_name_the_field():
    raw = {
        **COMPLETE,
        "blood_type": "9",
        "fuel": "0",
        "past_diseases": [{"disease": "2", "diagnosed_on": "1950-01-01"}],
    }
    _, problems = clean(SPEC, raw, ADULT, final=False)
    assert {
        ("blood_type", "unknown_code"),
        ("fuel", "unknown_code"),
        ("past_diseases.0.diagnosed_on", "before_birth"),
    } <= codes(problems)

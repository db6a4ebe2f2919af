"""严重精神障碍 forms: the supplementary information table and the follow-up record."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
PATIENT = Context(today=TODAY, birth_date=dt.date(1980, 4, 2), sex="1")
INFO = SPECS["smi_info"]
FOLLOWUP = SPECS["smi_followup"]


def codes(problems):
    return {(p.field, p.code) for p in problems}


INFO_RAW = {
    "filled_date": "2026-11-20",
    "guardian_name": "王芳",
    "guardian_relation": "母亲",
    "guardian_phone": "13800000000",
    "household": "2",
    "employment": "3",
    "consent": "1",
    "consent_signer": "王芳",
    "onset_date": "2005-06-01",
    "past_symptoms": ["1", "3"],
    "past_lockup": "1",
    "outpatient": "3",
    "first_antipsychotic_date": "2005-08-01",
    "admissions": "2",
    "diagnosis": "精神分裂症",
    "diagnosis_hospital": "市精神卫生中心",
    "diagnosis_date": "2005-07-15",
    "behaviours_none": "1",
    "economy": "1",
    "doctor": "周医生",
}

SEEN = {
    "visit_date": "2026-11-20",
    "mode": "2",
    "risk_level": "0",
    "symptoms": ["11"],
    "insight": "2",
    "sleep": "1",
    "diet": "1",
    "personal_care": "2",
    "housework": "2",
    "work": "9",
    "learning": "2",
    "social": "3",
    "behaviours_none": "1",
    "lockup": "1",
    "hospital": "0",
    "lab_tests": "1",
    "adherence": "1",
    "adverse_reaction": "1",
    "effect": "2",
    "referral": "1",
    "medications": [{"name": "利培酮片", "frequency": "每日2次", "dose_mg": "2"}],
    "rehabilitation": ["1", "4"],
    "classification": "3",
    "next_visit_date": "2027-02-18",
    "doctor": "周医生",
}


def test_a_complete_information_table_signs():
    data, problems = clean(INFO, INFO_RAW, PATIENT, final=True)
    assert problems == []
    assert data["behaviours_none"] is True and data["admissions"] == 2


def test_information_dates_in_order_and_behaviours_answered():
    raw = {**INFO_RAW, "diagnosis_date": "2005-01-01", "behaviours_none": "", "trouble": ""}
    _, problems = clean(INFO, raw, PATIENT, final=True)
    assert {("diagnosis_date", "date_order"), ("behaviours_none", "required")} <= codes(problems)
    _, both = clean(INFO, {**INFO_RAW, "self_harm": "2"}, PATIENT, final=True)
    assert ("behaviours_none", "contradiction") in codes(both)


def test_a_complete_follow_up_signs():
    data, problems = clean(FOLLOWUP, SEEN, PATIENT, final=True)
    assert problems == []
    assert data["classification"] == "3" and data["work"] == "9"


def test_a_patient_not_seen_needs_only_the_reason():
    raw = {
        "visit_date": "2026-11-20",
        "classification": "4",
        "lost_reason": "1",
        "doctor": "周医生",
    }
    _, problems = clean(FOLLOWUP, raw, PATIENT, final=True)
    assert problems == []
    _, no_reason = clean(FOLLOWUP, {**raw, "lost_reason": ""}, PATIENT, final=True)
    assert codes(no_reason) == {("lost_reason", "required")}


def test_a_patient_seen_needs_the_whole_assessment():
    raw = {k: v for k, v in SEEN.items() if k not in ("risk_level", "insight", "behaviours_none")}
    _, problems = clean(FOLLOWUP, raw, PATIENT, final=True)
    assert {
        ("risk_level", "required"),
        ("insight", "required"),
        ("behaviours_none", "required"),
    } <= codes(problems)


def test_risk_level_and_classification_must_agree():
    _, high = clean(
        FOLLOWUP, {**SEEN, "risk_level": "3", "classification": "2"}, PATIENT, final=True
    )
    assert ("classification", "contradiction") in codes(high)
    _, low = clean(FOLLOWUP, {**SEEN, "risk_level": "1"}, PATIENT, final=True)
    assert ("classification", "contradiction") in codes(low)
    # 不稳定 is seen again within two weeks (分类干预 1).
    unstable = {**SEEN, "risk_level": "4", "classification": "1", "next_visit_date": "2026-12-04"}
    _, ok = clean(FOLLOWUP, unstable, PATIENT, final=True)
    assert ok == []


def test_risk_level_is_0_to_5_and_counts_are_counts():
    _, problems = clean(
        FOLLOWUP, {**SEEN, "risk_level": "6", "trouble": "-1"}, PATIENT, final=False
    )
    assert {("risk_level", "unknown_code"), ("trouble", "below_range")} <= codes(problems)


def test_dependent_items_follow_their_triggers():
    raw = {
        **SEEN,
        "hospital": "2",
        "lab_tests": "2",
        "adverse_reaction": "2",
        "referral": "2",
        "rehabilitation": ["5"],
        "adherence": "3",
    }
    _, problems = clean(FOLLOWUP, raw, PATIENT, final=True)
    assert {
        ("last_discharge_date", "required"),
        ("lab_tests_detail", "required"),
        ("adverse_reaction_detail", "required"),
        ("referral_reason", "required"),
        ("referral_to", "required"),
        ("rehabilitation_other", "required"),
        ("medications", "contradiction"),
    } <= codes(problems)
    _, no_drugs = clean(FOLLOWUP, {**SEEN, "medications": []}, PATIENT, final=True)
    assert ("medications", "required") in codes(no_drugs)


def test_next_visit_lies_after_this_one_and_within_three_months():
    _, before = clean(FOLLOWUP, {**SEEN, "next_visit_date": "2026-11-20"}, PATIENT, final=True)
    assert ("next_visit_date", "date_order") in codes(before)
    _, far = clean(FOLLOWUP, {**SEEN, "next_visit_date": "2027-06-01"}, PATIENT, final=True)
    assert ("next_visit_date", "too_far") in codes(far)


def test_a_death_reported_at_follow_up_needs_its_cause():
    raw = {
        "visit_date": "2026-11-20",
        "death_date": "2026-11-10",
        "death_cause": "1",
        "classification": "4",
        "lost_reason": "5",
        "lost_reason_other": "死亡",
        "doctor": "周医生",
    }
    _, problems = clean(FOLLOWUP, raw, PATIENT, final=True)
    assert codes(problems) == {("death_disease", "required")}

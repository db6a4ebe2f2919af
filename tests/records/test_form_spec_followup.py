"""The follow-up forms check what the specification and common sense demand, as typed."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
ADULT = Context(today=TODAY, birth_date=dt.date(1956, 3, 1), sex="1")

COMPLETE = {
    "visit_date": "2026-11-20",
    "mode": "1",
    "symptoms": ["1"],
    "systolic": "152",
    "diastolic": "94",
    "height": "168",
    "weight": "72.5",
    "adherence": "1",
    "adverse_reaction": "1",
    "classification": "2",
    "next_visit_date": "2026-12-04",
    "doctor": "张医生",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_complete_follow_up_signs_and_bmi_is_derived_not_typed():
    data, problems = clean(SPECS["htn_followup"], {**COMPLETE, "bmi": "99"}, ADULT, final=True)
    assert problems == []
    # 72.5 / 1.68² = 72.5 / 2.8224 = 25.687… → 25.7
    assert data["bmi"] == "25.7"
    assert data["systolic"] == 152 and data["weight"] == "72.5"


def test_a_follow_up_without_date_or_doctor_is_refused_on_signing():
    raw = {k: v for k, v in COMPLETE.items() if k not in ("visit_date", "doctor")}
    _, problems = clean(SPECS["htn_followup"], raw, ADULT, final=True)
    assert {("visit_date", "required"), ("doctor", "required")} <= codes(problems)


def test_a_draft_keeps_what_was_typed_even_when_incomplete():
    data, problems = clean(SPECS["htn_followup"], {"systolic": "150"}, ADULT, final=False)
    assert data == {"systolic": 150}
    assert problems == []


def test_blood_pressure_80_over_120_is_flagged_as_swapped():
    _, problems = clean(
        SPECS["htn_followup"], {**COMPLETE, "systolic": "80", "diastolic": "120"}, ADULT, final=True
    )
    assert ("systolic", "systolic_not_above_diastolic") in codes(problems)


def test_dates_in_the_future_before_birth_or_after_death_are_refused():
    spec = SPECS["dm_followup"]
    _, future = clean(spec, {"visit_date": "2026-11-25"}, ADULT, final=False)
    assert ("visit_date", "date_in_future") in codes(future)
    _, before = clean(spec, {"visit_date": "1950-01-01"}, ADULT, final=False)
    assert ("visit_date", "before_birth") in codes(before)
    dead = Context(
        today=TODAY, birth_date=dt.date(1956, 3, 1), sex="1", death_date=dt.date(2026, 6, 1)
    )
    _, after = clean(spec, {"visit_date": "2026-07-01"}, dead, final=False)
    assert ("visit_date", "after_death") in codes(after)


def test_codes_outside_their_table_and_out_of_range_values_name_the_field():
    _, problems = clean(
        SPECS["dm_followup"],
        {**COMPLETE, "mode": "9", "fasting_glucose": "80", "symptoms": ["1", "3"]},
        ADULT,
        final=True,
    )
    assert {
        ("mode", "unknown_code"),
        ("fasting_glucose", "above_range"),
        ("symptoms", "contradiction"),
    } <= codes(problems)


def test_next_follow_up_must_come_after_this_one():
    _, problems = clean(
        SPECS["htn_followup"], {**COMPLETE, "next_visit_date": "2026-11-20"}, ADULT, final=True
    )
    assert ("next_visit_date", "date_order") in codes(problems)

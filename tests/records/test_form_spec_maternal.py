"""Maternal care forms: who may have them, what they derive and which logic they refuse."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.maternal import edd, registered_early
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
MOTHER = Context(today=TODAY, birth_date=dt.date(1996, 5, 20), sex="2")
MAN = Context(today=TODAY, birth_date=dt.date(1996, 5, 20), sex="1")

FIRST = {
    "visit_date": "2026-10-10",
    "gestational_weeks": "10",
    "age": "30",
    "husband_name": "王强",
    "gravidity": "2",
    "parity_vaginal": "1",
    "lmp": "2026-08-01",
    "past_history": ["1"],
    "family_history": ["1"],
    "personal_history": ["1"],
    "gyn_surgery": "1",
    "height": "160",
    "weight": "55",
    "systolic": "112",
    "diastolic": "70",
    "heart": "1",
    "lungs": "1",
    "vulva": "1",
    "vagina": "1",
    "cervix": "1",
    "uterus": "1",
    "adnexa": "1",
    "haemoglobin": "118",
    "urine_protein": "1",
    "blood_type_abo": "3",
    "hbsag": "1",
    "syphilis": "1",
    "hiv": "1",
    "evaluation": "1",
    "guidance": ["1", "3", "5"],
    "next_visit_date": "2026-11-30",
    "doctor": "赵医生",
}

FOLLOWUP = {
    "visit_date": "2026-11-20",
    "visit_number": "2",
    "gestational_weeks": "16",
    "weight": "57.5",
    "fundal_height": "16",
    "abdominal_circumference": "82",
    "fetal_heart_rate": "148",
    "systolic": "110",
    "diastolic": "72",
    "classification": "1",
    "guidance": ["1", "2"],
    "next_visit_date": "2026-12-20",
    "doctor": "赵医生",
}

POSTPARTUM = {
    "visit_date": "2026-10-10",
    "delivery_date": "2026-10-01",
    "discharge_date": "2026-10-04",
    "temperature": "36.8",
    "systolic": "118",
    "diastolic": "76",
    "breasts": "1",
    "lochia": "1",
    "uterus": "1",
    "wound": "1",
    "classification": "1",
    "guidance": ["4", "5"],
    "next_visit_date": "2026-11-12",
    "doctor": "赵医生",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_a_complete_first_visit_signs_with_edd_and_bmi_derived():
    data, problems = clean(
        SPECS["prenatal_first"], {**FIRST, "edd": "2030-01-01"}, MOTHER, final=True
    )
    assert problems == []
    # 1 August + 280 days: Aug 30 + Sep 30 + Oct 31 + Nov 30 + Dec 31 + Jan 31 + Feb 28
    # + Mar 31 + Apr 30 = 272 days to 30 April, 8 more → 8 May 2027 (Naegele: +7 d, −3 mo).
    assert data["edd"] == "2027-05-08"
    # 55 / 1.60² = 55 / 2.56 = 21.48… → 21.5
    assert data["bmi"] == "21.5"
    assert registered_early(data)


def test_edd_is_lmp_plus_280_days():
    assert edd(dt.date(2024, 2, 29)) == dt.date(2024, 12, 5)
    assert edd(None) is None


def test_a_pregnancy_for_a_man_is_refused():
    for kind in ("prenatal_first", "prenatal_followup", "postpartum_visit", "postpartum_42"):
        raw = {"prenatal_first": FIRST, "prenatal_followup": FOLLOWUP}.get(kind, POSTPARTUM)
        _, problems = clean(SPECS[kind], raw, MAN, final=True)
        assert ("person", "wrong_sex") in codes(problems), kind
    _, problems = clean(SPECS["prenatal_first"], FIRST, MOTHER, final=True)
    assert ("person", "wrong_sex") not in codes(problems)


def test_a_pregnancy_outside_plausible_ages_is_refused():
    child = Context(today=TODAY, birth_date=dt.date(2016, 1, 1), sex="2")
    _, problems = clean(SPECS["prenatal_first"], FIRST, child, final=False)
    assert ("person", "too_young") in codes(problems)
    old = Context(today=TODAY, birth_date=dt.date(1950, 1, 1), sex="2")
    _, problems = clean(SPECS["prenatal_followup"], FOLLOWUP, old, final=False)
    assert ("person", "too_old") in codes(problems)


def test_late_registration_is_stored_and_signs_but_does_not_count_as_early():
    raw = {**FIRST, "gestational_weeks": "13", "lmp": "2026-07-11"}
    data, problems = clean(SPECS["prenatal_first"], raw, MOTHER, final=True)
    assert problems == []
    assert data["gestational_weeks"] == 13 and not registered_early(data)
    _, problems = clean(
        SPECS["prenatal_first"], {**FIRST, "gestational_weeks": "43"}, MOTHER, final=True
    )
    assert ("gestational_weeks", "above_range") in codes(problems)


def test_deliveries_cannot_outnumber_earlier_pregnancies():
    # 孕次 2 includes this pregnancy: one earlier delivery fits, two do not.
    raw = {**FIRST, "parity_vaginal": "1", "parity_caesarean": "1"}
    _, problems = clean(SPECS["prenatal_first"], raw, MOTHER, final=True)
    assert ("gravidity", "parity_exceeds_gravidity") in codes(problems)
    raw = {**FIRST, "gravidity": "1", "induced_abortions": "1", "parity_vaginal": ""}
    _, problems = clean(SPECS["prenatal_first"], raw, MOTHER, final=True)
    assert ("gravidity", "parity_exceeds_gravidity") in codes(problems)


def test_last_period_after_the_visit_or_missing_is_refused():
    _, problems = clean(SPECS["prenatal_first"], {**FIRST, "lmp": "2026-10-11"}, MOTHER, final=True)
    assert ("lmp", "date_order") in codes(problems)
    raw = {k: v for k, v in FIRST.items() if k != "lmp"}
    _, problems = clean(SPECS["prenatal_first"], raw, MOTHER, final=True)
    assert ("lmp", "required") in codes(problems)
    # "不详" is an answer: no EDD then, and signing is allowed.
    data, problems = clean(SPECS["prenatal_first"], {**raw, "lmp_unknown": "1"}, MOTHER, final=True)
    assert problems == [] and "edd" not in data


def test_first_visit_logic_age_bp_none_with_others_abnormal_without_detail():
    raw = {
        **FIRST,
        "age": "25",
        "systolic": "70",
        "diastolic": "110",
        "past_history": ["1", "5"],
        "cervix": "2",
        "referral": "2",
    }
    _, problems = clean(SPECS["prenatal_first"], raw, MOTHER, final=True)
    assert {
        ("age", "age_mismatch"),
        ("systolic", "systolic_not_above_diastolic"),
        ("past_history", "contradiction"),
        ("cervix_detail", "required"),
        ("referral_reason", "required"),
        ("referral_to", "required"),
    } <= codes(problems)


def test_follow_up_ranges_and_required_fields():
    data, problems = clean(SPECS["prenatal_followup"], FOLLOWUP, MOTHER, final=True)
    assert problems == [] and data["fetal_heart_rate"] == 148
    raw = {**FOLLOWUP, "fetal_heart_rate": "200", "visit_number": "6", "doctor": ""}
    _, problems = clean(SPECS["prenatal_followup"], raw, MOTHER, final=True)
    assert {
        ("fetal_heart_rate", "above_range"),
        ("visit_number", "above_range"),
        ("doctor", "required"),
    } <= codes(problems)
    _, problems = clean(
        SPECS["prenatal_followup"], {**FOLLOWUP, "fetal_heart_rate": "90"}, MOTHER, final=True
    )
    assert ("fetal_heart_rate", "below_range") in codes(problems)


def test_postpartum_visit_within_28_days_of_delivery():
    spec = SPECS["postpartum_visit"]
    _, problems = clean(spec, POSTPARTUM, MOTHER, final=True)
    assert problems == []
    _, problems = clean(spec, {**POSTPARTUM, "visit_date": "2026-10-29"}, MOTHER, final=True)
    assert problems == []  # day 28
    _, problems = clean(spec, {**POSTPARTUM, "visit_date": "2026-10-30"}, MOTHER, final=True)
    assert ("visit_date", "outside_window") in codes(problems)  # day 29
    raw = {**POSTPARTUM, "visit_date": "2026-09-30", "discharge_date": ""}
    _, problems = clean(spec, raw, MOTHER, final=True)
    assert ("visit_date", "before_delivery") in codes(problems)
    _, problems = clean(spec, {**POSTPARTUM, "discharge_date": "2026-09-30"}, MOTHER, final=True)
    assert ("discharge_date", "date_order") in codes(problems)


def test_postpartum_42_day_check_not_before_day_42():
    spec = SPECS["postpartum_42"]
    raw = {
        **{k: v for k, v in POSTPARTUM.items() if k not in ("temperature", "next_visit_date")},
        "visit_date": "2026-10-31",
        "delivery_date": "2026-09-19",
        "discharge_date": "2026-09-21",
        "classification": "1",
        "guidance": ["2", "3"],
        "disposal": "1",
    }
    _, problems = clean(spec, raw, MOTHER, final=True)
    assert problems == []  # 19 Sep + 42 days = 31 Oct
    _, problems = clean(spec, {**raw, "visit_date": "2026-10-30"}, MOTHER, final=True)
    assert ("visit_date", "outside_window") in codes(problems)
    _, problems = clean(spec, {**raw, "disposal": "2"}, MOTHER, final=True)
    assert {("referral_reason", "required"), ("referral_to", "required")} <= codes(problems)

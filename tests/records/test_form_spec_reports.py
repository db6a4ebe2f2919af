"""传染病报告卡 and the two activity logs (health education, health supervision)."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.reports import DISEASES
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
ADULT = Context(today=TODAY, birth_date=dt.date(1970, 8, 8), sex="1")
NO_ONE = Context(today=TODAY)
CARD = SPECS["infectious_report"]
EDUCATION = SPECS["health_education"]
SUPERVISION = SPECS["health_supervision"]


def codes(problems):
    return {(p.field, p.code) for p in problems}


CARD_RAW = {
    "report_type": "1",
    "patient_from": "1",
    "address": "某县某镇某村3组",
    "population": "12",
    "case_class": "3",
    "onset_date": "2026-11-10",
    "diagnosis_date": "2026-11-15",
    "diagnosis_hour": "10",
    "disease": "B23",
    "reporting_unit": "某镇卫生院",
    "doctor": "吴医生",
    "filled_date": "2026-11-15",
}


def test_the_disease_list_carries_class_a_b_and_c():
    assert DISEASES["A01"] == "鼠疫" and DISEASES["A02"] == "霍乱"
    assert DISEASES["B23"] == "肺结核（病原学阳性）"
    assert DISEASES["C11"] == "手足口病"


def test_a_complete_card_signs():
    data, problems = clean(CARD, CARD_RAW, ADULT, final=True)
    assert problems == []
    assert data["disease"] == "B23" and data["diagnosis_hour"] == 10


def test_onset_diagnosis_death_and_filling_dates_in_order():
    raw = {
        **CARD_RAW,
        "diagnosis_date": "2026-11-08",
        "death_date": "2026-11-05",
    }
    _, problems = clean(CARD, raw, ADULT, final=True)
    assert {("diagnosis_date", "date_order"), ("death_date", "date_order")} <= codes(problems)
    _, late = clean(CARD, {**CARD_RAW, "filled_date": "2026-11-12"}, ADULT, final=True)
    assert ("filled_date", "date_order") in codes(late)


def test_hepatitis_b_needs_acute_or_chronic_and_others_refuse_it():
    _, hep = clean(CARD, {**CARD_RAW, "disease": "B05"}, ADULT, final=True)
    assert ("acute_chronic", "required") in codes(hep)
    _, tb = clean(CARD, {**CARD_RAW, "acute_chronic": "2"}, ADULT, final=True)
    assert ("acute_chronic", "not_applicable") in codes(tb)


def test_unknown_disease_and_other_disease_without_its_name():
    _, unknown = clean(CARD, {**CARD_RAW, "disease": "B99"}, ADULT, final=True)
    assert ("disease", "unknown_code") in codes(unknown)
    _, other = clean(CARD, {**CARD_RAW, "disease": "O01"}, ADULT, final=True)
    assert ("disease_other", "required") in codes(other)


def test_a_child_needs_a_parent_and_neonatal_tetanus_only_in_the_first_28_days():
    baby = Context(today=TODAY, birth_date=dt.date(2026, 10, 1), sex="2")
    raw = {**CARD_RAW, "disease": "B31", "population": "2"}
    # born 2026-10-01, onset 2026-11-10: 40 days old
    _, problems = clean(CARD, raw, baby, final=True)
    assert {("parent_name", "required"), ("disease", "implausible")} <= codes(problems)
    newborn = {**raw, "onset_date": "2026-10-20", "parent_name": "郑某"}
    _, ok = clean(CARD, newborn, baby, final=True)
    assert ok == []


def test_a_correction_card_names_the_corrected_disease():
    _, problems = clean(CARD, {**CARD_RAW, "report_type": "2"}, ADULT, final=True)
    assert ("corrected_disease", "required") in codes(problems)


EDUCATION_RAW = {
    "activity_date": "2026-11-18",
    "place": "村委会会议室",
    "activity_type": "1",
    "theme": "冬季高血压防治",
    "organiser": "某镇卫生院",
    "participants": "35",
    "content": "讲解高血压危害、限盐和规律服药。",
    "archived": ["1", "5"],
    "filler": "陈医生",
    "filled_date": "2026-11-19",
}


def test_a_health_education_log_belongs_to_no_one_and_signs():
    assert EDUCATION.per_person is False and SUPERVISION.per_person is False
    data, problems = clean(EDUCATION, EDUCATION_RAW, NO_ONE, final=True)
    assert problems == []
    assert data["participants"] == 35


def test_a_health_education_log_refuses_bad_counts_and_dates():
    raw = {**EDUCATION_RAW, "participants": "0", "filled_date": "2026-11-17", "activity_type": "7"}
    _, problems = clean(EDUCATION, raw, NO_ONE, final=True)
    assert {
        ("participants", "below_range"),
        ("filled_date", "date_order"),
        ("activity_type_other", "required"),
    } <= codes(problems)
    _, missing = clean(EDUCATION, {"activity_date": "2026-11-18"}, NO_ONE, final=True)
    assert {
        ("place", "required"),
        ("content", "required"),
        ("participants", "required"),
        ("filler", "required"),
    } <= codes(missing)


def test_a_supervision_report_is_reported_after_it_was_found():
    raw = {
        "found_date": "2026-11-10",
        "kind": "1",
        "category": "2",
        "place": "某村集中供水点",
        "content": "水源周边有生活垃圾堆放。",
        "report_date": "2026-11-09",
        "reporter": "林医生",
    }
    _, problems = clean(SUPERVISION, raw, NO_ONE, final=True)
    assert codes(problems) == {("report_date", "date_order")}
    data, ok = clean(SUPERVISION, {**raw, "report_date": "2026-11-10"}, NO_ONE, final=True)
    assert ok == [] and data["category"] == "2"
    _, unreported = clean(SUPERVISION, {**raw, "report_date": ""}, NO_ONE, final=True)
    assert ("report_date", "required") in codes(unreported)


def test_a_card_may_report_a_death_after_it_happened_but_a_follow_up_may_not():
    died = Context(
        today=TODAY, birth_date=dt.date(1970, 8, 8), sex="1", death_date=dt.date(2026, 11, 14)
    )
    raw = {**CARD_RAW, "death_date": "2026-11-14"}
    _, problems = clean(CARD, raw, died, final=True)
    assert "after_death" not in {p.code for p in problems}
    _, problems = clean(SPECS["htn_followup"], {"visit_date": "2026-11-15"}, died, final=False)
    assert ("visit_date", "after_death") in codes(problems)

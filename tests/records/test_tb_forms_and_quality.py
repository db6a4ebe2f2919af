"""The tuberculosis forms (第一次入户随访记录表, 随访服务记录表 with its closing
assessment) and the quality rules of the service's timing."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.spec import Context, clean
from huimin.records.quality_rules import PersonFacts, RecordFacts, check_record, tb_hits

D = dt.date
CTX = Context(today=D(2027, 6, 1), birth_date=D(1980, 5, 5), sex="1")

FIRST = {
    "visit_date": "2026-11-04",
    "visit_mode": "2",
    "patient_type": "1",
    "sputum": "1",
    "resistance": "2",
    "symptoms": ["1"],
    "treatment_started_on": "2026-11-01",
    "regimen": "2HRZE/4HR",
    "usage": "1",
    "drug_form": ["1"],
    "supervisor": "2",
    "own_room": "1",
    "ventilation": "1",
    "drug_pickup_place": "县疾控中心",
    **{
        f"teach_{k}": "1"
        for k in (
            "diary_card",
            "dosing",
            "course",
            "irregular",
            "side_effects",
            "sputum",
            "travel",
            "habits",
            "contacts",
        )
    },
    "next_visit_date": "2026-11-14",
    "doctor": "李医生",
}

FOLLOW = {
    "visit_date": "2027-05-02",
    "treatment_month": 7,
    "supervisor": "2",
    "visit_mode": "2",
    "symptoms": ["0"],
    "regimen": "2HRZE/4HR",
    "usage": "1",
    "drug_form": ["1"],
    "missed_doses": 0,
    "adverse_reaction": "1",
    "complication": "1",
    "doctor": "李医生",
}


def test_both_tb_forms_are_registered_and_a_complete_first_visit_signs():
    assert {"tb_first_visit", "tb_followup"} <= set(SPECS)
    _, problems = clean(SPECS["tb_first_visit"], FIRST, CTX, final=True)
    assert problems == []


def test_treatment_cannot_start_after_the_first_visit():
    _, problems = clean(
        SPECS["tb_first_visit"], {**FIRST, "treatment_started_on": "2026-11-05"}, CTX, final=True
    )
    assert [p.field for p in problems] == ["treatment_started_on"]


def test_the_closing_assessment_needs_its_figures_and_derives_the_dose_rate():
    spec = SPECS["tb_followup"]
    _, problems = clean(spec, {**FOLLOW, "stopped_on": "2027-05-01"}, CTX, final=True)
    assert {p.field for p in problems} == {
        "stop_reason",
        "visits_due",
        "visits_done",
        "doses_due",
        "doses_taken",
        "evaluator",
    }
    closing = {
        "stopped_on": "2027-05-01",
        "stop_reason": "1",
        "visits_due": 10,
        "visits_done": 10,
        "doses_due": 180,
        "doses_taken": 171,
        "evaluator": "李医生",
    }
    data, problems = clean(spec, {**FOLLOW, **closing}, CTX, final=True)
    assert problems == []
    assert data["dose_rate"] == "95.0"  # 171 / 180
    _, over = clean(spec, {**FOLLOW, **closing, "doses_taken": 181}, CTX, final=True)
    assert [p.code for p in over] == ["above_due"]


def form(id_, kind, day, **data):
    return {"id": id_, "kind": kind, "status": "signed", "service_date": day, "data": data}


def tb_programme(ended_on=None):
    return {"kind": "tb", "registered_on": D(2026, 11, 2), "ended_on": ended_on, "details": {}}


def rules(forms, today=None, programme=None):
    today = today or D(2027, 1, 10)
    return {h.rule: h for h in tb_hits(forms, [programme or tb_programme()], today)}


FIRST_ON_TIME = form(1, "tb_first_visit", D(2026, 11, 5), treatment_started_on="2026-11-01")


def test_a_first_visit_after_72_hours_is_flagged_and_on_the_third_day_is_not():
    assert "tb.first_visit_late" not in rules([FIRST_ON_TIME])
    late = form(1, "tb_first_visit", D(2026, 11, 6), treatment_started_on="2026-11-01")
    hit = rules([late])["tb.first_visit_late"]
    assert hit.form_id == 1 and "第4天" in hit.message


def test_an_intensive_phase_gap_over_ten_days_is_flagged_ten_is_not():
    ten = [FIRST_ON_TIME, form(2, "tb_followup", D(2026, 11, 15))]
    assert "tb.gap" not in rules(ten)
    eleven = [FIRST_ON_TIME, form(2, "tb_followup", D(2026, 11, 16))]
    assert rules(eleven)["tb.gap"].form_id == 2


def test_in_the_continuation_phase_a_month_is_allowed():
    month = [
        FIRST_ON_TIME,
        form(2, "tb_followup", D(2027, 1, 5)),
        form(3, "tb_followup", D(2027, 2, 5)),
    ]
    got = rules(month, today=D(2027, 2, 6))
    assert [h.form_id for h in tb_hits(month, [tb_programme()], D(2027, 2, 6))] == [2]
    assert got["tb.gap"].form_id == 2  # 11-05 → 01-05 in the intensive phase
    over = [*month[:2], form(3, "tb_followup", D(2027, 2, 6))]
    assert [h.form_id for h in tb_hits(over, [tb_programme()], D(2027, 2, 7))] == [2, 3]


def test_a_course_over_without_closing_assessment_is_flagged():
    # Course 2026-11-01 → 2027-05-01; flagged from 2027-06-01 or when the programme ends.
    assert "tb.closing" not in rules([FIRST_ON_TIME], today=D(2027, 5, 31))
    assert "tb.closing" in rules([FIRST_ON_TIME], today=D(2027, 6, 1))
    ended = tb_programme(ended_on=D(2027, 5, 10))
    assert "tb.closing" in rules([FIRST_ON_TIME], today=D(2027, 5, 11), programme=ended)
    moved = {**tb_programme(ended_on=D(2027, 3, 1)), "end_reason": "moved"}
    assert "tb.closing" not in rules([FIRST_ON_TIME], today=D(2027, 6, 2), programme=moved)
    closed = [FIRST_ON_TIME, form(9, "tb_followup", D(2027, 5, 2), stopped_on="2027-05-01")]
    assert "tb.closing" not in rules(closed, today=D(2027, 6, 2))


def test_check_record_reports_the_tb_rules():
    person = PersonFacts("张三", "1", D(1980, 5, 5))
    late = form(1, "tb_first_visit", D(2026, 11, 9), treatment_started_on="2026-11-01")
    late["created_at"] = D(2026, 11, 9)
    facts = RecordFacts(id=1, person=person, forms=[late], programmes=[tb_programme()])
    assert "tb.first_visit_late" in {h.rule for h in check_record(facts, D(2026, 11, 10))}

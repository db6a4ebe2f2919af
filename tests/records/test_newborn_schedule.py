"""The newborn home visit within 7 days of discharge, extra visits for a high-risk
newborn, 满月 at 28–30 days (规范 0～6岁儿童健康管理 服务内容 1–2)."""

import datetime as dt

from huimin.records.forms.child import NEWBORN_VISIT
from huimin.records.forms.spec import Context, clean
from huimin.records.schedule import (
    Facts,
    FormFact,
    ProgrammeFact,
    due_services,
    high_risk_newborn,
    registration_problems,
)

D = dt.date
BORN = D(2026, 1, 15)


def newborn(today, programmes=(), forms=()):
    facts = Facts(today=today, birth_date=BORN, programmes=programmes, forms=forms)
    return {
        i.occasion: (i.due_on, i.overdue_on, i.label)
        for i in due_services(facts)
        if i.service == "newborn_visit" or i.occasion == "month-1"
    }


def care(discharged=None):
    details = {"discharge_date": discharged.isoformat()} if discharged else {}
    return (ProgrammeFact("child", BORN, details=details),)


def test_the_visit_is_due_within_seven_days_of_discharge():
    got = newborn(D(2026, 1, 20), care(D(2026, 1, 18)))
    # Discharged 2026-01-18: due that day, late from 2026-01-26 (the 8th day after).
    assert got["newborn"][:2] == (D(2026, 1, 18), D(2026, 1, 26))
    assert "出院后7天内" in got["newborn"][2]


def test_without_a_discharge_date_the_birth_day_counts():
    got = newborn(D(2026, 1, 20), care())
    assert got["newborn"][:2] == (D(2026, 1, 15), D(2026, 1, 23))
    assert "出生后7天内" in got["newborn"][2]


def test_the_missed_visit_leaves_the_list_when_the_newborn_period_ends():
    assert "newborn" in newborn(D(2026, 2, 12), care(D(2026, 1, 18)))
    assert "newborn" not in newborn(D(2026, 2, 13), care(D(2026, 1, 18)))


def visit(day, nxt=None, **data):
    return FormFact("newborn_visit", day, nxt, data=data)


def test_a_low_birth_weight_baby_gets_a_second_visit_on_the_planned_day():
    first = visit(D(2026, 1, 20), D(2026, 1, 27), birth_weight="2.30", gestational_weeks=39)
    got = newborn(D(2026, 1, 21), care(D(2026, 1, 18)), (first,))
    assert "newborn" not in got
    assert got["newborn-2"][:2] == (D(2026, 1, 27), D(2026, 2, 3))
    assert "低出生体重" in got["newborn-2"][2]
    # The second visit done: nothing more.
    second = visit(D(2026, 1, 27))
    assert "newborn-2" not in newborn(D(2026, 1, 28), care(D(2026, 1, 18)), (first, second))


def test_a_baby_of_2500_g_at_term_single_without_defects_needs_no_extra_visit():
    first = visit(D(2026, 1, 20), birth_weight="2.50", gestational_weeks=37, birth_conditions=["1"])
    assert "newborn-2" not in newborn(D(2026, 1, 21), care(), (first,))


def test_preterm_multiples_and_birth_defects_are_high_risk():
    assert high_risk_newborn({"gestational_weeks": 36}) == ["早产"]
    assert high_risk_newborn({"birth_conditions": ["4", "5"]}) == ["双多胎"]
    assert high_risk_newborn({"malformation": "2"}) == ["出生缺陷"]
    assert high_risk_newborn({"gestational_weeks": 37, "birth_weight": "2.5"}) == []
    # Without a planned date, a week after the first visit; not beyond the 28th day.
    first = visit(D(2026, 1, 20), gestational_weeks=35)
    assert newborn(D(2026, 1, 21), care(), (first,))["newborn-2"][:2] == (
        D(2026, 1, 27),
        D(2026, 2, 3),
    )
    late = visit(D(2026, 2, 8), gestational_weeks=35)
    assert "newborn-2" not in newborn(D(2026, 2, 9), care(), (late,))


def test_the_full_month_check_is_due_at_28_days_and_late_after_30():
    got = newborn(D(2026, 2, 10), care(), (visit(D(2026, 1, 20)),))
    assert got["month-1"][:2] == (D(2026, 2, 12), D(2026, 2, 15))


def test_the_discharge_date_is_checked_when_registering_the_child():
    def problems(discharge):
        return registration_problems(
            "child",
            BORN,
            {"discharge_date": discharge},
            today=D(2026, 1, 20),
            birth_date=BORN,
            sex="1",
            death_date=None,
        )

    assert problems("2026-01-18") == {}
    assert problems("2026-01-14") == {"discharge_date": "出院日期不能早于出生日期"}
    assert problems("2026-01-21") == {"discharge_date": "出院日期不能晚于今天"}


def test_the_newborn_form_records_the_discharge_and_the_visit_cannot_precede_it():
    ctx = Context(today=D(2026, 1, 25), birth_date=BORN)
    data, problems = clean(
        NEWBORN_VISIT,
        {"discharge_date": "2026-01-20", "visit_date": "2026-01-19"},
        ctx,
        final=False,
    )
    assert data["discharge_date"] == "2026-01-20"
    assert [p.field for p in problems if p.code == "date_order"] == ["visit_date"]
    _, fine = clean(
        NEWBORN_VISIT,
        {"discharge_date": "2026-01-18", "visit_date": "2026-01-19"},
        ctx,
        final=False,
    )
    assert not [p for p in fine if p.code == "date_order"]

"""Maternal care against the specification (规范 孕产妇健康管理服务规范): the
gestational week reconciled with the last period, the antenatal visit number with its
weeks, the postpartum visit within 7 days of discharge."""

import datetime as dt

from huimin.records.forms.maternal import PRENATAL_FIRST
from huimin.records.forms.spec import Context, clean
from huimin.records.quality_rules import discharge_visit_hits, maternal_hits
from huimin.records.schedule import Facts, ProgrammeFact, due_services, ending_problems

D = dt.date
CTX = Context(today=D(2026, 12, 1), birth_date=D(1998, 4, 2), sex="2")


def weeks_problems(weeks, lmp="2026-09-01", visit="2026-11-10"):
    data = {"lmp": lmp, "visit_date": visit, "gestational_weeks": weeks}
    _, problems = clean(PRENATAL_FIRST, data, CTX, final=False)
    return [p for p in problems if p.code == "weeks_mismatch"]


def test_the_first_visit_weeks_must_agree_with_the_last_period_within_two_weeks():
    # 2026-09-01 → 2026-11-10 is 70 days: 10 weeks. 8 and 12 pass; 7 and 13 do not.
    assert weeks_problems(8) == [] and weeks_problems(12) == []
    (problem,) = weeks_problems(13)
    assert problem.field == "gestational_weeks" and "10周" in problem.message
    assert len(weeks_problems(7)) == 1


PREGNANCY = {
    "kind": "pregnancy",
    "registered_on": D(2026, 10, 1),
    "ended_on": None,
    "details": {"last_menstrual_period": "2026-09-01"},
}


def followup(id_, day, number, weeks):
    return {
        "id": id_,
        "kind": "prenatal_followup",
        "status": "signed",
        "service_date": day,
        "data": {"visit_number": number, "gestational_weeks": weeks},
    }


def test_a_follow_up_week_off_the_last_period_by_more_than_two_is_flagged():
    # 2026-12-22 is 112 days after the last period: 16 weeks.
    ok = maternal_hits([followup(1, D(2026, 12, 22), 2, 18)], [PREGNANCY])
    assert ok == []
    (hit,) = maternal_hits([followup(1, D(2026, 12, 22), 2, 19)], [PREGNANCY])
    assert hit.rule == "maternal.weeks" and hit.form_id == 1


def test_the_visit_number_must_fall_in_its_weeks():
    # Visit 3 is for weeks 21–24: at 21 weeks fine, at 25 weeks flagged.
    assert maternal_hits([followup(1, D(2027, 1, 26), 3, 21)], [PREGNANCY]) == []
    (hit,) = maternal_hits([followup(1, D(2027, 2, 23), 3, 25)], [PREGNANCY])
    assert hit.rule == "maternal.visit_window" and "孕21～24周" in hit.message


def woman(programmes, today):
    facts = Facts(today=today, birth_date=D(1998, 4, 2), sex="2", programmes=programmes)
    return {(i.service, i.occasion): (i.due_on, i.overdue_on) for i in due_services(facts)}


def test_the_postpartum_visit_is_due_within_seven_days_of_discharge():
    delivered = ProgrammeFact(
        "pregnancy",
        D(2026, 3, 1),
        ended_on=D(2026, 11, 10),
        end_reason="delivery",
        details={
            "last_menstrual_period": "2026-02-01",
            "delivery_date": "2026-11-10",
            "discharge_date": "2026-11-14",
        },
    )
    got = woman((delivered,), D(2026, 11, 15))
    assert got[("postpartum_visit", "postpartum")] == (D(2026, 11, 14), D(2026, 11, 22))


def test_the_discharge_date_is_checked_when_a_delivery_ends_the_pregnancy():
    def problems(discharge):
        return ending_problems(
            "pregnancy",
            D(2026, 3, 1),
            D(2026, 11, 10),
            "delivery",
            {"delivery_date": "2026-11-10", "discharge_date": discharge},
            today=D(2026, 11, 20),
        )

    assert problems("2026-11-13") == {}
    assert problems("2026-11-09") == {"discharge_date": "出院日期不能早于分娩日期"}


def visit(kind, day, discharged):
    return {
        "id": 5,
        "kind": kind,
        "status": "signed",
        "service_date": day,
        "data": {"discharge_date": discharged},
    }


def test_a_postpartum_or_newborn_visit_after_the_7th_day_from_discharge_is_flagged():
    assert discharge_visit_hits([visit("postpartum_visit", D(2026, 11, 21), "2026-11-14")]) == []
    (hit,) = discharge_visit_hits([visit("postpartum_visit", D(2026, 11, 22), "2026-11-14")])
    assert hit.rule == "maternal.postpartum_late" and "第8天" in hit.message
    (hit,) = discharge_visit_hits([visit("newborn_visit", D(2026, 11, 22), "2026-11-14")])
    assert hit.rule == "newborn.late"

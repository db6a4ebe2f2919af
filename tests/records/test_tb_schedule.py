"""Tuberculosis patient management (规范 肺结核患者健康管理服务规范): the first home
visit within 72 hours of the notification, every 10 days in the 2-month intensive
phase, monthly after, the closing assessment at the end of the course. Dates by hand."""

import datetime as dt

from huimin.records.schedule import Facts, FormFact, ProgrammeFact, due_services

D = dt.date
NOTIFIED = D(2026, 11, 2)
TB = ProgrammeFact("tb", NOTIFIED)


def tb(today, forms=(), programmes=(TB,)):
    facts = Facts(today=today, birth_date=D(1980, 5, 5), programmes=programmes, forms=forms)
    return {
        i.occasion: (i.service, i.due_on, i.overdue_on)
        for i in due_services(facts)
        if i.service.startswith("tb_")
    }


def first(day=None, started="2026-11-01", patient_type="1"):
    day = day or D(2026, 11, 4)
    return FormFact(
        "tb_first_visit",
        day,
        data={"treatment_started_on": started, "patient_type": patient_type},
    )


def follow(day, nxt=None, **data):
    return FormFact("tb_followup", day, nxt, data=data)


def test_the_first_home_visit_is_due_within_72_hours_of_the_notification():
    # Notified 2026-11-02: due that day, on time through 11-05, late from 11-06.
    assert tb(D(2026, 11, 3)) == {"tb-first": ("tb_first_visit", NOTIFIED, D(2026, 11, 6))}


def test_in_the_intensive_phase_the_next_visit_is_ten_days_on():
    got = tb(D(2026, 11, 5), (first(),))
    assert got == {"tb-1": ("tb_followup", D(2026, 11, 14), D(2026, 11, 15))}
    got = tb(D(2026, 11, 15), (first(), follow(D(2026, 11, 14))))
    assert got == {"tb-2": ("tb_followup", D(2026, 11, 24), D(2026, 11, 25))}


def test_after_two_months_of_treatment_the_visits_are_monthly():
    # Treatment from 2026-11-01: the intensive phase ends 2027-01-01.
    forms = (first(), follow(D(2027, 1, 5)))
    assert tb(D(2027, 1, 6), forms) == {"tb-2": ("tb_followup", D(2027, 2, 5), D(2027, 2, 6))}


def test_an_earlier_planned_date_is_kept():
    forms = (first(), follow(D(2027, 1, 5), D(2027, 1, 20)))
    assert tb(D(2027, 1, 6), forms)["tb-2"][1] == D(2027, 1, 20)


def test_at_the_end_of_the_course_the_closing_assessment_is_due():
    # New patient: 6 months from 2026-11-01 → 2027-05-01; late a month later.
    forms = (first(), follow(D(2027, 4, 5)))
    assert tb(D(2027, 4, 6), forms) == {"tb-close": ("tb_followup", D(2027, 5, 1), D(2027, 6, 1))}
    # A retreatment runs 8 months: 2027-07-01, so April's visit is followed monthly.
    retreated = (first(patient_type="2"), follow(D(2027, 4, 5)))
    assert tb(D(2027, 4, 6), retreated) == {"tb-2": ("tb_followup", D(2027, 5, 5), D(2027, 5, 6))}


def test_a_recorded_closing_assessment_leaves_nothing_due():
    forms = (first(), follow(D(2027, 5, 2), stopped_on="2027-05-01"))
    assert tb(D(2027, 5, 3), forms) == {}


def test_nothing_is_due_without_an_open_tb_registration():
    ended = ProgrammeFact("tb", NOTIFIED, ended_on=D(2027, 5, 3), end_reason="ruled_out")
    assert tb(D(2027, 5, 4), programmes=(ended,)) == {}
    assert tb(D(2026, 11, 3), programmes=()) == {}

"""The follow-up deadline follows the outcome (高血压/2型糖尿病 分类干预 2–3, 严重精神障碍
分类干预 1–3); only face-to-face visits deliver the quarter's follow-up; registered SMI
patients are due the yearly health check. Dates worked out by hand."""

import datetime as dt

from huimin.records.schedule import Facts, FormFact, ProgrammeFact, due_services

D = dt.date


def items(facts, service=None):
    return {
        (i.service, i.occasion): (i.due_on, i.overdue_on)
        for i in due_services(facts)
        if service is None or i.service == service
    }


def patient(today, programmes, forms):
    return Facts(
        today=today,
        birth_date=D(1970, 6, 10),
        sex="1",
        programmes=programmes,
        forms=forms,
    )


HTN = (ProgrammeFact("hypertension", D(2025, 1, 6)),)
SMI = (ProgrammeFact("smi", D(2025, 1, 6)),)


def visit(day, next_day=None, kind="htn_followup", **data):
    return FormFact(kind, day, next_day, {"mode": "1", "classification": "1", **data})


def test_uncontrolled_on_10_january_with_next_on_24_january_is_overdue_from_25_january():
    # The case: before, this patient was not overdue until 1 July.
    forms = (visit(D(2026, 1, 10), D(2026, 1, 24), classification="2"),)
    got = items(patient(D(2026, 1, 20), HTN, forms), "htn_followup")
    assert got == {("htn_followup", "recheck-2026-01-10"): (D(2026, 1, 24), D(2026, 1, 25))}
    assert items(patient(D(2026, 1, 25), HTN, forms), "htn_followup")[
        ("htn_followup", "recheck-2026-01-10")
    ] == (D(2026, 1, 24), D(2026, 1, 25))


def test_a_planned_date_beyond_two_weeks_is_pulled_back_to_day_14():
    forms = (visit(D(2026, 1, 10), D(2026, 4, 10), classification="3"),)  # 不良反应
    assert items(patient(D(2026, 1, 12), HTN, forms), "htn_followup") == {
        ("htn_followup", "recheck-2026-01-10"): (D(2026, 1, 24), D(2026, 1, 25))
    }


def test_a_referral_brings_the_next_visit_within_two_weeks():
    forms = (visit(D(2026, 1, 10), None, kind="dm_followup", referral_reason="连续两次不满意"),)
    programmes = (ProgrammeFact("diabetes", D(2025, 1, 6)),)
    assert items(patient(D(2026, 1, 12), programmes, forms), "dm_followup") == {
        ("dm_followup", "recheck-2026-01-10"): (D(2026, 1, 24), D(2026, 1, 25))
    }


def test_once_controlled_again_the_quarterly_rhythm_returns():
    forms = (
        visit(D(2026, 1, 10), D(2026, 1, 22), classification="2"),
        visit(D(2026, 1, 22), D(2026, 4, 15)),
    )
    assert items(patient(D(2026, 1, 23), HTN, forms), "htn_followup") == {
        ("htn_followup", "2026Q2"): (D(2026, 4, 15), D(2026, 7, 1))
    }


def test_a_phone_follow_up_does_not_deliver_the_quarter():
    forms = (visit(D(2026, 6, 10)), visit(D(2026, 10, 20), D(2027, 1, 20), mode="3"))
    # The phone call in Q4 does not count: Q3 passed without a visit, overdue since 1 Oct.
    got = items(patient(D(2026, 11, 24), HTN, forms), "htn_followup")
    assert got == {("htn_followup", "2026Q4"): (D(2026, 9, 10), D(2026, 10, 1))}
    # A home visit does.
    forms = (visit(D(2026, 6, 10)), visit(D(2026, 10, 20), D(2027, 1, 20), mode="2"))
    got = items(patient(D(2026, 11, 24), HTN, forms), "htn_followup")
    assert got == {("htn_followup", "2027Q1"): (D(2027, 1, 20), D(2027, 4, 1))}


def test_smi_unstable_and_basically_stable_are_rechecked_within_two_weeks_stable_in_3_months():
    for cls in ("1", "2"):
        forms = (visit(D(2026, 11, 2), D(2026, 11, 16), kind="smi_followup", classification=cls),)
        assert items(patient(D(2026, 11, 5), SMI, forms), "smi_followup") == {
            ("smi_followup", "recheck-2026-11-02"): (D(2026, 11, 16), D(2026, 11, 17))
        }, cls
    forms = (visit(D(2026, 11, 2), D(2027, 1, 30), kind="smi_followup", classification="3"),)
    assert items(patient(D(2026, 11, 5), SMI, forms), "smi_followup") == {
        ("smi_followup", "2027Q1"): (D(2027, 1, 30), D(2027, 4, 1))
    }


def test_an_smi_visit_marked_not_seen_delivers_nothing():
    forms = (
        visit(D(2026, 8, 1), D(2026, 10, 28), kind="smi_followup", classification="3"),
        FormFact("smi_followup", D(2026, 10, 28), None, {"classification": "4"}),  # 未访到
    )
    got = items(patient(D(2026, 11, 24), SMI, forms), "smi_followup")
    assert got == {("smi_followup", "2026Q4"): (D(2026, 10, 28), D(2027, 1, 1))}
    # Codes read back from SQLite's JSON as numbers are the same codes.
    forms = (forms[0], FormFact("smi_followup", D(2026, 10, 28), None, {"classification": 4}))
    assert items(patient(D(2026, 11, 24), SMI, forms), "smi_followup") == got


def test_registered_smi_patients_are_due_the_yearly_health_check():
    younger = patient(D(2026, 11, 24), SMI, ())
    assert items(younger, "health_check") == {
        ("health_check", "2026"): (D(2026, 6, 1), D(2027, 1, 1))
    }
    ended = (ProgrammeFact("smi", D(2025, 1, 6), ended_on=D(2026, 3, 1), end_reason="moved"),)
    assert items(patient(D(2026, 11, 24), ended, ()), "health_check") == {}

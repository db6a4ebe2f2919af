"""The schedule rules, with dates worked out by hand."""

import datetime as dt

from huimin.records.schedule import Facts, FormFact, ProgrammeFact, due_services

D = dt.date
TODAY = D(2026, 11, 24)


def items(facts):
    # TCM management goes with the checks; its items are tested in test_tcm_schedule.py.
    return {
        (i.service, i.occasion): (i.due_on, i.overdue_on)
        for i in due_services(facts)
        if not i.service.startswith("tcm_")
    }


def adult(**kw):
    return Facts(today=kw.pop("today", TODAY), birth_date=D(1970, 6, 10), sex="1", **kw)


HTN_2025 = ProgrammeFact("hypertension", D(2025, 1, 6))


def followup(day, next_day=None, kind="htn_followup"):
    return FormFact(kind, day, next_day)


# ---------------------------------------------------------------- quarterly follow-ups


def test_a_newly_registered_hypertensive_is_due_at_once():
    got = items(adult(programmes=(ProgrammeFact("hypertension", D(2026, 11, 20)),)))
    # Registered in Q4: due the day of registration, late when Q4 ends.
    assert got[("htn_followup", "2026Q4")] == (D(2026, 11, 20), D(2027, 1, 1))


def test_a_quarter_without_follow_up_makes_the_patient_overdue():
    # Last seen 2026-06-10 (Q2); Q3 passed without a visit: overdue since 1 October.
    got = items(adult(programmes=(HTN_2025,), forms=(followup(D(2026, 6, 10)),)))
    assert got[("htn_followup", "2026Q4")] == (D(2026, 9, 10), D(2026, 10, 1))


def test_a_follow_up_this_quarter_moves_the_next_to_its_planned_date():
    forms = (followup(D(2026, 8, 1)), followup(D(2026, 11, 20), D(2027, 2, 18)))
    got = items(adult(programmes=(HTN_2025,), forms=forms))
    assert got == {
        ("htn_followup", "2027Q1"): (D(2027, 2, 18), D(2027, 4, 1)),
        # Registered HTN patients also have the yearly check: due from the birth month.
        ("health_check", "2026"): (D(2026, 6, 1), D(2027, 1, 1)),
    }


def test_without_a_planned_date_the_next_is_three_months_on_but_within_its_quarter():
    forms = (followup(D(2026, 9, 30)), followup(D(2026, 10, 5)))
    got = items(adult(programmes=(HTN_2025,), forms=forms))
    assert got[("htn_followup", "2027Q1")] == (D(2027, 1, 5), D(2027, 4, 1))
    # A planned date beyond next quarter is pulled back to the quarter's last day.
    forms = (followup(D(2026, 9, 30)), followup(D(2026, 10, 5), D(2027, 5, 1)))
    got = items(adult(programmes=(HTN_2025,), forms=forms, today=D(2026, 12, 10)))
    assert got[("htn_followup", "2027Q1")] == (D(2027, 3, 31), D(2027, 4, 1))


def test_diabetes_and_severe_mental_illness_follow_the_same_quarters():
    programmes = (ProgrammeFact("diabetes", D(2026, 1, 5)), ProgrammeFact("smi", D(2026, 1, 5)))
    forms = (followup(D(2026, 9, 1), kind="dm_followup"),)
    got = items(adult(programmes=programmes, forms=forms))
    assert got[("dm_followup", "2026Q4")] == (D(2026, 12, 1), D(2027, 1, 1))
    assert got[("smi_followup", "2026Q4")] == (D(2026, 1, 5), D(2026, 10, 1))


def test_nothing_is_due_after_a_programme_ends_for_the_dead_or_for_a_closed_record():
    ended = ProgrammeFact("hypertension", D(2025, 1, 6), ended_on=D(2026, 5, 1))
    assert ("htn_followup", "2026Q4") not in items(adult(programmes=(ended,)))
    assert due_services(adult(programmes=(HTN_2025,), death_date=D(2026, 10, 1))) == []
    assert due_services(adult(programmes=(HTN_2025,), record_status="closed")) == []


# ---------------------------------------------------------------- health check


def test_the_elderly_are_due_a_check_each_year_from_their_birth_month():
    old = Facts(today=TODAY, birth_date=D(1956, 3, 1), sex="1")
    assert items(old) == {("health_check", "2026"): (D(2026, 3, 1), D(2027, 1, 1))}
    checked = Facts(
        today=TODAY, birth_date=D(1956, 6, 1), forms=(FormFact("health_check", D(2026, 4, 2)),)
    )
    # Next year's check (due 2027-06-01) lies beyond the 120-day horizon.
    assert items(checked) == {}
    # A 64-year-old who turns 65 this year counts; a 63-year-old does not.
    assert ("health_check", "2026") in items(Facts(today=TODAY, birth_date=D(1961, 12, 30)))
    assert items(Facts(today=TODAY, birth_date=D(1962, 1, 2))) == {}


def test_in_december_next_years_check_comes_into_view():
    checked = Facts(
        today=D(2026, 12, 20),
        birth_date=D(1956, 1, 20),
        forms=(FormFact("health_check", D(2026, 2, 2)),),
    )
    assert items(checked) == {("health_check", "2027"): (D(2027, 1, 1), D(2028, 1, 1))}


# ---------------------------------------------------------------- children


def child(today, forms=()):
    return Facts(today=today, birth_date=D(2026, 1, 15), sex="2", forms=forms)


def checks_only(facts):
    return {k: v for k, v in items(facts).items() if k[0] != "immunisation"}


def test_a_child_born_2026_01_15_is_due_the_six_month_check_on_2026_07_15():
    got = checks_only(child(D(2026, 7, 1), forms=_checks(1, 3)))
    # Due at 6 months, late after the one-month window: overdue from 2026-08-16.
    assert got[("child_check", "month-6")] == (D(2026, 7, 15), D(2026, 8, 16))
    # The 8-month check (2026-09-15) is also inside the 120-day horizon.
    assert got[("child_check", "month-8")] == (D(2026, 9, 15), D(2026, 10, 16))
    assert ("newborn_visit", "newborn") not in got


def _checks(*months):
    return tuple(FormFact("child_check", D(2026, 1, 15), data={"month_age": m}) for m in months)


def test_a_missed_check_stays_until_the_next_falls_due():
    late = checks_only(child(D(2026, 9, 1), forms=_checks(1, 3)))
    assert late[("child_check", "month-6")] == (D(2026, 7, 15), D(2026, 8, 16))
    after = checks_only(child(D(2026, 9, 15), forms=_checks(1, 3)))
    assert ("child_check", "month-6") not in after
    assert ("child_check", "month-8") in after


def test_the_newborn_visit_is_late_after_7_days_and_a_form_satisfies_it():
    # No discharge date on record: counted from birth (test_newborn_schedule.py has more).
    got = checks_only(child(D(2026, 2, 12)))
    assert got[("newborn_visit", "newborn")] == (D(2026, 1, 15), D(2026, 1, 23))
    visited = checks_only(child(D(2026, 2, 13), forms=(FormFact("newborn_visit", D(2026, 1, 20)),)))
    assert ("newborn_visit", "newborn") not in visited
    # 满月 at 28–30 days: late from day 31.
    assert visited[("child_check", "month-1")] == (D(2026, 2, 12), D(2026, 2, 15))


def test_the_yearly_checks_from_four_are_late_at_the_next_birthday():
    facts = Facts(today=D(2030, 3, 1), birth_date=D(2026, 1, 15))
    assert checks_only(facts) == {("child_check", "month-48"): (D(2030, 1, 15), D(2031, 1, 15))}
    assert checks_only(Facts(today=D(2033, 1, 15), birth_date=D(2026, 1, 15))) == {}


# ---------------------------------------------------------------- vaccines


def jab(vaccine, dose, day):
    return FormFact("immunisation", day, data={"vaccine": vaccine, "dose": dose})


def vaccine_items(facts):
    return {k[1]: v for k, v in items(facts).items() if k[0] == "immunisation"}


def test_a_newborn_is_due_hepb_and_bcg_at_birth():
    got = vaccine_items(Facts(today=D(2026, 1, 16), birth_date=D(2026, 1, 15)))
    assert got["HepB-1"] == (D(2026, 1, 15), D(2026, 1, 16))  # within 24 hours
    assert got["BCG-1"] == (D(2026, 1, 15), D(2026, 4, 16))  # before 3 months (91 days)
    # The first polio dose at 2 months (61 days) is within the horizon.
    assert got["IPV-1"] == (D(2026, 3, 17), D(2027, 1, 15))


def test_the_next_dose_waits_for_the_minimum_interval_after_a_late_dose():
    # HepB 1 on day 0, HepB 2 given late on 2026-03-20: dose 3 is due at 6 months
    # (183 days: 2026-07-17), not before 60 days after dose 2 (2026-05-19) — so 07-17.
    forms = (jab("HepB", 1, D(2026, 1, 15)), jab("HepB", 2, D(2026, 3, 20)))
    got = vaccine_items(Facts(today=D(2026, 7, 1), birth_date=D(2026, 1, 15), forms=forms))
    assert got["HepB-3"] == (D(2026, 7, 17), D(2027, 1, 15))
    # Dose 2 given at 5.5 months: dose 3 waits 60 days, to 2026-08-29.
    forms = (jab("HepB", 1, D(2026, 1, 15)), jab("HepB", 2, D(2026, 6, 30)))
    got = vaccine_items(Facts(today=D(2026, 7, 1), birth_date=D(2026, 1, 15), forms=forms))
    assert got["HepB-3"] == (D(2026, 8, 29), D(2027, 1, 15))


def test_polio_counts_ipv_and_bopv_as_one_series():
    forms = (jab("IPV", 1, D(2026, 3, 17)), jab("IPV", 2, D(2026, 4, 16)))
    got = vaccine_items(Facts(today=D(2026, 5, 1), birth_date=D(2026, 1, 15), forms=forms))
    assert "IPV-1" not in got and "IPV-2" not in got
    assert got["bOPV-3"] == (D(2026, 5, 17), D(2027, 1, 15))


def test_a_child_on_inactivated_je_is_not_due_the_live_vaccine():
    forms = (jab("JE-I", 1, D(2026, 9, 15)),)
    got = vaccine_items(Facts(today=D(2026, 9, 16), birth_date=D(2026, 1, 15), forms=forms))
    assert "JE-L-1" not in got
    # JE-I 2 at 8 months + 7 days (244 + 7 = 251 days: 2026-09-23), which is also
    # at least 7 days after dose 1.
    assert got["JE-I-2"] == (D(2026, 9, 23), D(2027, 1, 15))


# ---------------------------------------------------------------- maternal care


def woman(programmes, forms=(), today=TODAY):
    return Facts(today=today, birth_date=D(1998, 4, 2), sex="2", programmes=programmes, forms=forms)


LMP = D(2026, 9, 1)
PREGNANT = ProgrammeFact(
    "pregnancy", D(2026, 10, 20), details={"last_menstrual_period": "2026-09-01"}
)


def test_the_first_antenatal_visit_is_late_at_13_weeks():
    got = items(woman((PREGNANT,)))
    # 13 weeks after 2026-09-01 is 2026-12-01.
    assert got[("prenatal_first", "antenatal-1")] == (D(2026, 10, 20), D(2026, 12, 1))


def test_antenatal_visits_follow_the_weeks_of_pregnancy():
    forms = (FormFact("prenatal_first", D(2026, 10, 25)),)
    got = items(woman((PREGNANT,), forms, today=D(2026, 12, 20)))
    # Visit 2 at 16–20 weeks: 2026-12-22, late at 21 weeks (2027-01-26).
    assert got[("prenatal_followup", "antenatal-2")] == (D(2026, 12, 22), D(2027, 1, 26))
    forms += (FormFact("prenatal_followup", D(2027, 1, 2), data={"visit_number": 2}),)
    got = items(woman((PREGNANT,), forms, today=D(2027, 1, 3)))
    assert ("prenatal_followup", "antenatal-2") not in got
    assert got[("prenatal_followup", "antenatal-3")] == (D(2027, 1, 26), D(2027, 2, 23))


def test_after_delivery_the_postpartum_visit_and_42_day_check_are_due():
    delivered = ProgrammeFact(
        "pregnancy",
        D(2026, 3, 1),
        ended_on=D(2026, 11, 10),
        end_reason="delivery",
        details={"last_menstrual_period": "2026-02-01", "delivery_date": "2026-11-10"},
    )
    got = items(woman((delivered,)))
    assert got[("postpartum_visit", "postpartum")] == (D(2026, 11, 13), D(2026, 11, 18))
    assert got[("postpartum_42", "postpartum-42")] == (D(2026, 12, 22), D(2027, 1, 6))
    assert ("prenatal_followup", "antenatal-5") not in got
    # Past 28 days the postpartum visit can no longer be made; it drops off.
    later = items(woman((delivered,), today=D(2026, 12, 9)))
    assert ("postpartum_visit", "postpartum") not in later
    # A pregnancy ended otherwise (a loss, a move) leaves nothing due.
    lost = ProgrammeFact(
        "pregnancy", D(2026, 3, 1), ended_on=D(2026, 5, 1), end_reason="pregnancy_loss"
    )
    assert items(woman((lost,))) == {}


def test_bcg_missed_leaves_the_list_at_four_years_other_doses_stay():
    # Born 2022-11-25, no vaccine recorded. On 2026-11-24 the child is 3 (one day short
    # of 4): BCG is still to be caught up. On 2026-11-25 the child is 4: no BCG catch-up
    # (2021 notes), but the missed hepatitis B dose 1 stays on the list.
    child = D(2022, 11, 25)
    assert "BCG-1" in vaccine_items(Facts(today=D(2026, 11, 24), birth_date=child))
    got = vaccine_items(Facts(today=D(2026, 11, 25), birth_date=child))
    assert "BCG-1" not in got
    assert "HepB-1" in got

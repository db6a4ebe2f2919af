"""中医药健康管理 on the due list (规范 中医药健康管理服务规范): children at 6–36
months, residents of 65 and over once a year. Dates worked out by hand."""

import datetime as dt

from huimin.records.schedule import Facts, FormFact, ProgrammeFact, due_services

D = dt.date


def tcm(facts):
    return {
        (i.service, i.occasion): (i.due_on, i.overdue_on)
        for i in due_services(facts)
        if i.service.startswith("tcm_")
    }


BORN = D(2026, 1, 15)


def tcm_child(month, day):
    return FormFact("tcm_child", day, data={"month_age": str(month)})


def test_a_child_is_due_tcm_guidance_at_six_months():
    got = tcm(Facts(today=D(2026, 7, 1), birth_date=BORN))
    # Due at 6 months, late after the month's window (as the 6-month check).
    assert got[("tcm_child", "month-6")] == (D(2026, 7, 15), D(2026, 8, 16))


def test_guidance_given_closes_the_occasion_and_a_missed_one_gives_way_to_the_next():
    done = tcm(Facts(today=D(2026, 8, 1), birth_date=BORN, forms=(tcm_child(6, D(2026, 7, 20)),)))
    assert ("tcm_child", "month-6") not in done
    missed = tcm(Facts(today=D(2027, 1, 15), birth_date=BORN))
    assert ("tcm_child", "month-6") not in missed
    assert missed[("tcm_child", "month-12")] == (D(2027, 1, 15), D(2027, 2, 16))


def test_no_child_tcm_after_37_months_or_after_child_care_ended():
    assert tcm(Facts(today=D(2029, 2, 16), birth_date=BORN)) == {}
    ended = ProgrammeFact("child", BORN, ended_on=D(2026, 3, 1), end_reason="moved")
    assert tcm(Facts(today=D(2026, 7, 1), birth_date=BORN, programmes=(ended,))) == {}


def test_the_elderly_are_due_tcm_management_once_a_year_from_their_birth_month():
    old = Facts(today=D(2026, 11, 24), birth_date=D(1956, 3, 1))
    assert tcm(old) == {("tcm_elderly", "2026"): (D(2026, 3, 1), D(2027, 1, 1))}
    served = Facts(
        today=D(2026, 11, 24),
        birth_date=D(1956, 3, 1),
        forms=(FormFact("tcm_elderly", D(2026, 4, 2)),),
    )
    # This year's is done; next year's (due 2027-03-01) is within the 120-day horizon.
    assert tcm(served) == {("tcm_elderly", "2027"): (D(2027, 3, 1), D(2028, 1, 1))}


def test_turning_65_this_year_counts_64_does_not_and_a_refusal_ends_it():
    assert ("tcm_elderly", "2026") in tcm(Facts(today=D(2026, 11, 24), birth_date=D(1961, 12, 30)))
    assert tcm(Facts(today=D(2026, 11, 24), birth_date=D(1962, 1, 2))) == {}
    refused = ProgrammeFact("elderly", D(2025, 1, 1), ended_on=D(2025, 6, 1), end_reason="refused")
    facts = Facts(today=D(2026, 11, 24), birth_date=D(1956, 3, 1), programmes=(refused,))
    assert tcm(facts) == {}

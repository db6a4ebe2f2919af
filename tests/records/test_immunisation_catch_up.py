"""Vaccines against the 2021 schedule and its catch-up notes (国家免疫规划儿童免疫程序及
说明（2021年版））, dates worked out by hand. `months(n)` is n × 30.4375 days rounded."""

import datetime as dt

from huimin.records.forms.immunisation import IMMUNISATION, dose_key
from huimin.records.forms.spec import Context, clean
from huimin.records.schedule import Facts, FormFact, due_services

D = dt.date


def jab(vaccine, dose, day):
    return FormFact("immunisation", day, data={"vaccine": vaccine, "dose": dose})


def vaccines(today, birth, *forms):
    facts = Facts(today=today, birth_date=birth, forms=forms)
    return {
        i.occasion: (i.due_on, i.overdue_on)
        for i in due_services(facts)
        if i.service == "immunisation"
    }


def labels(today, birth, *forms):
    facts = Facts(today=today, birth_date=birth, forms=forms)
    return {i.occasion: i.label for i in due_services(facts) if i.service == "immunisation"}


BORN = D(2023, 1, 10)


# ---------------------------------------------------------------- MPSV-A is not MPSV-AC


def test_doses_are_keyed_by_vaccine_not_by_series():
    assert dose_key("MPSV-A", 1) != dose_key("MPSV-AC", 1)
    # Polio numbers one series across IPV and bOPV.
    assert dose_key("IPV", 3) == dose_key("bOPV", 3)


def test_after_two_doses_of_group_a_the_ac_vaccine_is_still_due_at_three():
    # MPSV-A 1 at 6 months, 2 at 9 months. A+C 1 is due at 3 years (1096 days:
    # 2026-01-10), ≥12 months after MPSV-A 2; late at 4 years (2027-01-10).
    given = (jab("MPSV-A", 1, D(2023, 7, 12)), jab("MPSV-A", 2, D(2023, 10, 12)))
    got = vaccines(D(2025, 12, 1), BORN, *given)
    assert got["MPSV-AC-1"] == (D(2026, 1, 10), D(2027, 1, 10))
    assert "MPSV-A-1" not in got and "MPSV-A-2" not in got


def test_the_ac_vaccine_given_closes_the_first_ac_dose():
    given = (
        jab("MPSV-A", 1, D(2023, 7, 12)),
        jab("MPSV-A", 2, D(2023, 10, 12)),
        jab("MPSV-AC", 1, D(2026, 1, 12)),
    )
    got = vaccines(D(2026, 2, 1), BORN, *given)
    # A+C 2 at 6 years (2029) lies beyond the horizon: nothing of MPSV is listed.
    assert not [k for k in got if k.startswith("MPSV")]


# ---------------------------------------------------------------- A+C from 24 months


def test_group_a_missed_is_caught_up_with_ac_from_24_months():
    # No MPSV-A by 24 months (2025-01-10): MPSV-A is no longer given; A+C 1 is due at
    # once, late at 4 years.
    got = vaccines(D(2025, 2, 1), BORN)
    assert "MPSV-A-1" not in got
    assert got["MPSV-AC-1"] == (D(2025, 1, 10), D(2027, 1, 10))
    assert "补种" in labels(D(2025, 2, 1), BORN)["MPSV-AC-1"]


def test_before_24_months_group_a_is_still_due_and_ac_is_not():
    # One day short of 24 months: MPSV-A 1 (due 183 days: 2023-07-12; late at 548
    # days: 2024-07-11) and no A+C.
    got = vaccines(D(2025, 1, 9), BORN)
    assert got["MPSV-A-1"] == (D(2023, 7, 12), D(2024, 7, 11))
    assert "MPSV-AC-1" not in got


def test_a_lone_group_a_dose_is_followed_by_ac_three_months_later_at_the_earliest():
    # MPSV-A 1 at 23 months (2024-12-15), today 25 months: A+C 1 from 24 months but
    # ≥3 months after it: 2025-03-15.
    got = vaccines(D(2025, 2, 15), BORN, jab("MPSV-A", 1, D(2024, 12, 15)))
    assert got["MPSV-AC-1"] == (D(2025, 3, 15), D(2027, 1, 10))


def test_the_form_accepts_ac_from_24_months_and_refuses_it_younger():
    ctx = Context(today=D(2025, 3, 1), birth_date=BORN)
    base = {
        "vaccine": "MPSV-AC",
        "dose": 1,
        "lot_number": "L1",
        "route": "2",
        "vaccinating_unit": "卫生院",
        "vaccinator": "王医生",
    }
    _, ok = clean(IMMUNISATION, {**base, "vaccinated_on": "2025-01-10"}, ctx, final=True)
    assert ok == []
    _, young = clean(IMMUNISATION, {**base, "vaccinated_on": "2025-01-09"}, ctx, final=True)
    assert [p.code for p in young] == ["too_young_for_vaccine"]


# ---------------------------------------------------------------- HepB dose 3


def test_hepb_three_waits_four_months_after_dose_one():
    # Born 2026-01-15; HepB 1 late on 2026-04-01, 2 on 2026-05-01. Dose 3: at 6 months
    # (2026-07-17), ≥60 days after dose 2 (2026-06-30), ≥4 months (122 days) after
    # dose 1: 2026-08-01.
    born = D(2026, 1, 15)
    given = (jab("HepB", 1, D(2026, 4, 1)), jab("HepB", 2, D(2026, 5, 1)))
    assert vaccines(D(2026, 7, 20), born, *given)["HepB-3"] == (D(2026, 8, 1), D(2027, 1, 15))


def test_hepb_three_on_time_when_dose_one_was_at_birth():
    born = D(2026, 1, 15)
    given = (jab("HepB", 1, born), jab("HepB", 2, D(2026, 2, 15)))
    assert vaccines(D(2026, 7, 1), born, *given)["HepB-3"] == (D(2026, 7, 17), D(2027, 1, 15))


# ---------------------------------------------------------------- DT instead of DTaP from 6


SIX = D(2019, 3, 1)  # born; 6 on 2025-03-01


def test_from_six_a_child_short_of_doses_is_caught_up_with_dt_not_dtap():
    given = (jab("DTaP", 1, D(2019, 6, 1)),)
    got = vaccines(D(2025, 3, 2), SIX, *given)
    assert not [k for k in got if k.startswith("DTaP")]
    # One dose so far: DT 1 now (≥1 month after the DTaP long ago), late at 7.
    assert got["DT-1"] == (D(2025, 3, 1), D(2026, 3, 1))
    # Two doses in all: the third ≥6 months after the second.
    got = vaccines(D(2025, 6, 1), SIX, *given, jab("DT", 1, D(2025, 3, 10)))
    assert got["DT-2"] == (D(2025, 9, 10), D(2026, 3, 1))
    # Three doses in all: done.
    done = vaccines(
        D(2025, 10, 1), SIX, *given, jab("DT", 1, D(2025, 3, 10)), jab("DT", 2, D(2025, 9, 12))
    )
    assert not [k for k in done if k.startswith("DT")]


def test_before_six_the_missing_dtap_dose_is_due():
    # 2025-02-20: still 5. DTaP 2 at 4 months (122 days: 2019-07-01), late at 12 months.
    got = vaccines(D(2025, 2, 20), SIX, jab("DTaP", 1, D(2019, 6, 1)))
    assert got["DTaP-2"] == (D(2019, 7, 1), D(2020, 2, 29))
    assert not [k for k in got if k.startswith("DT-")]


def test_three_dtap_then_dt_six_months_after_four_dtap_twelve_months_after():
    three = tuple(
        jab("DTaP", n, day)
        for n, day in ((1, D(2019, 6, 1)), (2, D(2019, 7, 1)), (3, D(2024, 12, 1)))
    )
    # 3 DTaP, the 3rd at 5 years 9 months: one DT ≥6 months after it (2025-06-01).
    assert vaccines(D(2025, 4, 1), SIX, *three)["DT-1"] == (D(2025, 6, 1), D(2026, 3, 1))
    four = (*three[:2], jab("DTaP", 3, D(2019, 8, 1)), jab("DTaP", 4, D(2024, 9, 1)))
    # 4 DTaP, the 4th late at 5 years 6 months: DT ≥12 months after it (2025-09-01).
    assert vaccines(D(2025, 6, 1), SIX, *four)["DT-1"] == (D(2025, 9, 1), D(2026, 3, 1))


def test_the_regular_dt_booster_is_due_at_six():
    four = tuple(
        jab("DTaP", n, day)
        for n, day in (
            (1, D(2019, 6, 1)),
            (2, D(2019, 7, 1)),
            (3, D(2019, 8, 1)),
            (4, D(2020, 9, 1)),
        )
    )
    got = vaccines(D(2025, 1, 15), SIX, *four)
    assert got["DT-1"] == (D(2025, 3, 1), D(2026, 3, 1))
    assert labels(D(2025, 1, 15), SIX, *four)["DT-1"] == "白破疫苗"


# ---------------------------------------------------------------- catch-up to 18


def test_a_child_with_a_card_here_is_caught_up_after_seven_until_eighteen():
    born = D(2016, 1, 1)
    mmr1 = jab("MMR", 1, D(2016, 9, 1))
    got = vaccines(D(2026, 1, 5), born, mmr1)  # 10 years old
    # MMR 2 (18 months, ≥28 days after dose 1): 2017-07-02, late at 24 months.
    assert got["MMR-2"] == (D(2017, 7, 2), D(2017, 12, 31))
    assert "JE-L-1" in got  # JE catches up until 15
    assert "BCG-1" not in got  # BCG not from 4


def test_je_stops_at_sixteen_and_everything_at_eighteen():
    born = D(2010, 1, 1)
    mmr1 = jab("MMR", 1, D(2010, 9, 1))
    at_sixteen = vaccines(D(2026, 1, 5), born, mmr1)
    assert "JE-L-1" not in at_sixteen and "MMR-2" in at_sixteen
    assert vaccines(D(2028, 1, 1), born, mmr1) == {}  # 18


def test_a_child_of_seven_without_any_dose_here_is_left_to_the_vaccination_clinic():
    assert vaccines(D(2026, 1, 5), D(2016, 1, 1)) == {}
    # Under 7, every child is followed.
    assert "MMR-1" in vaccines(D(2026, 1, 5), D(2019, 1, 6))

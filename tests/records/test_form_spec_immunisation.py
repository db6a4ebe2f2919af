"""Immunisation records and the 2021 national programme schedule, as plain data."""

import datetime as dt

from huimin.records.forms import SPECS
from huimin.records.forms.immunisation import (
    INACTIVATED_ALTERNATIVES,
    PROGRAMME_SCHEDULE,
    SERIES,
    VACCINES,
    add_months,
    age_in_months,
)
from huimin.records.forms.spec import Context, clean

TODAY = dt.date(2026, 11, 24)
BABY = Context(today=TODAY, birth_date=dt.date(2026, 1, 31), sex="2")
SPEC = SPECS["immunisation"]

DOSE = {
    "vaccine": "MMR",
    "dose": "1",
    "vaccinated_on": "2026-09-30",
    "lot_number": "202605A017",
    "manufacturer": "北京生物制品研究所",
    "site": "1",
    "route": "2",
    "vaccinating_unit": "城关镇卫生院预防接种门诊",
    "vaccinator": "李护士",
}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def dose(vaccine, n):
    return next(d for d in PROGRAMME_SCHEDULE if (d.vaccine, d.dose) == (vaccine, n))


def test_a_complete_dose_signs():
    data, problems = clean(SPEC, DOSE, BABY, final=True)
    assert problems == []
    assert data["dose"] == 1 and data["vaccinated_on"] == "2026-09-30"


def test_lot_number_date_and_vaccinator_are_needed_to_sign():
    raw = {k: v for k, v in DOSE.items() if k not in ("lot_number", "vaccinated_on", "vaccinator")}
    _, problems = clean(SPEC, raw, BABY, final=True)
    assert {
        ("lot_number", "required"),
        ("vaccinated_on", "required"),
        ("vaccinator", "required"),
    } <= codes(problems)


def test_a_dose_number_beyond_the_vaccines_doses_is_refused():
    _, problems = clean(SPEC, {**DOSE, "dose": "3"}, BABY, final=True)
    assert ("dose", "too_many_doses") in codes(problems)
    _, problems = clean(SPEC, {**DOSE, "dose": "6"}, BABY, final=True)
    assert ("dose", "above_range") in codes(problems)
    # Polio doses count across IPV and bOPV: bOPV is the 3rd and 4th dose.
    _, problems = clean(
        SPEC, {**DOSE, "vaccine": "bOPV", "dose": "4", "route": "4"}, BABY, final=False
    )
    assert ("dose", "too_many_doses") not in codes(problems)


def test_the_route_must_be_the_vaccines():
    _, problems = clean(SPEC, {**DOSE, "route": "4"}, BABY, final=True)
    assert ("route", "wrong_route") in codes(problems)


def test_a_dose_before_birth_or_before_the_vaccines_starting_age_is_refused():
    _, problems = clean(SPEC, {**DOSE, "vaccinated_on": "2026-01-30"}, BABY, final=True)
    assert ("vaccinated_on", "before_birth") in codes(problems)
    # 8 months from 31 January is 30 September; the day before is too young for MMR.
    _, problems = clean(SPEC, {**DOSE, "vaccinated_on": "2026-09-29"}, BABY, final=True)
    assert ("vaccinated_on", "too_young_for_vaccine") in codes(problems)


def test_an_expired_vaccine_and_a_reaction_without_detail_are_refused():
    raw = {**DOSE, "expires_on": "2026-09-01", "adverse_reaction": "2"}
    _, problems = clean(SPEC, raw, BABY, final=True)
    assert {("expires_on", "expired"), ("adverse_reaction_detail", "required")} <= codes(problems)


def test_calendar_months():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 15), 18) == dt.date(2027, 5, 15)
    assert age_in_months(dt.date(2026, 1, 31), dt.date(2026, 2, 27)) == 0
    assert age_in_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 1
    assert age_in_months(dt.date(2020, 6, 1), dt.date(2026, 5, 31)) == 71


def test_schedule_due_ages_as_the_2021_table_gives_them():
    # (vaccine, dose) → due age in months, from the 2021 table.
    due_months = {
        ("HepB", 1): 0,
        ("HepB", 2): 1,
        ("HepB", 3): 6,
        ("BCG", 1): 0,
        ("IPV", 1): 2,
        ("IPV", 2): 3,
        ("bOPV", 3): 4,
        ("bOPV", 4): 48,
        ("DTaP", 1): 3,
        ("DTaP", 2): 4,
        ("DTaP", 3): 5,
        ("DTaP", 4): 18,
        ("DT", 1): 72,
        ("MMR", 1): 8,
        ("MMR", 2): 18,
        ("JE-L", 1): 8,
        ("JE-L", 2): 24,
        ("MPSV-A", 1): 6,
        ("MPSV-A", 2): 9,
        ("MPSV-AC", 1): 36,
        ("MPSV-AC", 2): 72,
        ("HepA-L", 1): 18,
    }
    assert {(d.vaccine, d.dose) for d in PROGRAMME_SCHEDULE} == set(due_months)
    for d in PROGRAMME_SCHEDULE:
        # Days at the mean month: within a day of months × 30.4375.
        assert abs(d.due_age_days - due_months[d.vaccine, d.dose] * 30.4375) <= 1, d
        assert d.overdue_age_days > d.due_age_days, d


def test_schedule_intervals_and_late_ages():
    assert dose("HepB", 1).overdue_age_days == 1  # within 24 hours of birth
    assert (dose("HepB", 2).min_interval_days, dose("HepB", 3).min_interval_days) == (28, 60)
    assert dose("BCG", 1).overdue_age_days == 91  # before 3 months
    assert dose("DTaP", 4).min_interval_days == 183  # 6 months after the 3rd
    assert dose("DTaP", 4).overdue_age_days == 730  # before 24 months
    assert dose("MPSV-A", 2).overdue_age_days == 548  # before 18 months
    assert dose("MPSV-AC", 1).min_interval_days == 365  # 12 months after MPSV-A 2
    assert dose("MPSV-AC", 2).min_interval_days == 1096  # 3 years
    assert dose("bOPV", 4).overdue_age_days == 1826  # before 5 years
    assert dose("DT", 1).overdue_age_days == 2557  # before 7 years
    # The inactivated JE and HepA series replace the live ones, never add to them.
    for d in INACTIVATED_ALTERNATIVES:
        live = {"JE-I": "JE-L", "HepA-I": "HepA-L"}[d.vaccine]
        assert SERIES[d.vaccine] == SERIES[live]
    assert [d.due_age_days for d in INACTIVATED_ALTERNATIVES if d.vaccine == "HepA-I"] == [
        548,
        730,
    ]


def test_every_scheduled_dose_fits_its_vaccine_on_the_form():
    for d in (*PROGRAMME_SCHEDULE, *INACTIVATED_ALTERNATIVES):
        assert VACCINES[d.vaccine].programme
        assert d.dose <= VACCINES[d.vaccine].doses, d

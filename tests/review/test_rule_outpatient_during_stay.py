from huimin.review.claim import History, PastStay, PastVisit

from .builders import CENTRE, HOSPITAL, D, fired, inpatient, outpatient


def test_an_outpatient_visit_inside_a_recorded_stay_fires():
    history = History(
        stays=(PastStay("S8", HOSPITAL.id, HOSPITAL.name, D(2026, 3, 5), D(2026, 3, 20), "I63.9"),)
    )
    [finding] = fired("outpatient_during_stay", outpatient(), history)
    assert finding.facts["stay_institution"] == HOSPITAL.name
    assert finding.facts["visit_institution"] == CENTRE.name
    assert "挂床" in finding.explanation and "2026-03-10" in finding.explanation


def test_a_stay_with_a_recorded_outpatient_visit_inside_fires():
    history = History(visits=(PastVisit("S7", CENTRE.id, CENTRE.name, D(2026, 3, 12)),))
    [finding] = fired("outpatient_during_stay", inpatient(), history)
    assert finding.facts["visit_day"] == "2026-03-12"


def test_visits_on_the_admission_or_discharge_day_do_not():
    history = History(
        visits=(
            PastVisit("S7", CENTRE.id, CENTRE.name, D(2026, 3, 10)),
            PastVisit("S6", CENTRE.id, CENTRE.name, D(2026, 3, 15)),
        )
    )
    assert fired("outpatient_during_stay", inpatient(), history) == []

from huimin.review.claim import History, PastStay

from .builders import CENTRE, HOSPITAL, D, fired, inpatient, outpatient, with_params


def stay(discharge, diagnosis="I21.9", institution=HOSPITAL):
    return PastStay("S0", institution.id, institution.name, D(2026, 2, 20), discharge, diagnosis)


def test_readmission_for_the_same_category_within_the_window_fires():
    history = History(stays=(stay(D(2026, 3, 1)),))
    [finding] = fired("split_admission", inpatient(), history)
    assert finding.facts["gap_days"] == "9"
    assert finding.severity == "warning"
    assert finding.explanation.startswith("疑似分解住院")
    assert "2026-03-01" in finding.explanation and "I21.9" in finding.explanation


def test_a_related_category_counts_as_the_same_illness():
    history = History(stays=(stay(D(2026, 3, 1), diagnosis="I25.1"),))
    assert len(fired("split_admission", inpatient(), history)) == 1


def test_the_window_is_inclusive_and_day_sixteen_is_a_near_miss():
    assert fired("split_admission", inpatient(), History(stays=(stay(D(2026, 2, 23)),)))
    assert fired("split_admission", inpatient(), History(stays=(stay(D(2026, 2, 22)),))) == []


def test_the_window_comes_from_the_rule_set():
    history = History(stays=(stay(D(2026, 2, 22)),))
    assert fired(
        "split_admission", inpatient(), history, with_params("split_admission", window_days=30)
    )


def test_an_unrelated_diagnosis_does_not_fire():
    history = History(stays=(stay(D(2026, 3, 1), diagnosis="K35.8"),))
    assert fired("split_admission", inpatient(), history) == []


def test_chemotherapy_cycles_are_exempt():
    history = History(stays=(stay(D(2026, 3, 1), diagnosis="Z51.1"),))
    assert fired("split_admission", inpatient(diagnosis="Z51.1"), history) == []
    # an exempt earlier stay does not make the next one a split either
    assert (
        fired(
            "split_admission",
            inpatient(diagnosis="C34.1"),
            History(stays=(stay(D(2026, 3, 1), diagnosis="Z51.1"),)),
        )
        == []
    )


def test_another_institution_counts_only_when_configured():
    history = History(stays=(stay(D(2026, 3, 1), institution=CENTRE),))
    assert fired("split_admission", inpatient(), history) == []
    rs = with_params("split_admission", same_institution_only=False)
    assert fired("split_admission", inpatient(), history, rs)


def test_an_outpatient_visit_is_not_an_admission():
    history = History(stays=(stay(D(2026, 3, 1)),))
    assert fired("split_admission", outpatient(diagnosis="I21.0"), history) == []

from huimin.review.claim import History, PastStay

from .builders import CENTRE, HOSPITAL, D, fired, inpatient, outpatient


def stay(start, end, institution=CENTRE, claim_id="S9"):
    return PastStay(claim_id, institution.id, institution.name, start, end, "J18.9")


def test_a_stay_overlapping_one_at_another_institution_fires():
    history = History(stays=(stay(D(2026, 3, 12), D(2026, 3, 20)),))
    [finding] = fired("overlapping_stays", inpatient(), history)
    assert finding.facts["other_institution"] == "酿溪镇卫生院"
    assert "2026-03-12至2026-03-20" in finding.explanation
    assert "2026-03-10至2026-03-15" in finding.explanation


def test_a_transfer_sharing_only_the_day_does_not():
    history = History(
        stays=(stay(D(2026, 3, 15), D(2026, 3, 20)), stay(D(2026, 3, 1), D(2026, 3, 10)))
    )
    assert fired("overlapping_stays", inpatient(), history) == []


def test_the_same_institution_and_the_claim_itself_are_not_overlaps():
    history = History(
        stays=(
            stay(D(2026, 3, 11), D(2026, 3, 14), institution=HOSPITAL),
            stay(D(2026, 3, 10), D(2026, 3, 15), claim_id="S1"),
        )
    )
    assert fired("overlapping_stays", inpatient(), history) == []


def test_an_outpatient_claim_is_not_a_stay():
    history = History(stays=(stay(D(2026, 3, 1), D(2026, 3, 20)),))
    assert fired("overlapping_stays", outpatient(), history) == []

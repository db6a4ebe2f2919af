from huimin.review.claim import CoveragePeriod

from .builders import D, fired, outpatient, person


def test_a_visit_outside_every_coverage_period_is_blocked():
    claim = outpatient(person=person(coverage=(CoveragePeriod(D(2025, 1, 1), D(2025, 12, 31)),)))
    [finding] = fired("not_insured", claim)
    assert finding.severity == "blocking"
    assert finding.blocking
    assert "2026-03-10" in finding.explanation
    assert finding.explanation.startswith("疑似")


def test_a_visit_on_the_last_covered_day_is_not():
    claim = outpatient(person=person(coverage=(CoveragePeriod(D(2025, 3, 11), D(2026, 3, 10)),)))
    assert fired("not_insured", claim) == []

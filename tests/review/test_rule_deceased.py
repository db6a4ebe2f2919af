from .builders import D, fired, inpatient, line, outpatient, person


def test_a_visit_after_the_recorded_death_fires():
    claim = outpatient(person=person(death_date=D(2026, 2, 1)))
    [finding] = fired("deceased", claim)
    assert finding.facts["death_date"] == "2026-02-01"
    assert "2026-02-01" in finding.explanation and "疑似冒名就医" in finding.explanation


def test_lines_dated_after_a_death_during_the_stay_are_named():
    claim = inpatient(
        person=person(death_date=D(2026, 3, 12)),
        lines=(line(1), line(2, service_date=D(2026, 3, 13)), line(3, service_date=D(2026, 3, 12))),
    )
    [finding] = fired("deceased", claim)
    assert finding.lines == (2,)
    assert "第2行（血常规）" in finding.explanation


def test_services_on_the_day_of_death_do_not_fire():
    claim = inpatient(
        person=person(death_date=D(2026, 3, 15)),
        lines=(line(1, service_date=D(2026, 3, 15)),),
    )
    assert fired("deceased", claim) == []

from .builders import D, fired, inpatient, item, line, outpatient, person


def test_a_pregnancy_diagnosis_for_a_man_fires():
    [finding] = fired("identity_mismatch", inpatient(diagnosis="O80.0"))
    assert finding.facts["sex"] == "男"
    assert "疑似冒名就医" in finding.explanation and "O80.0" in finding.explanation


def test_a_female_only_item_for_a_man_names_the_line():
    claim = outpatient(
        lines=(line(1), line(2, "003", "剖宫产术", item=item(physiological_sex="2")))
    )
    [finding] = fired("identity_mismatch", claim)
    assert finding.lines == (2,)
    assert "剖宫产术" in finding.explanation


def test_a_pregnancy_at_seventy_fires():
    woman = person(sex="2", birth_date=D(1955, 1, 1))
    [finding] = fired("identity_mismatch", inpatient(person=woman, diagnosis="O80.0"))
    assert "年龄" in finding.facts["reason"]


def test_a_pregnant_woman_of_thirty_does_not():
    woman = person(sex="2", birth_date=D(1996, 1, 1))
    claim = inpatient(
        person=woman, diagnosis="O80.0", lines=(line(1, item=item(physiological_sex="2")),)
    )
    assert fired("identity_mismatch", claim) == []


def test_a_prostate_diagnosis_for_a_man_does_not():
    assert fired("identity_mismatch", inpatient(diagnosis="N40")) == []


def test_a_mans_pregnancy_at_seventy_is_one_finding_not_two():
    old_man = person(birth_date=D(1955, 1, 1))
    [finding] = fired("identity_mismatch", inpatient(person=old_man, diagnosis="O80.0"))
    assert "异性" in finding.facts["reason"]

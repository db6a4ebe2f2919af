from .builders import fired, inpatient, outpatient


def test_admission_for_a_common_cold_fires():
    [finding] = fired("low_standard_admission", inpatient(diagnosis="J06.9"))
    assert finding.severity == "information"
    assert "J06.9" in finding.explanation and "疑似低标准入院" in finding.explanation


def test_hypertension_with_complications_is_not_on_the_list():
    # I10 is listed; I11 (hypertensive heart disease) is not
    assert fired("low_standard_admission", inpatient(diagnosis="I11.9")) == []


def test_the_same_diagnosis_as_an_outpatient_visit_does_not_fire():
    assert fired("low_standard_admission", outpatient(diagnosis="J06.9")) == []

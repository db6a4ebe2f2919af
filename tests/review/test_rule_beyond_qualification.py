from .builders import CENTRE, HOSPITAL, fired, inpatient, item, line


def test_an_item_needing_a_qualification_the_centre_lacks_fires():
    claim = inpatient(
        institution=CENTRE,
        lines=(
            line(
                1,
                "SUR",
                "腹腔镜胆囊切除术",
                item=item(category="surgery", qualification="surgery_2"),
            ),
        ),
    )
    [finding] = fired("beyond_qualification", claim)
    assert finding.lines == (1,)
    assert "surgery_2" in finding.explanation and CENTRE.name in finding.explanation


def test_the_qualified_hospital_does_not():
    claim = inpatient(
        institution=HOSPITAL,
        lines=(
            line(
                1,
                "SUR",
                "腹腔镜胆囊切除术",
                item=item(category="surgery", qualification="surgery_2"),
            ),
        ),
    )
    assert fired("beyond_qualification", claim) == []

import dataclasses

from .builders import CENTRE, HOSPITAL, fired, inpatient, item, line

LAP_CHOLE = item(category="surgery", qualification="surgery_2")


def surgery(institution):
    return inpatient(
        institution=institution, lines=(line(1, "SUR", "腹腔镜胆囊切除术", item=LAP_CHOLE),)
    )


def test_an_item_needing_a_qualification_the_centre_lacks_fires():
    [finding] = fired("beyond_qualification", surgery(CENTRE))
    assert finding.lines == (1,)
    assert finding.facts["qualification"] == "二级手术"
    assert finding.explanation == (
        "疑似超资质诊疗：第1行（腹腔镜胆囊切除术）需“二级手术”资质，"
        "酿溪镇卫生院未登记该资质，请核实。"
    )


def test_the_qualified_hospital_does_not():
    assert fired("beyond_qualification", surgery(HOSPITAL)) == []


def test_an_institution_whose_qualifications_are_not_recorded_is_not_judged():
    unknown = dataclasses.replace(CENTRE, qualifications=None)
    assert fired("beyond_qualification", surgery(unknown)) == []

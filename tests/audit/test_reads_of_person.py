"""Who read my record: time, role and institution, purpose — no staff usernames."""

import pytest

from huimin.audit.services import record
from huimin.oversight.queries import reads_of_person
from tests import factories


@pytest.mark.django_db
def test_reads_of_a_person_newest_first_with_role_institution_and_purpose(officer, county):
    clinic = factories.make_institution("严塘镇卫生院", kind="township_health_centre", level="1")
    doctor = factories.make_staff("dr_li", "doctor", institution=clinic)
    person = "77"
    record(
        action="read",
        actor=officer,
        object_type="registry.person",
        object_id=person,
        purpose="参保登记核对",
    )
    record(
        action="unmask",
        actor=doctor,
        object_type="registry.person",
        object_id=person,
        purpose="门诊就诊",
    )
    # Not reads of this person: another person, a write, a refused read.
    record(action="read", actor=doctor, object_type="registry.person", object_id="78")
    record(action="update", actor=officer, object_type="registry.person", object_id=person)
    record(
        action="read",
        actor=doctor,
        object_type="registry.person",
        object_id=person,
        outcome="denied",
    )

    reads = reads_of_person(77)

    assert [(r["role"], r["institution"], r["purpose"]) for r in reads] == [
        ("医生", "严塘镇卫生院", "门诊就诊"),
        ("县医保经办人员", "", "参保登记核对"),
    ]
    assert reads[0]["at"] >= reads[1]["at"]
    shown = repr(reads)
    assert "dr_li" not in shown and "officer" not in shown


@pytest.mark.django_db
def test_the_list_is_bounded(officer):
    for _ in range(5):
        record(action="read", actor=officer, object_type="registry.person", object_id="9")
    assert len(reads_of_person(9, limit=3)) == 3

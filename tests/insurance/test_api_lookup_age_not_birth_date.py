"""1101 answers with the masked number and the age, not the birth date the mask hides
(a lookup by social-security card would otherwise hand over the full number)."""

import datetime

from huimin.core import idnumber


def test_lookup_gives_age_on_the_visit_day(insured, his):
    r = his.get(f"/persons/{insured.id_number}", data={"on": "2026-03-02"})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert "birth_date" not in body
    person = insured.person
    assert body["age"] == idnumber.age_beside_mask(person.birth_date, datetime.date(2026, 3, 2))
    assert person.birth_date.strftime("%Y%m%d") not in r.content.decode()
    assert person.birth_date.isoformat() not in r.content.decode()

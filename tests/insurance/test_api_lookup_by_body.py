"""1101 with the ID number in the request body (POST /persons/lookup): the same answer as
the path form, audited alike, and the number stays out of the URL."""

from huimin.audit.models import AuditEvent
from tests.insurance.conftest import preload_example_ytd


def test_lookup_by_body_answers_as_the_path_form(insured, his):
    preload_example_ytd(insured.person)
    by_path = his.get(f"/persons/{insured.id_number}", data={"on": "2026-03-02"}).json()
    r = his.post("/persons/lookup", {"id_number": insured.id_number, "on": "2026-03-02"})
    assert r.status_code == 200, r.json()
    assert r.json() == by_path
    assert r.json()["ytd"]["basic_paid"] == "3200.00"
    reads = AuditEvent.objects.filter(
        action="read", object_type="registry.person", object_id=str(insured.person.pk)
    )
    assert reads.count() == 2
    assert all(e.purpose.startswith("1101") for e in reads)


def test_lookup_by_body_names_a_bad_number(insured, his):
    wrong = insured.id_number[:17] + ("0" if insured.id_number[17] != "0" else "1")
    r = his.post("/persons/lookup", {"id_number": wrong})
    assert r.status_code in (404, 422)
    assert r.json()["error"]["code"]


def test_lookup_with_an_id_number_in_the_query_string_is_refused(insured, his):
    r = his.get("/persons/lookup-not-a-path", data={"id_number": insured.id_number})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"id_number": r.json()["error"]["fields"]["id_number"]}

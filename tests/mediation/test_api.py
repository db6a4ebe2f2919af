"""/api/v1/mediation/: cases listed, read, opened, stepped and documented through the
same services as the pages, scoped and audited with the applicant; skipping a step is
refused 422 `mediation_step_order` and changes nothing."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from huimin.api import api
from huimin.audit.models import AuditEvent
from huimin.core.models import StoredDocument
from huimin.mediation.models import CaseStep, MediationCase
from tests import factories
from tests.audit.shown import people_named, rows_named
from tests.mediation.conftest import PDF, STEP_FORMS, walk

API = "/api/v1/mediation"


def post(client, path, body):
    return client.post(API + path, json.dumps(body), content_type="application/json")


def error(r):
    return r.json()["error"]


def test_cases_are_listed_and_read_scoped_and_audited(client, officer, open_case, patient):
    case = open_case()
    other = open_case(id_number="", applicant_name="王五")
    client.force_login(officer)
    r = client.get(API + "/cases")
    assert r.status_code == 200
    items = r.json()["items"]
    assert [i["id"] for i in items] == [other.pk, case.pk]
    assert items[1]["claimed_amount"] == "18600.00" and items[1]["next_step"] == "acceptance"
    event = AuditEvent.objects.filter(object_type="mediation.case", action="search").latest("id")
    assert rows_named(event) == {case.pk, other.pk} and people_named(event) == {patient.pk}
    assert client.get(API + "/cases", {"number": case.number}).json()["items"][0]["id"] == case.pk
    assert client.get(API + "/cases", {"status": "closed"}).json()["items"] == []

    r = client.get(f"{API}/cases/{case.pk}")
    body = r.json()
    assert r.status_code == 200 and body["applicant"] == "刘桂英"
    assert body["pdf_url"] == f"/mediation/{case.pk}/case.pdf"
    assert (body["steps"], body["documents"]) == ([], [])
    read = AuditEvent.objects.filter(object_type="mediation.case", action="read").latest("id")
    assert people_named(read) == {patient.pk}

    client.force_login(factories.make_staff("officer_sy", "insurance_officer", "430523"))
    assert client.get(API + "/cases").json()["items"] == []
    assert client.get(f"{API}/cases/{case.pk}").status_code == 404


def test_a_case_is_opened_walked_and_documented(client, officer, hospital, patient):
    client.force_login(officer)
    r = post(
        client,
        "/cases",
        {
            "id_number": patient.reveal_id_number(),
            "institution": hospital.pk,
            "summary": "术后感染，要求赔偿。",
            "claimed_amount": "5000",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    case_id = body["id"]
    assert (body["status"], body["claimed_amount"], body["person_id"]) == (
        "acceptance",
        "5000.00",
        patient.pk,
    )
    assert AuditEvent.objects.filter(
        object_type="mediation.case", object_id=str(case_id), action="create"
    ).exists()

    r = post(client, f"/cases/{case_id}/steps", {"step": "acceptance", **STEP_FORMS["acceptance"]})
    assert r.status_code == 201 and r.json()["label"] == "受理"
    assert MediationCase.objects.get(pk=case_id).status == "evidence"

    upload = SimpleUploadedFile("病历.pdf", PDF, content_type="application/pdf")
    r = client.post(f"{API}/cases/{case_id}/documents", {"file": upload, "purpose": "evidence"})
    assert r.status_code == 201, r.content
    doc = r.json()
    assert (doc["filename"], doc["size"], doc["purpose"]) == ("病历.pdf", len(PDF), "evidence")
    assert client.get(doc["url"]).content == PDF

    detail = client.get(f"{API}/cases/{case_id}").json()
    assert [s["step"] for s in detail["steps"]] == ["acceptance"]
    assert [d["id"] for d in detail["documents"]] == [doc["id"]]
    assert client.get(detail["pdf_url"])["Content-Type"] == "application/pdf"


def test_skipping_a_step_is_refused_with_its_code_and_changes_nothing(client, officer, open_case):
    case = open_case()
    walk(officer, case, "responsibility")
    updates = AuditEvent.objects.filter(action="update", object_type="mediation.case").count()
    client.force_login(officer)
    r = post(client, f"/cases/{case.pk}/steps", {"step": "mediation", **STEP_FORMS["mediation"]})
    assert r.status_code == 422
    err = error(r)
    assert err["code"] == "mediation_step_order"
    assert "不能跳过步骤" in err["message"] and "step" in err["fields"]
    case.refresh_from_db()
    assert case.status == "responsibility"
    assert CaseStep.objects.filter(case=case).count() == 2
    assert AuditEvent.objects.filter(action="update", object_type="mediation.case").count() == (
        updates
    )
    # repeating a step done: the same code
    r = post(client, f"/cases/{case.pk}/steps", {"step": "acceptance", "note": "再次受理"})
    assert (r.status_code, error(r)["code"]) == (422, "mediation_step_order")


def test_bad_input_is_refused_whole(client, officer, open_case, hospital):
    case = open_case()
    client.force_login(officer)
    r = post(client, "/cases", {"institution": hospital.pk, "summary": "", "claimed_amount": "x"})
    assert r.status_code == 422
    assert {"applicant_name", "summary", "claimed_amount"} <= set(error(r)["fields"])
    assert MediationCase.objects.count() == 1
    r = post(client, f"/cases/{case.pk}/steps", {"step": "acceptance"})  # no note
    assert (r.status_code, list(error(r)["fields"])) == (422, ["note"])
    r = post(client, f"/cases/{case.pk}/steps", {"step": "acceptance", "extra": 1})
    assert (r.status_code, error(r)["code"]) == (422, "unknown_field")
    fake = SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    r = client.post(f"{API}/cases/{case.pk}/documents", {"file": fake, "purpose": "case"})
    assert (r.status_code, error(r)["code"]) == (422, "document_type")
    assert not StoredDocument.objects.exists()
    assert post(client, "/cases/999999/steps", {"step": "acceptance"}).status_code == 404


def test_roles_without_the_permission_are_refused(client, county, open_case):
    case = open_case()
    clerk = factories.make_staff("clerk", "township_clerk", factories.TOWNSHIPS[0])
    client.force_login(clerk)
    assert client.get(API + "/cases").status_code == 403
    assert client.get(f"{API}/cases/{case.pk}").status_code == 403
    r = post(client, f"/cases/{case.pk}/steps", {"step": "acceptance", "note": "x"})
    assert r.status_code == 403
    client.logout()
    assert client.get(API + "/cases").status_code == 401


def test_the_openapi_schema_documents_each_operation_and_its_errors():
    paths = api.get_openapi_schema()["paths"]
    ops = {
        (method, path) for path, item in paths.items() if path.startswith(API) for method in item
    }
    assert ops == {
        ("get", f"{API}/cases"),
        ("post", f"{API}/cases"),
        ("get", f"{API}/cases/{{case_id}}"),
        ("post", f"{API}/cases/{{case_id}}/steps"),
        ("post", f"{API}/cases/{{case_id}}/documents"),
    }
    for method, path in ops:
        assert {"403", "404", "422"} <= set(paths[path][method]["responses"])

"""Case documents: an upload of the wrong type or over the size limit is refused and
nothing is stored; a good one is listed, downloads as it was, and a tampered one is
refused on download. The case file prints as a PDF carrying the case number."""

import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huimin.audit.models import AuditEvent
from huimin.core import documents
from huimin.core.models import StoredDocument
from tests.mediation.conftest import PDF, walk


def files_in(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(client, case, name, body, purpose="evidence"):
    return client.post(
        f"/mediation/{case.pk}/documents/",
        {
            "purpose": purpose,
            "file": SimpleUploadedFile(name, body, content_type="application/pdf"),
        },
    )


def test_a_pdf_is_uploaded_listed_and_downloaded_unchanged(client, officer, open_case, patient):
    case = open_case()
    client.force_login(officer)
    response = upload(client, case, "病历复印件.pdf", PDF)
    assert response.status_code == 302
    doc = StoredDocument.objects.get()
    assert (doc.owner_type, doc.owner_id, doc.purpose) == (
        "mediation.case",
        str(case.pk),
        "evidence",
    )
    assert doc.uploaded_by == officer
    page = client.get(f"/mediation/{case.pk}/").content.decode()
    assert "病历复印件.pdf" in page

    download = client.get(f"/mediation/{case.pk}/documents/{doc.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download) == PDF
    assert "attachment" in download["Content-Disposition"]
    read = AuditEvent.objects.filter(action="read", object_type="mediation.case").latest("seq")
    assert read.purpose == f"下载调解材料 #{doc.pk}" and read.changes["person_ids"] == str(
        patient.pk
    )


def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_stored(
    client, officer, open_case, document_root
):
    case = open_case()
    client.force_login(officer)
    response = upload(client, case, "证据.pdf", b"MZ\x90\x00 an executable renamed")
    assert response.status_code == 422
    assert "文件类型不支持" in response.content.decode()
    assert not StoredDocument.objects.exists() and files_in(document_root) == []
    assert not AuditEvent.objects.filter(object_type="core.storeddocument").exists()


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(
    client, officer, open_case, document_root, settings
):
    settings.HUIMIN_DOCUMENT_MAX_BYTES = 1024
    case = open_case()
    client.force_login(officer)
    response = upload(client, case, "大文件.pdf", PDF + b"0" * 2048)
    assert response.status_code == 422
    assert "文件过大" in response.content.decode()
    assert not StoredDocument.objects.exists() and files_in(document_root) == []


def test_an_upload_without_a_file_or_step_is_refused(client, officer, open_case):
    case = open_case()
    client.force_login(officer)
    assert (
        client.post(f"/mediation/{case.pk}/documents/", {"purpose": "evidence"}).status_code == 422
    )
    assert upload(client, case, "a.pdf", PDF, purpose="bogus").status_code == 422
    assert not StoredDocument.objects.exists()


def test_a_tampered_document_is_not_handed_out(client, officer, open_case):
    case = open_case()
    client.force_login(officer)
    upload(client, case, "a.pdf", PDF)
    doc = StoredDocument.objects.get()
    documents.path_of(doc.sha256).write_bytes(PDF + b"changed")
    response = client.get(f"/mediation/{case.pk}/documents/{doc.pk}/")
    assert response.status_code == 409
    assert "校验值" in response.content.decode()


def test_another_cases_document_is_not_found_through_this_case(client, officer, open_case):
    first, second = open_case(), open_case()
    client.force_login(officer)
    upload(client, first, "a.pdf", PDF)
    doc = StoredDocument.objects.get()
    assert client.get(f"/mediation/{second.pk}/documents/{doc.pk}/").status_code == 404


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "case.pdf"
    path.write_bytes(body)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_the_case_file_prints_as_pdf_with_its_number_and_steps(
    client, officer, open_case, patient, tmp_path
):
    case = open_case()
    walk(officer, case, "mediation")
    client.force_login(officer)
    upload(client, case, "鉴定意见书.pdf", PDF, purpose="expert")
    response = client.get(f"/mediation/{case.pk}/case.pdf")
    body = response.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF") and b"FontFile2" in body
    read = AuditEvent.objects.filter(action="read", object_type="mediation.case").latest("seq")
    assert read.purpose == "打印调解案卷（PDF）" and read.changes["person_ids"] == str(patient.pk)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: text not checked")
    text = pdf_text(body, tmp_path)
    for expected in (
        "医疗纠纷调解案卷",
        case.number,
        "刘桂英",
        "新邵县人民医院",
        "18,600.00",
        "初步责任认定",
        "次要责任",
        "不需要鉴定",
        "鉴定意见书.pdf",
        "调解",
    ):
        assert expected in text, expected

"""The document store keeps only PDFs and images it recognises by their bytes, stores
nothing for a refused upload, shares one file between identical uploads, and notices a
stored file that was changed or lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huimin.core import documents
from huimin.core.models import StoredDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def document_root(settings, tmp_path):
    settings.HUIMIN_DOCUMENT_ROOT = tmp_path / "documents"
    settings.HUIMIN_DOCUMENT_MAX_BYTES = 2048
    return settings.HUIMIN_DOCUMENT_ROOT


def stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def keep(data, filename="证据.pdf", **kw):
    return documents.store(
        data,
        filename=filename,
        purpose="evidence",
        owner_type="mediation.case",
        owner_id="7",
        uploaded_by=None,
        **kw,
    )


@pytest.mark.django_db
def test_a_pdf_is_kept_outside_the_database_and_read_back(document_root):
    doc = keep(PDF)
    doc.refresh_from_db()
    assert (doc.content_type, doc.size, doc.filename) == ("application/pdf", len(PDF), "证据.pdf")
    assert (doc.owner_type, doc.owner_id, doc.purpose) == ("mediation.case", "7", "evidence")
    assert stored_files(document_root) == [documents.path_of(doc.sha256)]
    assert documents.read(doc) == PDF


@pytest.mark.django_db
def test_an_uploaded_file_is_typed_by_its_bytes_not_its_name(document_root):
    upload = SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf")
    doc = keep(upload, filename=upload.name)
    assert doc.content_type == "image/png"
    assert documents.download_name(doc) == "scan.png"


@pytest.mark.django_db
def test_a_text_file_named_pdf_is_refused_and_nothing_is_stored(document_root):
    upload = SimpleUploadedFile(
        "证据.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
    )
    with pytest.raises(documents.DocumentRefused) as refused:
        keep(upload, filename=upload.name, field="evidence")
    assert refused.value.code == "document_type"
    assert "evidence" in refused.value.fields
    assert "PDF" in refused.value.message
    assert StoredDocument.objects.count() == 0
    assert stored_files(document_root) == []


@pytest.mark.django_db
def test_an_upload_over_the_limit_is_refused_and_nothing_is_stored(document_root):
    with pytest.raises(documents.DocumentRefused) as refused:
        keep(PDF + b"x" * 2048)
    assert refused.value.code == "document_too_large"
    assert StoredDocument.objects.count() == 0
    assert stored_files(document_root) == []


@pytest.mark.django_db
def test_an_upload_whose_declared_size_lies_is_refused_on_what_was_read(document_root):
    upload = SimpleUploadedFile("big.pdf", PDF + b"x" * 4096)
    upload.size = 10  # what a client claimed
    with pytest.raises(documents.DocumentRefused) as refused:
        keep(upload)
    assert refused.value.code == "document_too_large"
    assert StoredDocument.objects.count() == 0
    assert stored_files(document_root) == []


@pytest.mark.django_db
def test_an_empty_upload_is_refused(document_root):
    with pytest.raises(documents.DocumentRefused) as refused:
        keep(b"")
    assert refused.value.code == "document_empty"
    assert StoredDocument.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "..", "/", "\x00\x01"])
def test_a_name_with_nothing_left_after_cleaning_is_refused(name):
    with pytest.raises(documents.DocumentRefused) as refused:
        keep(PDF, filename=name)
    assert refused.value.code == "document_name"
    assert StoredDocument.objects.count() == 0


@pytest.mark.django_db
def test_the_name_loses_its_path_and_control_characters():
    doc = keep(PDF, filename="C:\\Users\\张三\\..\\病历\x07.pdf")
    assert doc.filename == "病历.pdf"
    long = keep(PDF, filename="长" * 300 + ".pdf")
    assert len(long.filename) == 120 and long.filename.endswith(".pdf")


@pytest.mark.django_db
def test_two_uploads_of_the_same_bytes_share_one_file_but_have_two_rows(document_root):
    first = keep(PDF, filename="a.pdf")
    second = keep(PDF, filename="b.pdf")
    assert first.pk != second.pk
    assert first.sha256 == second.sha256
    assert stored_files(document_root) == [documents.path_of(first.sha256)]
    assert documents.read(second) == PDF


@pytest.mark.django_db
def test_a_tampered_file_is_detected_on_read():
    doc = keep(PDF)
    documents.path_of(doc.sha256).write_bytes(PDF.replace(b"1.4", b"1.7"))
    with pytest.raises(documents.DocumentDamaged, match="篡改"):
        documents.read(doc)


@pytest.mark.django_db
def test_a_missing_file_is_detected_on_read():
    doc = keep(PDF)
    documents.path_of(doc.sha256).unlink()
    with pytest.raises(documents.DocumentDamaged, match="缺失"):
        documents.read(doc)


def test_the_refusal_speaks_the_error_contract():
    error = documents.DocumentRefused("document_type", "文件类型不支持", "evidence").as_dict()
    assert error == {
        "error": {
            "code": "document_type",
            "message": "文件类型不支持",
            "fields": {"evidence": "文件类型不支持"},
        }
    }


@pytest.mark.parametrize("value", ["ten", "12"])
def test_a_malformed_size_limit_stops_startup_naming_the_variable(value):
    from tests.core.test_settings_strict import start

    r = start({"HUIMIN_DEBUG": "1", "HUIMIN_DOCUMENT_MAX_BYTES": value})
    assert r.returncode != 0
    assert "HUIMIN_DOCUMENT_MAX_BYTES" in r.stderr

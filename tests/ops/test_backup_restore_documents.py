"""`huimin backup` archives the uploaded documents with the database, and `huimin restore`
puts them back, each checked against its SHA-256: after a restore into a new database
and an empty document root, an appeal's evidence reads again through the document
store (which re-checks its checksum)."""

import json
import tarfile

import pytest

from tests.ops.cli import huimin, ok

PDF = b"%PDF-1.4\n% appeal evidence: discharge summary of the second admission\n%%EOF\n"
STORE = """
from huimin.core import documents
doc = documents.store(
    {data!r}, filename="出院小结.pdf", purpose="review.appeal",
    owner_type="review.appeal", owner_id="7", uploaded_by=None,
)
print(doc.sha256)
"""
READ = """
from huimin.core import documents
from huimin.core.models import StoredDocument
doc = StoredDocument.objects.get(owner_type="review.appeal", owner_id="7")
print(documents.read(doc).decode("latin-1"), end="")
"""


def shell(code, database, root):
    # -v 0: no "objects imported" line before what the code prints
    return ok(
        huimin("shell", "-v", "0", "-c", code, database=database, HUIMIN_DOCUMENT_ROOT=str(root))
    )


@pytest.fixture
def with_appeal_document(populated, tmp_path):
    root = tmp_path / "documents"
    digest = shell(STORE.format(data=PDF), populated, root).strip()
    return populated, root, digest


def backup(database, root, out):
    stdout = ok(
        huimin("backup", "--output", out, database=database, HUIMIN_DOCUMENT_ROOT=str(root))
    )
    [manifest_path] = out.glob("*.manifest.json")
    return stdout, json.loads(manifest_path.read_text(encoding="utf-8"))


def test_the_document_is_archived_and_reads_after_restore(with_appeal_document, tmp_path):
    source, root, digest = with_appeal_document
    stdout, manifest = backup(source, root, tmp_path / "b")
    docs = manifest["documents"]
    assert (docs["count"], docs["bytes"], docs["missing"], docs["damaged"]) == (
        1,
        len(PDF),
        [],
        [],
    )
    assert "文档归档" in stdout and docs["sha256"] in stdout
    with tarfile.open(tmp_path / "b" / docs["file"]) as tar:
        assert tar.getnames() == [f"{digest[:2]}/{digest[2:4]}/{digest}"]

    target, fresh_root = tmp_path / "restored.sqlite3", tmp_path / "restored-documents"
    out = ok(
        huimin(
            "restore",
            tmp_path / "b" / manifest["file"],
            "--yes",
            database=target,
            HUIMIN_DOCUMENT_ROOT=str(fresh_root),
        )
    )
    assert "已恢复文档 1 份" in out
    assert shell(READ, target, fresh_root).encode("latin-1") == PDF


def test_a_changed_documents_archive_is_refused_before_anything_is_touched(
    with_appeal_document, tmp_path
):
    source, root, _ = with_appeal_document
    _, manifest = backup(source, root, tmp_path / "b")
    archive = tmp_path / "b" / manifest["documents"]["file"]
    data = bytearray(archive.read_bytes())
    data[600] ^= 0x01  # inside the file's bytes
    archive.write_bytes(bytes(data))
    target, fresh_root = tmp_path / "restored.sqlite3", tmp_path / "restored-documents"
    result = huimin(
        "restore",
        tmp_path / "b" / manifest["file"],
        "--yes",
        database=target,
        HUIMIN_DOCUMENT_ROOT=str(fresh_root),
    )
    assert result.returncode != 0
    assert "文档归档已损坏" in result.stderr and "SHA-256" in result.stderr
    assert not target.exists() and not fresh_root.exists()


def test_a_document_lost_on_disk_is_named_in_the_manifest(with_appeal_document, tmp_path):
    source, root, digest = with_appeal_document
    (root / digest[:2] / digest[2:4] / digest).unlink()
    stdout, manifest = backup(source, root, tmp_path / "b")
    assert manifest["documents"]["missing"] == [digest]
    assert manifest["documents"]["count"] == 0
    assert "缺失或与校验值不符" in stdout

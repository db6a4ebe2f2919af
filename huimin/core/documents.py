"""The document store: uploaded files (appeal evidence, mediation case documents).

The bytes are kept outside the database under HUIMIN_DOCUMENT_ROOT, one file per
SHA-256 (`ab/cd/abcd…`), so the database and its backups stay small and two uploads of
the same bytes share one copy; each upload is its own StoredDocument row naming its owner.

The type is read from the file's first bytes, never from the client's name or header:
a page renamed .pdf is refused. Everything is checked before anything is written, so a
refused upload leaves no row and no file; the file is written to a temporary name and
renamed, so a reader never sees half a file. `read` checks the checksum again: a file
changed or lost on disk is an error, not evidence.
"""

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from huimin.core.errors import ValidationFailed
from huimin.core.models import StoredDocument

# content type -> extension. Only what evidence is: scans, photos, PDFs.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
_NAME_MAX = 120
# Path separators, controls, and characters Windows refuses in a name a user downloads.
_NAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_CHUNK = 1024 * 1024


class DocumentRefused(ValidationFailed):
    """An upload the store will not keep; `code` says why, `fields` names the form field."""

    def __init__(self, code: str, message: str, field: str = "file"):
        super().__init__({field: message}, code=code, message=message)


class DocumentDamaged(Exception):
    """A stored file is missing or no longer matches its checksum: an operator's matter."""


def detect_type(head: bytes) -> str | None:
    for magic, content_type in _MAGIC:
        if head.startswith(magic):
            return content_type
    return None


def sanitise_filename(name: str) -> str:
    """The last path component, NFC, without controls or separators, at most 120
    characters with the extension kept; "" when nothing is left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _NAME_BAD.sub("", name).strip().strip(".").strip()
    if len(name) > _NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: _NAME_MAX - len(ext) - 1] + "." + ext
        else:
            name = name[:_NAME_MAX]
    return name


def _root() -> Path:
    return Path(settings.HUIMIN_DOCUMENT_ROOT)


def path_of(sha256: str) -> Path:
    return _root() / sha256[:2] / sha256[2:4] / sha256


def _chunks(data: bytes | UploadedFile):
    if isinstance(data, bytes | bytearray | memoryview):
        data = bytes(data)
        for start in range(0, len(data), _CHUNK):
            yield data[start : start + _CHUNK]
        return
    data.seek(0)
    yield from data.chunks(_CHUNK)


def _size_of(data: bytes | UploadedFile) -> int:
    if isinstance(data, bytes | bytearray | memoryview):
        return len(data)
    return int(data.size or 0)


def _refuse_name(field: str):
    return DocumentRefused("document_name", "文件名无效，请重新命名后上传", field)


def store(
    data: bytes | UploadedFile,
    *,
    filename: str,
    purpose: str,
    owner_type: str,
    owner_id: str,
    uploaded_by,
    field: str = "file",
) -> StoredDocument:
    """Check, write (temp + rename) and index one upload; DocumentRefused stores nothing."""
    limit = settings.HUIMIN_DOCUMENT_MAX_BYTES
    clean_name = sanitise_filename(filename)
    if not clean_name:
        raise _refuse_name(field)
    size = _size_of(data)
    if size == 0:
        raise DocumentRefused("document_empty", "文件为空，请选择要上传的文件", field)
    if size > limit:
        raise DocumentRefused(
            "document_too_large", f"文件过大：不能超过{limit // (1024 * 1024) or 1}MB", field
        )

    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    head = b""
    written = 0
    # Stream into a temporary file in the store's own folder (same file system, so the
    # rename is atomic), hashing as we go; the type and size are checked on what was
    # actually read, not on what the client declared.
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", dir=root)
    try:
        with os.fdopen(fd, "wb") as tmp:
            for chunk in _chunks(data):
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                written += len(chunk)
                if written > limit:
                    raise DocumentRefused(
                        "document_too_large",
                        f"文件过大：不能超过{limit // (1024 * 1024) or 1}MB",
                        field,
                    )
                digest.update(chunk)
                tmp.write(chunk)
            tmp.flush()
            os.fsync(tmp.fileno())
        if written == 0:
            raise DocumentRefused("document_empty", "文件为空，请选择要上传的文件", field)
        content_type = detect_type(head)
        if content_type is None:
            allowed = "、".join(ext.upper() for ext in ALLOWED_TYPES.values())
            raise DocumentRefused(
                "document_type", f"文件类型不支持：只接受{allowed}（按文件内容识别）", field
            )
        sha = digest.hexdigest()
        target = path_of(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise

    doc = StoredDocument.objects.create(
        filename=clean_name,
        content_type=content_type,
        size=written,
        sha256=sha,
        purpose=purpose[:40],
        owner_type=owner_type[:40],
        owner_id=str(owner_id)[:40],
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    # A row rolled back with its caller's transaction leaves a file no row names: only
    # bytes already checked, which a later upload of the same file reuses.
    return doc


def read(doc: StoredDocument) -> bytes:
    """The document's bytes, after checking them against the checksum on its row."""
    target = path_of(doc.sha256)
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise DocumentDamaged(f"文档 {doc.pk} 的文件缺失：{target}") from None
    if hashlib.sha256(data).hexdigest() != doc.sha256:
        raise DocumentDamaged(f"文档 {doc.pk} 的文件与校验值不符，可能已被篡改：{target}")
    return data


def download_name(doc: StoredDocument) -> str:
    """The stored name with the extension of the detected type."""
    ext = ALLOWED_TYPES.get(doc.content_type, "bin")
    stem = doc.filename.rsplit(".", 1)[0] if "." in doc.filename else doc.filename
    return f"{stem or 'document'}.{ext}"


def download(doc: StoredDocument):
    """The document as an attachment, its checksum verified first (DocumentDamaged if
    the file on disk is not what was stored): never rendered inline, never sniffed."""
    response = HttpResponse(read(doc), content_type=doc.content_type)
    response["Content-Disposition"] = content_disposition_header(True, download_name(doc))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def owned_by(owner_type: str, owner_ids) -> dict[str, list[StoredDocument]]:
    """Each owner's documents in upload order, in one query."""
    found: dict[str, list[StoredDocument]] = {str(i): [] for i in owner_ids}
    rows = StoredDocument.objects.filter(owner_type=owner_type, owner_id__in=list(found))
    for doc in rows.select_related("uploaded_by").order_by("uploaded_at", "id"):
        found[doc.owner_id].append(doc)
    return found

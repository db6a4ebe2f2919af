"""Bank collection files (银行代收批量文件): read, validate each row, book the good ones.

A file is CSV (UTF-8, with or without BOM, or GB18030 as Chinese banks often write it)
or xlsx, one payment a row in five columns: ID number (18), name, amount, bank
transaction number, paid date (YYYY-MM-DD or YYYYMMDD). A first row naming the columns
(身份证号、姓名…) is skipped.

Unlike the catalog import, a batch is not all-or-nothing: the issue asks for valid rows
booked and bad rows reported. Each valid row becomes a payment keyed on its bank
transaction number (`bank:<txn>`), so importing the same file again books nothing twice:
rows already booked with the same content count as `repeated`, a transaction number
seen before with other content is rejected. The batch, its payments and their ledger
entries commit together; each row is booked in its own savepoint.
"""

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from decimal import Decimal
from zipfile import BadZipFile

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import idnumber
from huimin.core.errors import PermissionDenied, ValidationFailed
from huimin.core.money import fmt
from huimin.insurance.enrollment import rules
from huimin.insurance.enrollment.models import (
    BankBatch,
    Enrollment,
    EnrollmentStatus,
    Payment,
    PaymentMethod,
)
from huimin.insurance.enrollment.services import access, payments
from huimin.policy import check_jurisdiction, in_jurisdiction
from huimin.registry.models import Person, id_number_lookups

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
CHUNK = 500  # rows looked up per query


class FileRejected(ValidationFailed):
    def __init__(self, reason: str):
        super().__init__({"file": reason}, code="bank_file_invalid", message=reason)


def read_rows(filename: str, content: bytes) -> list[tuple[int, list]]:
    """(line number, cells) of the data rows; the header and blank rows left out."""
    if not content:
        raise FileRejected("文件为空")
    if len(content) > MAX_BYTES:
        raise FileRejected(f"文件超过{MAX_BYTES // 1024 // 1024}MB")
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        rows = _csv_rows(content)
    else:
        raise FileRejected("只接受 .csv 或 .xlsx 文件")
    out = []
    for number, cells in enumerate(rows, start=1):
        if not any(str(c).strip() for c in cells if c is not None):
            continue
        if not out and rules.is_header(cells):
            continue
        out.append((number, list(cells)))
        if len(out) > MAX_ROWS:
            raise FileRejected(f"一个文件最多{MAX_ROWS}行")
    if not out:
        raise FileRejected("文件中没有数据行")
    return out


def _csv_rows(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return list(csv.reader(io.StringIO(text)))
    raise FileRejected("无法识别文件编码（应为UTF-8或GB18030）")


def _xlsx_rows(content: bytes):
    from openpyxl import load_workbook  # noqa: PLC0415 - openpyxl is heavy and only an uploaded sheet needs it

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (BadZipFile, OSError, KeyError, ValueError):
        raise FileRejected("不是有效的xlsx文件") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


@dataclass
class _Outcome:
    booked: int = 0
    repeated: int = 0
    amount: Decimal = Decimal("0.00")
    regions: set = field(default_factory=set)


def check_uploader(user) -> None:
    if user is not None and not access.can_write(user):
        raise PermissionDenied("无权导入银行代收文件")


def do_import_bank_batch(
    user,
    year: int,
    filename: str,
    content: bytes,
    *,
    today: datetime.date | None = None,
    request=None,
) -> BankBatch:
    """Import one file. `user` None is the operator's command line (whole database)."""
    check_uploader(user)
    if not (2000 <= year <= 2100):
        raise ValidationFailed({"year": "参保年度应为2000至2100之间的整数"})
    rows = read_rows(filename, content)
    today = today or timezone.localdate()
    with transaction.atomic():
        batch = BankBatch.objects.create(
            # The operator's command line (no user) imports for the whole database.
            region_code="" if user is None else check_jurisdiction(user),
            year=year,
            filename=(filename or "")[-200:],
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=user,
            total_rows=len(rows),
        )
        rejections: list[dict] = []
        outcome = _Outcome()
        for start in range(0, len(rows), CHUNK):
            _import_chunk(user, batch, rows[start : start + CHUNK], today, outcome, rejections)
        if user is None and outcome.regions:
            # A batch from the command line belongs to the county its rows were booked in,
            # so that county's officers see it on the page.
            batch.region_code = _common_prefix(outcome.regions)[:6]
        batch.booked = outcome.booked
        batch.repeated = outcome.repeated
        batch.rejected = len(rejections)
        batch.booked_amount = outcome.amount
        batch.rejections = rejections
        batch.save(
            update_fields=[
                "region_code",
                "booked",
                "repeated",
                "rejected",
                "booked_amount",
                "rejections",
            ]
        )
        record(
            action="create",
            object_type="enrollment.bank_batch",
            object_id=str(batch.pk),
            region_code=batch.region_code,
            fields=["payments"],
            changes={
                "rows": [None, batch.total_rows],
                "booked": [None, batch.booked],
                "repeated": [None, batch.repeated],
                "rejected": [None, batch.rejected],
                "amount": [None, fmt(batch.booked_amount)],
            },
            actor=user,
            request=request,
        )
    return batch


def _common_prefix(codes) -> str:
    low, high = min(codes), max(codes)
    n = 0
    while n < min(len(low), len(high)) and low[n] == high[n]:
        n += 1
    return low[:n]


def _reject(rejections, row_no, cells, code, reason, number=""):
    raw_id = str(cells[0]).strip() if cells and cells[0] is not None else ""
    rejections.append(
        {
            "row": row_no,
            # The report is read by clerks and kept: never a full ID number in it.
            "id_number": idnumber.mask(number or raw_id) if (number or raw_id) else "",
            "name": str(cells[1] if len(cells) > 1 and cells[1] is not None else "")[:50],
            "txn_no": str(cells[3] if len(cells) > 3 and cells[3] is not None else "")[:40],
            "code": code,
            "reason": reason,
        }
    )


def _import_chunk(user, batch, rows, today, outcome: _Outcome, rejections: list) -> None:
    parsed: list[tuple[int, list, rules.BankRow]] = []
    for row_no, cells in rows:
        try:
            parsed.append((row_no, cells, rules.parse_bank_row(row_no, cells, today=today)))
        except rules.RowRejected as exc:
            _reject(rejections, row_no, cells, exc.code, exc.reason)
    if not parsed:
        return
    people_qs = Person.objects.all() if user is None else Person.objects.visible_to(user)
    # During a field-key rotation a person not yet re-encrypted still carries the index
    # under the previous key: look each number up under every key held, current first.
    indexes_of = {r.id_number: id_number_lookups(r.id_number) for _, _, r in parsed}
    wanted = sorted({i for indexes in indexes_of.values() for i in indexes})
    by_index = {p.id_number_index: p for p in people_qs.filter(id_number_index__in=wanted)}
    people: dict[str, list] = {}
    for number, indexes in indexes_of.items():
        found = {by_index[i].pk: by_index[i] for i in indexes if i in by_index}
        people[number] = list(found.values())
    person_ids = sorted({p.pk for found in people.values() for p in found})
    enrollments = {
        e.person_id: e
        for e in Enrollment.objects.filter(person_id__in=person_ids, year=batch.year)
        .exclude(status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.REFUNDED])
        .select_related("period")
    }
    keys = {f"bank:{r.txn_no}" for _, _, r in parsed}
    seen = dict(
        Payment.objects.filter(Q(idempotency_key__in=keys)).values_list(
            "idempotency_key", "request_hash"
        )
    )
    for row_no, cells, row in parsed:
        key = f"bank:{row.txn_no}"
        found = people[row.id_number]
        person = found[0] if len(found) == 1 else None
        body_hash = _body_hash(row, person.pk if person else None)
        if key in seen:
            if seen[key] in (body_hash, *_legacy_hashes(row, indexes_of[row.id_number])):
                outcome.repeated += 1
            else:
                _reject(
                    rejections,
                    row_no,
                    cells,
                    "txn_no_used",
                    "银行流水号已被另一笔缴费使用",
                    row.id_number,
                )
            continue
        if len(found) > 1:
            # One number under two keys: registered twice while the key rotated.
            _reject(
                rejections,
                row_no,
                cells,
                "person_ambiguous",
                "该身份证号码登记了多名居民，请先合并重复记录",
                row.id_number,
            )
            continue
        problem = _row_problem(user, row, person, enrollments.get(person.pk) if person else None)
        if problem:
            _reject(rejections, row_no, cells, *problem, row.id_number)
            continue
        try:
            with transaction.atomic():
                enrollment = (
                    Enrollment.objects.select_for_update(of=("self",))
                    .select_related("period")
                    .get(pk=enrollments[person.pk].pk)
                )
                if enrollment.status != EnrollmentStatus.OWED:
                    raise _Late("already_paid", f"{batch.year}年度已缴费")
                payments.book(
                    enrollment,
                    amount=row.amount,
                    method=PaymentMethod.BANK,
                    paid_at=timezone.make_aware(
                        datetime.datetime.combine(row.paid_on, datetime.time(12, 0))
                    ),
                    key=key,
                    body_hash=body_hash,
                    user=user,
                    bank_txn_no=row.txn_no,
                    bank_batch=batch,
                    audit=False,  # the batch's own audit record names the counts
                )
        except _Late as exc:
            _reject(rejections, row_no, cells, exc.code, exc.reason, row.id_number)
            continue
        except IntegrityError:
            _reject(
                rejections,
                row_no,
                cells,
                "txn_no_used",
                "银行流水号已被另一笔缴费使用",
                row.id_number,
            )
            continue
        seen[key] = body_hash
        enrollments[person.pk] = enrollment
        outcome.booked += 1
        outcome.amount += row.amount
        outcome.regions.add(enrollment.region_code)


def _body_hash(row: rules.BankRow, person_id: int | None) -> str:
    """The row's content as the payment keeps it. It names the person by id, not by a
    blind index, so a file imported again after the field key rotated is still seen as
    the same payments."""
    return rules.request_hash(
        {
            "person_id": person_id,
            "amount": fmt(row.amount),
            "method": PaymentMethod.BANK.value,
            "txn_no": row.txn_no,
            "paid_on": row.paid_on.isoformat(),
        }
    )


def _legacy_hashes(row: rules.BankRow, indexes: list[str]) -> list[str]:
    """Hashes of payments booked before the person id was used: they named the blind
    index under the key then current, which may be any key still held."""
    common = {
        "amount": fmt(row.amount),
        "method": PaymentMethod.BANK.value,
        "txn_no": row.txn_no,
        "paid_on": row.paid_on.isoformat(),
    }
    return [rules.request_hash({"id_number_index": i, **common}) for i in indexes]


class _Late(Exception):
    """The enrollment changed between the look-up and the lock."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _row_problem(user, row: rules.BankRow, person, enrollment) -> tuple[str, str] | None:
    if person is None:
        return "person_not_found", "未找到该身份证号码的居民（或不在您的辖区内）"
    if person.name != row.name:
        return "name_mismatch", "姓名与该身份证号码的登记姓名不符"
    if enrollment is None:
        return "not_enrolled", "未登记该年度参保，须先登记"
    if enrollment.status == EnrollmentStatus.PAID:
        return "already_paid", "该年度已缴费"
    if enrollment.status == EnrollmentStatus.REFUNDED:
        return "refunded", "该年度已退费，不能再缴费"
    if user is not None and not in_jurisdiction(user, enrollment.region_code):
        return "out_of_jurisdiction", "该参保登记不在您的辖区内"
    if row.amount != enrollment.personal_due:
        return "amount_mismatch", f"金额{row.amount}元与个人应缴{enrollment.personal_due}元不符"
    if row.paid_on < enrollment.period.opens_on:
        return "paid_date_outside_period", "缴费日期早于集中参保开始日期"
    if row.paid_on > datetime.date(enrollment.year, 12, 31):
        return "paid_date_outside_period", f"缴费日期晚于{enrollment.year}年度末"
    too_late = payments.too_late_to_pay(enrollment, row.paid_on)
    if too_late:
        return "benefits_after_year", too_late
    return None

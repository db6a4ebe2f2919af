"""A bank file books its good rows and reports each bad one with its reason."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from huimin.core.errors import ValidationFailed
from huimin.insurance.enrollment import bank, services
from huimin.insurance.enrollment.models import BankBatch, Enrollment, Payment
from huimin.insurance.ledger import services as ledger
from tests import factories
from tests.enrollment.conftest import YEAR
from tests.enrollment.helpers import enroll, writes

D = datetime.date
TODAY = D(2026, 1, 20)


@pytest.fixture
def village(officer, period, family):
    """The family enrolled (father owes 400.00, mother 200.00, grandma paid) + two more."""
    enrolled = enroll(officer, family["household"])
    son = factories.make_person("王小", birth=D(2005, 2, 2))
    factories.make_household(son)
    unenrolled = factories.make_person("李未", birth=D(1990, 4, 4))
    factories.make_household(unenrolled)
    enroll(officer, son.memberships.get().household)
    return {**family, "enrolled": enrolled, "son": son, "unenrolled": unenrolled}


def id_of(person):
    return person.reveal_id_number()


def csv_bytes(rows, header=True, encoding="utf-8"):
    lines = ["身份证号,姓名,金额,银行流水号,缴费日期"] if header else []
    lines += [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def mixed_rows(v):
    father, mother, grandma = v["father"], v["mother"], v["grandma"]
    bad_check = id_of(father)[:17] + ("0" if id_of(father)[17] != "0" else "1")
    stranger = factories.valid_id(D(1970, 1, 1), "1")
    return [
        [id_of(father), "王父", "400.00", "T001", "2025-11-02"],  # row 2: booked
        [id_of(mother).lower(), "王母", "200", "T002", "20251103"],  # row 3: booked
        [bad_check, "王父", "400.00", "T003", "2025-11-02"],  # 4: check character
        [id_of(v["son"]), "王大", "400.00", "T004", "2025-11-02"],  # 5: name
        [id_of(v["son"]), "王小", "399.00", "T005", "2025-11-02"],  # 6: amount
        [id_of(v["unenrolled"]), "李未", "400.00", "T006", "2025-11-02"],  # 7: not enrolled
        [stranger, "赵无", "400.00", "T007", "2025-11-02"],  # 8: nobody
        [id_of(v["son"]), "王小", "400.00", "T001", "2025-11-02"],  # 9: txn used
        [id_of(grandma), "王奶奶", "0.00", "T009", "2025-11-02"],  # 10: already paid
        [id_of(v["son"]), "王小", "400.00", "T010", "2026-02-01"],  # 11: future date
        [id_of(v["son"]), "王小", "四百", "T011", "2025-11-02"],  # 12: amount invalid
        [id_of(v["son"]), "王小", "400.00", "", "2025-11-02"],  # 13: no txn
    ]


EXPECTED = {
    4: "id_number_checksum",
    5: "name_mismatch",
    6: "amount_mismatch",
    7: "not_enrolled",
    8: "person_not_found",
    9: "txn_no_used",
    10: "already_paid",
    11: "paid_date_future",
    12: "amount_invalid",
    13: "txn_missing",
}


def test_mixed_file_books_the_good_rows_and_reports_each_bad_one(officer, village):
    content = csv_bytes(mixed_rows(village))
    batch = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert (batch.total_rows, batch.booked, batch.repeated, batch.rejected) == (12, 2, 0, 10)
    assert batch.booked_amount == Decimal("600.00")  # 400.00 + 200.00
    assert {r["row"]: r["code"] for r in batch.rejections} == EXPECTED
    for r in batch.rejections:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r["reason"])
        # The report never keeps a full ID number.
        assert r["id_number"] == "" or "********" in r["id_number"]
    father = village["enrolled"][village["father"].pk]
    father.refresh_from_db()
    assert father.status == "paid" and father.benefits_from == D(2026, 1, 1)
    paid = Payment.objects.filter(bank_batch=batch).order_by("bank_txn_no")
    assert [(p.bank_txn_no, p.amount, p.method) for p in paid] == [
        ("T001", Decimal("400.00"), "bank"),
        ("T002", Decimal("200.00"), "bank"),
    ]
    assert timezone.localdate(paid[0].paid_at) == D(2025, 11, 2)
    # The son (bad rows only) still owes.
    assert Enrollment.objects.get(person=village["son"]).status == "owed"
    assert ledger.trial_balance("430522", YEAR)["balanced"]


def test_importing_the_same_file_again_books_nothing_twice(officer, village):
    content = csv_bytes(mixed_rows(village))
    bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    payments = Payment.objects.count()
    again = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert (again.booked, again.repeated) == (0, 2)
    assert {r["row"]: r["code"] for r in again.rejections} == EXPECTED
    assert Payment.objects.count() == payments


def test_xlsx_with_numeric_and_date_cells(officer, village):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名", "金额", "银行流水号", "缴费日期"])
    sheet.append([id_of(village["father"]), "王父", 400.0, 20251102001, D(2025, 11, 2)])
    sheet.append([id_of(village["mother"]), "王母", 200.5, 20251102002, D(2025, 11, 2)])
    out = io.BytesIO()
    book.save(out)
    batch = bank.do_import_bank_batch(officer, YEAR, "b.xlsx", out.getvalue(), today=TODAY)
    assert (batch.booked, batch.rejected) == (1, 1)
    assert Payment.objects.get(bank_batch=batch).bank_txn_no == "20251102001"
    assert batch.rejections[0]["code"] == "amount_mismatch"


def test_gb18030_csv_without_header(officer, village):
    rows = [[id_of(village["father"]), "王父", "400.00", "G1", "2025-11-02"]]
    batch = bank.do_import_bank_batch(
        officer, YEAR, "b.csv", csv_bytes(rows, header=False, encoding="gb18030"), today=TODAY
    )
    assert (batch.total_rows, batch.booked) == (1, 1)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("b.csv", b""),
        ("b.pdf", b"%PDF-1.4"),
        ("b.xlsx", b"not a zip"),
        ("b.csv", "身份证号,姓名,金额,银行流水号,缴费日期\n".encode()),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_and_nothing_written(officer, village, name, content):
    before = writes(), BankBatch.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        bank.do_import_bank_batch(officer, YEAR, name, content, today=TODAY)
    assert "file" in exc.value.fields
    assert (writes(), BankBatch.objects.count()) == before


def test_rows_outside_the_uploaders_township_are_rejected(officer, village):
    # A 严塘镇 clerk uploads a file with 酿溪镇 people: they are not found for them.
    clerk = factories.make_staff("clerk2", "township_clerk", factories.TOWNSHIPS[1])
    rows = [[id_of(village["father"]), "王父", "400.00", "T1", "2025-11-02"]]
    batch = bank.do_import_bank_batch(clerk, YEAR, "b.csv", csv_bytes(rows), today=TODAY)
    assert (batch.booked, batch.rejected) == (0, 1)
    assert batch.rejections[0]["code"] == "person_not_found"
    assert services.coverage_on(village["father"].pk, D(2026, 3, 1)) is None


def test_command_books_and_reports(officer, village, tmp_path, capsys):
    path = tmp_path / "bank.csv"
    path.write_bytes(csv_bytes(mixed_rows(village)[:3]))
    with pytest.raises(SystemExit) as exit_:
        call_command("import_bank_batch", str(path), "--year", str(YEAR))
    assert exit_.value.code == 1  # one row rejected
    out = capsys.readouterr().out
    assert "入账 2 笔" in out and "第4行" in out and "校验码" in out
    assert Payment.objects.filter(method="bank").count() == 2
    # Imported without a user, the batch belongs to the county its rows were booked in.
    assert BankBatch.objects.get().region_code == "430522"


def test_the_booked_rows_of_a_file_page_in_file_order(client, officer, village, settings):
    father, mother = village["father"], village["mother"]
    content = csv_bytes(
        [
            (id_of(father), "王父", "400.00", "T1", "2026-01-10"),
            (id_of(mother), "王母", "200.00", "T2", "2026-01-10"),
        ]
    )
    batch = bank.do_import_bank_batch(officer, YEAR, "bank.csv", content, today=TODAY)
    assert batch.booked == 2
    settings.HUIMIN_PAGE_SIZE = 1
    client.force_login(officer)
    url = reverse("enrollment:bank_batch", args=[batch.pk])
    first = client.get(url)
    assert [p.bank_txn_no for p in first.context["payments"]] == ["T1"]
    second = client.get(url, {"after": first.context["page"].next_cursor})
    assert [p.bank_txn_no for p in second.context["payments"]] == ["T2"]
    assert second.context["page"].next_cursor is None

"""Importing a sheet: every bad row reported at once and nothing imported; otherwise new
items, new versions for changed rows, unchanged rows skipped."""

import datetime
from decimal import Decimal

import pytest

from huimin.audit.models import AuditEvent
from huimin.core.errors import PermissionDenied, ValidationFailed
from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from tests.catalog.conftest import DRUG, DRUG_B, SERVICE
from tests.catalog.sheets import GOOD, HEADER, csv_bytes, xlsx_bytes

D = datetime.date


def state():
    return (
        sorted(CatalogItem.objects.values_list("code", "kind")),
        sorted(
            CatalogVersion.objects.values_list(
                "item__code", "effective_from", "effective_to", "ceiling", "name"
            )
        ),
    )


def test_a_good_sheet_imports_every_row(officer):
    summary = services.import_sheet(officer, csv_bytes(GOOD), source="2026.csv")
    assert (len(summary.new_items), len(summary.new_versions), len(summary.unchanged)) == (3, 0, 0)
    v = services.version_on(SERVICE, D(2026, 2, 1))
    assert v.ceiling == Decimal(40) and v.allowed_levels == ("2",)
    assert v.source == "2026.csv" and v.created_by == officer
    event = AuditEvent.objects.get(object_type="catalog.catalog")
    assert event.changes["new_items"] == [None, 3] and event.actor_username == "officer"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding(officer, encoding):
    services.import_sheet(officer, csv_bytes(GOOD, encoding=encoding))
    assert services.version_on(DRUG_B, D(2026, 1, 1)).name == "复方氨基酸注射液"


def test_xlsx(officer):
    rows = [[*r[:5], float(r[5]) if r[5] else None, *r[6:]] for r in GOOD]
    services.import_sheet(officer, xlsx_bytes(rows))
    assert services.version_on(DRUG_B, D(2026, 1, 1)).ceiling == Decimal(85)


def test_reimport_skips_unchanged_and_versions_changed_rows(officer):
    services.import_sheet(officer, csv_bytes(GOOD))
    changed = [list(r) for r in GOOD]
    changed[1][5] = "82.50"  # a new ceiling
    changed[1][8] = "2026-07-01"
    changed.append(
        ["003105030010000", "腹腔镜下胆囊切除术", "甲", "", "次", "", "", "", "2026-07-01"]
    )
    summary = services.import_sheet(officer, csv_bytes(changed))
    assert summary.new_items == ["003105030010000"]
    assert summary.new_versions == [DRUG_B]
    assert sorted(summary.unchanged) == sorted([DRUG, SERVICE])
    assert services.version_on(DRUG_B, D(2026, 6, 30)).ceiling == Decimal(85)
    assert services.version_on(DRUG_B, D(2026, 7, 1)).ceiling == Decimal("82.50")
    assert CatalogVersion.objects.filter(item__code=DRUG).count() == 1


def test_default_effective_date_fills_empty_cells(officer):
    rows = [[*r[:8], ""] for r in GOOD]
    services.import_sheet(officer, csv_bytes(rows), default_effective=D(2026, 5, 1))
    assert services.version_on(DRUG, D(2026, 4, 30)) is None
    assert services.version_on(DRUG, D(2026, 5, 1)) is not None


def test_every_bad_row_is_reported_and_nothing_imported(officer):
    services.import_sheet(officer, csv_bytes(GOOD[:1]))
    before, audit_before = state(), AuditEvent.objects.count()
    bad = [
        GOOD[1],  # line 2: good
        ["001102000010001", "床位费（一级）", "丁", "", "日", "25", "", "", ""],  # bad class
        ["001102000010002", "床位费（三级）", "甲", "", "日", "-55", "", "", ""],  # negative
        ["001102000010003", "某乙类项目", "乙", "", "次", "", "1.5", "", ""],  # ratio > 1
        ["001102000010004", "限年龄项目", "甲", "", "次", "", "", "", ""],  # ages: see below
        ["001102000010005", "限等级项目", "甲", "", "次", "", "", "二级、五级", ""],  # level
        [DRUG_B, "复方氨基酸注射液", "乙", "", "瓶", "85", "", "", ""],  # duplicate of line 2
        ["001102000010006", "日期有误", "甲", "", "次", "", "", "", "2026-13-01"],  # bad date
        # An existing code whose change would start on or before its current version.
        [DRUG, "盐酸左氧氟沙星注射液", "乙", "", "支", "", "", "", "2025-01-01"],
    ]
    header = [*HEADER, "最小年龄", "最大年龄"]
    rows = [[*r, "", ""] for r in bad]
    rows[4][-2:] = ["65", "18"]
    with pytest.raises(ValidationFailed) as exc:
        services.import_sheet(officer, csv_bytes(rows, header=header))
    problems = dict(exc.value.problems)
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9, 10], problems
    assert "类别" in problems[3]
    assert "负数" in problems[4]
    assert "不能超过1" in problems[5]
    assert "最小年龄65大于最大年龄18" in problems[6]
    assert "五级" in problems[7]
    assert "与第2行重复" in problems[8]
    assert "不是有效日期" in problems[9]
    assert exc.value.code == "catalog_import_invalid"
    assert state() == before
    assert AuditEvent.objects.count() == audit_before


def test_rows_in_conflict_with_the_stored_catalog_are_refused_together(officer):
    services.import_sheet(officer, csv_bytes(GOOD))
    before = state()
    rows = [
        [DRUG, "改名后的药", "甲", "", "支", "", "", "", "2025-01-01"],  # starts too early
        [DRUG_B, "复方氨基酸注射液", "乙", "", "瓶", "80", "", "", "2027-01-01"],  # fine
        ["001102000010000", "床位费", "甲", "医用耗材", "日", "", "", "", ""],  # kind
    ]
    rows[2][0] = SERVICE
    with pytest.raises(ValidationFailed) as exc:
        services.import_sheet(officer, csv_bytes(rows))
    problems = dict(exc.value.problems)
    assert "须晚于" in problems[2] and 4 in problems
    assert 3 not in problems
    assert state() == before


def test_a_dry_run_checks_but_writes_nothing(officer):
    summary = services.import_sheet(officer, csv_bytes(GOOD), dry_run=True)
    assert len(summary.new_items) == 3 and summary.dry_run
    assert state() == ([], [])


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\xff\xfe\x80\x81", b"PK\x03\x04 not really a workbook"],
)
def test_unreadable_files_are_refused(officer, data):
    with pytest.raises(ValidationFailed) as exc:
        services.import_sheet(officer, data)
    assert "file" in exc.value.fields
    assert state() == ([], [])


def test_only_catalog_managers_import(cashier):
    with pytest.raises(PermissionDenied):
        services.import_sheet(cashier, csv_bytes(GOOD))
    assert state() == ([], [])

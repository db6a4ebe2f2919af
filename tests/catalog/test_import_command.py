"""huimin import-catalog FILE: the operator's command prints every bad row or a summary."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from huimin.insurance.catalog import services
from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from tests.catalog.conftest import DRUG_B
from tests.catalog.sheets import GOOD, csv_bytes, xlsx_bytes


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_catalog", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_imports_and_prints_a_summary(db, tmp_path):
    sheet = tmp_path / "catalog.xlsx"
    sheet.write_bytes(xlsx_bytes(GOOD))
    assert "新增项目3个，新增版本0个，未变化0个" in run(sheet)
    assert "新增项目0个，新增版本0个，未变化3个" in run(sheet)
    changed = [list(r) for r in GOOD]
    changed[1][5], changed[1][8] = "80", ""
    csv_sheet = tmp_path / "catalog.csv"
    csv_sheet.write_bytes(csv_bytes(changed, encoding="gb18030"))
    assert "新增项目0个，新增版本1个，未变化2个" in run(csv_sheet, "--effective", "2026-09-01")
    assert services.version_on(DRUG_B, datetime.date(2026, 9, 1)).ceiling == Decimal(80)
    assert services.version_on(DRUG_B, datetime.date(2026, 8, 31)).ceiling == Decimal(85)


def test_bad_rows_are_all_listed_and_nothing_imported(db, tmp_path):
    rows = [list(r) for r in GOOD]
    rows[0][2] = "丁"
    rows[2][5] = "-1"
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError) as exc:
        run(sheet)
    text = str(exc.value)
    assert "未导入任何数据" in text and "第2行" in text and "第4行" in text
    assert "第3行" not in text
    assert CatalogItem.objects.count() == CatalogVersion.objects.count() == 0


def test_dry_run_writes_nothing(db, tmp_path):
    sheet = tmp_path / "catalog.csv"
    sheet.write_bytes(csv_bytes(GOOD))
    assert "校验通过（未写入）" in run(sheet, "--dry-run")
    assert CatalogItem.objects.count() == 0


@pytest.mark.parametrize("args", [["missing.csv"], ["catalog.csv", "--effective", "2026-02-30"]])
def test_bad_arguments(db, tmp_path, args):
    (tmp_path / "catalog.csv").write_bytes(csv_bytes(GOOD))
    with pytest.raises(CommandError):
        run(*(tmp_path / a if a.endswith(".csv") else a for a in args))
    assert CatalogItem.objects.count() == 0

"""The import page: an officer uploads a sheet and sees the summary or every bad row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from tests.catalog.sheets import GOOD, csv_bytes, xlsx_bytes

URL = "/catalog/import/"


def upload(client, data: bytes, name="catalog.csv", **fields):
    return client.post(URL, {"file": SimpleUploadedFile(name, data), **fields})


def counts():
    return CatalogItem.objects.count(), CatalogVersion.objects.count()


@pytest.fixture
def as_officer(client, officer):
    client.force_login(officer)
    return client


def test_url_is_the_named_one():
    assert reverse("catalog:import") == URL


def test_a_good_sheet_is_imported_and_summarised(as_officer):
    assert as_officer.get(URL).status_code == 200
    response = upload(as_officer, xlsx_bytes(GOOD), "catalog.xlsx")
    assert response.status_code == 200
    assert "导入完成：新增项目3个，新增版本0个，未变化0个" in response.content.decode()
    assert counts() == (3, 3)


def test_every_bad_row_is_shown_and_nothing_imported(as_officer):
    rows = [list(r) for r in GOOD]
    rows[0][2] = "戊"
    rows[2][6] = "2"
    response = upload(as_officer, csv_bytes(rows))
    assert response.status_code == 422
    html = response.content.decode()
    assert "第2行" in html and "第4行" in html and "第3行" not in html
    assert "未导入任何数据" in html
    assert counts() == (0, 0)


def test_dry_run(as_officer):
    html = upload(as_officer, csv_bytes(GOOD), dry_run="on").content.decode()
    assert "校验通过（未写入）" in html
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (b"\x00\xff\x00binary", {}),
        (csv_bytes(GOOD), {"effective": "2026-13-01"}),
    ],
)
def test_unreadable_uploads_and_bad_fields_are_refused(as_officer, data, fields):
    response = upload(as_officer, data, **fields)
    assert response.status_code == 422
    assert "error-box" in response.content.decode()
    assert counts() == (0, 0)


def test_a_missing_file_is_refused(as_officer):
    assert as_officer.post(URL, {}).status_code == 422
    assert counts() == (0, 0)


def test_only_catalog_managers_may_import(client, cashier):
    client.force_login(cashier)
    assert client.get(URL).status_code == 403
    assert upload(client, csv_bytes(GOOD)).status_code == 403
    assert counts() == (0, 0)

"""The export's refusals, what a form keeps, and rules over a hand-made export in DuckDB
(the death date exact, the birth known to the month)."""

import io
import json
from decimal import Decimal

import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command

from huimin.analytics import duck, export
from huimin.analytics.tables import _form_values
from huimin.audit.models import AuditEvent
from huimin.review.batch import runner
from huimin.review.models import Finding
from tests import factories
from tests.review.batch.support import Claims, D


@pytest.fixture
def claims(county):
    return Claims()


def test_no_export_key_no_export(db, settings, tmp_path):
    settings.HUIMIN_EXPORT_KEY = None  # production without HUIMIN_EXPORT_KEY
    with pytest.raises(CommandError, match="HUIMIN_EXPORT_KEY"):
        call_command("export", "parquet", "--out", str(tmp_path / "x"), "--no-progress")
    assert not (tmp_path / "x").exists()
    assert not AuditEvent.objects.filter(object_type="analytics.parquet").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "430522100"], "省、市或县"),  # a township would split a partition
        (["--region", "43A"], "省、市或县"),
        (["--year", "26"], "四位年份"),
    ],
)
def test_bad_scope_is_refused(db, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export", "parquet", "--out", str(tmp_path), "--no-progress", *args)
    assert not AuditEvent.objects.filter(object_type="analytics.parquet").exists()


def test_a_form_keeps_numbers_codes_and_dates_never_text():
    data = {
        "visit_date": "2026-03-01",
        "systolic": 150,
        "symptoms": ["1"],
        "symptoms_other": "头晕两天，邻居王五陪同",
        "medications": [{"name": "厄贝沙坦片", "dose": "150mg 每日1次"}],
        "doctor": "李医生",
        "next_visit_date": "2026-03-15",
    }
    kept = json.loads(_form_values("htn_followup", data))
    assert kept == {
        "visit_date": "2026-03-01",
        "systolic": 150,
        "symptoms": ["1"],
        "medications": [{}],
        "next_visit_date": "2026-03-15",
    }
    newborn = {"father_birth_date": "1990-01-02", "mother_birth_date": "1992-03-04"}
    assert json.loads(_form_values("newborn_visit", newborn)) == {}
    assert _form_values("no_such_form", {"x": 1}) == "{}"


def test_an_empty_region_exports_nothing_but_is_audited(county, tmp_path):
    result = export.export(tmp_path, export.Scope(region="110101"))
    assert result.rows["visit"] == result.rows["person"] == 0
    assert not (tmp_path / "visit").exists()
    event = AuditEvent.objects.get(object_type="analytics.parquet")
    assert (event.action, event.region_code) == ("export", "110101")
    out = io.StringIO()
    call_command("export", "parquet", "--out", str(tmp_path), "--no-progress", stdout=out)
    assert "导出完成" in out.getvalue()


def test_deceased_in_duckdb_as_in_the_database(claims, tmp_path):
    dead = factories.make_person("李四", death_date=D(2026, 3, 1))
    late = claims.settle(person=dead, visit_date=D(2026, 3, 2), lines=[("A1", "诊查费", 1, "10")])
    claims.settle(person=dead, visit_date=D(2026, 3, 1), lines=[("A1", "诊查费", 1, "10")])
    done = runner.run(factories.COUNTY, D(2026, 1, 1), D(2026, 12, 31), rules=["deceased"])
    assert done.counts["deceased"]["found"] == 1
    export.export(tmp_path, export.Scope(region=factories.COUNTY))
    year = (D(2026, 1, 1), D(2026, 12, 31))
    run = duck.review(tmp_path, factories.COUNTY, *year, rules=["deceased"])
    [hit] = run.hits
    assert hit.settlement_id == late.pk
    assert "2026-03-01" in hit.explanation and "第1行（诊查费）" in hit.explanation
    assert hit.fund_paid == Decimal("50.00")
    people = pq.read_table(tmp_path / "person").to_pylist()
    assert D(2026, 3, 1) in {p["death_date"] for p in people}


def test_ages_in_duckdb_count_from_the_first_of_the_birth_month(claims, tmp_path):
    """The export keeps the birth month, not the day: an item restricted to adults
    (18 and over) given on 10 June 2026 to someone born 20 June 2008 (17 by the day)
    is a finding in the database and not over the export, where the patient turned
    18 on 1 June. docs/analytics.md names this difference."""
    claims.item("AD1", "drug", "成人专用药", age_min=18)
    teen = factories.make_person("王小", birth=D(2008, 6, 20))
    line = ("AD1", "成人专用药", 1, "5")
    hit = claims.settle(person=teen, visit_date=D(2026, 6, 10), lines=[line])
    runner.run(factories.COUNTY, D(2026, 1, 1), D(2026, 12, 31), rules=["item_restriction"])
    assert Finding.objects.get(rule="item_restriction").settlement_id == hit.pk
    export.export(tmp_path, export.Scope(region=factories.COUNTY))
    run = duck.review(
        tmp_path, factories.COUNTY, D(2026, 1, 1), D(2026, 12, 31), rules=["item_restriction"]
    )
    assert run.hits == []

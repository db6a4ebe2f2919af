"""The export of a generated county's year, and the review batch's SQL over it in DuckDB
giving the database batch's findings (one module: the county is built once)."""

import datetime
import hashlib
import hmac
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.db.models import Sum

from huimin.analytics import duck, export, pseudonym
from huimin.audit.models import AuditEvent
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.records.forms import SPECS
from huimin.records.forms.spec import TEXT
from huimin.records.models import Form, FormStatus
from huimin.registry.models import Household, Person
from huimin.review.models import Finding, FindingSource
from tests.analytics.conftest import COUNTY, KEY, YEAR

D = datetime.date


@pytest.fixture(autouse=True)
def _db(db):
    """Each test in its own savepoint inside the module's transaction."""


@pytest.fixture
def exported(county_year, tmp_path):
    out = tmp_path / "export"
    call_command(
        "export", "parquet", "--out", str(out), "--region", COUNTY, "--no-progress",
        stdout=io.StringIO(),
    )  # fmt: skip
    return out


def read(out: Path, table: str):
    # file by file: the hive directories are not columns of the rows
    return pa.concat_tables(pq.read_table(f) for f in sorted((out / table).glob("**/*.parquet")))


def files(out: Path) -> dict[str, bytes]:
    paths = sorted(p for p in out.glob("**/*") if p.is_file())
    return {str(p.relative_to(out)): p.read_bytes() for p in paths}


# ---------------------------------------------------------------- the export


def test_partitioned_by_county_and_month_of_the_visit(exported):
    months = sorted(p.name for p in (exported / "visit" / f"region={COUNTY}").iterdir())
    expected = sorted(
        {f"month={d:%Y-%m}" for d in Visit.objects.values_list("visit_date", flat=True)}
    )
    assert months == expected
    for month_dir in (exported / "fee_line" / f"region={COUNTY}").iterdir():
        assert [p.name for p in month_dir.iterdir()] == ["part-0.parquet"]
    assert (exported / "person" / f"region={COUNTY}" / "part-0.parquet").is_file()
    assert (exported / "enrollment" / f"region={COUNTY}" / f"year={YEAR}").is_dir()
    assert (exported / "institution" / "part-0.parquet").is_file()
    # every row of a month's file belongs to that month and county
    march = pq.read_table(exported / "settlement" / f"region={COUNTY}" / "month=2026-03")
    ids = march.column("id").to_pylist()
    assert ids == sorted(ids)
    dates = set(Settlement.objects.filter(pk__in=ids).values_list("visit__visit_date", flat=True))
    assert dates and all(d.year == 2026 and d.month == 3 for d in dates)


def test_every_row_is_exported_with_exact_amounts(exported):
    assert read(exported, "settlement").num_rows == Settlement.objects.count()
    assert read(exported, "fee_line").num_rows == FeeDetail.objects.count()
    forms = Form.objects.exclude(status=FormStatus.AMENDED).filter(service_date__isnull=False)
    assert read(exported, "form").num_rows == forms.filter(person__isnull=False).count() > 0
    assert read(exported, "finding").num_rows == Finding.objects.count() > 0
    s = Settlement.objects.filter(kind="settle").order_by("id").first()
    row = next(r for r in read(exported, "settlement").to_pylist() if r["id"] == s.pk)
    for name in ("total", "eligible", "basic_fund", "critical_illness", "patient_pay"):
        assert row[name] == getattr(s, name)  # Decimal, 2 places, never float
    assert row["settled_at"] == s.settled_at.astimezone(datetime.UTC).replace(tzinfo=None)


def test_people_are_pseudonymised(exported):
    person = Person.objects.order_by("id").first()
    people = read(exported, "person")
    assert set(people.column_names) == {
        "person_key", "sex", "birth_month", "region_code", "resident_type", "status",
        "death_date",
    }  # fmt: skip
    mac = hmac.new(
        base64_key(), b"huimin/analytics-person\x00" + person.id_number_index.encode(),
        hashlib.sha256,
    ).hexdigest()[:32]  # fmt: skip
    row = next(r for r in people.to_pylist() if r["person_key"] == mac)
    assert row["birth_month"] == f"{person.birth_date:%Y-%m}"
    assert row["region_code"] == person.village_id
    # Nothing that names or reaches a person is anywhere in the files: no name, ID
    # number (masked or its blind index), phone, card, household address, database id.
    secrets = set()
    for p in Person.objects.all():
        secrets |= {p.name, p.id_number_masked, p.id_number_index, p.name_pinyin}
        secrets |= {v for v in (p.phone_masked, p.ss_card_masked) if v}
    secrets |= set(Household.objects.values_list("address", flat=True))
    secrets.discard("")
    seen = set()
    for path in exported.glob("**/*.parquet"):
        table = pq.read_table(path)
        for name in table.column_names:
            if str(table.schema.field(name).type) == "string":
                seen |= {v for v in table.column(name).to_pylist() if v}
        assert "person_id" not in table.column_names
    assert not secrets & seen
    for values in read(exported, "form").column("values").to_pylist():
        assert not any(s in values for s in secrets if len(s) > 1)


def base64_key() -> bytes:
    import base64

    return base64.b64decode(KEY)


def test_forms_keep_kind_dates_and_measurements_not_text(exported):
    form = Form.objects.filter(kind="htn_followup", systolic__isnull=False).order_by("id").first()
    row = next(r for r in read(exported, "form").to_pylist() if r["id"] == form.pk)
    assert (row["kind"], row["service_date"]) == ("htn_followup", form.service_date)
    assert (row["systolic"], row["diastolic"]) == (form.systolic, form.diastolic)
    values = json.loads(row["values"])
    text_fields = {f.name for f in SPECS["htn_followup"].fields if f.kind == TEXT}
    assert values and not text_fields & set(values)
    assert not {k for k in values if k in text_fields}
    tables = {  # medications, dose adjustments: rows of text
        k for k, v in form.data.items() if isinstance(v, list) and v and isinstance(v[0], dict)
    }
    assert "medications" in tables
    kept = {k: v for k, v in form.data.items() if k in values and k not in tables}
    assert {k: v for k, v in values.items() if k not in tables} == kept
    # a medication's (or a dose adjustment's) name and dose are text: the rows stay,
    # counted, without them
    for name in tables:
        assert values[name] == [{}] * len(form.data[name])


def test_the_export_is_audited_with_its_scope_and_counts(exported):
    event = AuditEvent.objects.filter(action="export", object_type="analytics.parquet").last()
    assert event.region_code == COUNTY
    assert event.changes["rows"]["settlement"] == Settlement.objects.count()
    assert event.changes["key_id"] == pseudonym.key_id(base64_key())
    assert event.terminal.startswith("cli:")


def test_a_rerun_writes_the_same_bytes(exported, tmp_path):
    before = files(exported)
    call_command(
        "export", "parquet", "--out", str(exported), "--region", COUNTY, "--no-progress",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert files(exported) == before
    again = tmp_path / "again"
    export.export(again, export.Scope(region=COUNTY))
    assert files(again) == before


def test_a_year_replaces_only_its_own_months(exported):
    stale = exported / "visit" / f"region={COUNTY}" / "month=2026-02" / "part-9.parquet"
    stale.write_bytes(b"old")
    kept = exported / "visit" / f"region={COUNTY}" / "month=2025-12"
    kept.mkdir()
    (kept / "part-0.parquet").write_bytes(b"last year")
    export.export(exported, export.Scope(region=COUNTY, year=YEAR))
    assert not stale.exists()  # the year's months were rewritten whole
    assert (kept / "part-0.parquet").read_bytes() == b"last year"


def test_another_key_gives_other_person_keys(exported, tmp_path, settings):
    settings.HUIMIN_EXPORT_KEY = b"L" * 32
    other = tmp_path / "other"
    export.export(other, export.Scope(region=COUNTY), tables=(export.TABLES[0],))
    a = set(read(exported, "person").column("person_key").to_pylist())
    b = set(read(other, "person").column("person_key").to_pylist())
    assert len(a) == len(b) == Person.objects.count() and not a & b


# ---------------------------------------------------------------- DuckDB


def test_duckdb_review_finds_what_the_database_batch_found(exported):
    run = duck.review(exported, COUNTY, D(YEAR, 1, 1), D(YEAR, 12, 31))
    stored = {f.fingerprint: f for f in Finding.objects.filter(source=FindingSource.BATCH)}
    found = {h.fingerprint: h for h in run.hits}
    by_rule = Counter(f.rule for f in stored.values())
    assert Counter(h.rule for h in run.hits) == by_rule
    # the planted kinds are among them, so the comparison is not of empty sets
    assert {"split_admission", "bed_without_treatment", "over_dispensing"} <= set(by_rule)
    assert found.keys() == stored.keys()
    keyer = pseudonym.Keyer(base64_key())
    people = dict(Person.objects.values_list("id", "id_number_index"))
    for fp, hit in found.items():
        f = stored[fp]
        assert (hit.rule, hit.settlement_id, hit.institution_id) == (
            f.rule, f.settlement_id, f.institution_id,
        )  # fmt: skip
        assert hit.explanation == f.explanation
        assert (hit.lines, hit.fund_paid) == (f.lines, f.fund_paid)
        assert hit.service_date == f.service_date
        if f.person_id:
            assert hit.person_key == keyer(people[f.person_id])


def test_analytics_review_command_writes_the_findings(exported, tmp_path):
    out = io.StringIO()
    target = tmp_path / "hits.parquet"
    call_command(
        "analytics", "review", "--parquet", str(exported), "--region", COUNTY,
        "--from", f"{YEAR}-01-01", "--to", f"{YEAR}-12-31", "--rules", "split_admission",
        "--out", str(target), stdout=out,
    )  # fmt: skip
    rows = pq.read_table(target).to_pylist()
    stored = Finding.objects.filter(rule="split_admission", source=FindingSource.BATCH)
    assert sorted(r["fingerprint"] for r in rows) == sorted(f.fingerprint for f in stored)
    assert "split_admission" in out.getvalue()


def test_the_same_aggregate_in_duckdb_and_the_database(exported):
    """Fund spending by month of visit, standing settlements: one figure two ways."""
    con = duck.connect(exported, COUNTY)
    got = dict(
        con.execute(
            """SELECT strftime(v.visit_date, '%Y-%m'), SUM(s.basic_fund)
               FROM settlement s JOIN visit v ON v.id = s.visit_id
               WHERE s.kind = 'settle' AND s.reversed_at IS NULL GROUP BY 1"""
        ).fetchall()
    )
    rows = (
        Settlement.objects.filter(kind="settle", reversed_at__isnull=True)
        .values_list("visit__visit_date", "basic_fund")
    )  # fmt: skip
    expected: dict[str, Decimal] = {}
    for day, paid in rows:
        expected[f"{day:%Y-%m}"] = expected.get(f"{day:%Y-%m}", Decimal(0)) + paid
    assert got == expected
    total = Settlement.objects.filter(kind="settle", reversed_at__isnull=True).aggregate(
        t=Sum("basic_fund")
    )["t"]
    assert sum(got.values()) == total

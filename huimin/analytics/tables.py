"""What the analytics export writes: each table's rows, columns and partitioning.

Columns are listed one by one (never "every field of the model"), so a column added to
a domain table reaches the export only when someone decides it may. People appear
pseudonymised: a keyed hash (`person_key`) instead of the database id, sex, birth
year-month and village code; no name, ID number, phone, card number, address or
ethnicity. Forms keep their kind, dates, measurements and coded answers, never free
text (names, notes, addresses are text fields of the specification).

The column names are the domain tables' own (`visit_id`, `diagnosis_code`, …), with
`person_key` for every person reference, so the DuckDB views (duck.py) give the review
SQL the tables and columns it reads on the live database.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
from django.db.models import QuerySet

from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.records.forms import SPECS
from huimin.records.forms.spec import ROWS, TEXT
from huimin.records.models import Form, FormStatus
from huimin.registry.models import Institution, Person
from huimin.review.models import Finding

MONEY = pa.decimal128(14, 2)
QTY = pa.decimal128(12, 4)
PRICE = pa.decimal128(14, 4)
RATIO = pa.decimal128(5, 4)
MEASURE = pa.decimal128(7, 2)
TS = pa.timestamp("us")  # UTC, without zone: DuckDB and Spark read it alike
S, I64, I32, D, B = pa.string(), pa.int64(), pa.int32(), pa.date32(), pa.bool_()

# What a column's value goes through between the ORM and Arrow.
KEY, UTC, MONTH, VALUES = "key", "utc", "month", "values"


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    path: str  # the ORM path read by values_list
    convert: str = ""  # KEY, UTC, MONTH, VALUES or nothing


@dataclass(frozen=True)
class Table:
    name: str  # the directory under the export
    model: type  # its db_table is the view's name in DuckDB
    columns: tuple[Column, ...]
    rows: Callable[[], QuerySet]
    order: tuple[str, ...] = ("id",)
    region_path: str | None = None  # partitioned by the county of this code
    date_path: str | None = None  # … and by month of this date
    year_path: str | None = None  # … or by this year
    # Rows that belong to a visit go where their visit goes, read by chunks of the
    # partition's visit ids (the foreign key's index) rather than by a join filtered on
    # the visit's region and date, which both engines answered by scanning.
    parent: str | None = None
    parent_field: str = ""

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type) for c in self.columns])

    @property
    def partitioned(self) -> bool:
        return self.region_path is not None


def c(name, type_, path=None, convert=""):
    return Column(name, type_, path or name, convert)


def _form_values(kind: str, data: dict) -> str:
    """The form's non-text answers as sorted JSON: numbers, dates, codes, yes/no, and
    the non-text columns of its rows (a medication's dose, not its name). Dates of
    birth (a newborn's parents') are left out: they identify."""
    spec = SPECS.get(kind)
    if spec is None or not isinstance(data, dict):
        return "{}"
    out = {}
    for f in spec.fields:
        if f.kind == TEXT or "birth" in f.name or f.name not in data:
            continue
        value = data[f.name]
        if f.kind == ROWS:
            keep = [r.name for r in f.rows if r.kind != TEXT and "birth" not in r.name]
            # a row stays (as {} if need be): how many medications is a fact
            value = [{k: row.get(k) for k in keep if k in row} for row in value or []]
        out[f.name] = value
    return json.dumps(out, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _persons():
    return Person.objects.all()


def _forms():
    # Forms in force with a person and a service date (activity logs and undated drafts
    # belong to no one's month).
    return Form.objects.exclude(status=FormStatus.AMENDED).filter(
        person__isnull=False, service_date__isnull=False
    )


SETTLEMENT_AMOUNTS = (
    "total", "self_pay", "b_self_pay", "eligible", "deductible",
    "basic_fund", "critical_illness", "assistance", "patient_pay",
)  # fmt: skip

TABLES: tuple[Table, ...] = (
    Table(
        "person",
        Person,
        (
            c("person_key", S, "id_number_index", KEY),
            c("sex", S),
            c("birth_month", S, "birth_date", MONTH),
            c("region_code", S, "village_id"),
            c("resident_type", S),
            c("status", S),
            # The deceased rule compares the visit with the day of death.
            c("death_date", D),
        ),
        _persons,
        region_path="village__code",
    ),
    Table(
        "institution",
        Institution,
        (
            c("id", I64),
            c("name", S),
            c("insurance_code", S),
            c("kind", S),
            c("level", S),
            c("region_code", S, "region_id"),
            c("parent_id", I64),
            c("designation_status", S),
            c("designated_from", D),
            c("designated_to", D),
            c("qualifications", S),
        ),
        Institution.objects.all,
    ),
    Table(
        "catalog_item",
        CatalogItem,
        (c("id", I64), c("code", S), c("kind", S)),
        CatalogItem.objects.all,
    ),
    Table(
        "catalog_version",
        CatalogVersion,
        (
            c("id", I64),
            c("item_id", I64),
            c("name", S),
            c("item_class", S),
            c("unit", S),
            c("ceiling", PRICE),
            c("b_self_ratio", RATIO),
            c("sex", S),
            c("age_min", I32),
            c("age_max", I32),
            c("institution_levels", S),
            c("max_quantity_per_day", QTY),
            # What claim review's item rules read.
            c("fee_category", S),
            c("day_based", B),
            c("mue", QTY),
            c("days_supply_per_unit", pa.decimal128(8, 4)),
            c("qualification", S),
            c("component_codes", S),
            c("exclusive_codes", S),
            c("effective_from", D),
            c("effective_to", D),
        ),
        CatalogVersion.objects.all,
    ),
    Table(
        "enrollment",
        Enrollment,
        (
            c("id", I64),
            c("person_key", S, "person__id_number_index", KEY),
            c("year", I32),
            c("region_code", S),
            c("status", S),
            c("category", S),
            c("enrolled_on", D),
            c("late", B),
            c("benefits_from", D),
            c("paid_at", TS, convert=UTC),
            c("cancelled_at", TS, convert=UTC),
        ),
        Enrollment.objects.all,
        region_path="region_code",
        year_path="year",
    ),
    Table(
        "visit",
        Visit,
        (
            c("id", I64),
            c("person_key", S, "person__id_number_index", KEY),
            c("institution_id", I64),
            c("region_code", S),
            c("visit_type", S),
            c("institution_level", S),
            c("person_category", S),
            c("visit_date", D),
            c("discharge_date", D),
            c("diagnosis_code", S),
            c("diagnosis_name", S),
            c("doctor_code", S),
            c("status", S),
        ),
        Visit.objects.all,
        region_path="region_code",
        date_path="visit_date",
    ),
    Table(
        "settlement",
        Settlement,
        (
            c("id", I64),
            c("visit_id", I64),
            c("person_key", S, "person__id_number_index", KEY),
            c("institution_id", I64),
            c("region_code", S),
            c("year", I32),
            c("kind", S),
            c("reverses_id", I64),
            c("visit_type", S),
            c("person_category", S),
            *(c(m, MONEY) for m in SETTLEMENT_AMOUNTS),
            c("settled_at", TS, convert=UTC),
            c("terminal", S),
            c("clearing_batch_id", I64),
            c("reversed_at", TS, convert=UTC),
        ),
        Settlement.objects.all,
        # By the visit's county and month, as the fee lines: a rule's period is of visit
        # dates.
        order=("visit_id", "id"),
        region_path="visit__region_code",
        date_path="visit__visit_date",
        parent="visit",
        parent_field="visit_id",
    ),
    Table(
        "fee_line",
        FeeDetail,
        (
            c("id", I64),
            c("visit_id", I64),
            c("line_no", I32),
            c("code", S),
            c("name", S),
            c("item_class", S),
            c("quantity", QTY),
            c("unit_price", PRICE),
            c("ceiling", PRICE),
            c("b_self_ratio", RATIO),
            c("fee_date", D),
            c("overridden", S),
            c("cancelled", B),
        ),
        FeeDetail.objects.all,
        order=("visit_id", "line_no", "id"),
        region_path="visit__region_code",
        date_path="visit__visit_date",
        parent="visit",
        parent_field="visit_id",
    ),
    Table(
        "form",
        Form,
        (
            c("id", I64),
            c("person_key", S, "person__id_number_index", KEY),
            c("record_id", I64),
            c("kind", S),
            c("region_code", S),
            c("service_date", D),
            c("status", S),
            c("programme_id", I64),
            c("visit_id", I64),
            c("next_due_date", D),
            c("height_cm", MEASURE),
            c("weight_kg", MEASURE),
            c("waist_cm", MEASURE),
            c("systolic", I32),
            c("diastolic", I32),
            c("fasting_glucose", MEASURE),
            c("values", S, "data", VALUES),
        ),
        _forms,
        region_path="region_code",
        date_path="service_date",
    ),
    Table(
        "finding",
        Finding,
        (
            c("id", I64),
            c("rule", S),
            c("category", S),
            c("severity", S),
            c("weight", pa.decimal128(8, 2)),
            c("source", S),
            c("status", S),
            c("subject_kind", S),
            c("subject", S),
            c("settlement_id", I64),
            c("visit_id", I64),
            c("person_key", S, "person__id_number_index", KEY),
            c("institution_id", I64),
            c("region_code", S),
            c("service_date", D),
            c("month", S),
            c("fund_paid", MONEY),
            c("fingerprint", S),
        ),
        Finding.objects.all,
        region_path="region_code",
        date_path="service_date",
    ),
)
BY_NAME = {t.name: t for t in TABLES}


def converter(table: Table, keyer) -> Callable[[tuple], tuple]:
    """A function turning one values_list row into the Arrow row."""
    steps = []
    kind_at = next((i for i, col in enumerate(table.columns) if col.name == "kind"), None)
    for i, col in enumerate(table.columns):
        if col.convert == KEY:
            steps.append((i, keyer))
        elif col.convert == UTC:
            steps.append((i, _utc))
        elif col.convert == MONTH:
            steps.append((i, _month))
        elif col.convert == VALUES:
            steps.append((i, None))  # needs the row's kind

    if not steps:
        return tuple  # values_list rows are tuples already

    def convert(row: tuple) -> tuple:
        out = list(row)
        for i, fn in steps:
            out[i] = fn(out[i]) if fn is not None else _form_values(out[kind_at], out[i])
        return tuple(out)

    return convert


def _utc(value):
    if value is None:
        return None
    return value.astimezone(datetime.UTC).replace(tzinfo=None)


def _month(value):
    return None if value is None else f"{value.year:04d}-{value.month:02d}"

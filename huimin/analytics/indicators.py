"""Indicator SQL that runs unchanged on the live database and over the export.

An indicator here is one statement over the live tables' names (the DuckDB views carry
them) returning `region_code, numerator, denominator` rows, with `%(region)s` (a code
prefix and `%`), `%(start)s` and `%(end)s` (inclusive dates). `in_database` runs it
through Django's connection; `in_duckdb` over an export opened by `duck.connect`.

This is the hook for the reports app's definitions (docs/analytics.md, "Indicators
over the export"): they are ORM querysets today; one that offers such a statement
plugs in here. The two below are the insurance office's, written to show the hook and
tested against the database (tests/analytics/test_indicators.py).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from huimin.analytics import duck

CENT, UNIT = Decimal("0.01"), Decimal(1)


@dataclass(frozen=True)
class SqlIndicator:
    code: str
    name: str  # Chinese, as the dashboards show it
    sql: str
    unit: str  # "money": numerator and denominator in yuan; "count"


@dataclass(frozen=True)
class SqlFigure:
    indicator: str
    region_code: str
    numerator: Decimal
    denominator: Decimal

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (self.numerator / self.denominator).quantize(
            Decimal("0.0001"), rounding=ROUND_HALF_UP
        )


ACTUAL_REIMBURSEMENT = SqlIndicator(
    "actual_reimbursement_ratio",
    "实际报销比例",
    """SELECT substr(s.region_code, 1, 6) AS region_code,
           SUM(s.basic_fund + s.critical_illness + s.assistance) AS numerator,
           SUM(s.total) AS denominator
    FROM insurance_settlement s JOIN insurance_visit v ON v.id = s.visit_id
    WHERE s.kind = 'settle' AND s.reversed_at IS NULL AND s.region_code LIKE %(region)s
      AND v.visit_date BETWEEN %(start)s AND %(end)s
    GROUP BY substr(s.region_code, 1, 6)""",
    "money",
)

# Admissions (standing inpatient settlements, a reversed one not counted) of the
# county's insured in the period, over those enrolled and paid for the period's year:
# the reports app's 住院率 (ins.admission_rate) for a calendar year.
HOSPITALISATION = SqlIndicator(
    "hospitalisation_rate",
    "住院率",
    """SELECT d.county AS region_code, COALESCE(n.admissions, 0) AS numerator,
           d.enrolled AS denominator
    FROM (SELECT substr(region_code, 1, 6) AS county, COUNT(*) AS enrolled
          FROM enrollment_enrollment
          WHERE status = 'paid' AND region_code LIKE %(region)s AND year = %(year)s
          GROUP BY substr(region_code, 1, 6)) d
    LEFT JOIN (SELECT substr(s.region_code, 1, 6) AS county, COUNT(*) AS admissions
               FROM insurance_settlement s JOIN insurance_visit v ON v.id = s.visit_id
               WHERE s.kind = 'settle' AND s.reversed_at IS NULL
                 AND v.visit_type = 'inpatient' AND s.region_code LIKE %(region)s
                 AND v.visit_date BETWEEN %(start)s AND %(end)s
               GROUP BY substr(s.region_code, 1, 6)) n
      ON n.county = d.county""",
    "count",
)

SQL_INDICATORS = (ACTUAL_REIMBURSEMENT, HOSPITALISATION)


def _params(region: str, start: datetime.date, end: datetime.date) -> dict:
    return {"region": f"{region}%", "start": start, "end": end, "year": start.year}


def _figures(ind: SqlIndicator, rows) -> list[SqlFigure]:
    quantum = CENT if ind.unit == "money" else UNIT
    out = []
    for region_code, num, den in rows:
        # SQLite sums decimals as floats: through str, to the unit's places
        n = Decimal(str(num or 0)).quantize(quantum, rounding=ROUND_HALF_UP)
        d = Decimal(str(den or 0)).quantize(quantum, rounding=ROUND_HALF_UP)
        out.append(SqlFigure(ind.code, region_code, n, d))
    return sorted(out, key=lambda f: f.region_code)


def in_database(
    ind: SqlIndicator, region: str, start: datetime.date, end: datetime.date
) -> list[SqlFigure]:
    with connection.cursor() as cursor:
        cursor.execute(ind.sql, _params(region, start, end))
        return _figures(ind, cursor.fetchall())


def in_duckdb(
    con, ind: SqlIndicator, region: str, start: datetime.date, end: datetime.date
) -> list[SqlFigure]:
    cursor = duck.cursor(con)
    cursor.execute(ind.sql, _params(region, start, end))
    return _figures(ind, cursor.fetchall())

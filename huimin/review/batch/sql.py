# ruff: noqa: S608  (the statements are built from table names and %(name)s parameters only)
"""The batch rules as set-based SQL over a period's settlements, visits and fee lines.

One statement (or two) per rule, run by the database over the whole period: window
functions for readmissions, self-joins bounded by person or terminal and date for
overlaps and bursts, GROUP BY for lines and peers. The same text runs on SQLite and
PostgreSQL; the few spellings that differ (date differences, string aggregation, adding
minutes) come from `Dialect`. Every statement returns hits only; `runner` renders them.

Every statement reads the same base set, `claims`: standing settlements (kind settle,
not reversed) of persons in the region whose visit began in the period. History rules
read `context`: the same, from `context_from` (the period's start less the rule's
window) so a stay just before the period still counts as the previous one.
"""

import datetime
from dataclasses import dataclass

from django.db import connection

from huimin.insurance.catalog.models import CatalogItem, CatalogVersion
from huimin.insurance.enrollment.models import Enrollment, EnrollmentStatus
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.registry.models import Institution, Person
from huimin.review.models import Finding

S = Settlement._meta.db_table
V = Visit._meta.db_table
F = FeeDetail._meta.db_table
ITEM = CatalogItem._meta.db_table
VERSION = CatalogVersion._meta.db_table
PERSON = Person._meta.db_table
ENROLLMENT = Enrollment._meta.db_table
INSTITUTION = Institution._meta.db_table
FINDING = Finding._meta.db_table


class Dialect:
    def __init__(self, vendor: str):
        self.pg = vendor == "postgresql"

    def days(self, a: str, b: str) -> str:
        """Whole days from date b to date a."""
        if self.pg:
            return f"({a} - {b})"
        return f"CAST(julianday({a}) - julianday({b}) AS INTEGER)"

    def add_days(self, a: str, n: str) -> str:
        if self.pg:
            return f"({a} + CAST({n} AS INTEGER))"
        return f"date({a}, CAST({n} AS TEXT) || ' days')"

    def add_minutes(self, at: str, n: str) -> str:
        if self.pg:
            return f"({at} + make_interval(mins => CAST({n} AS INTEGER)))"
        # Django keeps SQLite datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {at}, '+' || {n} || ' minutes')"

    def year(self, a: str) -> str:
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM {a}) AS INTEGER)"
        return f"CAST(strftime('%%Y', {a}) AS INTEGER)"

    def age(self, on: str, birth: str) -> str:
        """Full years from `birth` to `on` (the birthday itself counts), as core.dates.age_on."""
        if self.pg:
            return f"CAST(EXTRACT(YEAR FROM age({on}, {birth})) AS INTEGER)"
        return (
            f"(CAST(strftime('%%Y', {on}) AS INTEGER) - CAST(strftime('%%Y', {birth}) AS INTEGER)"
            f" - CASE WHEN strftime('%%m-%%d', {on}) < strftime('%%m-%%d', {birth})"
            " THEN 1 ELSE 0 END)"
        )

    def agg(self, expr: str) -> str:
        if self.pg:
            return f"string_agg(CAST({expr} AS TEXT), ',' ORDER BY {expr})"
        return f"group_concat({expr}, ',')"


def dialect() -> Dialect:
    return Dialect(connection.vendor)


@dataclass
class Period:
    region: str
    date_from: datetime.date
    date_to: datetime.date

    def params(self, context_days: int = 0, **extra) -> dict:
        return {
            "region": f"{self.region}%",
            "lo": self.date_from,
            "hi": self.date_to,
            "ctx": self.date_from - datetime.timedelta(days=context_days),
            **extra,
        }


STANDING = "s.kind = 'settle' AND s.reversed_at IS NULL AND s.region_code LIKE %(region)s"


def base(lo: str = "%(lo)s") -> str:
    """Standing settlements of the region whose visit began between `lo` and the end."""
    return f"""
        SELECT s.id AS sid, s.visit_id AS vid, s.person_id AS pid, s.institution_id AS iid,
               v.visit_type AS vt, v.visit_date AS vd,
               COALESCE(v.discharge_date, v.visit_date) AS dd, v.diagnosis_code AS dx
        FROM {S} s JOIN {V} v ON v.id = s.visit_id
        WHERE {STANDING} AND v.visit_date BETWEEN {lo} AND %(hi)s"""


def category(d: Dialect) -> str:
    """The fee category (收费类别) of a line: the catalog version's (alias cv) in force
    on the line's date; a code not in the catalog that day is 'other'."""
    return "COALESCE(cv.fee_category, 'other')"


def version_on_fee_date() -> str:
    """Joins a fee line (alias f) to its item (c) and the version in force that day (cv)."""
    return (
        f"LEFT JOIN {ITEM} c ON c.code = f.code "
        f"LEFT JOIN {VERSION} cv ON cv.item_id = c.id AND cv.effective_from <= f.fee_date "
        "AND (cv.effective_to IS NULL OR cv.effective_to >= f.fee_date)"
    )


def whole_days(d: Dialect, expr: str) -> str:
    """The whole part of a non-negative number (PostgreSQL's CAST rounds, SQLite's cuts)."""
    return f"CAST(FLOOR({expr}) AS INTEGER)" if d.pg else f"CAST({expr} AS INTEGER)"


def listed(codes: str, code: str) -> str:
    """`code` is one of the comma-separated `codes` (a catalog version's code list)."""
    return f"(',' || {codes} || ',') LIKE ('%%,' || {code} || ',%%')"


def prefixes(column: str, codes, name: str, params: dict) -> str:
    """`column` starting with one of `codes` (ICD-10 prefixes); FALSE when none."""
    if not codes:
        return "1 = 0"
    parts = []
    for i, code in enumerate(codes):
        key = f"{name}_{i}"
        params[key] = f"{code}%"
        parts.append(f"{column} LIKE %({key})s")
    return "(" + " OR ".join(parts) + ")"


def in_list(column: str, values, name: str, params: dict, *, negate=False) -> str:
    if not values:
        return "1 = 1" if negate else "1 = 0"
    keys = []
    for i, value in enumerate(sorted(values)):
        params[f"{name}_{i}"] = value
        keys.append(f"%({name}_{i})s")
    return f"{column} {'NOT IN' if negate else 'IN'} ({', '.join(keys)})"


def fetch(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def fetch_in(sql: str, column: str, values: list, params: dict | None = None) -> list[dict]:
    """`sql` with `{ids}` standing for "`column` is one of `values`": one array parameter
    on PostgreSQL, chunks of an IN list on SQLite (its limit on parameters)."""
    params = dict(params or {})
    if not values:
        return []
    if dialect().pg:
        return fetch(sql.format(ids=f"{column} = ANY(%(ids)s)"), {**params, "ids": list(values)})
    rows = []
    for i in range(0, len(values), 500):
        chunk = values[i : i + 500]
        names = {f"id_{j}": v for j, v in enumerate(chunk)}
        listed = ", ".join(f"%({n})s" for n in names)
        rows += fetch(sql.format(ids=f"{column} IN ({listed})"), {**params, **names})
    return rows


# ---------------------------------------------------------------- what rendering reads


def claims_of(sids: list[int]) -> list[dict]:
    """The hits' claims: what a finding stores and its explanation names in common."""
    sql = f"""
    SELECT s.id AS sid, s.visit_id, s.person_id, s.institution_id,
           s.region_code, s.basic_fund, s.critical_illness, s.assistance,
           v.visit_date AS vd, v.diagnosis_code AS dx, v.visit_type AS vt,
           i.name AS inst_name, i.insurance_code AS inst_code
    FROM {S} s JOIN {V} v ON v.id = s.visit_id JOIN {INSTITUTION} i ON i.id = s.institution_id
    WHERE {{ids}}"""
    return fetch_in(sql, "s.id", sids)


def fees_of(vids: list[int]) -> list[dict]:
    """Every live line of these visits, for the rules that read all of a claim's lines."""
    sql = f"""
    SELECT visit_id, line_no, code, name, fee_date, quantity, unit_price, ceiling
    FROM {F} WHERE cancelled = %(false)s AND {{ids}} ORDER BY visit_id, line_no"""
    return fetch_in(sql, "visit_id", vids, {"false": False})


def line_names_of(vids: list[int]) -> list[tuple]:
    """(visit, line number, name) of these visits' live lines: how explanations name them."""
    sql = f"SELECT visit_id, line_no, name FROM {F} WHERE cancelled = %(false)s AND {{ids}}"
    return [
        (r["visit_id"], r["line_no"], r["name"])
        for r in fetch_in(sql, "visit_id", vids, {"false": False})
    ]


def stored_fingerprints(prints: list[str]) -> set[str]:
    """Which of these fingerprints are stored findings already (the unique index)."""
    sql = f"SELECT fingerprint FROM {FINDING} WHERE {{ids}}"
    return {r["fingerprint"] for r in fetch_in(sql, "fingerprint", prints)}


def lines_of(items: set, params: dict) -> str:
    """Live fee lines (alias f) with their catalog item (alias c), exempt items left out."""
    return (
        f"{F} f LEFT JOIN {ITEM} c ON c.code = f.code "
        f"WHERE f.cancelled = %(false)s AND "
        f"{in_list('f.code', items, 'ex_item', params, negate=True)}"
    )


# ---------------------------------------------------------------- admissions


def split_admission(period: Period, cfg) -> list[dict]:
    d, p = dialect(), cfg.params
    params = period.params(p["window_days"], window=p["window_days"])
    exempt = prefixes("v.diagnosis_code", cfg.exceptions.diagnoses, "exdx", params)
    related = ["substr(dx, 1, 3) = substr(prev_dx, 1, 3)"]
    for g, group in enumerate(p["related_categories"]):
        a = prefixes("dx", group, f"g{g}a", params)
        b = prefixes("prev_dx", group, f"g{g}b", params)
        related.append(f"({a} AND {b})")
    partition = "pid, iid" if p["same_institution_only"] else "pid"
    sql = f"""
    WITH stays AS ({base("%(ctx)s")} AND v.visit_type = 'inpatient' AND NOT {exempt}),
    ordered AS (
        SELECT sid, vid, vd, dd, dx,
               LAG(iid) OVER w AS prev_iid, LAG(vd) OVER w AS prev_vd,
               LAG(dd) OVER w AS prev_dd, LAG(dx) OVER w AS prev_dx
        FROM stays WINDOW w AS (PARTITION BY {partition} ORDER BY vd, sid))
    SELECT sid, prev_iid, prev_vd, prev_dd, prev_dx, {d.days("vd", "prev_dd")} AS gap
    FROM ordered
    WHERE prev_dd IS NOT NULL AND vd >= %(lo)s
      AND {d.days("vd", "prev_dd")} BETWEEN 0 AND %(window)s
      AND ({" OR ".join(related)})"""
    return fetch(sql, params)


def bed_without_treatment(period: Period, cfg) -> list[dict]:
    d, p = dialect(), cfg.params
    params = period.params(min_days=p["min_days"], false=False)
    treating = in_list(category(d), p["treatment_categories"], "treat", params)
    kept = in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)
    sql = f"""
    WITH claims AS ({base()} AND v.visit_type = 'inpatient')
    SELECT sid, CASE WHEN {d.days("dd", "vd")} < 1 THEN 1 ELSE {d.days("dd", "vd")} END AS days
    FROM claims
    WHERE {d.days("dd", "vd")} >= %(min_days)s
      AND NOT EXISTS (SELECT 1 FROM {F} f {version_on_fee_date()}
                      WHERE f.cancelled = %(false)s AND f.visit_id = claims.vid AND {treating}
                        AND {kept})"""
    return fetch(sql, params)


def low_standard_admission(period: Period, cfg) -> list[dict]:
    params = period.params()
    listed = prefixes("v.diagnosis_code", cfg.params["diagnoses"], "dx", params)
    return fetch(f"{base()} AND v.visit_type = 'inpatient' AND {listed}", params)


# ---------------------------------------------------------------- identity


def deceased(period: Period, cfg) -> list[dict]:
    params = period.params(false=False)
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, p.death_date AS death_date
    FROM claims JOIN {PERSON} p ON p.id = claims.pid
    WHERE p.death_date IS NOT NULL AND (claims.vd > p.death_date OR EXISTS (
        SELECT 1 FROM {lines_of(cfg.exceptions.items, params)}
        AND f.visit_id = claims.vid AND f.fee_date > p.death_date))"""
    return fetch(sql, params)


def not_insured(period: Period, cfg) -> list[dict]:
    """No paid enrollment covering the visit date: the year's enrollment, paid, with its
    benefits begun (待遇享受起始日期) on or before the visit (as facts._coverage reads it
    at the counter). A refunded or cancelled enrollment covers nothing."""
    d = dialect()
    params = period.params(paid=EnrollmentStatus.PAID.value)
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid FROM claims
    WHERE NOT EXISTS (
        SELECT 1 FROM {ENROLLMENT} e
        WHERE e.person_id = claims.pid AND e.year = {d.year("claims.vd")}
          AND e.status = %(paid)s AND e.benefits_from <= claims.vd)
    ORDER BY claims.sid"""
    return fetch(sql, params)


def identity_mismatch(period: Period, cfg) -> list[dict]:
    """A diagnosis of the other sex's body, or a pregnancy at an age outside the rule's
    range, against the registry's sex and birth date (plain columns: the ID number,
    encrypted, is not needed). The runner words the reason with the library's rule. The
    catalog has no physiological sex per item yet, so items are not compared (nor are
    they at the counter)."""
    d, p = dialect(), cfg.params
    params = period.params(amin=p["pregnancy_age_min"], amax=p["pregnancy_age_max"])
    dx = "UPPER(TRIM(claims.dx))"
    # the first letters of every listed prefix: a cheap test before the LIKEs
    firsts = {c[:1] for key in ("female_only_diagnoses", "male_only_diagnoses",
                                "pregnancy_diagnoses") for c in p[key]}  # fmt: skip
    first = in_list(f"substr({dx}, 1, 1)", firsts, "first", params)
    female = prefixes(dx, p["female_only_diagnoses"], "fdx", params)
    male = prefixes(dx, p["male_only_diagnoses"], "mdx", params)
    pregnancy = prefixes(dx, p["pregnancy_diagnoses"], "pdx", params)
    age = d.age("claims.vd", "p.birth_date")
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, claims.pid, p.sex, p.birth_date, claims.dx, claims.vd, {age} AS age
    FROM claims JOIN {PERSON} p ON p.id = claims.pid
    WHERE claims.dx <> '' AND {first} AND (
        (p.sex = '1' AND {female}) OR (p.sex = '2' AND {male})
        OR ({pregnancy} AND ({age} < %(amin)s OR {age} > %(amax)s)))
    ORDER BY claims.sid"""
    return fetch(sql, params)


def overlapping_stays(period: Period, cfg) -> list[dict]:
    params = period.params(366)
    sql = f"""
    WITH stays AS ({base("%(ctx)s")} AND v.visit_type = 'inpatient')
    SELECT a.sid, a.vd AS admission, a.dd AS discharge, b.iid AS other_iid,
           b.vd AS other_admission, b.dd AS other_discharge
    FROM stays a JOIN stays b
      ON b.pid = a.pid AND b.iid <> a.iid AND b.vd < a.dd AND a.vd < b.dd
    WHERE a.vd >= %(lo)s
    ORDER BY a.sid, b.vd"""
    return fetch(sql, params)


def outpatient_during_stay(period: Period, cfg) -> list[dict]:
    params = period.params(366)
    # Both claims of a pair get the finding: the stay and the visit inside it.
    sql = f"""
    WITH ctx AS ({base("%(ctx)s")}),
    pairs AS (
        SELECT st.sid AS stay_sid, op.sid AS visit_sid, st.iid AS stay_iid,
               st.vd AS admission, st.dd AS discharge, op.iid AS visit_iid, op.vd AS visit_day
        FROM ctx st JOIN ctx op ON op.pid = st.pid AND op.vt <> 'inpatient'
          AND st.vd < op.vd AND op.vd < st.dd
        WHERE st.vt = 'inpatient')
    SELECT stay_sid AS sid, stay_iid, admission, discharge, visit_iid, visit_day
      FROM pairs WHERE admission >= %(lo)s
    UNION ALL
    SELECT visit_sid AS sid, stay_iid, admission, discharge, visit_iid, visit_day
      FROM pairs WHERE visit_day >= %(lo)s
    ORDER BY 1, 6"""
    return fetch(sql, params)


# ---------------------------------------------------------------- items


def duplicate_charge(period: Period, cfg) -> list[dict]:
    """Repeats found by counting alone (a hash aggregate over the period's lines); the
    line numbers gathered for the few repeats only — an ordered string_agg over every
    group made PostgreSQL sort all the lines."""
    d = dialect()
    params = period.params(false=False)
    kinds = in_list("COALESCE(c.kind, 'service')", cfg.params["kinds"], "kind", params)
    sql = f"""
    WITH claims AS ({base()}),
    twice AS (
        SELECT f.visit_id, f.code, f.fee_date
        FROM {F} f JOIN claims ON claims.vid = f.visit_id LEFT JOIN {ITEM} c ON c.code = f.code
        WHERE f.cancelled = %(false)s AND {kinds}
          AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
        GROUP BY f.visit_id, f.code, f.fee_date
        HAVING COUNT(*) > 1)
    SELECT claims.sid, t.code, MIN(f.name) AS item, t.fee_date AS date,
           {d.agg("f.line_no")} AS lines
    FROM twice t JOIN claims ON claims.vid = t.visit_id
      JOIN {F} f ON f.visit_id = t.visit_id AND f.code = t.code AND f.fee_date = t.fee_date
       AND f.cancelled = %(false)s
    GROUP BY claims.sid, t.code, t.fee_date
    ORDER BY claims.sid, t.fee_date, t.code"""
    return fetch(sql, params)


def over_ceiling(period: Period, cfg) -> list[dict]:
    # a float only to narrow the rows; the runner checks the excess in Decimal
    params = period.params(false=False, min_over=float(cfg.params["min_over"]))
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, f.line_no AS line, f.name AS line_name, f.unit_price AS price,
           f.ceiling, f.quantity
    FROM claims JOIN {F} f ON f.visit_id = claims.vid
    WHERE f.cancelled = %(false)s AND f.ceiling IS NOT NULL AND f.unit_price > f.ceiling
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
      AND f.quantity * (f.unit_price - f.ceiling) > %(min_over)s
    ORDER BY claims.sid, f.line_no"""
    return fetch(sql, params)


def daily_max_exceeded(period: Period, cfg) -> list[dict]:
    d = dialect()
    params = period.params(false=False)
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, f.code, f.fee_date AS date, SUM(f.quantity) AS quantity,
           MAX(cv.max_quantity_per_day) AS "limit", {d.agg("f.line_no")} AS lines
    FROM claims JOIN {F} f ON f.visit_id = claims.vid
      JOIN {ITEM} c ON c.code = f.code
      JOIN {VERSION} cv ON cv.item_id = c.id AND cv.effective_from <= f.fee_date
       AND (cv.effective_to IS NULL OR cv.effective_to >= f.fee_date)
    WHERE f.cancelled = %(false)s AND cv.max_quantity_per_day IS NOT NULL
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
    GROUP BY claims.sid, f.code, f.fee_date
    HAVING SUM(f.quantity) > MAX(cv.max_quantity_per_day)
    ORDER BY claims.sid, f.fee_date, f.code"""
    return fetch(sql, params)


def mue_exceeded(period: Period, cfg) -> list[dict]:
    """Units of one item on one day above the catalog's medically unlikely maximum."""
    d = dialect()
    params = period.params(false=False)
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, f.code, f.fee_date AS date, SUM(f.quantity) AS quantity,
           MAX(cv.mue) AS "limit", {d.agg("f.line_no")} AS lines
    FROM claims JOIN {F} f ON f.visit_id = claims.vid {version_on_fee_date()}
    WHERE f.cancelled = %(false)s AND cv.mue IS NOT NULL
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
    GROUP BY claims.sid, f.code, f.fee_date
    HAVING SUM(f.quantity) > MAX(cv.mue)
    ORDER BY claims.sid, f.fee_date, f.code"""
    return fetch(sql, params)


def unbundling(period: Period, cfg) -> list[dict]:
    """Pairs of lines of one claim and day: a bundle (a) with one of its components (b),
    or two exclusive items (a's code before b's) — the catalog's or the rule set's."""
    params = period.params(false=False)
    pairs = []
    for i, (a, b) in enumerate(sorted({tuple(sorted(p)) for p in cfg.params["exclusive_pairs"]})):
        params[f"pa_{i}"], params[f"pb_{i}"] = a, b
        pairs.append(f"(a.code = %(pa_{i})s AND b.code = %(pb_{i})s)")
    configured = " OR ".join(pairs) or "1 = 0"
    bundle = listed("a.components", "b.code")
    exclusive = f"({listed('a.exclusive', 'b.code')} OR {listed('b.exclusive', 'a.code')})"
    sql = f"""
    WITH claims AS ({base()}),
    fl AS (
        SELECT claims.sid, f.line_no, f.code, f.name, f.fee_date,
               COALESCE(cv.component_codes, '') AS components,
               COALESCE(cv.exclusive_codes, '') AS exclusive
        FROM claims JOIN {F} f ON f.visit_id = claims.vid {version_on_fee_date()}
        WHERE f.cancelled = %(false)s
          AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)})
    SELECT a.sid, a.fee_date AS date, a.code AS a_code, a.name AS a_name, a.line_no AS a_line,
           b.code AS b_code, b.name AS b_name, b.line_no AS b_line,
           CASE WHEN {bundle} THEN 'bundle' ELSE 'exclusive' END AS kind
    FROM fl a JOIN fl b ON b.sid = a.sid AND b.fee_date = a.fee_date AND b.code <> a.code
    WHERE {bundle} OR (a.code < b.code AND ({exclusive} OR {configured}))
    ORDER BY a.sid, a.fee_date, a.code, b.code, a.line_no, b.line_no"""
    return fetch(sql, params)


def beyond_qualification(period: Period, cfg) -> list[dict]:
    """Lines of an item needing a qualification the institution's recorded ones lack
    (an institution with none recorded — NULL — is not judged)."""
    params = period.params(false=False)
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, f.line_no AS line, cv.qualification
    FROM claims JOIN {INSTITUTION} i ON i.id = claims.iid
      JOIN {F} f ON f.visit_id = claims.vid {version_on_fee_date()}
    WHERE f.cancelled = %(false)s AND cv.qualification <> '' AND i.qualifications IS NOT NULL
      AND NOT {listed("i.qualifications", "cv.qualification")}
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
    ORDER BY claims.sid, f.line_no"""
    return fetch(sql, params)


def day_items_beyond_stay(period: Period, cfg) -> list[dict]:
    d = dialect()
    params = period.params(false=False, true=True, tolerance=cfg.params["tolerance_days"])
    span = d.days("claims.dd", "claims.vd")
    los = f"CASE WHEN {span} < 1 THEN 1 ELSE {span} END"
    sql = f"""
    WITH claims AS ({base()} AND v.visit_type = 'inpatient')
    SELECT claims.sid, f.code, MIN(f.name) AS item, SUM(f.quantity) AS quantity,
           MAX({los}) AS days, {d.agg("f.line_no")} AS lines
    FROM claims JOIN {F} f ON f.visit_id = claims.vid {version_on_fee_date()}
    WHERE f.cancelled = %(false)s AND cv.day_based = %(true)s
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
    GROUP BY claims.sid, f.code
    HAVING SUM(f.quantity) > MAX({los}) + %(tolerance)s
    ORDER BY claims.sid, f.code"""
    return fetch(sql, params)


def over_dispensing(period: Period, cfg) -> list[dict]:
    """Days' supply per drug line: quantity × the catalog's days per unit, in whole
    days (as facts.days_supply); a drug the catalog gives none for is not counted."""
    d, p = dialect(), cfg.params
    params = period.params(
        p["window_days"],
        false=False,
        back=p["window_days"] - 1,
        most=p["max_supply_days"],
    )
    supply = whole_days(d, "f.quantity * cv.days_supply_per_unit")
    # The line numbers and the drug's name are gathered for the hits only (an ordered
    # string_agg over every dose would sort all the period's drug lines).
    sql = f"""
    WITH ctx AS ({base("%(ctx)s")}),
    doses AS (
        SELECT ctx.sid, ctx.vid, ctx.pid, ctx.iid, ctx.dd AS day, f.code,
               MIN(f.line_no) AS first_line,
               SUM(CASE WHEN cv.days_supply_per_unit > 0 THEN {supply} ELSE 0 END) AS supply
        FROM ctx JOIN {F} f ON f.visit_id = ctx.vid
          JOIN {ITEM} c ON c.code = f.code AND c.kind = 'drug'
          LEFT JOIN {VERSION} cv ON cv.item_id = c.id AND cv.effective_from <= f.fee_date
           AND (cv.effective_to IS NULL OR cv.effective_to >= f.fee_date)
        WHERE f.cancelled = %(false)s
          AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
        GROUP BY ctx.sid, ctx.vid, ctx.pid, ctx.iid, ctx.dd, f.code),
    hits AS (
        SELECT a.sid, a.vid, a.code, a.first_line, SUM(b.supply) AS supply_days,
               {d.agg("b.iid")} AS institutions
        FROM doses a JOIN doses b ON b.pid = a.pid AND b.code = a.code
          AND b.day <= a.day AND b.day >= {d.add_days("a.day", "-%(back)s")}
        WHERE a.day >= %(lo)s AND a.supply > 0
        GROUP BY a.sid, a.vid, a.code, a.first_line
        HAVING SUM(b.supply) > %(most)s)
    SELECT h.sid, h.code, h.supply_days, h.institutions,
           (SELECT {d.agg("n.line_no")} FROM {F} n WHERE n.visit_id = h.vid
              AND n.code = h.code AND n.cancelled = %(false)s) AS lines,
           (SELECT MIN(n.name) FROM {F} n WHERE n.visit_id = h.vid
              AND n.line_no = h.first_line AND n.cancelled = %(false)s) AS drug
    FROM hits h
    ORDER BY h.sid, h.code"""
    return fetch(sql, params)


def item_restriction(period: Period, cfg) -> list[dict]:
    """The catalog's sex, age and level restrictions on the version in force that day."""
    d = dialect()
    params = period.params(false=False)
    age = d.age("f.fee_date", "p.birth_date")
    sql = f"""
    WITH claims AS ({base()})
    SELECT claims.sid, f.line_no AS line, cv.sex AS item_sex, p.sex AS sex, {age} AS age,
           cv.age_min, cv.age_max, cv.institution_levels AS levels, v.institution_level AS level
    FROM claims JOIN {V} v ON v.id = claims.vid JOIN {PERSON} p ON p.id = claims.pid
      JOIN {F} f ON f.visit_id = claims.vid JOIN {ITEM} c ON c.code = f.code
      JOIN {VERSION} cv ON cv.item_id = c.id AND cv.effective_from <= f.fee_date
       AND (cv.effective_to IS NULL OR cv.effective_to >= f.fee_date)
    WHERE f.cancelled = %(false)s
      AND {in_list("f.code", cfg.exceptions.items, "ex_item", params, negate=True)}
      AND ((cv.sex <> '' AND cv.sex <> p.sex)
        OR (cv.age_min IS NOT NULL AND {age} < cv.age_min)
        OR (cv.age_max IS NOT NULL AND {age} > cv.age_max)
        OR (cv.institution_levels <> ''
            AND (',' || cv.institution_levels || ',')
                NOT LIKE ('%%,' || v.institution_level || ',%%')))
    ORDER BY claims.sid, f.line_no"""
    return fetch(sql, params)


# ---------------------------------------------------------------- patterns


def swipe_bursts(period: Period, cfg) -> list[dict]:
    """Terminals where some settlement has the (min_cards − 1)-th next one at the same
    terminal within `window_minutes`: where a burst may be, with its first and last
    such moment. A window function, one sort per terminal; the engine then counts
    different people over those terminals' swipes only."""
    d, p = dialect(), cfg.params
    params = period.params(minutes=p["window_minutes"], ahead=p["min_cards"] - 1)
    sql = f"""
    WITH sw AS (
        SELECT s.institution_id AS iid, s.terminal, s.settled_at AS at,
               LEAD(s.settled_at, %(ahead)s) OVER (
                   PARTITION BY s.institution_id, s.terminal ORDER BY s.settled_at) AS kth
        FROM {S} s JOIN {V} v ON v.id = s.visit_id
        WHERE {STANDING} AND s.terminal <> '' AND v.visit_date BETWEEN %(lo)s AND %(hi)s)
    SELECT iid, terminal, MIN(at) AS first_at, MAX(at) AS last_at
    FROM sw
    WHERE kth IS NOT NULL AND kth <= {d.add_minutes("at", "%(minutes)s")}
    GROUP BY iid, terminal"""
    return fetch(sql, params)


def peer_costs(period: Period, cfg) -> list[dict]:
    """Cases and average total per institution and class (inpatient / outpatient)."""
    params = period.params()
    sql = f"""
    WITH claims AS (
        SELECT s.institution_id AS iid, v.institution_level AS level, s.total,
               CASE WHEN v.visit_type = 'inpatient' THEN 'inpatient' ELSE 'outpatient' END AS cls
        FROM {S} s JOIN {V} v ON v.id = s.visit_id
        WHERE {STANDING} AND v.visit_date BETWEEN %(lo)s AND %(hi)s)
    SELECT iid, cls, MIN(level) AS level, COUNT(*) AS cases, SUM(total) AS total
    FROM claims GROUP BY iid, cls ORDER BY cls, iid"""
    return fetch(sql, params)

# ruff: noqa: S608  (view and table names come from the models; values are parameters)
"""The review batch's SQL over the Parquet export, in DuckDB.

`connect(dir, region)` opens an in-memory DuckDB whose views carry the live database's
table and column names (`insurance_settlement`, `registry_person`, …) over the region's
Parquet files, so the statements of review/batch/sql.py run unchanged: `engine(con)`
points that module's connection and dialect at DuckDB for the duration of a run. Only
three things differ from the live database, all in the views and the dialect, none in
the rules: person ids are the export's keyed hashes, a birth date is the first day of
the birth month (the export keeps year and month), and minutes are added with
`to_minutes` (DuckDB has no `make_interval(mins => …)`).

`review(...)` renders the hits into findings exactly as the runner does (its renderers
and the rule set's templates, facts read from the Parquet files), with the runner's
fingerprints, so they can be compared with, or loaded into, a county's findings.
"""

import dataclasses
import datetime
import json
import re
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.utils import timezone

from huimin.analytics.tables import TABLES, Table
from huimin.review import engine as review_engine
from huimin.review.batch import runner, sql
from huimin.review.claim import Swipe, TerminalActivity
from huimin.review.fingerprints import claim_fingerprint, subject_fingerprint
from huimin.review.models import SubjectKind
from huimin.review.rules.base import day
from huimin.review.ruleset import RuleSet

PARAM = re.compile(r"%\((\w+)\)s|%%")
# `at` is a keyword in DuckDB (AT TIME ZONE) and an alias in sql.swipe_bursts: quoted.
KEYWORD_ALIAS = re.compile(r"(?<![\w.\"'])at(?![\w\"'])")


def files_of(root: Path, table: Table, region: str = "") -> list[Path]:
    base = Path(root) / table.name
    if not table.partitioned:
        return sorted(base.glob("*.parquet"))
    # a region longer than a county still reads its county's files; the SQL filters
    county = region[:6]
    return sorted(base.glob(f"region={county}*/**/*.parquet"))


def _source(con, root: Path, table: Table, region: str) -> str:
    files = files_of(root, table, region)
    if not files:
        name = f"empty_{table.name}"
        con.register(name, table.schema.empty_table())
        return name
    listed = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    return f"read_parquet([{listed}])"


def _view_sql(table: Table, src: str) -> str:
    names = [c.name for c in table.columns]
    if table.name == "person":
        # The export keeps the birth month; the rules' ages count from its first day.
        return f"""SELECT person_key AS id, sex, birth_month,
            make_date(CAST(substr(birth_month, 1, 4) AS INTEGER),
                      CAST(substr(birth_month, 6, 2) AS INTEGER), 1) AS birth_date,
            region_code AS village_code, region_code AS village_id, resident_type, status,
            death_date FROM {src}"""
    if table.name == "institution":
        return f"SELECT *, region_code AS region_id FROM {src}"
    if "person_key" in names:
        return f"SELECT * EXCLUDE (person_key), person_key AS person_id FROM {src}"
    return f"SELECT * FROM {src}"


def connect(root: Path, region: str = "", *, threads: int | None = None):
    """An in-memory DuckDB with one view per exported table, under both the live
    table's name (for the review SQL) and the export's (for people writing queries)."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for table in TABLES:
        src = _source(con, Path(root), table, region)
        body = _view_sql(table, src)
        con.execute(f'CREATE VIEW "{table.model._meta.db_table}" AS {body}')
        con.execute(f'CREATE VIEW "{table.name}" AS {body}')
    return con


# ---------------------------------------------------------------- the dialect hook


class DuckDialect(sql.Dialect):
    """PostgreSQL's spellings, which DuckDB shares, but for adding minutes."""

    def __init__(self):
        super().__init__("postgresql")

    def add_minutes(self, at: str, n: str) -> str:
        return f"({at} + to_minutes(CAST({n} AS INTEGER)))"


class _Cursor:
    """The DB-API subset sql.fetch uses, over DuckDB: `%(name)s` → `$name`, `%%` → `%`."""

    def __init__(self, con):
        self.con = con

    def execute(self, text: str, params: dict | None = None):
        used: set[str] = set()

        def swap(m):
            if m.group(1):
                used.add(m.group(1))
                return "$" + m.group(1)
            return "%"

        statement = KEYWORD_ALIAS.sub('"at"', PARAM.sub(swap, text))
        self.con.execute(statement, {k: (params or {})[k] for k in used})

    @property
    def description(self):
        return self.con.description

    def fetchall(self):
        return self.con.fetchall()


def cursor(con) -> _Cursor:
    """A cursor over `con` taking the `%(name)s` parameters Django's connection takes."""
    return _Cursor(con)


class _Connection:
    vendor = "duckdb"

    def __init__(self, con):
        self.con = con

    @contextmanager
    def cursor(self):
        yield _Cursor(self.con)


_switch = threading.Lock()


@contextmanager
def engine(con):
    """Run review/batch/sql.py's statements on `con` inside the block.

    batch/sql.py reads Django's connection and builds its dialect from a module-level
    function; until it takes the connection as a parameter, this swaps both for the
    block (under a lock: one DuckDB run at a time in a process)."""
    with _switch:
        saved = sql.connection, sql.dialect
        sql.connection, sql.dialect = _Connection(con), DuckDialect
        try:
            yield
        finally:
            sql.connection, sql.dialect = saved


# ---------------------------------------------------------------- findings


@dataclass
class Hit:
    """A finding as the DuckDB run renders it: what the runner would store."""

    rule: str
    fingerprint: str
    explanation: str
    facts: dict
    service_date: datetime.date
    region_code: str
    institution_id: int | None
    lines: list = field(default_factory=list)
    settlement_id: int | None = None
    visit_id: int | None = None
    person_key: str | None = None
    fund_paid: Decimal = Decimal("0.00")
    subject_kind: str = SubjectKind.CLAIM
    subject: str = ""


class ParquetContext:
    """What the runner's renderers read about the hits (claims, their lines, names),
    from the export instead of the live tables.

    Standalone rather than a subclass of runner.Context, whose internals are changing
    (the batch is being sped up): a claim carries the runner's column names of before
    (`visit_id`, `visit__visit_date`, …) and of after (`vid`, `vd`, …), and both
    `lines[visit]` and `fees(sid)` are offered."""

    def __init__(self, con, sids, institutions, kinds):
        self.claims: dict[int, dict] = {}
        self.lines: dict[int, dict[int, runner.Fee]] = defaultdict(dict)
        self._names = {i: row["name"] for i, row in institutions.items()}
        self._kinds = kinds
        ids = sorted(set(sids))
        if not ids:
            return
        con.execute(
            """SELECT s.id, s.visit_id, s.person_id, s.institution_id, s.region_code,
                      v.visit_date, v.diagnosis_code, v.visit_type,
                      s.basic_fund, s.critical_illness, s.assistance
               FROM insurance_settlement s JOIN insurance_visit v ON v.id = s.visit_id
               WHERE s.id IN (SELECT UNNEST($ids))""",
            {"ids": ids},
        )
        for sid, vid, pid, iid, region, vd, dx, vt, fund, critical, assist in con.fetchall():
            inst = institutions.get(iid, {})
            name, code = inst.get("name", ""), inst.get("insurance_code", "")
            self.claims[sid] = {
                "id": sid, "sid": sid, "visit_id": vid, "vid": vid, "person_id": pid,
                "pid": pid, "institution_id": iid, "iid": iid, "region_code": region,
                "visit__visit_date": vd, "vd": vd, "visit__diagnosis_code": dx, "dx": dx,
                "visit__visit_type": vt, "vt": vt, "basic_fund": fund,
                "critical_illness": critical, "assistance": assist,
                "institution__name": name, "inst_name": name,
                "institution__insurance_code": code, "inst_code": code,
            }  # fmt: skip
        vids = sorted({c["vid"] for c in self.claims.values()})
        con.execute(
            """SELECT visit_id, line_no, code, name, fee_date, quantity, unit_price, ceiling
               FROM insurance_feedetail
               WHERE NOT cancelled AND visit_id IN (SELECT UNNEST($vids))""",
            {"vids": vids},
        )
        for row in con.fetchall():
            fee = runner.Fee(*row[1:])
            self.lines[row[0]][fee.line_no] = fee

    def fees(self, sid) -> dict:
        return self.lines[self.claims[sid]["vid"]]

    def institution(self, iid) -> str:
        return self._names.get(iid, str(iid))

    def warm(self, iids) -> None:
        pass  # every institution's name is read once per run

    def kinds(self, fees) -> dict[str, str]:
        return {f.code: self._kinds[f.code] for f in fees if f.code in self._kinds}

    def line_names(self, sid, numbers, known=None) -> str:
        """第2行（床位费）、… as the runner names lines (the export has every name)."""
        fees = self.fees(sid)
        return "、".join(f"第{n}行（{fees[n].name}）" for n in numbers if n in fees)


def _only(rule_set: RuleSet, code: str) -> RuleSet:
    return dataclasses.replace(rule_set, rules={code: rule_set.rules[code]})


def _dec(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _utc(value: datetime.datetime) -> datetime.datetime:
    """The export's timestamps are UTC without a zone."""
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


def _institutions(con) -> dict[int, dict]:
    con.execute("SELECT id, name, insurance_code, region_code FROM registry_institution")
    return {
        r[0]: {"name": r[1], "insurance_code": r[2], "region_code": r[3]} for r in con.fetchall()
    }


def _hit(cfg, facts, **fields) -> Hit:
    return Hit(rule=cfg.code, explanation=cfg.explanation.format_map(facts), facts=facts, **fields)


def claim_hits(con, code, cfg, period, institutions, kinds) -> list[Hit]:
    """As runner.claim_findings, over the export: every hit rendered (there are no
    stored findings to skip)."""
    query, render = runner.CLAIM_RULES[code]
    by_sid: dict[int, list[dict]] = defaultdict(list)
    for row in query(period, cfg):
        by_sid[row["sid"]].append(row)
    ctx = ParquetContext(con, by_sid, institutions, kinds)
    out = []
    for sid, rows in sorted(by_sid.items()):
        claim = ctx.claims.get(sid)
        if claim is None:
            continue
        if claim["inst_code"] in cfg.exceptions.institutions:
            continue
        if cfg.exceptions.exempts_diagnosis(claim["dx"] or ""):
            continue
        rendered = render(rows, ctx, cfg)
        if rendered is None:
            continue
        lines, own = rendered
        visit_date = claim["vd"]
        facts = {
            "lines": ctx.line_names(sid, lines) or "全部费用明细",
            "institution": claim["inst_name"],
            "visit_date": day(visit_date),
            "diagnosis": claim["dx"],
            **own,
        }
        paid = claim["basic_fund"] + claim["critical_illness"] + claim["assistance"]
        out.append(
            _hit(
                cfg, facts, lines=list(lines), settlement_id=sid, visit_id=claim["vid"],
                person_key=claim["pid"], institution_id=claim["iid"],
                region_code=claim["region_code"], service_date=visit_date,
                fund_paid=max(paid, Decimal(0)), fingerprint=claim_fingerprint(code, sid),
            )
        )  # fmt: skip
    return out


def swiping_hits(con, rule_set, cfg, period, institutions) -> list[Hit]:
    """As runner.swiping_findings: candidate terminals in SQL, the bursts by the
    engine's rule over those terminals' swipes (read from the export)."""
    window = datetime.timedelta(minutes=cfg.params["window_minutes"])
    out = []
    for c in sql.swipe_bursts(period, cfg):
        inst = institutions.get(c["iid"])
        if inst is None or inst["insurance_code"] in cfg.exceptions.institutions:
            continue
        con.execute(
            """SELECT id, person_id, settled_at FROM insurance_settlement
               WHERE institution_id = $iid AND terminal = $terminal AND kind = 'settle'
                 AND reversed_at IS NULL AND settled_at BETWEEN $first AND $last
               ORDER BY settled_at, id""",
            {
                "iid": c["iid"],
                "terminal": c["terminal"],
                "first": c["first_at"],
                "last": c["last_at"] + window,
            },
        )
        swipes = tuple(
            Swipe(str(i), str(p), timezone.localtime(_utc(at))) for i, p, at in con.fetchall()
        )
        activity = TerminalActivity(c["terminal"], inst["insurance_code"], inst["name"], swipes)
        only = _only(rule_set, "bulk_swiping")
        for f in review_engine.review_terminal(activity, only):
            start = datetime.datetime.strptime(f.facts["start"], "%Y-%m-%d %H:%M")
            out.append(
                _hit(
                    cfg, f.facts, subject_kind=SubjectKind.TERMINAL, subject=c["terminal"],
                    institution_id=c["iid"], region_code=inst["region_code"],
                    service_date=start.date(),
                    fingerprint=subject_fingerprint(
                        "bulk_swiping", "terminal", f"{c['iid']}:{c['terminal']}",
                        f.facts["start"],
                    ),
                )
            )  # fmt: skip
    return out


def peer_hits(con, rule_set, cfg, period, institutions) -> list[Hit]:
    """As runner.peer_findings: cases and totals in SQL, the robust z-score by the
    engine's rule, each class on its own."""
    rows = sql.peer_costs(period, cfg)
    by_code = {i["insurance_code"]: (pk, i) for pk, i in institutions.items()}
    out = []
    for cls, f in runner.peer_outliers(rows, institutions, rule_set):
        pk, inst = by_code[f.subject]
        out.append(
                _hit(
                    cfg, f.facts, subject_kind=SubjectKind.INSTITUTION, subject=f.subject,
                    institution_id=pk, region_code=inst["region_code"],
                    service_date=period.date_from,
                    fingerprint=subject_fingerprint(
                        "peer_outlier", "institution", f"{f.subject}:{cls}",
                        f"{period.date_from}..{period.date_to}",
                    ),
                )
            )  # fmt: skip
    return out


@dataclass
class Run:
    hits: list[Hit]
    seconds: dict[str, float]
    rule_set_name: str


def review(
    root: Path,
    region: str,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    rules: list[str] | None = None,
    rule_set: RuleSet | None = None,
    con=None,
) -> Run:
    """Every batch rule of the rule set (the region's active one by default) over the
    export's region and period, in DuckDB."""
    if rule_set is None:
        rule_set, _ = runner.rule_set_for(region, date_from.year)
    con = con or connect(root, region)
    codes = [c for c in rule_set.rules if c in runner.BATCH_RULES and (not rules or c in rules)]
    period = sql.Period(region, date_from, date_to)
    institutions = _institutions(con)
    con.execute("SELECT code, kind FROM catalog_catalogitem")
    kinds = dict(con.fetchall())
    hits, seconds = [], {}
    with engine(con):
        for code in codes:
            started = time.monotonic()
            cfg = rule_set.rules[code]
            if code == "bulk_swiping":
                found = swiping_hits(con, rule_set, cfg, period, institutions)
            elif code == "peer_outlier":
                found = peer_hits(con, rule_set, cfg, period, institutions)
            else:
                found = claim_hits(con, code, cfg, period, institutions, kinds)
            hits += found
            seconds[code] = time.monotonic() - started
    return Run(hits, seconds, rule_set.name)


def write_hits(hits: list[Hit], path: Path) -> None:
    """The findings as one Parquet file (the province's answer to a county)."""
    rows = sorted(hits, key=lambda h: h.fingerprint)
    cols = {
        "fingerprint": [h.fingerprint for h in rows],
        "rule": [h.rule for h in rows],
        "settlement_id": [h.settlement_id for h in rows],
        "visit_id": [h.visit_id for h in rows],
        "person_key": [h.person_key for h in rows],
        "institution_id": [h.institution_id for h in rows],
        "region_code": [h.region_code for h in rows],
        "service_date": [h.service_date for h in rows],
        "subject_kind": [str(h.subject_kind) for h in rows],
        "subject": [h.subject for h in rows],
        "lines": [json.dumps(h.lines) for h in rows],
        "fund_paid": [h.fund_paid for h in rows],
        "explanation": [h.explanation for h in rows],
        "facts": [json.dumps(h.facts, ensure_ascii=False, sort_keys=True) for h in rows],
    }
    types = {"fund_paid": pa.decimal128(14, 2), "service_date": pa.date32()}
    table = pa.table({k: pa.array(v, type=types.get(k)) for k, v in cols.items()})
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, compression="zstd")

"""`huimin review run`: every rule of the rule set over a region's period, in SQL.

Each rule's statement (batch/sql.py) returns its hits; this module renders them into
findings with the rule set's explanation template (as the real-time engine does) and
stores them as plain rows, skipping any whose fingerprint is stored (COPY and INSERT …
ON CONFLICT DO NOTHING on PostgreSQL, bulk_create with ignore_conflicts on SQLite), so a rerun
adds what is new and leaves every existing finding, and any reviewer's decision on it,
untouched. Python only ever loops over hits, never over the period's claims.
"""

import dataclasses
import datetime
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from huimin.core import statements
from huimin.core.money import r2
from huimin.insurance.catalog.models import CatalogVersion
from huimin.insurance.models import Settlement
from huimin.registry.models import Institution
from huimin.review import claim as plain
from huimin.review import engine, rule_sets
from huimin.review.batch import sql
from huimin.review.claim import (
    FEE_CATEGORIES,
    LEVEL_NAMES,
    SEX_NAMES,
    PeerCost,
    Swipe,
    TerminalActivity,
)
from huimin.review.fingerprints import claim_fingerprint, subject_fingerprint
from huimin.review.models import Finding, FindingSource, ReviewRuleSet, ReviewRun, SubjectKind
from huimin.review.rules import identity, items
from huimin.review.rules.base import day, money, qty
from huimin.review.rules.items import age_text
from huimin.review.ruleset import RuleSet

BATCH_SIZE = 2000


def rule_set_for(region: str, year: int) -> tuple[RuleSet, ReviewRuleSet | None]:
    """The region's active rule set for the year and its row; else the shipped default
    (named as such) and no row."""
    row_id = rule_sets.active_rule_set_row(region, year)
    if row_id is None:
        return rule_sets.active_rule_set(region, year), None
    return rule_sets.parsed_rule_set(row_id), ReviewRuleSet.objects.get(pk=row_id)


# ---------------------------------------------------------------- small conversions


def _day(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)[:10]


def _dec(value) -> Decimal:
    # SQLite hands numeric columns back as float: through str, never binary arithmetic
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _nums(text) -> tuple[int, ...]:
    return tuple(sorted({int(n) for n in str(text).split(",") if n})) if text else ()


class Fee(NamedTuple):
    line_no: int
    code: str
    name: str
    fee_date: datetime.date
    quantity: Decimal
    unit_price: Decimal
    ceiling: Decimal | None


class Context:
    """What rendering needs about the hits: their claims (one statement per 2,000), the
    names of their fee lines, institution names; every column of every line only for the
    rules that look at all of a claim's lines (few hits: bed without treatment, deceased)."""

    def __init__(self, sids):
        self.claims = {row["sid"]: row for row in sql.claims_of(sorted(set(sids)))}
        self._lines: dict[int, dict[int, Fee]] | None = None
        self._line_names: dict[int, dict[int, str]] | None = None
        self._names: dict[int, str] = {}

    def _visits(self) -> list[int]:
        return sorted({c["visit_id"] for c in self.claims.values()})

    @property
    def lines(self) -> dict[int, dict[int, Fee]]:
        if self._lines is None:
            self._lines = defaultdict(dict)
            for row in sql.fees_of(self._visits()):
                fee = Fee(
                    row["line_no"], row["code"], row["name"], _date(row["fee_date"]),
                    _dec(row["quantity"]), _dec(row["unit_price"]),
                    None if row["ceiling"] is None else _dec(row["ceiling"]),
                )  # fmt: skip
                self._lines[row["visit_id"]][fee.line_no] = fee
        return self._lines

    def institution(self, iid) -> str:
        if iid not in self._names:
            self._names.update(dict(Institution.objects.filter(pk=iid).values_list("pk", "name")))
        return self._names.get(iid, str(iid))

    def warm(self, iids) -> None:
        missing = sorted(set(iids) - set(self._names))
        if missing:
            self._names.update(
                dict(Institution.objects.filter(pk__in=missing).values_list("pk", "name"))
            )

    def line_names(self, sid, numbers, known: dict | None = None) -> str:
        """第2行（床位费）、… for the lines named; `known`: names the hits carried."""
        vid = self.claims[sid]["visit_id"]
        if known and all(n in known for n in numbers):
            names = known
        elif self._lines is not None:
            names = {n: fee.name for n, fee in self._lines[vid].items()}
        else:
            if self._line_names is None:
                self._line_names = defaultdict(dict)
                for visit_id, line_no, name in sql.line_names_of(self._visits()):
                    self._line_names[visit_id][line_no] = name
            names = self._line_names[vid]
        return "、".join(f"第{n}行（{names[n]}）" for n in numbers if n in names)


# ---------------------------------------------------------------- claim rules
# Each renderer turns one claim's rows (hits of one rule) into (lines, facts).


def _split(rows, ctx, cfg):
    r = rows[0]
    return (), {
        "previous_institution": ctx.institution(r["prev_iid"]),
        "previous_admission": _day(r["prev_vd"]),
        "previous_discharge": _day(r["prev_dd"]),
        "previous_diagnosis": r["prev_dx"],
        "gap_days": str(r["gap"]),
        "window_days": str(cfg.params["window_days"]),
    }


def _bed(rows, ctx, cfg):
    sid = rows[0]["sid"]
    fees = ctx.lines[ctx.claims[sid]["visit_id"]]
    of = categories(fees.values())
    charged = dict.fromkeys(FEE_CATEGORIES.get(of(f), "") for f in fees.values())
    return tuple(sorted(fees)), {
        "days": str(rows[0]["days"]),
        "charged": "、".join(c for c in charged if c),
    }


def _nothing(rows, ctx, cfg):
    return (), {}


def _deceased(rows, ctx, cfg):
    sid, died = rows[0]["sid"], _day(rows[0]["death_date"])
    fees = ctx.lines[ctx.claims[sid]["visit_id"]]
    after = tuple(n for n, f in sorted(fees.items()) if _day(f.fee_date) > died)
    return after, {"death_date": died}


def _mismatch(rows, ctx, cfg):
    """The library's own rule words the reason: the SQL found the claims, the rule says
    which mismatch (another sex's diagnosis before an age out of range, as at the counter)."""
    r = rows[0]
    claim = plain.Claim(
        id=str(r["sid"]),
        person=plain.Person(str(r["pid"]), r["sex"], _date(r["birth_date"])),
        institution=plain.Institution("", "", ""),
        visit_type="",
        admission_date=_date(r["vd"]),
        diagnosis=r["dx"],
    )
    hits = identity.identity_mismatch(claim, plain.History(), cfg)
    return (hits[0].lines, dict(hits[0].facts)) if hits else None


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _overlap(rows, ctx, cfg):
    r = rows[0]
    return (), {
        "other_institution": ctx.institution(r["other_iid"]),
        "other_admission": _day(r["other_admission"]),
        "other_discharge": _day(r["other_discharge"]),
        "admission": _day(r["admission"]),
        "discharge": _day(r["discharge"]),
    }


def _during(rows, ctx, cfg):
    r = rows[0]
    return (), {
        "stay_institution": ctx.institution(r["stay_iid"]),
        "admission": _day(r["admission"]),
        "discharge": _day(r["discharge"]),
        "visit_institution": ctx.institution(r["visit_iid"]),
        "visit_day": _day(r["visit_day"]),
    }


def _lines_union(rows) -> tuple[int, ...]:
    return tuple(sorted({n for r in rows for n in _nums(r.get("lines") or r.get("line"))}))


def _duplicate(rows, ctx, cfg):
    r = rows[0]
    return _lines_union(rows), {"date": _day(r["date"]), "item": r["item"]}


def _ceiling(rows, ctx, cfg):
    """The excess in Decimal from the line's own columns (the SQL's only narrowed)."""
    kept = []
    for r in rows:
        price, ceiling = _dec(r["price"]), _dec(r["ceiling"])
        over = r2(_dec(r["quantity"]) * (price - ceiling))
        if over > cfg.params["min_over"]:
            kept.append((r["line"], price, ceiling, over))
    if not kept:
        return None
    _, price, ceiling, over = kept[0]
    lines = tuple(sorted(k[0] for k in kept))
    return lines, {"price": money(price), "ceiling": money(ceiling), "over": money(over)}


def _daily(rows, ctx, cfg):
    r = rows[0]
    return _lines_union([r]), {
        "date": _day(r["date"]),
        "quantity": qty(_dec(r["quantity"])),
        "limit": qty(_dec(r["limit"])),
    }


def _day_items(rows, ctx, cfg):
    r = rows[0]
    return _lines_union([r]), {
        "item": r["item"],
        "quantity": qty(_dec(r["quantity"])),
        "days": str(r["days"]),
    }


def _dispensing(rows, ctx, cfg):
    r, sid = rows[0], rows[0]["sid"]
    lines = _lines_union([r])
    own = ctx.claims[sid]["institution_id"]
    iids = [own, *(int(i) for i in str(r["institutions"]).split(",") if i)]
    ctx.warm(iids)
    return lines, {
        "drug": r["drug"] or r["code"],
        "supply_days": str(r["supply_days"]),
        "window_days": str(cfg.params["window_days"]),
        "max_supply_days": str(cfg.params["max_supply_days"]),
        "institutions": "、".join(dict.fromkeys(ctx.institution(i) for i in iids)),
    }


def _restriction(rows, ctx, cfg):
    r = rows[0]
    reasons = []
    if r["item_sex"] and r["item_sex"] != r["sex"]:
        reasons.append(f"限{SEX_NAMES.get(r['item_sex'], r['item_sex'])}性使用")
    age = int(r["age"])
    low, high = r["age_min"], r["age_max"]
    if (low is not None and age < low) or (high is not None and age > high):
        reasons.append(f"限{age_text(low, high)}使用，患者{age}岁")
    levels = [v for v in (r["levels"] or "").split(",") if v]
    if levels and r["level"] not in levels:
        reasons.append(f"限{'、'.join(LEVEL_NAMES.get(v, v) for v in levels)}医疗机构使用")
    return _lines_union(rows), {"reason": "；".join(reasons)}


def _unbundling(rows, ctx, cfg):
    """As the rule: bundles with their components first, then exclusive pairs; the
    first hit's reason, every line of every hit."""
    first = min(
        rows, key=lambda r: (_day(r["date"]), r["kind"] != "bundle", r["a_code"], r["b_code"])
    )
    if first["kind"] == "bundle":
        reason = items.bundle_reason(first["a_name"])
    else:
        reason = items.exclusive_reason(first["a_name"], first["b_name"])
    lines = tuple(sorted({n for r in rows for n in (r["a_line"], r["b_line"])}))
    return lines, {"date": _day(first["date"]), "reason": reason}


def _qualification(rows, ctx, cfg):
    name = items.qualification_name(rows[0]["qualification"])
    return _lines_union(rows), {"qualification": name}


CLAIM_RULES: dict[str, tuple[Callable, Callable]] = {
    "split_admission": (sql.split_admission, _split),
    "bed_without_treatment": (sql.bed_without_treatment, _bed),
    "low_standard_admission": (sql.low_standard_admission, _nothing),
    "deceased": (sql.deceased, _deceased),
    "not_insured": (sql.not_insured, _nothing),
    "identity_mismatch": (sql.identity_mismatch, _mismatch),
    "overlapping_stays": (sql.overlapping_stays, _overlap),
    "outpatient_during_stay": (sql.outpatient_during_stay, _during),
    "duplicate_charge": (sql.duplicate_charge, _duplicate),
    "over_ceiling": (sql.over_ceiling, _ceiling),
    "daily_max_exceeded": (sql.daily_max_exceeded, _daily),
    "day_items_beyond_stay": (sql.day_items_beyond_stay, _day_items),
    "over_dispensing": (sql.over_dispensing, _dispensing),
    "item_restriction": (sql.item_restriction, _restriction),
    "mue_exceeded": (sql.mue_exceeded, _daily),
    "unbundling": (sql.unbundling, _unbundling),
    "beyond_qualification": (sql.beyond_qualification, _qualification),
}
PATTERN_RULES = ("bulk_swiping", "peer_outlier")
# Rules the batch cannot run: they judge the claim in hand at the counter only.
NOT_IN_BATCH = ("cap_bunching",)
BATCH_RULES = (*CLAIM_RULES, *PATTERN_RULES)


def categories(fees) -> Callable[[Fee], str]:
    """A fee line → the fee category of its catalog version on its date ('other' when
    the code is not in the catalog that day), one query for the lines given."""
    fees = list(fees)
    versions = defaultdict(list)
    rows = CatalogVersion.objects.filter(item__code__in=sorted({f.code for f in fees}))
    for code, start, end, category in rows.values_list(
        "item__code", "effective_from", "effective_to", "fee_category"
    ):
        versions[code].append((start, end, category))

    def of(fee: Fee) -> str:
        for start, end, category in versions.get(fee.code, ()):
            if start <= fee.fee_date and (end is None or fee.fee_date <= end):
                return category
        return "other"

    return of


class Hits(list):
    """The findings to store, and how many hits were stored findings already."""

    stored = 0


def claim_findings(code, cfg, period: sql.Period, run) -> list[dict]:
    query, render = CLAIM_RULES[code]
    by_sid: dict[int, list[dict]] = defaultdict(list)
    for row in query(period, cfg):
        by_sid[row["sid"]].append(row)
    # A finding stored before is left as it is: not even rendered again.
    prints = {claim_fingerprint(code, sid): sid for sid in by_sid}
    for fp in existing(list(prints)):
        del by_sid[prints[fp]]
    ctx = Context(by_sid)
    out = Hits()
    out.stored = len(prints) - len(by_sid)
    for sid, rows in by_sid.items():
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
        visit_date = _date(claim["vd"])
        facts = {
            "lines": ctx.line_names(sid, lines, _known_names(rows)) or "全部费用明细",
            "institution": claim["inst_name"],
            "visit_date": day(visit_date),
            "diagnosis": claim["dx"],
            **own,
        }
        paid = _dec(claim["basic_fund"]) + _dec(claim["critical_illness"])
        paid += _dec(claim["assistance"])
        out.append(
            _row(
                cfg,
                run,
                facts,
                lines=list(lines),
                settlement_id=sid,
                visit_id=claim["visit_id"],
                person_id=claim["person_id"],
                institution_id=claim["institution_id"],
                region_code=claim["region_code"],
                service_date=visit_date,
                fund_paid=max(paid, Decimal(0)),
                fingerprint=claim_fingerprint(code, sid),
            )
        )
    return out


def _known_names(rows) -> dict | None:
    """Line names a rule's rows carry (one line per row), so no statement fetches them."""
    if "line_name" not in rows[0]:
        return None
    return {r["line"]: r["line_name"] for r in rows}


def _row(cfg, run, facts, **fields) -> dict:
    """A finding as the field values `store` writes (not a model instance: tens of
    thousands of them cost more to build than to insert)."""
    return {
        "rule": cfg.code,
        "name": cfg.name,
        "category": cfg.category,
        "severity": cfg.severity,
        "weight": cfg.weight,
        "explanation": cfg.explanation.format_map(facts),
        "facts": facts,
        "source": FindingSource.BATCH.value,
        "rule_set_name": run.rule_set_name,
        "run_id": run.pk,
        "month": fields["service_date"].strftime("%Y-%m"),
        **fields,
    }


# ---------------------------------------------------------------- pattern rules


def _only(rule_set: RuleSet, code: str) -> RuleSet:
    return dataclasses.replace(rule_set, rules={code: rule_set.rules[code]})


def swiping_findings(rule_set, cfg, period: sql.Period, run) -> list[dict]:
    """Candidate windows in SQL; the bursts themselves by the engine's rule over the
    candidate terminals' swipes in those windows only."""
    window = datetime.timedelta(minutes=cfg.params["window_minutes"])
    out = []
    for c in sql.swipe_bursts(period, cfg):
        inst = Institution.objects.filter(pk=c["iid"]).values("name", "insurance_code", "region_id")
        inst = inst.first()
        if inst is None or inst["insurance_code"] in cfg.exceptions.institutions:
            continue
        first, last = _at(c["first_at"]), _at(c["last_at"])
        swipes = (
            Settlement.objects.filter(
                institution_id=c["iid"],
                terminal=c["terminal"],
                kind="settle",
                reversed_at__isnull=True,
                settled_at__gte=first,
                settled_at__lte=last + window,
            )
            .order_by("settled_at", "id")
            .values_list("id", "person_id", "settled_at")
        )
        activity = TerminalActivity(
            c["terminal"],
            inst["insurance_code"],
            inst["name"],
            tuple(Swipe(str(i), str(p), timezone.localtime(at)) for i, p, at in swipes),
        )
        for f in engine.review_terminal(activity, _only(rule_set, "bulk_swiping")):
            start = datetime.datetime.strptime(f.facts["start"], "%Y-%m-%d %H:%M")
            out.append(
                _row(
                    cfg,
                    run,
                    f.facts,
                    subject_kind=SubjectKind.TERMINAL.value,
                    subject=c["terminal"],
                    institution_id=c["iid"],
                    region_code=inst["region_id"],
                    service_date=start.date(),
                    fingerprint=subject_fingerprint(
                        "bulk_swiping", "terminal", f"{c['iid']}:{c['terminal']}", f.facts["start"]
                    ),
                )
            )
    return out


def _at(value) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value, datetime.UTC)
    parsed = datetime.datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=datetime.UTC)


PEER_CLASSES = {"inpatient": "住院", "outpatient": "门诊"}


def peer_outliers(rows, insts: dict, rule_set):
    """(class, engine finding) for each institution far above its peers: the rows are
    `sql.peer_costs`'s, `insts` the institutions they name by id (name, insurance code).
    The database batch and the DuckDB run over the export both read them so."""
    for cls, label in PEER_CLASSES.items():
        peers = [
            PeerCost(
                insts[r["iid"]]["insurance_code"],
                f"{insts[r['iid']]['name']}（{label}）",
                r["level"],
                int(r["cases"]),
                r2(_dec(r["total"]) / int(r["cases"])),
            )
            for r in rows
            if r["cls"] == cls and r["iid"] in insts
        ]
        for f in engine.review_peers(peers, _only(rule_set, "peer_outlier")):
            yield cls, f


def peer_findings(rule_set, cfg, period: sql.Period, run) -> list[dict]:
    """Cases and totals per institution in SQL; the robust z-score over those few rows
    (one per institution and class) by the engine's rule, each class on its own."""
    rows = sql.peer_costs(period, cfg)
    insts = {
        i["pk"]: i
        for i in Institution.objects.filter(pk__in={r["iid"] for r in rows}).values(
            "pk", "name", "insurance_code", "region_id"
        )
    }
    by_code = {i["insurance_code"]: i for i in insts.values()}
    out = []
    for cls, f in peer_outliers(rows, insts, rule_set):
        inst = by_code[f.subject]
        out.append(
            _row(
                cfg,
                run,
                f.facts,
                subject_kind=SubjectKind.INSTITUTION.value,
                subject=f.subject,
                institution_id=inst["pk"],
                region_code=inst["region_id"],
                service_date=period.date_from,
                fingerprint=subject_fingerprint(
                    "peer_outlier",
                    "institution",
                    f"{f.subject}:{cls}",
                    f"{period.date_from}..{period.date_to}",
                ),
            )
        )
    return out


# ---------------------------------------------------------------- the run


def run(
    region: str,
    date_from: datetime.date,
    date_to: datetime.date,
    *,
    rules: list[str] | None = None,
    started_by: str = "",
    progress: bool = False,
    rule_set: RuleSet | None = None,
    timings: dict | None = None,
    after_rule: Callable[[str], None] | None = None,
) -> ReviewRun:
    """Run the rule set's batch rules over the period; returns the ReviewRun with
    counts {rule: {"found", "new"}}. Rules the rule set does not list are not run."""
    row = None
    if rule_set is None:
        rule_set, row = rule_set_for(region, date_from.year)
    codes = [c for c in rule_set.rules if c in BATCH_RULES and (not rules or c in rules)]
    review_run = ReviewRun.objects.create(
        region_code=region,
        date_from=date_from,
        date_to=date_to,
        rules=list(rules or []),
        rule_set=row if hasattr(row, "pk") else None,
        rule_set_name=rule_set.name,
        started_by=started_by or "batch",
    )
    period = sql.Period(region, date_from, date_to)
    counts = {}
    for code in tqdm(codes, desc="审核规则", unit="条", disable=not progress):
        started = time.monotonic()
        cfg = rule_set.rules[code]
        if code == "bulk_swiping":
            found = swiping_findings(rule_set, cfg, period, review_run)
        elif code == "peer_outlier":
            found = peer_findings(rule_set, cfg, period, review_run)
        else:
            found = claim_findings(code, cfg, period, review_run)
        new = store(found)
        seen = len(found) + getattr(found, "stored", 0)
        counts[code] = {"found": seen, "new": new}
        if timings is not None:
            timings[code] = time.monotonic() - started
        if after_rule is not None:  # the benchmark's CPU meters
            after_rule(code)
    review_run.counts = counts
    review_run.finished_at = timezone.now()
    review_run.save(update_fields=["counts", "finished_at"])
    return review_run


def existing(prints: list[str]) -> set[str]:
    return sql.stored_fingerprints(prints)


def store(findings: list[dict]) -> int:
    """Insert what is new; a fingerprint already stored keeps its row as it is. Answers
    how many were new."""
    if not findings:
        return 0
    if connection.vendor == "postgresql":
        # COPY and one INSERT … ON CONFLICT (fingerprint) DO NOTHING: bulk_create's
        # per-value encoding (and building the instances) was most of a first run.
        with transaction.atomic():
            return statements.copy_insert_rows(Finding, findings, "fingerprint")
    prints = [f["fingerprint"] for f in findings]
    before = existing(prints)
    with transaction.atomic():
        Finding.objects.bulk_create(
            [Finding(**f) for f in findings], batch_size=BATCH_SIZE, ignore_conflicts=True
        )
    return len({p for p in prints if p not in before})

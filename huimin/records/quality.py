"""The data-quality run: the rules of quality_rules.py over records, in batches.

Each batch is a handful of statements whatever its size: the records with their people,
their forms in force (as dicts, not model instances), their HTN/DM programmes, likely
duplicate people, and their open or confirmed findings; the rules run in Python; new
findings are bulk-inserted, changed ones bulk-updated, fixed ones resolved in one
UPDATE, and the records' 合格 flag set in two. Reruns are idempotent: a finding is the
same finding while its (rule, form, field) still holds; confirmed outliers stay
confirmed; fixed findings are resolved with the time.

Cleaning a signed form against its specification is most of the rules' work, so each
form's problems are remembered (FormCheck) under a key of its data's MD5, the person's
sex, birth and death dates and a hash of the specification sources: a rerun reads
`data` and cleans only forms that are new, changed, or whose person or specification
changed (and those with a date that was in the future when checked).

Outliers are judged against medians and MADs per measurement, sex and age band over
the county's signed forms, computed from an evenly spread sample by the day's first
run and kept for the day (QualityStats), so incremental runs and 重新检查 do not scan
the forms table again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import connection, connections, transaction
from django.db.models import Case, Count, DateTimeField, F, FloatField, Q, TextField, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import MD5, Cast, Substr
from django.db.models.lookups import Lookup
from django.utils import timezone

from huimin.audit.services import record as audit
from huimin.core.errors import Conflict, NotFound, ValidationFailed
from huimin.records import forms as form_specs
from huimin.records import quality_rules as rules
from huimin.records.forms.chronic import OUTCOME_KEYS, UNDER_TARGET_REASON
from huimin.records.forms.spec import Context
from huimin.records.models import (
    Finding,
    FindingStatus,
    Form,
    FormCheck,
    FormStatus,
    HealthRecord,
    Programme,
    QualityStats,
    RecordStatus,
    Severity,
)
from huimin.records.services import check_can, get_record
from huimin.registry.models import Person, PersonStatus

BATCH = 2000
SAMPLE_TARGET = 200_000  # measurement rows read per county for the group medians
RECHECK_SAMPLE_TARGET = 50_000

# Bump when what FormCheck stores changes meaning: every form is cleaned again.
FORM_CHECK_VERSION = 1
# Decimal columns read as floats: the rules take str() of them (exact for these
# short decimals) or float() for statistics, and skip the Decimal conversion.
_DECIMAL_MEASURES = frozenset({"height_cm", "weight_kg", "waist_cm", "fasting_glucose"})
# Forms whose rules read `data` besides the specification check.
_NEEDS_DATA = frozenset({rules.HEALTH_CHECK})
_FORM_COLUMNS = ("id", "record_id", "kind", "status", "service_date", "created_at", *rules.MEASURES)
_OUTCOME_AT = len(_FORM_COLUMNS)


def _form_values():
    """Form columns as values_list arguments: the draft's creation time only (the
    stale-draft rule), measurements as floats, a follow-up's outcome keys (mode,
    classification, referral: the follow-up rules), and the MD5 of `data` (to recognise
    an unchanged form; the data itself is read only for the forms that need it)."""
    return (
        "id",
        "record_id",
        "kind",
        "status",
        "service_date",
        Case(When(status=FormStatus.DRAFT, then="created_at"), output_field=DateTimeField()),
        *(Cast(m, FloatField()) if m in _DECIMAL_MEASURES else m for m in rules.MEASURES),
        *(
            # Only for follow-ups: other forms' (larger) data is not read for this.
            Case(
                When(kind__in=sorted(rules.FOLLOWUP_KINDS), then=KeyTextTransform(k, "data")),
                output_field=TextField(),
            )
            for k in OUTCOME_KEYS
        ),
        MD5(Cast("data", TextField())),
    )


class _Among(Lookup):
    """`column = ANY(%s)` with the ids as one array on PostgreSQL: `IN (...)` with a
    placeholder per id costs Django and psycopg more than the query itself."""

    lookup_name = "among"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


def _among(column: str, values) -> _Among:
    return _Among(F(column), values)


@cache
def spec_fingerprint() -> str:
    """A hash of every form-specification source (fields, code tables, checks): any
    change to them makes every remembered form check stale."""
    digest = hashlib.blake2b(f"v{FORM_CHECK_VERSION}".encode(), digest_size=16)
    for path in sorted(Path(form_specs.__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    # The field definitions too, in case the sources are not installed.
    digest.update(repr([(s.kind, s.fields) for s in form_specs.SPECS.values()]).encode())
    return digest.hexdigest()


def form_check_key(data_md5: str, person: rules.PersonFacts) -> str:
    """What a form's cleaning depends on, besides the day: its data, the person's sex,
    birth and death dates, and the specifications."""
    text = f"{spec_fingerprint()}|{data_md5}|{person.birth_date}|{person.sex}|{person.death_date}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class RunResult:
    records: int = 0
    qualified: int = 0
    created: int = 0
    resolved: int = 0
    updated: int = 0
    kept: int = 0
    batches: int = 0
    seconds: float = 0.0
    stats_seconds: float = 0.0
    by_rule: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, other: RunResult) -> None:
        for name in ("records", "qualified", "created", "resolved", "updated", "kept", "batches"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for rule, n in other.by_rule.items():
            self.by_rule[rule] += n


# ---------------------------------------------------------------- outlier groups


def measurement_stats(
    county: str,
    today: dt.date,
    *,
    target: int = SAMPLE_TARGET,
    min_group: int = rules.MIN_GROUP,
) -> dict:
    """Group medians and MADs of the county's signed measurements. Read from every
    `step`-th form id so a county of millions costs one scan and `target` rows."""
    return _sample_stats(county, target, min_group)[0]


def _sample_stats(county: str, target: int, min_group: int) -> tuple[dict, int]:
    """The stats, and the largest sample target they satisfy (any, when every row was
    read)."""
    forms = Form.objects.within(county).filter(
        status=FormStatus.SIGNED, service_date__isnull=False, person__isnull=False
    )
    measured = Q()
    for m in rules.MEASURES:
        measured |= Q(**{f"{m}__isnull": False})
    forms = forms.filter(measured)
    total = forms.count()
    step = max(1, total // target)
    if step > 1:
        forms = forms.annotate(_slot=F("id") % step).filter(_slot=0)
    rows = []
    columns = (Cast(m, FloatField()) if m in _DECIMAL_MEASURES else m for m in rules.MEASURES)
    for kind, sex, birth, day, *values in forms.values_list(
        "kind", "person__sex", "person__birth_date", "service_date", *columns
    ):
        age = rules.age_on(birth, day)
        for measure, value in zip(rules.MEASURES, values, strict=True):
            if value is None or (measure == rules.GLUCOSE and kind == rules.DIABETIC_KIND):
                continue
            rows.append((measure, sex, age, value))
    return rules.build_stats(rows, min_group=min_group), (target if step > 1 else ALL_ROWS)


ALL_ROWS = 2**31 - 1


def county_stats(county: str, today: dt.date, *, target: int, min_group: int) -> dict:
    """The county's group stats for `today`: computed by the day's first run (or
    recheck) and kept in QualityStats, so later runs that day do not scan the forms
    table again. A day's stats do not see forms signed later that day; among
    millions of readings that moves no median."""
    stored = (
        QualityStats.objects.filter(
            county=county, day=today, min_group=min_group, covers__gte=target
        )
        .values_list("stats", flat=True)
        .first()
    )
    if stored is not None:
        return {
            tuple(k.split("|")): rules.GroupStats(n, median, mad, mean_ad)
            for k, (n, median, mad, mean_ad) in stored.items()
        }
    stats, covers = _sample_stats(county, target, min_group)
    QualityStats.objects.filter(county=county, day__lt=today).delete()  # no one reads them
    QualityStats.objects.update_or_create(
        county=county,
        day=today,
        min_group=min_group,
        defaults={
            "covers": covers,
            "stats": {"|".join(k): [s.n, s.median, s.mad, s.mean_ad] for k, s in stats.items()},
        },
    )
    return stats


class CountyStats:
    """Stats per county, computed the first time a batch needs them."""

    def __init__(self, today: dt.date, target: int, min_group: int, result: RunResult):
        self.today, self.target, self.min_group, self.result = today, target, min_group, result
        self._by_county: dict[str, dict] = {}

    def __call__(self, region_code: str) -> dict:
        county = region_code[:6]
        if county not in self._by_county:
            start = time.perf_counter()
            self._by_county[county] = county_stats(
                county, self.today, target=self.target, min_group=self.min_group
            )
            self.result.stats_seconds += time.perf_counter() - start
        return self._by_county[county]


# ---------------------------------------------------------------- one batch


def check_batch(record_ids: list[int], stats_of, today: dt.date) -> RunResult:
    """Run every rule over these records and bring their findings up to date."""
    result = RunResult(batches=1)
    with transaction.atomic():
        checked_at = timezone.now()
        records = list(
            HealthRecord.objects.select_for_update(of=("self",))
            .filter(_among("id", record_ids), status=RecordStatus.ACTIVE)
            .values(
                "id",
                "region_code",
                "responsible_doctor_id",
                "person__name",
                "person__sex",
                "person__birth_date",
                "person__death_date",
                "person__village_id",
            )
            .order_by("id")
        )
        if not records:
            return result
        ids = [r["id"] for r in records]
        forms = defaultdict(list)
        for *row, data_md5 in (
            Form.objects.filter(_among("record_id", ids))
            .exclude(status=FormStatus.AMENDED)
            .values_list(*_form_values())
        ):
            f = dict(zip(_FORM_COLUMNS, row[:_OUTCOME_AT], strict=True))
            f["data_md5"] = data_md5
            if f["kind"] in rules.FOLLOWUP_KINDS:
                f["outcome"] = {
                    k: v for k, v in zip(OUTCOME_KEYS, row[_OUTCOME_AT:], strict=True) if v
                }
            forms[f["record_id"]].append(f)
        # By form id, not joined through the record ids: PostgreSQL misjudges how many
        # forms 2,000 records have and would scan the whole table for the join.
        signed = [f["id"] for fs in forms.values() for f in fs if f["status"] == FormStatus.SIGNED]
        # Most forms have no problems: their "[]" is not worth a JSON decoder.
        remembered = {
            form_id: (key, checked_on, [] if problems == "[]" else json.loads(problems))
            for form_id, key, checked_on, problems in FormCheck.objects.filter(
                _among("form_id", signed)
            ).values_list("form_id", "key", "checked_on", Cast("problems", TextField()))
        }
        programmes = defaultdict(list)
        for p in Programme.objects.filter(
            _among("record_id", ids), kind__in=list(rules.PROGRAMME_FOLLOWUPS)
        ).values(
            "record_id",
            "kind",
            "registered_on",
            "ended_on",
            **{UNDER_TARGET_REASON: KeyTextTransform(UNDER_TARGET_REASON, "details")},
        ):
            programmes[p["record_id"]].append(p)
        twins = _likely_duplicates(records)
        existing = defaultdict(dict)
        for finding in Finding.objects.filter(
            _among("record_id", ids), status__in=(FindingStatus.OPEN, FindingStatus.CONFIRMED)
        ).order_by("id"):
            key = (finding.rule, finding.form_id, finding.field)
            existing[finding.record_id].setdefault(key, finding)

        persons = {
            r["id"]: rules.PersonFacts(
                name=r["person__name"],
                sex=r["person__sex"],
                birth_date=r["person__birth_date"],
                death_date=r["person__death_date"],
            )
            for r in records
        }
        need = _recall(forms, persons, remembered, today)
        texts = (
            dict(
                Form.objects.filter(_among("id", need))
                .order_by()
                .values_list("id", Cast("data", TextField()))
            )
            if need
            else {}
        )

        to_create, to_update, to_resolve, good, to_remember = [], [], [], [], []
        for r in records:
            person = persons[r["id"]]
            record_forms = forms.get(r["id"], [])
            to_remember += _clean_the_rest(record_forms, person, texts, today)
            facts = rules.RecordFacts(
                id=r["id"],
                person=person,
                forms=record_forms,
                programmes=programmes.get(r["id"], []),
                duplicate_person=(
                    r["person__name"],
                    r["person__birth_date"],
                    r["person__village_id"],
                )
                in twins,
            )
            hits = rules.check_record(facts, today, stats_of(r["region_code"]))
            if rules.qualified(hits):
                good.append(r["id"])
            old = existing.get(r["id"], {})
            for hit in hits:
                result.by_rule[hit.rule] += 1
                finding = old.pop(hit.key, None)
                if finding is None:
                    to_create.append(
                        Finding(
                            record_id=r["id"],
                            form_id=hit.form_id,
                            region_code=r["region_code"],
                            rule=hit.rule,
                            severity=hit.severity,
                            field=hit.field,
                            message=hit.message[:200],
                            assignee_id=r["responsible_doctor_id"],
                        )
                    )
                elif finding.status == FindingStatus.OPEN and (
                    finding.message != hit.message[:200]
                    or finding.severity != hit.severity
                    or finding.assignee_id != r["responsible_doctor_id"]
                    or finding.region_code != r["region_code"]
                ):
                    finding.message = hit.message[:200]
                    finding.severity = hit.severity
                    finding.assignee_id = r["responsible_doctor_id"]
                    finding.region_code = r["region_code"]
                    to_update.append(finding)
                else:
                    result.kept += 1
            # What is left no longer holds: fixed. Confirmed ones stay as they were.
            to_resolve += [f.pk for f in old.values() if f.status == FindingStatus.OPEN]

        if to_remember:
            _remember(to_remember)
        if to_create:
            Finding.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            Finding.objects.bulk_update(
                to_update, ["message", "severity", "assignee", "region_code"], batch_size=500
            )
        if to_resolve:
            Finding.objects.filter(_among("id", to_resolve)).update(
                status=FindingStatus.RESOLVED, closed_at=checked_at, note="重新检查时已纠正"
            )
        good_set = set(good)
        bad = [i for i in ids if i not in good_set]
        if good:
            HealthRecord.objects.filter(_among("id", good)).update(
                qualified=True, quality_checked_at=checked_at
            )
        if bad:
            HealthRecord.objects.filter(_among("id", bad)).update(
                qualified=False, quality_checked_at=checked_at
            )
    result.records = len(records)
    result.qualified = len(good)
    result.created, result.updated, result.resolved = (
        len(to_create),
        len(to_update),
        len(to_resolve),
    )
    return result


def _recall(forms: dict, persons: dict, remembered: dict, today: dt.date) -> list[int]:
    """Give each signed form its remembered specification problems (`problems`) when
    nothing they depend on changed. Returns the ids of the forms whose data must be
    read: the others, and those whose rules read it."""
    need = []
    for record_id, record_forms in forms.items():
        person = persons[record_id]
        for f in record_forms:
            if f["status"] == FormStatus.SIGNED and f["kind"] in form_specs.SPECS:
                f["key"] = form_check_key(f["data_md5"], person)
                problems = rules.remembered_problems(remembered.get(f["id"]), f["key"], today)
                if problems is not None:
                    f["problems"] = problems
                elif f["kind"] not in _NEEDS_DATA:
                    need.append(f["id"])
            if f["kind"] in _NEEDS_DATA:
                need.append(f["id"])
    return need


def _clean_the_rest(
    forms: list[dict], person: rules.PersonFacts, texts: dict, today: dt.date
) -> list[tuple]:
    """Decode the data read for these forms and clean the signed forms without
    remembered problems. Returns the checks to remember, as FormCheck rows (form id,
    key, day, problems as JSON text)."""
    ctx, out = None, []
    for f in forms:
        text = texts.get(f["id"])
        f["data"] = None if text is None else json.loads(text)
        if "key" in f and "problems" not in f:
            ctx = ctx or Context(
                today=today,
                birth_date=person.birth_date,
                sex=person.sex,
                death_date=person.death_date,
            )
            f["problems"] = problems = rules.spec_problems(f, ctx)
            stored = [[p.field, p.code, p.message] for p in problems]
            out.append((f["id"], f["key"], today, json.dumps(stored, ensure_ascii=False)))
    return out


def _remember(rows: list[tuple]) -> None:
    """Upsert FormCheck rows in one executemany: a first run writes one per signed
    form, too many for model instances to be worth their cost."""
    q = connection.ops.quote_name
    problems = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {q(FormCheck._meta.db_table)} "  # noqa: S608
        f"({q('form_id')}, {q('key')}, {q('checked_on')}, {q('problems')}) "
        f"VALUES (%s, %s, %s, {problems}) ON CONFLICT ({q('form_id')}) DO UPDATE SET "
        f"{q('key')} = EXCLUDED.{q('key')}, {q('checked_on')} = EXCLUDED.{q('checked_on')}, "
        f"{q('problems')} = EXCLUDED.{q('problems')}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _likely_duplicates(records: list[dict]) -> set[tuple]:
    """(name, birth date, village) shared by two or more active people: one grouped read."""
    names = {r["person__name"] for r in records}
    villages = {r["person__village_id"] for r in records}
    rows = (
        Person.objects.filter(village_id__in=villages, name__in=names, status=PersonStatus.ACTIVE)
        .values("name", "birth_date", "village_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    return {(r["name"], r["birth_date"], r["village_id"]) for r in rows}


# ---------------------------------------------------------------- the run


def records_to_check(*, region: str = "", everything: bool = False):
    rows = HealthRecord.objects.filter(status=RecordStatus.ACTIVE).within(region)
    if not everything:
        rows = rows.filter(
            Q(quality_checked_at__isnull=True) | Q(changed_at__gt=F("quality_checked_at"))
        )
    return rows


def run(
    *,
    region: str = "",
    everything: bool = False,
    today: dt.date | None = None,
    batch: int = BATCH,
    min_group: int = rules.MIN_GROUP,
    sample_target: int = SAMPLE_TARGET,
    jobs: int = 1,
    progress=None,
) -> RunResult:
    """The quality run: incremental (records changed since their last check, or never
    checked) unless `everything`; bounded by a region prefix when given. With `jobs`
    > 1 on PostgreSQL, batches run in that many worker processes (the rules are CPU
    work in Python; each batch is its own transaction on disjoint records)."""
    today = today or timezone.localdate()
    started = time.perf_counter()
    total = RunResult()
    selected = records_to_check(region=region, everything=everything)
    ids = list(selected.order_by("id").values_list("id", flat=True))
    stats_of = CountyStats(today, sample_target, min_group, total)
    chunks = [ids[i : i + batch] for i in range(0, len(ids), batch)]
    # Not inside a transaction: the workers would not see its rows, and closing the
    # connection before the fork would end it.
    parallel = jobs > 1 and len(chunks) > 1 and not connection.in_atomic_block
    if parallel and connection.vendor == "postgresql":
        counties = (
            selected.annotate(county=Substr("region_code", 1, 6))
            .order_by()
            .values_list("county", flat=True)
            .distinct()
        )
        for county in counties:
            stats_of(county)  # once, before the fork: the workers share them
        results = _in_workers(chunks, stats_of, today, jobs)
    else:
        results = (check_batch(chunk, stats_of, today) for chunk in chunks)
    for result in results:
        total.add(result)
        if progress is not None:
            progress(total, len(ids))
    total.seconds = time.perf_counter() - started
    return total


def default_jobs() -> int:
    """Worker processes for a run: the CPUs this process may use, on PostgreSQL (the
    rules are Python CPU work; each batch is its own transaction on its own records);
    one on SQLite, which has one writer."""
    if connection.vendor != "postgresql":
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_WORK = None  # (stats_of, today) for forked workers


def _work(chunk: list[int]) -> RunResult:
    stats_of, today = _WORK
    return check_batch(chunk, stats_of, today)


def _in_workers(chunks, stats_of, today, jobs):
    global _WORK
    _WORK = (stats_of, today)
    connections.close_all()  # each worker opens its own connection
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap_unordered(_work, chunks)


# ---------------------------------------------------------------- reviewer actions


def do_recheck_record(
    user, record_id: int, *, today: dt.date | None = None, min_group=rules.MIN_GROUP
) -> RunResult:
    """重新检查: the rules over one record now, so a fixed finding goes at once."""
    check_can(user, "record.quality")
    record = get_record(user, record_id)
    check_can(user, "record.quality", record.region_code)  # a loan lends reading only
    today = today or timezone.localdate()
    result = RunResult()
    stats_of = CountyStats(today, RECHECK_SAMPLE_TARGET, min_group, result)
    result.add(check_batch([record.pk], stats_of, today))
    audit(
        action="update",
        object_type="records.quality",
        object_id=str(record.pk),
        region_code=record.region_code,
        changes={"recheck": {"created": result.created, "resolved": result.resolved}},
        actor=user,
    )
    return result


def do_confirm_finding(user, finding_id: int, note: str) -> Finding:
    """已核实无误: a reviewer confirms a flagged value is true. It stays closed on later
    runs. Blocking findings cannot be confirmed away: they must be fixed."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed({"note": "请填写核实说明"})
    check_can(user, "record.quality")
    with transaction.atomic():
        try:
            finding = Finding.objects.visible_to(user).select_for_update().get(pk=finding_id)
        except Finding.DoesNotExist:
            raise NotFound("质量问题") from None
        if finding.status != FindingStatus.OPEN:
            raise Conflict("finding_closed", "该问题已处理")
        if finding.severity == Severity.BLOCKING:
            raise Conflict("finding_blocking", "阻断级问题须更正表单，不能以核实关闭")
        finding.status = FindingStatus.CONFIRMED
        finding.closed_at = timezone.now()
        finding.closed_by = user
        finding.note = note[:200]
        finding.save(update_fields=["status", "closed_at", "closed_by", "note"])
        audit(
            action="update",
            object_type="records.finding",
            object_id=str(finding.pk),
            region_code=finding.region_code,
            changes={"status": ["open", "confirmed"]},
            reason=note[:100],
            actor=user,
        )
    return finding

"""A synthetic year of visits, fee lines and settlements for review at scale, with
planted fraud listed in a manifest so recall and precision can be measured.

Written straight into the tables (COPY on PostgreSQL, bulk_create batches on SQLite):
no ledger entries, accumulators or audit rows, so it is for review and benchmarks,
not for the fund's books. Each settlement is adjudicated by the pure
`insurance.engine.adjudicate` against the active plan with the person's year-to-date
kept in memory, in date order, so the money columns are what the plan would pay.
Every row is marked: visit numbers and idempotency keys start "SYN-", and the
settlement's result carries {"synthetic": true}.
"""

import datetime
import json
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from huimin.core.dates import age_on
from huimin.core.money import r2
from huimin.insurance import engine as adjudication
from huimin.insurance import plans
from huimin.insurance.catalog import rules as catalog_rules
from huimin.insurance.enrollment.models import Enrollment
from huimin.insurance.models import FeeDetail, Settlement, Visit
from huimin.insurance.seed import scenarios
from huimin.insurance.seed import settlements as demo
from huimin.registry import qualifications
from huimin.registry.models import PersonStatus

PREFIX = "SYN-"
NOTE = "合成数据：huimin generate-claims 生成，仅用于审核与性能测试"
# Visits a resident makes in a year: about three on average.
VISITS = (0, 1, 2, 3, 4, 5, 6, 8)
VISIT_WEIGHTS = (12, 18, 20, 17, 13, 9, 7, 4)
PLANTED_KINDS = {
    "split_admission": "分解住院",
    "bed_without_treatment": "挂床住院（无治疗）",
    "over_dispensing": "超量开药",
    "over_ceiling": "超标准收费（虚高机构）",
    "peer_outlier": "次均费用异常（虚高机构）",
    "bulk_swiping": "集中刷卡（套刷终端）",
}


class SynthError(Exception):
    pass


def manifest_path(region: str, year: int) -> Path:
    return Path(settings.BASE_DIR) / "var" / "review-planted" / f"{region}-{year}.json"


@dataclass
class Planted:
    """What was planted, by rule: settlement ids for claim rules, subjects for patterns."""

    claims: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    subjects: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def save(self, region: str, year: int, *, merge: bool = False) -> Path:
        path = manifest_path(region, year)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"region": region, "year": year, "claims": {}, "subjects": {}}
        if merge and path.exists():
            doc = json.loads(path.read_text(encoding="utf-8"))
        for rule, ids in self.claims.items():
            doc["claims"][rule] = sorted(set(doc["claims"].get(rule, [])) | set(ids))
        for rule, subjects in self.subjects.items():
            doc["subjects"][rule] = sorted(set(doc["subjects"].get(rule, [])) | set(subjects))
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return path


@dataclass
class Result:
    residents: int = 0
    visits: int = 0
    lines: int = 0
    settlements: int = 0
    planted: Planted = field(default_factory=Planted)
    manifest: Path | None = None


@dataclass
class _Visit:
    person: object
    institution: object
    scenario: object
    admitted: datetime.date
    discharged: datetime.date | None
    lines: list  # (code, name, cls, quantity, price, ceiling, b_ratio, fee_date)
    terminal: str = ""
    at: datetime.datetime | None = None
    plant: str = ""  # the rule a planted visit should fire
    doctor: str = ""


class World:
    """What generation reads: plan, people, institutions, catalog. Says what's missing."""

    def __init__(self, county: str, year: int, residents: int | None, until=None):
        missing = []
        self.county, self.year = county, year
        self.last = min(until or datetime.date(year, 12, 31), datetime.date(year, 12, 31))
        self.plan_row = plans.active_plan_for(county, year)
        if self.plan_row is None:
            missing.append(f"{year}年度生效的结算方案（huimin seed-plan）")
        else:
            self.plan = plans.parsed(self.plan_row)
        rows = (
            Enrollment.objects.within(county)
            .filter(year=year, status="paid", person__status=PersonStatus.ACTIVE)
            .order_by("person_id")
            .values_list(
                "person_id", "benefits_from", "person__birth_date", "person__sex",
                "person__village_id", "person__death_date", "person__id_number_enc",
            )
        )  # fmt: skip
        if residents:
            rows = rows[:residents]
        self.people = [demo.SeedPerson(*r) for r in rows]
        if not self.people:
            missing.append(f"{year}年度已缴费的参保人（huimin generate、seed-enrollment）")
        self.places = demo.SeedPlaces(county)
        if not (self.places.level1 or self.places.level2):
            missing.append("定点医疗机构（huimin generate）")
        names = {n for s in scenarios.SCENARIOS for i in s.items for n in i.names}
        self.catalog = demo.SeedCatalog(names)
        if not self.catalog.by_name:
            missing.append("医保目录（huimin seed-catalog）")
        if missing:
            raise SynthError(f"{county} 缺少：" + "；".join(missing))
        self.scenarios = [s for s in scenarios.SCENARIOS if s.visit_type in self.plan.visit_types]


def _fits(scenario, person, day) -> bool:
    age = age_on(person.birth, day)
    if scenario.pool == "women":
        return person.sex == "2" and 20 <= age <= 40
    if scenario.pool in ("older", "chronic", "grave"):
        return age >= 50
    return True


def _lines(world, rng, scenario, person, institution, admitted, days, *, price_factor=None):
    """A visit's fee lines as the catalog allows them: restrictions met, only what the
    institution is qualified for, a drug of known dose for at most a month, and no more
    of an item on one day than its medically unlikely maximum (a stay's tests and ICU
    days are spread over its days) — so the ordinary year fires only what real wards
    also do, and planted cases stand out."""
    age = age_on(person.birth, admitted)
    level = institution.level
    held = qualifications.parse_text(institution.qualifications)
    out = []
    for item in scenario.items:
        if rng.random() >= item.p:
            continue
        names = list(item.names)
        if item.any_of:
            rng.shuffle(names)
        qty = Decimal(rng.randint(*item.qty) * (days if item.per_day else 1))
        for name in names:
            version = world.catalog.on(name, admitted)
            if version is None or catalog_rules.check_line(
                version, sex=person.sex, age=age, institution_level=level, quantity=qty, days=days
            ):
                continue
            if version.qualification and held is not None and version.qualification not in held:
                continue
            if version.ceiling is not None:
                factor = price_factor or rng.choices(("1.00", "0.95", "1.05"), (90, 8, 2))[0]
                price = r2(version.ceiling * Decimal(factor))
            elif item.price is not None:
                price = r2(Decimal(item.price) * Decimal(rng.randint(90, 110)) / 100)
            else:
                break
            terms = (version.item.code, version.name, version.item_class)
            rest = (price, version.ceiling, version.b_self_ratio)
            if version.days_supply_per_unit:
                qty = min(qty, month_of(version.days_supply_per_unit))
            if item.per_day and days > 1:
                # a ward bills day by day: one line per day of the stay
                for d in range(days):
                    each = Decimal(rng.randint(*item.qty))
                    out.append((*terms, each, *rest, admitted + datetime.timedelta(days=d)))
            else:
                for when, each in _spread(qty, version.mue, admitted, days):
                    out.append((*terms, each, *rest, when))
            break
    return out


def month_of(days_per_unit: Decimal) -> Decimal:
    """Units of a drug that last 30 days (a month's prescription)."""
    return Decimal(int(Decimal(30) / days_per_unit))


def _spread(qty: Decimal, mue, admitted: datetime.date, days: int):
    """(day, quantity) lines: all on the first day, or at most `mue` a day over the stay
    (what is left after its last day stays there)."""
    if mue is None or qty <= mue or days <= 1:
        return [(admitted, qty)]
    out = []
    for d in range(days):
        if qty <= 0:
            break
        each = qty if d == days - 1 else min(qty, mue)
        out.append((admitted + datetime.timedelta(days=d), each))
        qty -= each
    return out


def _moment(rng, day) -> datetime.datetime:
    at = datetime.time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _visit(world, rng, person, scenario, day) -> _Visit | None:
    institution = world.places.choose(rng, scenario, person)
    if institution is None:
        return None
    admitted, discharged = day, None
    if scenario.visit_type == "inpatient":
        stay = rng.randint(*scenario.stay)
        discharged = min(day + datetime.timedelta(days=stay), world.last)
    days = max(1, ((discharged or admitted) - admitted).days)
    lines = _lines(world, rng, scenario, person, institution, admitted, days)
    if not lines:
        return None
    return _Visit(person, institution, scenario, admitted, discharged, lines)


def plan_year(world: World, rng: random.Random) -> list[_Visit]:
    """The ordinary year: each resident's visits, before any planting."""
    out = []
    jan1, dec31 = datetime.date(world.year, 1, 1), world.last
    weights = [s.weight for s in world.scenarios]
    for person in world.people:
        first = max(jan1, person.benefits_from)
        last = min(dec31, person.death - datetime.timedelta(days=1)) if person.death else dec31
        if last < first:
            continue
        for _ in range(rng.choices(VISITS, VISIT_WEIGHTS)[0]):
            day = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
            for _try in range(3):
                scenario = rng.choices(world.scenarios, weights)[0]
                if _fits(scenario, person, day):
                    break
            else:
                continue
            v = _visit(world, rng, person, scenario, day)
            if v is not None:
                out.append(v)
    return out


# ---------------------------------------------------------------- planting


def _supply(world, ln) -> int:
    """Days a drug line lasts by the catalog's days per unit (0 when it has none)."""
    version = world.catalog.on(ln[1], ln[7])
    if version is None or not version.days_supply_per_unit:
        return 0
    return int(ln[3] * version.days_supply_per_unit)


def _scenario(world, visit_type, dx_prefix=""):
    for s in world.scenarios:
        if s.visit_type == visit_type and s.diagnosis[0].startswith(dx_prefix):
            return s
    return None


def plant(world: World, rng: random.Random, visits: list[_Visit], per_kind: int) -> list[_Visit]:
    """Fraud of each kind, about `per_kind` cases each (the padding institution and the
    swiping terminal are one each, with their many claims). Returns the added visits;
    marks visits changed in place."""
    added: list[_Visit] = []
    dec31 = world.last
    span = max(1, (dec31 - datetime.date(world.year, 1, 1)).days - 30)
    adults = [p for p in world.people if age_on(p.birth, dec31) >= 18 and p.death is None]
    # split admissions: the same illness again at the same hospital within 3–12 days
    stays = [v for v in visits if v.discharged and v.discharged < dec31 - datetime.timedelta(30)]
    stays = [
        v
        for v in stays
        if not v.scenario.diagnosis[0].startswith(("Z5", "Z49", "O", "H25", "K35", "S72"))
    ]
    for v in rng.sample(stays, min(per_kind, len(stays))):
        day = v.discharged + datetime.timedelta(days=rng.randint(3, 12))
        out = day + datetime.timedelta(days=rng.randint(*v.scenario.stay))
        again = _Visit(v.person, v.institution, v.scenario, day, out, [])
        days = (again.discharged - day).days
        again.lines = _lines(world, rng, v.scenario, v.person, v.institution, day, days)
        if again.lines:
            again.plant = "split_admission"
            added.append(again)
    # phantom beds: three to six days of bed and nursing, nothing else
    pneumonia = _scenario(world, "inpatient", "J18")
    bedonly = (
        [i for i in pneumonia.items if i is scenarios.BED or "护理" in i.names[0]]
        if pneumonia
        else []
    )
    for person in rng.sample(adults, min(per_kind, len(adults))):
        day = datetime.date(world.year, 1, 1) + datetime.timedelta(days=rng.randint(0, span))
        if day < person.benefits_from:
            continue
        days = rng.randint(3, 6)
        scenario = scenarios.Scenario("inpatient", pneumonia.diagnosis, ("1",), tuple(bedonly), 1)
        v = _visit(world, rng, person, scenario, day)
        if v is None:
            continue
        v.discharged = day + datetime.timedelta(days=days)
        v.lines = _lines(world, rng, scenario, person, v.institution, day, days)
        v.plant = "bed_without_treatment"
        added.append(v)
    # over-dispensing: a two-disease patient fetches the month's drug again at another
    # institution within ten days
    chronic = [v for v in visits if v.scenario.visit_type == "outpatient_chronic"
               and v.admitted < dec31 - datetime.timedelta(15)]  # fmt: skip
    for v in rng.sample(chronic, min(per_kind, len(chronic))):
        day = v.admitted + datetime.timedelta(days=rng.randint(2, 10))
        drugs = [
            ln for ln in v.lines if ln[4] and ln[0] and ln[2] in "AB" and _supply(world, ln) >= 28
        ]
        if not drugs:
            continue
        others = [i for i in world.places.level1 + world.places.level2 if i.pk != v.institution.pk]
        place = rng.choice(others) if others else v.institution
        again = _Visit(v.person, place, v.scenario, day, None, [(*drugs[0][:7], day)])
        again.plant = "over_dispensing"
        added.append(again)
    # a padding institution: every priced line at 1.5 times its ceiling, and more of it
    centres = sorted(world.places.centre.values(), key=lambda i: i.insurance_code)
    if centres:
        padder = centres[len(centres) // 2]
        for v in visits:
            if v.institution.pk == padder.pk:
                v.lines = [
                    (*ln[:3], ln[3] * 2, r2(ln[5] * Decimal("1.5")) if ln[5] else ln[4], *ln[5:])
                    for ln in v.lines
                ]
                if any(ln[5] for ln in v.lines):
                    v.plant = "over_ceiling"
        world.padder = padder
    # a bulk-swiping terminal: on a few days, a dozen residents' visits in minutes
    clinics = sorted(world.places.clinic.values(), key=lambda i: i.insurance_code)
    general = _scenario(world, "outpatient_general", "J06")
    if clinics and general:
        swiper = clinics[0]
        world.swiper = (swiper, f"{swiper.insurance_code}-T9")
        for _burst in range(max(1, per_kind // 4)):
            day = datetime.date(world.year, 1, 1) + datetime.timedelta(days=rng.randint(0, span))
            start = _moment(rng, day)
            for k, person in enumerate(rng.sample(adults, min(12, len(adults)))):
                v = _Visit(person, swiper, general, day, None, [])
                v.lines = _lines(world, rng, general, person, swiper, day, 1)
                if not v.lines:
                    continue
                v.terminal, v.at = world.swiper[1], start + datetime.timedelta(seconds=35 * k)
                v.plant = "bulk_swiping"
                added.append(v)
    return added


# ---------------------------------------------------------------- adjudication and writing


def _ids(model, n: int) -> list[int]:
    """Reserve n primary keys (PostgreSQL's identity sequence) so COPY can name them."""
    table = model._meta.db_table
    with connection.cursor() as c:
        c.execute(
            f"SELECT nextval(pg_get_serial_sequence('{table}', 'id'))"  # noqa: S608
            " FROM generate_series(1, %s)",
            [n],
        )
        return [r[0] for r in c.fetchall()]


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    table = model._meta.db_table
    with connection.cursor() as c:
        raw = c.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def write(world: World, visits: list[_Visit], rng: random.Random, result: Result, batch=5000):
    """Adjudicate in date order per person and write visits, lines and settlements."""
    visits.sort(key=lambda v: (v.person.id, v.discharged or v.admitted, v.admitted))
    ytd: dict[int, adjudication.YearToDate] = {}
    seq = Visit.objects.filter(his_visit_no__startswith=PREFIX).count()
    pg = connection.vendor == "postgresql"
    for start in range(0, len(visits), batch):
        chunk = visits[start : start + batch]
        vrows, frows, srows = [], [], []
        for v in chunk:
            seq += 1
            claim = adjudication.Claim(
                v.scenario.visit_type, v.institution.level, "ordinary",
                tuple(adjudication.ClaimLine(ln[0], ln[1], ln[2], ln[3], ln[4], ln[5], ln[6])
                      for ln in v.lines),
            )  # fmt: skip
            before = ytd.get(v.person.id, adjudication.YearToDate())
            try:
                paid = adjudication.adjudicate(world.plan, claim, before)
            except adjudication.ClaimError:
                continue
            ytd[v.person.id] = paid.ytd_after
            last = v.discharged or v.admitted
            at = v.at or _moment(rng, last)
            terminal = v.terminal or f"{v.institution.insurance_code}-T{rng.randint(1, 3)}"
            doctor = v.doctor or f"{v.institution.insurance_code}-D{rng.randint(1, 6)}"
            vrows.append((v, seq, doctor, last))
            frows.append(v.lines)
            srows.append((paid, at, terminal))
        if pg:
            _write_pg(world, vrows, frows, srows, result)
        else:
            _write_sqlite(world, vrows, frows, srows, result)


def _visit_row(world, v, seq, doctor):
    return Visit(
        person_id=v.person.id, institution_id=v.institution.pk, region_code=v.person.village,
        visit_type=v.scenario.visit_type, institution_level=v.institution.level,
        his_visit_no=f"{PREFIX}{world.year}-{seq:08d}", visit_date=v.admitted,
        discharge_date=v.discharged, diagnosis_code=v.scenario.diagnosis[0],
        diagnosis_name=v.scenario.diagnosis[1], status="settled", doctor_code=doctor,
    )  # fmt: skip


def _settlement_row(world, visit, paid, at, terminal, seq):
    return Settlement(
        visit_id=visit.pk, person_id=visit.person_id, institution_id=visit.institution_id,
        region_code=visit.region_code, plan_id=world.plan_row.pk, year=world.year,
        kind="settle", visit_type=visit.visit_type, person_category="ordinary",
        total=paid.total, self_pay=paid.self_pay, b_self_pay=paid.b_self_pay,
        eligible=paid.eligible, deductible=paid.deductible, basic_fund=paid.basic_fund,
        critical_illness=paid.critical_illness, assistance=paid.assistance,
        patient_pay=paid.patient_pay, result={"synthetic": True, "note": NOTE},
        idempotency_key=f"{PREFIX}{world.year}-{seq:08d}", request_hash="synthetic",
        settled_at=at, terminal=terminal, verification_code=secrets.token_hex(6).upper(),
    )  # fmt: skip


def _fee_row(visit_id, n, ln):
    code, name, cls, qty, price, ceiling, ratio, day = ln
    return FeeDetail(
        visit_id=visit_id, line_no=n, code=code, name=name, item_class=cls, quantity=qty,
        unit_price=price, ceiling=ceiling, b_self_ratio=ratio, fee_date=day,
    )  # fmt: skip


def _record(result, frows):
    for lines in frows:
        result.visits += 1
        result.settlements += 1
        result.lines += len(lines)


def _write_sqlite(world, vrows, frows, srows, result):
    with transaction.atomic():
        visits = Visit.objects.bulk_create(
            [_visit_row(world, v, seq, doctor) for v, seq, doctor, _ in vrows], batch_size=500
        )
        fees = [
            _fee_row(visit.pk, n, ln)
            for visit, lines in zip(visits, frows, strict=True)
            for n, ln in enumerate(lines, 1)
        ]
        FeeDetail.objects.bulk_create(fees, batch_size=1000)
        line_ids: dict[int, list[int]] = {}
        for fee in fees:
            line_ids.setdefault(fee.visit_id, []).append(fee.pk)
        rows = [
            _settlement_row(world, visit, paid, at, terminal, seq)
            for visit, (paid, at, terminal), (_, seq, _, _) in zip(
                visits, srows, vrows, strict=True
            )
        ]
        for row in rows:
            row.fee_line_ids = line_ids.get(row.visit_id, [])  # the lines settled
        settlements = Settlement.objects.bulk_create(rows, batch_size=500)
        # settled_at is auto_now_add: bulk_create stamps now; put the real moments back
        for s, (_, at, _) in zip(settlements, srows, strict=True):
            s.settled_at = at
        Settlement.objects.bulk_update(settlements, ["settled_at"], batch_size=500)
    for (v, *_), s in zip(vrows, settlements, strict=True):
        if v.plant:
            _mark(world, result, v, s.pk)
    _record(result, frows)


def _write_pg(world, vrows, frows, srows, result):
    vids = _ids(Visit, len(vrows))
    sids = _ids(Settlement, len(vrows))
    fids = _ids(FeeDetail, sum(len(lines) for lines in frows))
    vcols = ["id", "person_id", "institution_id", "region_code", "visit_type",
             "institution_level", "person_category", "his_visit_no", "visit_date",
             "discharge_date", "diagnosis_code", "diagnosis_name", "status", "created_at",
             "doctor_code"]  # fmt: skip
    now = timezone.now()
    visits = []
    for (v, seq, doctor, _), pk in zip(vrows, vids, strict=True):
        row = _visit_row(world, v, seq, doctor)
        row.pk = pk
        visits.append(row)
    fcols = ["id", "visit_id", "line_no", "code", "local_code", "name", "item_class",
             "quantity", "unit_price", "ceiling", "b_self_ratio", "fee_date",
             "override_reason", "overridden", "cancelled"]  # fmt: skip
    frow, k = [], 0
    for visit, lines in zip(visits, frows, strict=True):
        for n, (code, name, cls, qty, price, ceiling, ratio, day) in enumerate(lines, 1):
            frow.append((fids[k], visit.pk, n, code, "", name, cls, qty, price, ceiling, ratio,
                         day, "", "", False))  # fmt: skip
            k += 1
    scols = ["id", "visit_id", "person_id", "institution_id", "region_code", "plan_id", "year",
             "kind", "visit_type", "person_category", "total", "self_pay", "b_self_pay",
             "eligible", "deductible", "basic_fund", "critical_illness", "assistance",
             "patient_pay", "result", "idempotency_key", "request_hash", "settled_at",
             "terminal", "verification_code", "ytd_delta", "fee_line_ids",
             "review_findings"]  # fmt: skip
    json_columns = {"result", "ytd_delta", "fee_line_ids", "review_findings"}
    line_ids: dict[int, list[int]] = {}
    for row in frow:
        line_ids.setdefault(row[1], []).append(row[0])
    srow = []
    for visit, (paid, at, terminal), (_, seq, _, _), pk in zip(
        visits, srows, vrows, sids, strict=True
    ):
        s = _settlement_row(world, visit, paid, at, terminal, seq)
        s.fee_line_ids = line_ids.get(visit.pk, [])  # the lines settled, as the counter's
        srow.append(tuple([pk] + [
            json.dumps(getattr(s, c)) if c in json_columns else getattr(s, c)
            for c in scols[1:]
        ]))  # fmt: skip
    with transaction.atomic():
        _copy(Visit, vcols, [
            tuple(now if c == "created_at" else getattr(v, "pk" if c == "id" else c) for c in vcols)
            for v in visits
        ])  # fmt: skip
        _copy(FeeDetail, fcols, frow)
        _copy(Settlement, scols, srow)
    for (v, *_), pk in zip(vrows, sids, strict=True):
        if v.plant:
            _mark(world, result, v, pk)
    _record(result, frows)


def _mark(world, result, v, sid):
    if v.plant == "bulk_swiping":
        result.planted.subjects["bulk_swiping"].append(f"{v.terminal}@{v.admitted.isoformat()}")
    else:
        result.planted.claims[v.plant].append(sid)


def generate(
    county: str,
    year: int,
    *,
    residents: int | None,
    seed: int = 2026,
    per_kind: int | None = None,
    until: datetime.date | None = None,
) -> Result:
    """Generate and write the year (to `until`); plant fraud; write the manifest."""
    world = World(county, year, residents, until)
    rng = random.Random(f"{seed}:{county}:{year}:claims")  # noqa: S311
    visits = plan_year(world, rng)
    per_kind = per_kind if per_kind is not None else max(5, len(world.people) // 400)
    visits += plant(world, rng, visits, per_kind)
    result = Result(residents=len(world.people))
    write(world, visits, rng, result)
    if getattr(world, "padder", None) is not None:
        result.planted.subjects["peer_outlier"].append(world.padder.insurance_code)
    result.manifest = result.planted.save(county, year, merge=True)
    return result

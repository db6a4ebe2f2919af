"""`huimin seed-settlements`: a deterministic year of visits settled through the real
transactions, one transaction per day and a savepoint per visit."""

import bisect
import datetime
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core import crypto
from huimin.core.dates import age_on
from huimin.core.errors import DomainError
from huimin.core.money import r2
from huimin.insurance import plans
from huimin.insurance.catalog import rules as catalog_rules
from huimin.insurance.catalog.models import CatalogVersion
from huimin.insurance.enrollment.models import Enrollment, EnrollmentStatus
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.rules import LedgerError
from huimin.insurance.models import Settlement, SettlementKind, VisitType
from huimin.insurance.seed.plan import (
    DEFAULT_PER_DAY,
    KEY_PREFIX,
    SeedError,
    county_region,
)
from huimin.insurance.seed.scenarios import (
    REVERSAL_RATE,
    REVERSAL_REASONS,
    SCENARIOS,
    Item,
    Scenario,
)
from huimin.insurance.services import fees
from huimin.insurance.services.reversal import do_reverse
from huimin.insurance.services.settlement import do_settle
from huimin.insurance.services.visits import VisitData, do_discharge, do_register_visit
from huimin.registry import synthetic
from huimin.registry.models import (
    DesignationStatus,
    Institution,
    InstitutionKind,
    PersonStatus,
)

# ---------------------------------------------------------------- the run


@dataclass
class SettlementSeed:
    county: str
    year: int
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    settled: int = 0  # settlements standing at the end (re-settlements included)
    by_type: Counter = field(default_factory=Counter)
    reversals: int = 0
    refused: Counter = field(default_factory=Counter)  # machine code → visits left out
    skipped: str = ""  # why nothing was done


@dataclass
class SeedPerson:
    id: int
    benefits_from: datetime.date
    birth: datetime.date
    sex: str
    village: str
    death: datetime.date | None
    id_enc: str


class _Pool:
    """People ordered by the day their benefits start: those covered on a day are a prefix."""

    def __init__(self, people: list[SeedPerson]):
        self.people = sorted(people, key=lambda p: (p.benefits_from, p.id))
        self.starts = [p.benefits_from for p in self.people]

    def pick(self, rng: random.Random, day: datetime.date) -> SeedPerson | None:
        n = bisect.bisect_right(self.starts, day)
        for _ in range(5):  # the rare dead are drawn again
            if not n:
                return None
            p = self.people[rng.randrange(n)]
            if p.death is None or p.death > day:
                return p
        return None


class SeedCatalog:
    """The seeded catalog's versions by name, with the one in force on a day."""

    def __init__(self, names: set[str]):
        self.by_name: dict[str, list[CatalogVersion]] = {}
        rows = CatalogVersion.objects.filter(name__in=sorted(names)).select_related("item")
        for v in rows.order_by("name", "effective_from"):
            self.by_name.setdefault(v.name, []).append(v)

    def on(self, name: str, day: datetime.date) -> CatalogVersion | None:
        for v in self.by_name.get(name, ()):
            if v.effective_from <= day and (v.effective_to is None or v.effective_to >= day):
                return v
        return None


class SeedPlaces:
    """Where residents go: their village clinic, their township centre, a county hospital."""

    def __init__(self, county: str):
        rows = list(
            Institution.objects.within(county)
            .filter(designation_status=DesignationStatus.DESIGNATED)
            .exclude(level="")
            .order_by("insurance_code")
        )
        self.clinic = {i.region_id: i for i in rows if i.kind == InstitutionKind.VILLAGE_CLINIC}
        self.centre = {i.region_id: i for i in rows if i.kind == InstitutionKind.TOWNSHIP_CENTRE}
        self.level1 = [i for i in rows if i.level == "1"]
        hospitals = (InstitutionKind.COUNTY_HOSPITAL, InstitutionKind.TCM_HOSPITAL)
        self.level2 = [i for i in rows if i.level == "2" and i.kind in hospitals] or [
            i for i in rows if i.level == "2"
        ]

    def choose(self, rng: random.Random, scenario: Scenario, person: SeedPerson):
        levels = scenario.levels
        if "2" in levels and self.level2 and ("1" not in levels or rng.random() < 0.3):
            # The county hospital more often than the TCM hospital.
            return self.level2[0] if rng.random() < 0.75 else rng.choice(self.level2)
        if "1" not in levels:
            return None
        local = self.clinic.get(person.village)
        if scenario.visit_type == VisitType.INPATIENT or local is None or rng.random() < 0.35:
            local = self.centre.get(person.village[:9]) or local
        return local or (rng.choice(self.level1) if self.level1 else None)


def _moment(rng: random.Random, day: datetime.date) -> datetime.datetime:
    at = datetime.time(rng.randint(8, 16), rng.randint(0, 59), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _not_after_now(at: datetime.datetime) -> datetime.datetime:
    # Today's visits happen in office hours that may not have come yet.
    return min(at, timezone.now())


class _Run:
    def __init__(self, county: str, year: int, seed: int, result: SettlementSeed, reversals):
        self.county, self.year, self.seed, self.result = county, year, seed, result
        self.reversal_rate = reversals
        plan_row = plans.active_plan_for(county, year)
        if plan_row is None:
            raise SeedError(f"{county} {year}年度没有生效的结算方案：先运行 huimin seed-plan")
        self.visit_types = set(plans.parsed(plan_row).visit_types)
        self.scenarios = [s for s in SCENARIOS if s.visit_type in self.visit_types]
        self.weights = [s.weight for s in self.scenarios]
        self.places = SeedPlaces(county)
        self.catalog = SeedCatalog({n for s in self.scenarios for i in s.items for n in i.names})
        self.pools = self._pools()
        self.numbers: dict[int, str] = {}
        self.stamps: dict[int, datetime.datetime] = {}  # settlement id → settled_at
        self.reversed: dict[int, datetime.datetime] = {}  # settlement id → reversed_at

    def _pools(self) -> dict[str, _Pool]:
        rows = (
            Enrollment.objects.within(self.county)
            .filter(
                year=self.year, status=EnrollmentStatus.PAID, person__status=PersonStatus.ACTIVE
            )
            .order_by("person_id")
            .values_list(
                "person_id",
                "benefits_from",
                "person__birth_date",
                "person__sex",
                "person__village_id",
                "person__death_date",
                "person__id_number_enc",
            )
        )
        people = [SeedPerson(*row) for row in rows]
        if not people:
            raise SeedError(
                f"{self.county} {self.year}年度没有已缴费的参保人：先运行 huimin seed-enrollment"
            )
        jan1 = datetime.date(self.year, 1, 1)
        older = [p for p in people if age_on(p.birth, jan1) >= 50]
        # The two-disease visits (hypertension, diabetes) are a third of the over-50s'.
        rng = random.Random(f"{self.seed}:{self.county}:{self.year}:chronic")  # noqa: S311
        chronic = [p for p in older if rng.random() < 0.35] or older
        grave = rng.sample(older, min(len(older), max(3, len(older) // 2000)))
        women = [p for p in people if p.sex == "2" and 20 <= age_on(p.birth, jan1) <= 40]
        return {
            "all": _Pool(people),
            "older": _Pool(older or people),
            "chronic": _Pool(chronic or people),
            "grave": _Pool(grave or people),
            "women": _Pool(women or people),
        }

    def id_number(self, person: SeedPerson) -> str:
        # What the hospital reads from the resident's card; the run's audit record says so.
        number = self.numbers.get(person.id)
        if number is None:
            number = crypto.decrypt(person.id_enc, context="person.id_number")
            self.numbers[person.id] = number
        return number

    # ------------------------------------------------------------ one day

    def day(self, day: datetime.date, count: int) -> int:
        rng = random.Random(f"{self.seed}:{self.county}:{day.isoformat()}")  # noqa: S311
        n = 0
        with transaction.atomic():
            for i in range(1, count + 1):
                scenario = rng.choices(self.scenarios, self.weights)[0]
                person = self.pools[scenario.pool].pick(rng, day)
                if person is None:
                    continue
                n += self.visit(rng, day, i, scenario, person)
            self._restamp()
        return n

    def visit(self, rng, day, i: int, scenario: Scenario, person: SeedPerson) -> int:
        institution = self.places.choose(rng, scenario, person)
        if institution is None:
            self.result.refused["no_institution"] += 1
            return 0
        level = institution.level
        admitted = day
        if scenario.visit_type == VisitType.INPATIENT:
            stay = rng.randint(*scenario.stay)
            first = max(datetime.date(self.year, 1, 1), person.benefits_from)
            admitted = max(first, day - datetime.timedelta(days=stay))
        days = max(1, (day - admitted).days)
        lines = self.lines(rng, scenario, person, level, admitted, days)
        if not lines:
            self.result.refused["no_lines"] += 1
            return 0
        stamp = day.strftime("%Y%m%d")
        visit_no = f"{'ZY' if scenario.visit_type == VisitType.INPATIENT else 'MZ'}{stamp}{i:04d}"
        key = f"{KEY_PREFIX}{stamp}-{i:04d}"
        moment = _moment(rng, day)
        stamps: dict[int, datetime.datetime] = {}
        reversed_at: dict[int, datetime.datetime] = {}
        try:
            with transaction.atomic():
                do_register_visit(
                    institution,
                    VisitData(
                        id_number=self.id_number(person),
                        visit_type=scenario.visit_type,
                        his_visit_no=visit_no,
                        visit_date=admitted,
                        diagnosis_code=scenario.diagnosis[0],
                        diagnosis_name=scenario.diagnosis[1],
                    ),
                )
                fees.do_upload_fees(institution, visit_no, lines)
                if scenario.visit_type == VisitType.INPATIENT:
                    do_discharge(institution, visit_no, day)
                settlement, _ = do_settle(institution, visit_no, key, {})
                stamps[settlement.pk] = moment
                if rng.random() < self.reversal_rate:
                    self.reverse_and_settle_again(
                        rng,
                        institution,
                        (visit_no, key, len(lines)),
                        settlement,
                        stamps,
                        reversed_at,
                    )
        except (DomainError, LedgerError) as exc:
            # A refused visit is left out and counted. LedgerError: a settlement the
            # funds pay nothing towards used to make do_settle post an empty entry.
            self.result.refused[getattr(exc, "code", type(exc).__name__)] += 1
            return 0
        # Only now: a visit rolled back leaves no settlements to restamp.
        self.stamps.update(stamps)
        self.reversed.update(reversed_at)
        self.result.settled += 1
        self.result.by_type[scenario.visit_type] += 1
        return 1

    def reverse_and_settle_again(self, rng, institution, visit, settlement, stamps, reversed_at):
        """2208, then 2205 (the last line withdrawn) and 2207 again, minutes later."""
        visit_no, key, n = visit
        reason = rng.choice(REVERSAL_REASONS)
        reversal, _ = do_reverse(institution, settlement.pk, f"{key}-r", reason)
        later = stamps[settlement.pk] + datetime.timedelta(minutes=rng.randint(5, 40))
        stamps[reversal.pk] = reversed_at[settlement.pk] = later
        if n > 1:
            fees.do_cancel_fees(institution, visit_no, [n])
        again, _ = do_settle(institution, visit_no, f"{key}-2", {})
        stamps[again.pk] = later + datetime.timedelta(minutes=rng.randint(1, 5))
        self.result.reversals += 1

    def lines(self, rng, scenario, person, level, admitted, days) -> list:
        age = age_on(person.birth, admitted)
        out = []
        for item in scenario.items:
            if rng.random() >= item.p:
                continue
            names = list(item.names)
            if item.any_of:
                rng.shuffle(names)
            qty = Decimal(rng.randint(*item.qty) * (days if item.per_day else 1))
            for name in names:
                version = self.catalog.on(name, admitted)
                if version is None or catalog_rules.check_line(
                    version,
                    sex=person.sex,
                    age=age,
                    institution_level=level,
                    quantity=qty,
                    days=days,
                ):
                    continue
                price = self.price(rng, version, item)
                if price is not None:
                    out.append(
                        fees.FeeLineData(code=version.item.code, quantity=qty, unit_price=price)
                    )
                break
        return out

    @staticmethod
    def price(rng, version: CatalogVersion, item: Item) -> Decimal | None:
        if version.ceiling is not None:
            # Mostly at the ceiling; now and then above it (the excess is the patient's).
            factor = rng.choices(("1.00", "1.10", "0.90"), (85, 10, 5))[0]
            return r2(version.ceiling * Decimal(factor))
        if item.price is None:
            return None
        return r2(Decimal(item.price) * Decimal(rng.randint(90, 110)) / 100)

    def _restamp(self) -> None:
        """Move the day's settlements and their ledger entries to the day they happened."""
        if not self.stamps:
            return
        self.stamps = {pk: _not_after_now(at) for pk, at in self.stamps.items()}
        self.reversed = {pk: _not_after_now(at) for pk, at in self.reversed.items()}
        rows = [Settlement(pk=pk, settled_at=at) for pk, at in self.stamps.items()]
        Settlement.objects.bulk_update(rows, ["settled_at"], batch_size=500)
        if self.reversed:
            rows = [Settlement(pk=pk, reversed_at=at) for pk, at in self.reversed.items()]
            Settlement.objects.bulk_update(rows, ["reversed_at"], batch_size=500)
        # A settlement's entry is keyed on it; a reversal's entry on the settlement reversed.
        when = {(str(pk), "settle"): at for pk, at in self.stamps.items()}
        when.update({(str(pk), "reverse"): at for pk, at in self.reversed.items()})
        entries = JournalEntry.objects.filter(
            source_type="settlement", source_id__in=sorted({k for k, _ in when})
        ).only("pk", "source_id", "purpose")
        changed = []
        for entry in entries:
            at = when.get((entry.source_id, entry.purpose))
            if at is not None:
                entry.posted_at = at
                changed.append(entry)
        JournalEntry.objects.bulk_update(changed, ["posted_at"], batch_size=500)
        self.stamps.clear()
        self.reversed.clear()


def visits_on(day: datetime.date, per_day: int, seed: int, county: str) -> int:
    """How many visits a day brings: fewer at weekends, a little noise, deterministic."""
    rng = random.Random(f"{seed}:{county}:{day.isoformat()}:count")  # noqa: S311
    factor = 0.75 if day.weekday() >= 5 else 1.1
    return round(per_day * factor * rng.uniform(0.85, 1.15))


def seed_settlements(
    year: int,
    *,
    county: str = synthetic.DEFAULT_COUNTY,
    per_day: int = DEFAULT_PER_DAY,
    seed: int = 2026,
    until: datetime.date | None = None,
    reversal_rate: float = REVERSAL_RATE,
    progress: Callable[[int, int], None] | None = None,
) -> SettlementSeed:
    """Settle about `per_day` visits a day from 1 January to `until` (default today).

    Skipped when the county has settlements for the year that the seed did not write;
    when it has only seeded ones, carries on from the day after the last seeded day
    (days are whole transactions), so running it again is safe and later catches up.
    `progress(done, total)` is called after each day.
    """
    if per_day < 1:
        raise SeedError("--per-day 至少为1")
    if not (0 <= reversal_rate <= 1):
        raise SeedError("冲正比例应在0到1之间")
    county_region(county)
    result = SettlementSeed(county, year)
    today = timezone.localdate()
    last = min(until or today, today, datetime.date(year, 12, 31))
    first = datetime.date(year, 1, 1)
    if last < first:
        result.skipped = f"{year}年度还没有可生成的日子（截至{last}）"
        return result
    settlements = Settlement.objects.within(county).filter(year=year)
    if settlements.exclude(idempotency_key__startswith=KEY_PREFIX).exists():
        result.skipped = f"{county} {year}年度已有结算记录，不再生成演示结算"
        return result
    done = (
        settlements.filter(kind=SettlementKind.SETTLE, idempotency_key__startswith=KEY_PREFIX)
        .order_by("-idempotency_key")
        .values_list("idempotency_key", flat=True)
        .first()
    )
    if done:
        first = datetime.datetime.strptime(done[len(KEY_PREFIX) :][:8], "%Y%m%d").date()
        first += datetime.timedelta(days=1)
    if first > last:
        result.skipped = f"{county} {year}年度的演示结算已生成至{last}"
        return result
    run = _Run(county, year, seed, result, reversal_rate)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    counts = [visits_on(d, per_day, seed, county) for d in days]
    total, finished = sum(counts), 0
    result.first_day, result.last_day = first, last
    for day, count in zip(days, counts, strict=True):
        run.day(day, count)
        finished += count
        if progress:
            progress(finished, total)
    with transaction.atomic():
        record(
            action="unmask",
            object_type="insurance.seed",
            object_id=f"{county}:{year}",
            region_code=county,
            fields=["id_number"],
            changes={"people": [None, len(run.numbers)]},
            purpose="合成结算数据：模拟定点机构读卡",
        )
        record(
            action="create",
            object_type="insurance.seed",
            object_id=f"{county}:{year}",
            region_code=county,
            changes={
                "settled": [None, result.settled],
                "reversals": [None, result.reversals],
                "days": [None, f"{first}..{last}"],
            },
            purpose="合成数据",
        )
    return result

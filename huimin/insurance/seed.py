"""Demo data for settlement: the county's plan, and a year of settlements.

`huimin seed-plan` uploads the demo plan (demo_plan.yaml, a copy of the shared example
with the county as its region) as the demo officer and activates it as a second
officer, through `plans.do_upload_plan` / `plans.do_activate_plan`: the demo shows the
four-eyes rule kept, not bypassed.

`huimin seed-settlements` walks the days of a year up to today and, for each, settles a
deterministic handful of visits of insured residents through the real transactions —
`do_register_visit` (2201/2401), `do_upload_fees` (2204/2301), `do_discharge` (2402),
`do_settle` (2207/2304) and now and then `do_reverse` (2208/2305) — so what the demo
shows (settlements, fund-ledger entries, accumulators, audit records) is what the
counter would have written. Each day is one transaction and each visit a savepoint in
it, so a refused visit leaves nothing behind and an interrupted run leaves whole days.

The services stamp settlements and ledger entries with the time they run. A year
seeded in a minute would then sit in one day of every list and one month of clearing
(which selects settlements by `settled_at`), so after each day the seed moves
`Settlement.settled_at` (and a reversed settlement's `reversed_at`) and the entries'
`JournalEntry.posted_at` to a time on the day the visit ended (never later than now).
Amounts, accumulators and the ledger's balances do not depend on those stamps. The
audit records keep the real time (the chain cannot be rewritten), which shows that the
data was seeded.
"""

import bisect
import datetime
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from huimin.audit.services import record
from huimin.core.dates import age_on
from huimin.core.errors import DomainError
from huimin.core.money import r2
from huimin.insurance import fees, plans, services
from huimin.insurance.catalog import rules as catalog_rules
from huimin.insurance.catalog.models import CatalogVersion
from huimin.insurance.enrollment.models import Enrollment, EnrollmentStatus
from huimin.insurance.ledger.models import JournalEntry
from huimin.insurance.ledger.rules import LedgerError
from huimin.insurance.models import Settlement, SettlementKind
from huimin.policy import has_perm
from huimin.registry import synthetic
from huimin.registry.models import (
    DesignationStatus,
    Institution,
    InstitutionKind,
    PersonStatus,
    Region,
    RegionLevel,
)

DEMO_PLAN = Path(__file__).with_name("demo_plan.yaml")
UPLOADER = "officer"  # from `huimin demo_accounts`
REVIEWER = "officer2"  # also from `huimin demo_accounts`: the second pair of eyes
KEY_PREFIX = "seed-"  # idempotency keys: seed-YYYYMMDD-NNNN[-r|-2]
DEFAULT_PER_DAY = 8  # ~2,600 settlements by late November, about a minute


class SeedError(ValueError):
    pass


# ---------------------------------------------------------------- the plan


@dataclass
class PlanSeed:
    plan: object
    created: bool


def demo_plan_document(county: str, year: int, county_name: str) -> str:
    """The demo plan's YAML for a county and year (name, region and year lines rewritten)."""
    text = DEMO_PLAN.read_text(encoding="utf-8")
    name = f"{county_name}城乡居民医保{year}年度结算方案（演示）"
    for pattern, line in (
        (r"^plan: .*$", f'plan: "{name}"'),
        (r'^region: "\d+"', f'region: "{county}"'),
        (r"^year: \d{4}", f"year: {year}"),
    ):
        text, n = re.subn(pattern, line, text, count=1, flags=re.MULTILINE)
        if n != 1:
            raise SeedError(f"{DEMO_PLAN.name} 缺少 {pattern} 一行")
    return text


def _county(county: str) -> Region:
    region = Region.objects.filter(code=county, level=RegionLevel.COUNTY).first()
    if region is None:
        raise SeedError(f"{county} 不是已载入的县级区划代码")
    return region


def is_synthetic(county: str) -> bool:
    below = Region.objects.filter(prefix__startswith=county).exclude(code=county)
    return below.filter(source=synthetic.SOURCE).exists()


def _officer(username: str):
    user = get_user_model().objects.filter(username=username).select_related("staff").first()
    if user is None or not has_perm(user, "institution.write"):
        raise SeedError(f"缺少可上传、启用方案的经办账号 {username}：先运行 huimin demo_accounts")
    return user


def seed_plan(county: str, year: int, *, force: bool = False) -> PlanSeed:
    """Upload and activate the demo plan unless the county already has one for the year."""
    region = _county(county)
    existing = plans.active_plan_for(county, year)
    if existing is not None:
        return PlanSeed(existing, created=False)
    if not force and not is_synthetic(county):
        raise SeedError(
            f"{region.name}（{county}）没有合成数据：演示方案只用于 huimin generate 生成的县"
            "（确认不是生产环境后可加 --force）"
        )
    document = demo_plan_document(county, year, region.name)
    uploader = _officer(UPLOADER)
    with transaction.atomic():
        reviewer = _officer(REVIEWER)
        row = plans.do_upload_plan(uploader, document, note="演示方案（huimin seed-plan）")
        row = plans.do_activate_plan(reviewer, row.pk)
    return PlanSeed(row, created=True)


# ---------------------------------------------------------------- what people come in with


@dataclass(frozen=True)
class Item:
    """A fee line of a scenario: the first catalog name usable at the institution's level
    (or, with `any_of`, a random one of them)."""

    names: tuple[str, ...]
    qty: tuple[int, int] = (1, 1)
    price: str | None = None  # unit price for items without a ceiling in the catalog
    per_day: bool = False  # quantity is per day of the stay
    p: float = 1.0  # probability the line is on the bill
    any_of: bool = False


def _i(names, qty=(1, 1), price=None, **kw) -> Item:
    return Item(tuple(names) if isinstance(names, list | tuple) else (names,), qty, price, **kw)


CONSULT = _i(["一般诊疗费（基层）", "普通门诊诊查费"])
BED = _i(["床位费（二级）", "床位费（一级）", "床位费（三级）"], per_day=True)
WARD_ROUND = _i("住院诊查费", per_day=True)


@dataclass(frozen=True)
class Scenario:
    visit_type: str
    diagnosis: tuple[str, str]
    levels: tuple[str, ...]
    items: tuple[Item, ...]
    weight: int
    pool: str = "all"  # all / older (50+) / chronic / grave (of the older) / women (20–40)
    stay: tuple[int, int] = (0, 0)  # inpatient days


SCENARIOS: tuple[Scenario, ...] = (
    # 普通门诊 at township centres and village clinics.
    Scenario(
        "outpatient_general",
        ("J06.900", "急性上呼吸道感染"),
        ("1",),
        (
            CONSULT,
            _i("阿莫西林胶囊", (12, 24), "0.32"),
            _i("感冒清热颗粒", (6, 12), "1.20", p=0.7),
            _i("对乙酰氨基酚片", (6, 10), "0.08", p=0.5),
            _i("连花清瘟胶囊", (24, 36), "0.55", p=0.3),
            _i("血常规（五分类）", p=0.4),
        ),
        40,
    ),
    Scenario(
        "outpatient_general",
        ("K52.900", "急性胃肠炎"),
        ("1",),
        (
            CONSULT,
            _i("蒙脱石散", (6, 9), "1.60"),
            _i("奥美拉唑肠溶胶囊", (7, 14), "0.45"),
            _i("葡萄糖氯化钠注射液", (1, 2), "5.80", p=0.5),
            _i("静脉输液（第一组）", p=0.5),
            _i("一次性使用输液器", p=0.5),
            _i("粪便常规", p=0.4),
        ),
        16,
    ),
    Scenario(
        "outpatient_general",
        ("J20.900", "急性支气管炎"),
        ("1",),
        (
            CONSULT,
            _i("盐酸氨溴索片", (20, 30), "0.25"),
            _i("头孢氨苄胶囊", (18, 24), "0.35"),
            _i("复方甘草片", (24, 36), "0.06", p=0.6),
            _i("雾化吸入", (1, 3), p=0.5),
            _i("一次性雾化器", p=0.4),
            _i("胸部X线摄影（DR）", p=0.3),
        ),
        16,
    ),
    Scenario(
        "outpatient_general",
        ("M54.500", "腰痛"),
        ("1",),
        (
            CONSULT,
            _i("普通针刺", (1, 3)),
            _i("推拿（局部）", (1, 3)),
            _i("拔罐（火罐）", (1, 2), p=0.5),
            _i("艾灸", (1, 2), p=0.4),
            _i("布洛芬缓释胶囊", (10, 20), "0.45", p=0.7),
        ),
        10,
    ),
    Scenario(
        "outpatient_general",
        ("S61.900", "手部开放性伤口"),
        ("1",),
        (
            CONSULT,
            _i("清创缝合（小）"),
            _i("换药（小）", (1, 3)),
            _i("医用脱脂纱布", (4, 10)),
            _i("一次性使用无菌注射器", (1, 2)),
            _i("莫匹罗星软膏", price="12.50", p=0.5),
        ),
        6,
    ),
    Scenario(
        "outpatient_general",
        ("H10.900", "结膜炎"),
        ("1",),
        (
            CONSULT,
            _i("左氧氟沙星滴眼液", (1, 2), "8.50"),
            _i("红霉素眼膏", price="3.20", p=0.5),
        ),
        5,
    ),
    Scenario(
        "outpatient_general",
        ("Z00.000", "健康体检"),
        ("1",),
        (
            _i("健康体检（套餐）", price="120.00"),  # class C: all self-pay
            _i("血常规（五分类）"),
            _i("尿常规"),
            _i("常规心电图", p=0.5),
        ),
        3,
    ),
    # 两病门诊: hypertension and diabetes, mostly older people, every month or so.
    Scenario(
        "outpatient_chronic",
        ("I10.x00", "原发性高血压"),
        ("1", "2"),
        (
            CONSULT,
            _i(
                ["苯磺酸氨氯地平片", "硝苯地平缓释片", "厄贝沙坦片", "缬沙坦胶囊"],
                (28, 56),
                "0.55",
                any_of=True,
            ),
            _i("酒石酸美托洛尔片", (28, 56), "0.20", p=0.3),
            _i("阿司匹林肠溶片", (30, 30), "0.15", p=0.3),
            _i("氢氯噻嗪片", (30, 30), "0.05", p=0.2),
            _i("常规心电图", p=0.2),
            _i("血脂四项", p=0.15),
            _i("肾功能", p=0.15),
        ),
        18,
        pool="chronic",
    ),
    Scenario(
        "outpatient_chronic",
        ("E11.900", "2型糖尿病"),
        ("1", "2"),
        (
            CONSULT,
            _i("盐酸二甲双胍片", (60, 90), "0.12"),
            _i("格列美脲片", (28, 28), "0.60", p=0.4),
            _i("阿卡波糖片", (60, 90), "0.55", p=0.3),
            _i("血糖测定", p=0.6),
            _i("糖化血红蛋白测定", p=0.25),
            _i("血糖试纸", (50, 50), p=0.3),
        ),
        10,
        pool="chronic",
    ),
    # Admissions: county hospitals (level 2) and township centres (level 1).
    Scenario(
        "inpatient",
        ("J18.900", "肺炎"),
        ("1", "2"),
        (
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            # Level-restricted items first: the first one usable at the level is billed.
            _i(["注射用哌拉西林钠他唑巴坦钠", "注射用头孢曲松钠"], (2, 3), "6.80", per_day=True),
            _i("氯化钠注射液", (1, 2), "3.50", per_day=True),
            _i("静脉输液（第一组）", per_day=True),
            _i("血常规（五分类）", (2, 3)),
            _i("C反应蛋白测定", (1, 2)),
            _i(["胸部CT平扫", "胸部X线摄影（DR）"]),
            _i("盐酸氨溴索注射液", (1, 2), per_day=True, p=0.5),
        ),
        6,
        stay=(5, 10),
    ),
    Scenario(
        "inpatient",
        ("J44.100", "慢性阻塞性肺病伴急性加重"),
        ("1", "2"),
        (
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("吸氧", (8, 16), per_day=True),
            _i("雾化吸入", (2, 2), per_day=True),
            _i("布地奈德吸入剂", (1, 2)),
            _i("氨茶碱片", (3, 3), "0.05", per_day=True),
            _i(["注射用头孢他啶", "注射用头孢曲松钠"], (2, 2), "6.80", per_day=True),
            _i("血常规（五分类）", (2, 3)),
            _i("胸部X线摄影（DR）"),
        ),
        3,
        pool="older",
        stay=(6, 12),
    ),
    Scenario(
        "inpatient",
        ("K35.900", "急性阑尾炎"),
        ("2",),
        (
            _i("阑尾切除术"),
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("注射用头孢曲松钠", (2, 2), "6.80", per_day=True),
            _i("甲硝唑氯化钠注射液", (1, 2), "4.20", per_day=True),
            _i("腹部B超"),
            _i("血常规（五分类）", (2, 3)),
            _i("凝血功能四项"),
            _i("可吸收性外科缝线", (1, 2)),
        ),
        2,
        stay=(5, 8),
    ),
    Scenario(
        "inpatient",
        ("I63.900", "脑梗死"),
        ("2",),
        (
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("头颅CT平扫"),
            _i("头颅磁共振平扫", p=0.6),
            _i("注射用血塞通（冻干）", (1, 2), per_day=True),
            _i("阿司匹林肠溶片", price="0.15", per_day=True),
            _i("阿托伐他汀钙片", per_day=True),
            _i("偏瘫肢体综合训练", per_day=True, p=0.6),
            _i("低分子量肝素钙注射液", per_day=True, p=0.5),
        ),
        2,
        pool="older",
        stay=(10, 18),
    ),
    Scenario(
        "inpatient",
        ("O80.000", "单胎顺产"),
        ("1", "2"),
        (
            _i("经阴道分娩接生"),
            _i("缩宫素注射液", (1, 2), "2.50"),
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("血常规（五分类）"),
            _i("妇科B超"),
            _i("葡萄糖氯化钠注射液", (2, 3), "5.80"),
        ),
        2,
        pool="women",
        stay=(2, 4),
    ),
    Scenario(
        "inpatient",
        ("H25.900", "老年性白内障"),
        ("2",),
        (
            _i("白内障超声乳化摘除术"),
            _i("人工晶状体（折叠）"),
            BED,
            _i("二级护理", per_day=True),
            WARD_ROUND,
            _i("左氧氟沙星滴眼液", (2, 2), "8.50"),
            _i("常规心电图"),
            _i("血常规（五分类）"),
        ),
        2,
        pool="older",
        stay=(2, 4),
    ),
    Scenario(
        "inpatient",
        ("S72.000", "股骨颈骨折"),
        ("2",),
        (
            _i("人工髋关节假体"),
            _i("重症监护床位费", (1, 3)),
            BED,
            _i("一级护理", per_day=True),
            WARD_ROUND,
            _i("人血白蛋白", (2, 4)),
            _i("中心静脉导管包"),
            _i("胸部CT平扫"),
            _i("低分子量肝素钙注射液", per_day=True),
            _i("血常规（五分类）", (3, 5)),
        ),
        1,
        pool="older",
        stay=(12, 20),
    ),
    # A few very ill residents, admitted again and again: the critical-illness tier.
    Scenario(
        "inpatient",
        ("J18.900", "重症肺炎"),
        ("2",),
        (
            _i("重症监护床位费", (4, 8)),
            BED,
            _i("特级护理", per_day=True),
            WARD_ROUND,
            _i("人血白蛋白", (24, 40)),
            _i("注射用哌拉西林钠他唑巴坦钠", (3, 3), per_day=True),
            _i("吸氧", (16, 24), per_day=True),
            _i("中心静脉导管包"),
            _i("胸部CT平扫", (2, 3)),
            _i("血常规（五分类）", (5, 8)),
        ),
        1,
        pool="grave",
        stay=(15, 25),
    ),
)

REVERSAL_RATE = 0.015
REVERSAL_REASONS = ("收费员录入错误，冲正后重新结算", "患者对费用有异议，核对后重新结算")


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
class _Person:
    id: int
    benefits_from: datetime.date
    birth: datetime.date
    sex: str
    village: str
    death: datetime.date | None
    id_enc: str


class _Pool:
    """People ordered by the day their benefits start: those covered on a day are a prefix."""

    def __init__(self, people: list[_Person]):
        self.people = sorted(people, key=lambda p: (p.benefits_from, p.id))
        self.starts = [p.benefits_from for p in self.people]

    def pick(self, rng: random.Random, day: datetime.date) -> _Person | None:
        n = bisect.bisect_right(self.starts, day)
        for _ in range(5):  # the rare dead are drawn again
            if not n:
                return None
            p = self.people[rng.randrange(n)]
            if p.death is None or p.death > day:
                return p
        return None


class _Catalog:
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


class _Places:
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

    def choose(self, rng: random.Random, scenario: Scenario, person: _Person):
        levels = scenario.levels
        if "2" in levels and self.level2 and ("1" not in levels or rng.random() < 0.3):
            # The county hospital more often than the TCM hospital.
            return self.level2[0] if rng.random() < 0.75 else rng.choice(self.level2)
        if "1" not in levels:
            return None
        local = self.clinic.get(person.village)
        if scenario.visit_type == "inpatient" or local is None or rng.random() < 0.35:
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
        self.places = _Places(county)
        self.catalog = _Catalog({n for s in self.scenarios for i in s.items for n in i.names})
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
        people = [_Person(*row) for row in rows]
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

    def id_number(self, person: _Person) -> str:
        # What the hospital reads from the resident's card; the run's audit record says so.
        number = self.numbers.get(person.id)
        if number is None:
            from huimin.core import crypto

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

    def visit(self, rng, day, i: int, scenario: Scenario, person: _Person) -> int:
        institution = self.places.choose(rng, scenario, person)
        if institution is None:
            self.result.refused["no_institution"] += 1
            return 0
        level = institution.level
        admitted = day
        if scenario.visit_type == "inpatient":
            stay = rng.randint(*scenario.stay)
            first = max(datetime.date(self.year, 1, 1), person.benefits_from)
            admitted = max(first, day - datetime.timedelta(days=stay))
        days = max(1, (day - admitted).days)
        lines = self.lines(rng, scenario, person, level, admitted, days)
        if not lines:
            self.result.refused["no_lines"] += 1
            return 0
        stamp = day.strftime("%Y%m%d")
        visit_no = f"{'ZY' if scenario.visit_type == 'inpatient' else 'MZ'}{stamp}{i:04d}"
        key = f"{KEY_PREFIX}{stamp}-{i:04d}"
        moment = _moment(rng, day)
        stamps: dict[int, datetime.datetime] = {}
        reversed_at: dict[int, datetime.datetime] = {}
        try:
            with transaction.atomic():
                services.do_register_visit(
                    institution,
                    services.VisitData(
                        id_number=self.id_number(person),
                        visit_type=scenario.visit_type,
                        his_visit_no=visit_no,
                        visit_date=admitted,
                        diagnosis_code=scenario.diagnosis[0],
                        diagnosis_name=scenario.diagnosis[1],
                    ),
                )
                fees.do_upload_fees(institution, visit_no, lines)
                if scenario.visit_type == "inpatient":
                    services.do_discharge(institution, visit_no, day)
                settlement, _ = services.do_settle(institution, visit_no, key, {})
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
        reversal, _ = services.do_reverse(institution, settlement.pk, f"{key}-r", reason)
        later = stamps[settlement.pk] + datetime.timedelta(minutes=rng.randint(5, 40))
        stamps[reversal.pk] = reversed_at[settlement.pk] = later
        if n > 1:
            fees.do_cancel_fees(institution, visit_no, [n])
        again, _ = services.do_settle(institution, visit_no, f"{key}-2", {})
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
    _county(county)
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

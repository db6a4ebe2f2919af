"""A synthetic county for demos, tests and benchmarks, deterministic from a seed.

Two halves:

* `CountyGenerator` is pure: from (county, residents, seed, as-of date) and one
  `random.Random(seed)` it plans townships, villages and institutions, then yields
  households village by village as plain dataclass rows. Same inputs, same rows, on any
  machine — tests compare two runs without a database.
* `write_county` is the only part that touches the database: bulk inserts in batches,
  all inside one transaction, so an interrupted run leaves nothing half-written.

Demographic shape (rural central China, 2020 census orders of magnitude): households
of 1-7 people, mean about 3; about 22% aged 60+, about 16% under 15; three-generation
and "left-behind" (grandparents with grandchildren) households; spouses mostly married
in from the same county. A person's ID number carries the address code in force when
it was issued (DESIGN.md §3) and is unique per (address, birth date, sex) through its
sequence digits.
"""

from __future__ import annotations

import datetime
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from faker.providers.person.zh_CN import Provider as _FakerNames
from stdnum.cn import uscc

from huimin.core import idnumber
from huimin.core.idnumber import SEX_FEMALE, SEX_MALE
from huimin.registry import rules

DEFAULT_COUNTY = "430522"  # 新邵县 (邵阳市, 湖南省): in force since 1983, loaded by migration 0002
DEFAULT_RESIDENTS = 10_000
DEFAULT_SEED = 2026

SOURCE = "synthetic"
DEATH_WINDOW_YEARS = 3  # deaths are recorded over the registry's last three years
DEATH_REASON = "死亡注销"
DUPLICATE_RATE = 0.0003  # people registered twice (typo in the number), per resident

# ---------------------------------------------------------------- plain rows


@dataclass(frozen=True, slots=True)
class RegionRow:
    code: str
    name: str
    level: str
    parent: str
    prefix: str


@dataclass(frozen=True, slots=True)
class InstitutionRow:
    key: str  # stable within a plan: "county_hospital", "centre:<township>", "clinic:<village>"
    name: str
    kind: str
    level: str
    region: str
    parent: str | None  # key of the parent institution
    sequence: int  # the 5-digit part of the insurance code
    credit_code: str
    designated_from: datetime.date
    address: str

    def insurance_code(self, county: str) -> str:
        return f"H{county}{self.sequence:05d}"


@dataclass(slots=True)
class PersonRow:
    key: int  # position in the county, stable for a seed
    name: str
    sex: str
    birth_date: datetime.date
    id_number: str
    ethnicity: str
    phone: str
    village: str
    resident_type: str
    death_date: datetime.date | None = None


@dataclass(slots=True)
class MemberRow:
    person: int  # PersonRow.key
    relation: str
    joined_on: datetime.date
    left_on: datetime.date | None = None
    reason: str = ""


@dataclass(slots=True)
class HouseholdRow:
    number: str
    village: str
    address: str
    head: int | None  # PersonRow.key; None once every member has died
    members: list[MemberRow]


@dataclass(frozen=True, slots=True)
class CategoryRow:
    person: int
    category: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    note: str = ""


@dataclass
class VillageBatch:
    village: str
    people: list[PersonRow] = field(default_factory=list)
    households: list[HouseholdRow] = field(default_factory=list)
    categories: list[CategoryRow] = field(default_factory=list)
    duplicates: int = 0


# ---------------------------------------------------------------- name pools

_SURNAMES = list(_FakerNames.last_names)
_SURNAME_CUM = list(itertools.accumulate(_FakerNames.last_names.values()))
_MALE_MID = list(_FakerNames.first_names_male)
_FEMALE_MID = list(_FakerNames.first_names_female)
# Given names change with the decade: older villagers are 建国 and 秀英, children 子轩 and 梓涵.
_MALE_OLD = (
    "建国 建军 国庆 国强 德明 富贵 长生 有才 志明 金山 福生 桂生 海清 "
    "春生 秋生 正华 永福 树林 德胜 满生 新民 光明 卫东 解放 爱民"
).split()
_FEMALE_OLD = (
    "秀英 桂英 桂兰 秀兰 玉兰 凤英 翠花 淑珍 春梅 冬梅 玉珍 美华 菊香 "
    "桂香 满秀 月娥 金莲 腊梅 秋菊 玉梅 淑华 爱华 桂芝 春兰 小妹"
).split()
_MALE_YOUNG = (
    "浩然 子轩 宇轩 梓豪 俊杰 博文 子豪 浩宇 一鸣 天佑 睿 铭 泽宇 皓轩 "
    "宇航 思远 嘉豪 梓睿 锦程 俊熙 明轩 奕辰 乐天 家豪"
).split()
_FEMALE_YOUNG = (
    "梓涵 子涵 欣怡 雨桐 诗涵 可馨 梦瑶 思琪 语嫣 欣妍 一诺 紫萱 雨欣 "
    "佳怡 若曦 心怡 梓萱 艺涵 诗琪 雨涵 佳琪 梦琪 安琪 语桐"
).split()
_MALE_MIDDLE = list("建志国海小晓春文红利永新金德明伟立云家卫")
_FEMALE_MIDDLE = list("丽玉秀美雪亚小晓春红金桂月海艳素爱翠")
_MALE_ONE = [n for n in _MALE_MID if len(n) == 1]
_FEMALE_ONE = [n for n in _FEMALE_MID if len(n) == 1]

# Place-name stems in the local style (冲, 坪, 塘, 坳 are Hunan hill-country words).
_PLACE_FIRST = list(
    "龙石白金青长新太高桃梅大小马黄潭严雀花寸巨迎罗杨柳竹枫槐茶坪田水双三五清和丰安"
)
_PLACE_SECOND = list("溪塘山江口桥田坪冲岭源湾铺市洲峰阳湖坳林园庄院台")
_PLACE_CLAN_END = list("坊湾冲坪铺桥塘")
_COMMUNITY_STEMS = (
    "城东 城西 城南 城北 新华 人民 建设 解放 红旗 和平 东风 向阳 滨江 文化 育才 金桥 "
    "站前 朝阳 迎宾 龙山"
).split()
_PHONE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 157 158 159 173 177 "
    "180 181 182 183 185 186 187 188 189 191 199"
).split()
_MINORITIES = ["06", "13", "15", "12", "03"]  # 苗 瑶 土家 侗 回: the minorities of south-west Hunan
# Other provinces migrant workers come from (江西 广东 广西 贵州 四川 湖北 重庆 福建 浙江).
_FAR_PROVINCES = ["36", "44", "45", "52", "51", "42", "50", "35", "33"]
_PHARMACY_NAMES = ["惠民大药房", "康宁药店", "仁济堂药店", "百草堂大药房", "福寿堂药店"]

# Household size 1..7: rural mean about 3 persons.
_SIZES = [1, 2, 3, 4, 5, 6, 7]
_SIZE_WEIGHTS = [14, 26, 23, 18, 11, 6, 2]
# Annual probability of death by age (upper bound exclusive), about 0.7% overall.
_MORTALITY = [(1, 0.005), (40, 0.0008), (60, 0.004), (70, 0.012), (80, 0.035), (90, 0.09)]
_MORTALITY_OLDEST = 0.2


@cache
def name_pinyin(name: str) -> tuple[str, str]:
    """(initials, full) — cached: names repeat and pypinyin costs ~50 µs a call."""
    return rules.pinyin_initials(name)[:50], rules.pinyin_full(name)[:200]


def org_code_check(body8: str) -> str:
    """GB 11714 organisation-code check character for an 8-digit body."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    c = 11 - sum(int(d) * w for d, w in zip(body8, weights, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_credit_code(rng: random.Random, authority_type: str, region: str) -> str:
    """A GB 32100 unified social credit code: authority+type, region, org code, check."""
    body8 = f"{rng.randrange(10**8):08d}"
    base = f"{authority_type}{region[:6]}{body8}{org_code_check(body8)}"
    return base + uscc.calc_check_digit(base)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _between(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    if end <= start:
        return start
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


# ---------------------------------------------------------------- address codes


@dataclass(frozen=True)
class _Code:
    code: str
    name: str
    start: int
    end: int

    def in_force(self, year: int) -> bool:
        return self.start <= year <= self.end


def _load_codes(counties: list[dict] | None) -> list[_Code]:
    if counties is None:
        from huimin.registry.regions import stdnum_counties

        counties = stdnum_counties()
    out = []
    for c in counties:
        code = c["code"]
        # City rows (xx00) and 市辖区 (xx01) were not issued as ID address codes.
        if rules.region_level(code) != "county" or code.endswith("01"):
            continue
        out.append(_Code(code, c["name"], c["valid_from"] or 1980, c["valid_to"] or 9999))
    return out


class _AddressCodes:
    """Which address code an ID number issued in a given year could carry."""

    def __init__(self, rng: random.Random, host: str, counties: list[dict] | None):
        self.rng = rng
        self.host = host
        codes = _load_codes(counties)
        self.by_code = {c.code: c for c in codes}
        self.host_code = self.by_code.get(host) or _Code(host, "", 1980, 9999)
        self.city = [c for c in codes if c.code[:4] == host[:4] and c.code != host]
        self.province = [c for c in codes if c.code[:2] == host[:2] and c.code[:4] != host[:4]]
        self.far = {p: [c for c in codes if c.code[:2] == p] for p in _FAR_PROVINCES}
        self.far = {p: v for p, v in self.far.items() if v}
        self.all_far = [c for v in self.far.values() for c in v]

    @staticmethod
    def issue_year(rng: random.Random, birth: datetime.date) -> int:
        # Numbers were first issued 1984-1990 to adults; since then at birth registration.
        return rng.randint(1985, 1990) if birth.year < 1985 else birth.year

    def _pick(self, pool: list[_Code], year: int) -> str | None:
        for _ in range(20):
            c = self.rng.choice(pool)
            if c.in_force(year):
                return c.code
        live = [c for c in pool if c.in_force(year)]
        return self.rng.choice(live).code if live else None

    def native(self, year: int) -> str:
        if self.host_code.in_force(year):
            return self.host
        # The county was created or renamed later (邵东县 430521 → 邵东市 430582): older
        # natives keep the predecessor's code, found by the shared name stem.
        stem = self.host_code.name[:2]
        same = [c for c in self.city if c.name.startswith(stem) and c.in_force(year)]
        return (same[0].code if same else None) or self._pick(self.city, year) or self.host

    def neighbour(self, year: int) -> str:
        return self._pick(self.city, year) or self.native(year)

    def province_code(self, year: int) -> str:
        return self._pick(self.province, year) or self.neighbour(year)

    def far_home(self) -> str:
        """A migrant family's home province (first two digits)."""
        return self.rng.choice(sorted(self.far)) if self.far else self.host[:2]

    def far_code(self, province: str, year: int) -> str:
        # A province may be younger than the number (重庆 50 dates from 1997; before, 51).
        return (
            self._pick(self.far.get(province, []), year)
            or self._pick(self.all_far, year)
            or self.province_code(year)
        )


class _IDNumbers:
    """Unique ID numbers: each (address, birth date, sex) gets distinct sequence slots.

    Natives of the host county use sequences 000-799 and everyone else 800-999, so a
    second county generated into the same database never reissues this county's
    natives' numbers to its migrants (the writer still checks the rare remaining clash).
    """

    NATIVE_SLOTS = (0, 400)
    OTHER_SLOTS = (400, 100)

    def __init__(self, rng: random.Random, host: str):
        self.rng = rng
        self.host = host
        self.used: dict[str, int] = {}  # key → bitmask of used slots

    def issue(self, address: str, birth: datetime.date, sex: str) -> str:
        lo, n = self.NATIVE_SLOTS if address == self.host else self.OTHER_SLOTS
        key = f"{address}{birth:%Y%m%d}{sex}"
        mask = self.used.get(key, 0)
        if mask.bit_count() >= n:
            raise RuntimeError(f"序列号已用尽：{key}")
        while True:
            slot = lo + self.rng.randrange(n)
            if not mask >> slot & 1:
                break
        self.used[key] = mask | (1 << slot)
        # Odd sequence for men, even for women (GB 11643).
        return idnumber.make(address, birth, slot * 2 + (1 if sex == SEX_MALE else 0), sex)


# ---------------------------------------------------------------- the generator


@dataclass(slots=True)
class _Draft:
    """A household member before the ID number is issued."""

    relation: str
    sex: str
    birth: datetime.date
    surname: str
    origin: str  # native / neighbour / province / far
    joined_on: datetime.date | None = None
    death: datetime.date | None = None


class CountyGenerator:
    """Plans a county from a seed; `batches()` yields its people village by village."""

    def __init__(
        self,
        county: str = DEFAULT_COUNTY,
        residents: int = DEFAULT_RESIDENTS,
        seed: int = DEFAULT_SEED,
        *,
        as_of: datetime.date,
        county_name: str = "",
        divisions: list[tuple[str, str]] | None = None,
        counties: list[dict] | None = None,
    ):
        """`divisions`: existing (code, name) townships and villages to fill instead of
        inventing them (e.g. an office's imported official sheet); `counties`: the
        stdnum county list (loaded when None)."""
        if residents < 1:
            raise ValueError("residents must be at least 1")
        self.county = county
        self.residents = residents
        self.seed = seed
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.codes = _AddressCodes(self.rng, county, counties)
        self.county_name = county_name or self.codes.host_code.name or county
        self.ids = _IDNumbers(self.rng, county)
        if divisions:
            self.townships, self.villages = self._existing_divisions(divisions)
            self.new_regions = False
        else:
            self.townships, self.villages = self._plan_divisions()
            self.new_regions = True
        self.institutions = self._plan_institutions()
        self._names = {r.code: r.name for r in [*self.townships, *self.villages]}
        self._keys = itertools.count()

    # -------------------------------------------------------- divisions

    def _existing_divisions(self, divisions):
        townships, villages = [], []
        for code, name in sorted(divisions):
            row = RegionRow(
                code,
                name,
                rules.region_level(code),
                rules.region_parent_code(code),
                rules.region_prefix(code),
            )
            (townships if len(code) == 9 else villages).append(row)
        if not villages:
            raise ValueError("该县已有乡级区划但没有村级区划，无法安置居民")
        return townships, villages

    def _place_name(self, used: set[str], suffix: str) -> str:
        rng = self.rng
        for _ in range(1000):
            if rng.random() < 0.2:
                stem = self._surname() + "家" + rng.choice(_PLACE_CLAN_END)
            else:
                stem = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
            if stem not in used:
                used.add(stem)
                return stem + suffix
        raise RuntimeError("地名用尽")

    def _plan_divisions(self) -> tuple[list[RegionRow], list[RegionRow]]:
        """Townships and villages scaled to the residents: ~1,500 residents a village,
        ~18 villages a township, 2-25 townships (a real county has 15-25)."""
        rng = self.rng
        n_villages = max(4, round(self.residents / 1500))
        n_townships = max(2, min(25, round(n_villages / 18)))
        n_streets = n_townships // 8  # a big county seat is split into 街道
        n_xiang = round((n_townships - n_streets) * 0.25)
        n_towns = n_townships - n_streets - n_xiang
        kinds = ["street"] * n_streets + ["town"] * n_towns + ["xiang"] * n_xiang
        # Village counts per township, varying ±40% around the mean.
        weights = [rng.uniform(0.6, 1.4) for _ in kinds]
        counts = _apportion(n_villages, weights, minimum=1)
        used: set[str] = set()
        townships, villages = [], []
        next_code = {"street": 1, "town": 100, "xiang": 200}
        suffix = {"street": "街道", "town": "镇", "xiang": "乡"}
        for kind, count in zip(kinds, counts, strict=True):
            code = f"{self.county}{next_code[kind]:03d}"
            next_code[kind] += 1
            townships.append(self._region(code, self._place_name(used, suffix[kind])))
            # Streets hold only 社区 (居委会, 001-); towns a community or two and villages
            # (村委会, 201-); 乡 only villages.
            communities = count if kind == "street" else min(count - 1, rng.randint(1, 2))
            if kind == "xiang":
                communities = 0
            for i in range(count):
                if i < communities:
                    vcode = f"{code}{i + 1:03d}"
                    stem = rng.choice(_COMMUNITY_STEMS)
                    name = f"{stem}社区" if stem not in used else self._place_name(used, "社区")
                    used.add(stem)
                else:
                    vcode = f"{code}{201 + i - communities:03d}"
                    name = self._place_name(used, "村")
                villages.append(self._region(vcode, name))
        return townships, villages

    def _region(self, code: str, name: str) -> RegionRow:
        return RegionRow(
            code,
            name,
            rules.region_level(code),
            rules.region_parent_code(code),
            rules.region_prefix(code),
        )

    def region_rows(self) -> list[RegionRow]:
        """The rows to insert (townships first); empty when filling existing divisions."""
        return [*self.townships, *self.villages] if self.new_regions else []

    # -------------------------------------------------------- institutions

    def _plan_institutions(self) -> list[InstitutionRow]:
        rng = self.rng
        cname = self.county_name
        rows: list[InstitutionRow] = []
        seq = itertools.count(1)

        def add(key, name, kind, level, region, parent, authority, since, address):
            rows.append(
                InstitutionRow(
                    key=key,
                    name=name,
                    kind=kind,
                    level=level,
                    region=region,
                    parent=parent,
                    sequence=next(seq),
                    credit_code=make_credit_code(rng, authority, self.county),
                    designated_from=since,
                    address=address,
                )
            )

        seat = self.townships[0].name if self.townships else ""
        hospitals = [
            ("county_hospital", "人民医院"),
            ("tcm_hospital", "中医医院"),
        ]
        if self.residents >= 20_000:
            hospitals.append(("maternal_child_hospital", "妇幼保健院"))
        for kind, title in hospitals:
            since = _between(rng, datetime.date(2004, 1, 1), datetime.date(2008, 12, 31))
            road = rng.choice(["人民路", "建设路", "解放路", "新华路", "沿江路"])
            address = f"{cname}{seat}{road}{rng.randint(1, 300)}号"
            add(kind, f"{cname}{title}", kind, "2", self.county, None, "12", since, address)
        for i, name in enumerate(_PHARMACY_NAMES[: 2 + self.residents // 200_000]):
            since = _between(rng, datetime.date(2012, 1, 1), datetime.date(2020, 12, 31))
            address = f"{cname}{seat}{rng.randint(1, 300)}号"
            add(
                f"pharmacy:{i}",
                f"{cname}{name}",
                "pharmacy",
                "",
                self.county,
                None,
                "91",
                since,
                address,
            )
        township_names = {t.code: t.name for t in self.townships}
        for t in self.townships:
            street = t.name.endswith("街道")
            title = "社区卫生服务中心" if street else "卫生院"
            since = _between(rng, datetime.date(2005, 1, 1), datetime.date(2010, 12, 31))
            add(
                f"centre:{t.code}",
                f"{cname}{t.name}{title}",
                "township_health_centre",
                "1",
                t.code,
                None,
                "12",
                since,
                f"{cname}{t.name}",
            )
        for v in self.villages:
            tname = township_names.get(v.code[:9], "")
            title = "卫生服务站" if v.name.endswith("社区") else "卫生室"
            since = _between(rng, datetime.date(2012, 1, 1), datetime.date(2021, 12, 31))
            parent = f"centre:{v.code[:9]}" if v.code[:9] in township_names else None
            add(
                f"clinic:{v.code}",
                f"{tname}{v.name}{title}",
                "village_clinic",
                "1",
                v.code,
                parent,
                "52",
                since,
                f"{cname}{tname}{v.name}",
            )
        return rows

    # -------------------------------------------------------- people

    def _surname(self, clans: list[str] | None = None) -> str:
        rng = self.rng
        if clans and rng.random() < 0.45:  # clan villages: a few surnames dominate
            return rng.choice(clans)
        return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]

    def _given(self, sex: str, birth_year: int) -> str:
        rng = self.rng
        male = sex == SEX_MALE
        if birth_year < 1965 and rng.random() < 0.6:
            return rng.choice(_MALE_OLD if male else _FEMALE_OLD)
        if birth_year >= 1995 and rng.random() < 0.6:
            return rng.choice(_MALE_YOUNG if male else _FEMALE_YOUNG)
        if rng.random() < 0.5:
            middle = rng.choice(_MALE_MIDDLE if male else _FEMALE_MIDDLE)
            return middle + rng.choice(_MALE_ONE if male else _FEMALE_ONE)
        return rng.choice(_MALE_MID if male else _FEMALE_MID)

    def _birth(self, age: float) -> datetime.date:
        days = int((max(age, 0) + self.rng.random()) * 365.2425)
        return self.as_of - datetime.timedelta(days=days)

    def _age(self, birth: datetime.date) -> int:
        a = self.as_of
        return a.year - birth.year - ((a.month, a.day) < (birth.month, birth.day))

    def _family(self, size: int, clans: list[str]) -> list[_Draft]:
        """Members of one household: relation codes (GB/T 4761), sexes, birth dates."""
        rng = self.rng
        r = rng.random()
        if size == 1:
            if r < 0.6:
                return self._couple(
                    rng.triangular(60, 96, 74), spouse=False, female_head=0.55, clans=clans
                )
            return self._couple(
                rng.triangular(20, 60, 35), spouse=False, female_head=0.25, clans=clans
            )
        if size == 2:
            if r < 0.45:
                return self._couple(rng.triangular(60, 92, 70), clans=clans)
            if r < 0.70:
                return self._couple(rng.uniform(40, 60), clans=clans)
            if r < 0.85:
                return self._couple(
                    rng.uniform(35, 65), spouse=False, children=1, female_head=0.4, clans=clans
                )
            return self._left_behind(1, spouse=False, clans=clans)
        plans: dict[int, list[tuple[float, Callable[[], list[_Draft]]]]] = {
            3: [
                (0.55, lambda: self._couple(rng.uniform(28, 66), children=1, clans=clans)),
                (0.72, lambda: self._left_behind(1, clans=clans)),
                (1.00, lambda: self._couple(rng.uniform(28, 50), parents=1, clans=clans)),
            ],
            4: [
                (0.45, lambda: self._couple(rng.uniform(32, 60), children=2, clans=clans)),
                (
                    0.65,
                    lambda: self._couple(rng.uniform(28, 50), children=1, parents=1, clans=clans),
                ),
                (0.80, lambda: self._left_behind(2, clans=clans)),
                (1.00, lambda: self._stem(0, clans)),
            ],
            5: [
                (0.45, lambda: self._stem(1, clans)),
                (
                    0.80,
                    lambda: self._couple(rng.uniform(30, 50), children=2, parents=1, clans=clans),
                ),
                (1.00, lambda: self._couple(rng.uniform(36, 60), children=3, clans=clans)),
            ],
            6: [
                (0.60, lambda: self._stem(2, clans)),
                (
                    1.00,
                    lambda: self._couple(rng.uniform(30, 48), children=2, parents=2, clans=clans),
                ),
            ],
            7: [
                (0.70, lambda: self._stem(3, clans)),
                (
                    1.00,
                    lambda: self._couple(rng.uniform(33, 50), children=3, parents=2, clans=clans),
                ),
            ],
        }
        for bound, make in plans[min(size, 7)]:
            if r < bound:
                return make()
        raise AssertionError("unreachable")

    def _married_in(self) -> str:
        r = self.rng.random()
        return "native" if r < 0.75 else "neighbour" if r < 0.90 else "province"

    def _head_origin(self) -> str:
        r = self.rng.random()
        return "native" if r < 0.96 else "neighbour" if r < 0.99 else "province"

    def _children(self, mother_age: float, n: int, surname: str, mother_surname: str):
        """n children of a mother aged `mother_age`, eldest first, 2-6 years apart."""
        rng = self.rng
        out = []
        gap = rng.uniform(21, 29)
        for _ in range(n):
            age = mother_age - gap
            if age < 0:
                age = rng.uniform(0, 2)
            sex = SEX_MALE if rng.random() < 0.53 else SEX_FEMALE
            own = mother_surname if rng.random() < 0.05 else surname
            out.append(
                _Draft("20" if sex == SEX_MALE else "30", sex, self._birth(age), own, "native")
            )
            gap += rng.uniform(2, 6)
        return out

    def _couple(
        self, head_age, *, spouse=True, children=0, parents=0, female_head=0.12, clans=None
    ) -> list[_Draft]:
        """A head (and spouse), their children, and the head's parents."""
        rng = self.rng
        head_sex = SEX_FEMALE if rng.random() < female_head else SEX_MALE
        head_surname = self._surname(clans)
        head = _Draft("02", head_sex, self._birth(head_age), head_surname, self._head_origin())
        members = [head]
        husband_surname = head_surname
        mother_age = head_age
        if spouse:
            s_sex = SEX_MALE if head_sex == SEX_FEMALE else SEX_FEMALE
            diff = rng.triangular(-2, 7, 2)  # husbands a couple of years older
            s_age = head_age - diff if head_sex == SEX_MALE else head_age + diff
            s_surname = self._surname()
            members.append(_Draft("10", s_sex, self._birth(s_age), s_surname, self._married_in()))
            if head_sex == SEX_MALE:
                mother_age, mother_surname = s_age, s_surname
            else:
                husband_surname, mother_surname = s_surname, head_surname
        else:
            mother_surname = self._surname() if head_sex == SEX_MALE else head_surname
            if head_sex == SEX_FEMALE:
                husband_surname = self._surname()
        members += self._children(mother_age, children, husband_surname, mother_surname)
        father_age = head_age + rng.uniform(22, 32)
        for i in range(parents):
            # One parent left: more often the mother (women live longer).
            sex = (
                (SEX_MALE, SEX_FEMALE)[i]
                if parents == 2
                else (SEX_FEMALE if rng.random() < 0.65 else SEX_MALE)
            )
            age = father_age if sex == SEX_MALE else father_age - rng.triangular(-2, 6, 2)
            surname = head_surname if sex == SEX_MALE else self._surname()
            members.append(_Draft("50", sex, self._birth(age), surname, "native"))
        return members

    def _left_behind(self, grandchildren: int, *, spouse=True, clans=None) -> list[_Draft]:
        """Grandparents raising grandchildren while the parents work in the cities."""
        rng = self.rng
        members = self._couple(rng.uniform(55, 75), spouse=spouse, female_head=0.3, clans=clans)
        head = members[0]
        surname = head.surname if head.sex == SEX_MALE else self._surname()
        for _ in range(grandchildren):
            sex = SEX_MALE if rng.random() < 0.53 else SEX_FEMALE
            members.append(_Draft("40", sex, self._birth(rng.uniform(0, 15)), surname, "native"))
        return members

    def _stem(self, grandchildren: int, clans: list[str]) -> list[_Draft]:
        """Three generations: elderly head and spouse, a married son (or daughter with a
        son-in-law), and the young couple's children."""
        rng = self.rng
        son_age = rng.uniform(24, 42)
        mother_age = son_age + rng.uniform(21, 32)
        head_age = mother_age + rng.triangular(-2, 7, 2)
        members = self._couple(head_age, clans=clans, female_head=0.05)
        head, wife = members[0], members[1]
        if rng.random() < 0.9:
            child = _Draft("20", SEX_MALE, self._birth(son_age), head.surname, "native")
            partner = _Draft(
                "80",
                SEX_FEMALE,
                self._birth(son_age - rng.triangular(-2, 6, 2)),
                self._surname(),
                self._married_in(),
            )
            young_mother, family_surname = partner, child.surname
        else:  # 上门女婿: the daughter stays, her husband joins her family
            child = _Draft("30", SEX_FEMALE, self._birth(son_age), head.surname, "native")
            partner = _Draft(
                "80",
                SEX_MALE,
                self._birth(son_age + rng.triangular(-2, 6, 2)),
                self._surname(),
                self._married_in(),
            )
            young_mother = child
            family_surname = head.surname if rng.random() < 0.5 else partner.surname
        members += [child, partner]
        mother_age = self._age(young_mother.birth)
        for g in self._children(mother_age, grandchildren, family_surname, wife.surname):
            g.relation = "40"
            members.append(g)
        return members

    # -------------------------------------------------------- households

    def _join_dates(self, members: list[_Draft]) -> None:
        """When each member entered the household: founding date, or birth if later."""
        rng = self.rng
        head = members[0]
        earliest = max(datetime.date(1990, 1, 1), _safe_date(head.birth, 20))
        founded = _between(rng, earliest, max(earliest, self.as_of - datetime.timedelta(days=90)))
        founded = min(founded, self.as_of)
        for m in members:
            if m.relation == "80":  # married in: at about 23-30
                m.joined_on = max(founded, _safe_date(m.birth, rng.randint(22, 30)))
            else:
                m.joined_on = max(founded, m.birth)
            m.joined_on = min(m.joined_on, self.as_of)

    def _mortality(self, age: int) -> float:
        for bound, q in _MORTALITY:
            if age < bound:
                return q
        return _MORTALITY_OLDEST

    def _deaths(self, members: list[_Draft]) -> None:
        """Deaths over the last DEATH_WINDOW_YEARS, by age. A head dies only when a
        spouse can take over or nobody is left, so relation codes stay true."""
        rng = self.rng
        window = _years_before(self.as_of, DEATH_WINDOW_YEARS)

        def dies(m: _Draft) -> bool:
            q = self._mortality(self._age(m.birth))
            return rng.random() < 1 - (1 - q) ** DEATH_WINDOW_YEARS

        for m in members[1:]:
            if dies(m):
                m.death = _between(rng, max(window, m.joined_on, m.birth), self.as_of)
        head = members[0]
        if dies(head):
            spouse_alive = any(m.relation == "10" and m.death is None for m in members)
            others_alive = any(m.death is None for m in members[1:])
            if spouse_alive or not others_alive:
                head.death = _between(rng, max(window, head.joined_on, head.birth), self.as_of)

    def _phone(self, age: int) -> str:
        rng = self.rng
        share = 0.0 if age < 18 else 0.6 if age < 75 else 0.2
        if rng.random() >= share:
            return ""
        return rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def _issue(self, d: _Draft, far_province: str | None) -> str:
        year = self.codes.issue_year(self.rng, d.birth)
        if far_province:
            address = self.codes.far_code(far_province, year)
        elif d.origin == "native":
            address = self.codes.native(year)
        elif d.origin == "neighbour":
            address = self.codes.neighbour(year)
        else:
            address = self.codes.province_code(year)
        return self.ids.issue(address, d.birth, d.sex)

    def _household(
        self, village: RegionRow, number: int, size: int, clans, migrant: bool, batch: VillageBatch
    ) -> None:
        rng = self.rng
        drafts = self._family(size, clans)
        self._join_dates(drafts)
        self._deaths(drafts)
        ethnicity = "01" if rng.random() < 0.975 else rng.choice(_MINORITIES)
        far = self.codes.far_home() if migrant else None
        members: list[MemberRow] = []
        keys: list[int] = []
        for d in drafts:
            key = next(self._keys)
            keys.append(key)
            own_ethnicity = (
                ethnicity if d.relation not in ("10", "80") or rng.random() < 0.9 else "01"
            )
            batch.people.append(
                PersonRow(
                    key=key,
                    name=d.surname + self._given(d.sex, d.birth.year),
                    sex=d.sex,
                    birth_date=d.birth,
                    id_number=self._issue(d, far),
                    ethnicity=own_ethnicity,
                    phone=self._phone(self._age(d.birth)) if d.death is None else "",
                    village=village.code,
                    resident_type="non_huji" if migrant else "huji",
                    death_date=d.death,
                )
            )
            members.append(
                MemberRow(
                    person=key,
                    relation=d.relation,
                    joined_on=d.joined_on,
                    left_on=d.death,
                    reason=DEATH_REASON if d.death else "",
                )
            )
        head = keys[0]
        if drafts[0].death is not None:
            # The widowed spouse becomes head (or nobody: the household is closed).
            head = None
            for m, d in zip(members, drafts, strict=True):
                if d.relation == "10" and d.death is None:
                    m.relation, head = "02", m.person
        tname = self._names.get(village.code[:9], "")
        address = f"{self.county_name}{tname}{village.name}{rng.randint(1, 12)}组{number}号"
        batch.households.append(
            HouseholdRow(
                number=rules.household_number(village.code, number),
                village=village.code,
                address=address,
                head=head,
                members=members,
            )
        )
        self._categories(drafts, keys, migrant, batch)

    def _categories(self, drafts, keys, migrant: bool, batch: VillageBatch) -> None:
        """Special groups. 低保 and 监测 go to whole households, 特困 mostly to elderly
        people living alone, 残疾 by age. Rates are of living people in force on as_of."""
        rng = self.rng
        if migrant:  # assistance follows the 户籍; only disability is recorded
            household_groups: list[str] = []
        else:
            household_groups = []
            r = rng.random()
            if r < 0.057:
                household_groups.append("dibao")
            elif r < 0.062:
                household_groups.append("poverty_monitoring")
        alone_elder = len(drafts) == 1 and self._age(drafts[0].birth) >= 60
        if (
            not migrant
            and not household_groups
            and ((alone_elder and rng.random() < 0.5) or rng.random() < 0.003)
        ):
            individual = "tekun"
        else:
            individual = None
        for i, (d, key) in enumerate(zip(drafts, keys, strict=True)):
            groups = list(household_groups)
            if individual and i == 0:
                groups.append(individual)
            age = self._age(d.birth)
            if rng.random() < (0.005 if age < 18 else 0.015 if age < 60 else 0.045):
                groups.append("disabled")
            for g in groups:
                batch.categories.append(self._category_row(key, g, d))

    def _category_row(self, key: int, category: str, d: _Draft) -> CategoryRow:
        rng = self.rng
        start = max(d.birth, datetime.date(2014, 1, 1))
        end = d.death or self.as_of
        valid_from = _between(rng, start, max(start, end - datetime.timedelta(days=30)))
        valid_to = d.death
        if valid_to is None and category != "disabled" and rng.random() < 0.08:
            # Some left the group again (income rose, review); their record stays.
            valid_to = _between(rng, valid_from, self.as_of - datetime.timedelta(days=1))
            valid_to = max(valid_to, valid_from)
        return CategoryRow(key, category, valid_from, valid_to)

    def _duplicate(self, village: RegionRow, number: int, batch: VillageBatch) -> bool:
        """Plant one likely duplicate: a living adult registered again under a mistyped
        sequence number, as a one-person household of the same village."""
        rng = self.rng
        adults = [
            p
            for p in batch.people
            if p.death_date is None and p.resident_type == "huji" and self._age(p.birth_date) >= 18
        ]
        if not adults:
            return False
        original = rng.choice(adults)
        address = original.id_number[:6]
        key = next(self._keys)
        batch.people.append(
            PersonRow(
                key=key,
                name=original.name,
                sex=original.sex,
                birth_date=original.birth_date,
                id_number=self.ids.issue(address, original.birth_date, original.sex),
                ethnicity=original.ethnicity,
                phone=original.phone,
                village=village.code,
                resident_type="huji",
            )
        )
        joined = _between(rng, datetime.date(2018, 1, 1), self.as_of)
        batch.households.append(
            HouseholdRow(
                number=rules.household_number(village.code, number),
                village=village.code,
                address=f"{self.county_name}{village.name}{rng.randint(1, 12)}组{number}号",
                head=key,
                members=[MemberRow(key, "02", max(joined, original.birth_date))],
            )
        )
        batch.duplicates += 1
        return True

    def quotas(self) -> list[int]:
        weights = [
            self.rng.uniform(0.6, 1.4) * (1.6 if v.name.endswith("社区") else 1.0)
            for v in self.villages
        ]
        return _apportion(self.residents, weights, minimum=0)

    def batches(self) -> Iterator[VillageBatch]:
        """People, households and categories, one village at a time (call once)."""
        rng = self.rng
        quotas = self.quotas()
        for village, quota in zip(self.villages, quotas, strict=True):
            batch = VillageBatch(village.code)
            clans = [self._surname() for _ in range(rng.randint(1, 3))]
            community = village.name.endswith("社区")
            migrant_share = 0.06 if community else 0.01
            expected = quota * DUPLICATE_RATE
            dups = int(expected) + (rng.random() < expected - int(expected))
            if village is self.villages[0] and quota >= 50:
                dups = max(dups, 1)  # even a small demo shows the duplicates page working
            remaining = quota - dups
            number = 0
            while remaining > 0:
                size = min(rng.choices(_SIZES, weights=_SIZE_WEIGHTS)[0], remaining)
                number += 1
                migrant = rng.random() < migrant_share
                before = len(batch.people)
                self._household(village, number, size, clans, migrant, batch)
                remaining -= len(batch.people) - before
            for _ in range(dups):
                number += 1
                if not self._duplicate(village, number, batch):
                    # No living adult to copy: an ordinary one-person household instead.
                    self._household(village, number, 1, clans, False, batch)
            yield batch


def _safe_date(birth: datetime.date, years: int) -> datetime.date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return birth.replace(year=birth.year + years, day=28)


def _apportion(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` in proportion to weights (largest remainder), each at least minimum."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError("total too small for the minimum")
    s = sum(weights)
    raw = [spare * w / s for w in weights]
    out = [minimum + math.floor(x) for x in raw]
    left = total - sum(out)
    order = sorted(range(n), key=lambda i: raw[i] - math.floor(raw[i]), reverse=True)
    for i in order[:left]:
        out[i] += 1
    return out


def generate_all(generator: CountyGenerator) -> VillageBatch:
    """Every village's rows in one batch (small runs and tests)."""
    out = VillageBatch(village="")
    for b in generator.batches():
        out.people += b.people
        out.households += b.households
        out.categories += b.categories
        out.duplicates += b.duplicates
    return out


# ---------------------------------------------------------------- writing


@dataclass
class WriteResult:
    townships: int = 0
    villages: int = 0
    institutions: int = 0
    households: int = 0
    people: int = 0
    deceased: int = 0
    categories: int = 0
    duplicates: int = 0
    seconds: float = 0.0


def write_county(
    generator: CountyGenerator,
    *,
    batch_size: int = 5000,
    progress: bool | None = None,
    progress_file=None,
) -> WriteResult:
    """Insert the generated county in one transaction, in bulk batches of people."""
    from django.db import transaction
    from tqdm import tqdm

    from huimin.registry.models import Person

    started = time.perf_counter()
    result = WriteResult()
    check_existing = Person.objects.exists()  # only then can a migrant's number clash
    with transaction.atomic():
        _write_regions(generator, result)
        _write_institutions(generator, result)
        bar = tqdm(
            total=generator.residents,
            unit="人",
            disable=None if progress is None else not progress,  # None: only on a terminal
            file=progress_file,
            desc="写入居民",
            mininterval=0.5,
        )
        with bar:
            pending = VillageBatch(village="")
            for b in generator.batches():
                pending.people += b.people
                pending.households += b.households
                pending.categories += b.categories
                pending.duplicates += b.duplicates
                if len(pending.people) >= batch_size:
                    _write_batch(generator, pending, result, check_existing)
                    bar.update(len(pending.people))
                    pending = VillageBatch(village="")
            if pending.people:
                _write_batch(generator, pending, result, check_existing)
                bar.update(len(pending.people))
    result.seconds = time.perf_counter() - started
    return result


def _write_regions(generator: CountyGenerator, result: WriteResult) -> None:
    from huimin.registry.models import Region

    rows = generator.region_rows()
    for level in ("township", "village"):
        objs = [
            Region(
                code=r.code,
                name=r.name,
                level=r.level,
                parent_id=r.parent,
                prefix=r.prefix,
                source=SOURCE,
            )
            for r in rows
            if r.level == level
        ]
        Region.objects.bulk_create(objs, batch_size=2000)
    result.townships = len(generator.townships)
    result.villages = len(generator.villages)


def _write_institutions(generator: CountyGenerator, result: WriteResult) -> None:
    """Fill the gaps: an institution is written only where none of its kind exists yet
    (a county hospital in the county, a centre in a township, a clinic in a village),
    with codes that do not clash with ones already registered."""
    from huimin.registry.models import Institution

    county = generator.county
    existing = Institution.objects.within(county)
    have = {(kind, region): pk for kind, region, pk in existing.values_list("kind", "region", "pk")}
    taken_ins = set(
        Institution.objects.filter(insurance_code__startswith=f"H{county}").values_list(
            "insurance_code", flat=True
        )
    )
    taken_credit = set(Institution.objects.values_list("credit_code", flat=True))
    pks: dict[str, int] = {}
    next_seq = itertools.count(1)
    bump = random.Random(generator.seed)  # for the rare credit-code clash
    for clinics in (False, True):
        objs, keys = [], []
        for row in generator.institutions:
            if (row.kind == "village_clinic") != clinics:
                continue
            found = have.get((row.kind, row.region)) if row.kind != "pharmacy" else None
            if found is not None:
                pks[row.key] = found
                continue
            code = row.insurance_code(county)
            while code in taken_ins:
                code = f"H{county}{next(next_seq) + 90000:05d}"
            taken_ins.add(code)
            credit = row.credit_code
            while credit in taken_credit:
                credit = make_credit_code(bump, credit[:2], county)
            taken_credit.add(credit)
            objs.append(
                Institution(
                    name=row.name,
                    insurance_code=code,
                    credit_code=credit,
                    kind=row.kind,
                    level=row.level,
                    region_id=row.region,
                    parent_id=pks.get(row.parent) if row.parent else None,
                    designation_status="designated",
                    designated_from=row.designated_from,
                    address=row.address,
                )
            )
            keys.append(row.key)
        Institution.objects.bulk_create(objs, batch_size=1000)
        for key, obj in zip(keys, objs, strict=True):
            pks[key] = obj.pk
        result.institutions += len(objs)


def _write_batch(
    generator: CountyGenerator, batch: VillageBatch, result: WriteResult, check_existing: bool
) -> None:
    """People, their households, memberships and categories: a few multi-row INSERTs.

    Plain SQL rather than bulk_create: building and compiling model instances cost
    three quarters of the time at 100,000 residents. Values go through the backend's
    own adapters, so what is stored is what the ORM would have stored.
    """
    from django.db import connection
    from django.utils import timezone

    from huimin.registry.models import (
        Household,
        HouseholdMembership,
        Person,
        PersonCategory,
        PersonStatus,
        person_id_fields,
    )
    from huimin.registry.services import phone_columns

    ops = connection.ops
    day = ops.adapt_datefield_value
    now = ops.adapt_datetimefield_value(timezone.now())
    fields = [person_id_fields(p.id_number) for p in batch.people]
    if check_existing:
        _avoid_clashes(generator, batch, fields)
    person_rows = []
    for p, idf in zip(batch.people, fields, strict=True):
        initials, pinyin = name_pinyin(p.name)
        phone = phone_columns(p.phone)
        person_rows.append(
            (
                p.name,
                initials,
                pinyin,
                p.sex,
                day(p.birth_date),
                idf["id_number_enc"],
                idf["id_number_index"],
                idf["id_number_masked"],
                p.ethnicity,
                phone["phone_enc"],
                phone["phone_masked"],
                p.village,
                p.resident_type,
                day(p.death_date),
                PersonStatus.ACTIVE.value,
                now,
                now,
            )
        )
    with connection.cursor() as cursor:
        person_ids = _insert(cursor, Person, _PERSON_FIELDS, person_rows, returning=True)
        pk = {p.key: i for p, i in zip(batch.people, person_ids, strict=True)}
        household_rows = [
            (h.number, h.village, h.address, pk.get(h.head), now, now) for h in batch.households
        ]
        household_ids = _insert(cursor, Household, _HOUSEHOLD_FIELDS, household_rows, True)
        membership_rows = [
            (hid, pk[m.person], m.relation, day(m.joined_on), day(m.left_on), m.reason)
            for h, hid in zip(batch.households, household_ids, strict=True)
            for m in h.members
        ]
        _insert(cursor, HouseholdMembership, _MEMBERSHIP_FIELDS, membership_rows, False)
        category_rows = [
            (pk[c.person], c.category, day(c.valid_from), day(c.valid_to), c.note)
            for c in batch.categories
        ]
        _insert(cursor, PersonCategory, _CATEGORY_FIELDS, category_rows, False)
    result.people += len(person_rows)
    result.households += len(household_rows)
    result.categories += len(category_rows)
    result.deceased += sum(1 for p in batch.people if p.death_date is not None)
    result.duplicates += batch.duplicates


_PERSON_FIELDS = (
    "name name_initials name_pinyin sex birth_date id_number_enc id_number_index "
    "id_number_masked ethnicity phone_enc phone_masked village resident_type death_date "
    "status created_at updated_at"
).split()
_HOUSEHOLD_FIELDS = "number village address head created_at updated_at".split()
_MEMBERSHIP_FIELDS = "household person relation joined_on left_on reason".split()
_CATEGORY_FIELDS = "person category valid_from valid_to note".split()


def _insert(cursor, model, fields: list[str], rows: list[tuple], returning: bool) -> list[int]:
    """INSERT rows in chunks of a few hundred; with `returning`, their new ids in order."""
    from django.db import connection

    quote = connection.ops.quote_name
    meta = model._meta
    columns = ", ".join(quote(meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model and are quoted; every value is a parameter.
    head = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(meta.pk.column)}" if returning else ""
    chunk = max(1, 8000 // len(fields))  # well under SQLite's 32,766 parameters
    ids: list[int] = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        cursor.execute(head + ", ".join([one] * len(part)) + tail, [v for r in part for v in r])
        if returning:
            got = [r[0] for r in cursor.fetchall()]
            # Ids are assigned in VALUES order; a reordered RETURNING would show here.
            if len(got) != len(part) or any(a >= b for a, b in itertools.pairwise(got)):
                raise RuntimeError(f"{meta.db_table}: RETURNING did not give ids in order")
            ids += got
    return ids


def _avoid_clashes(generator: CountyGenerator, batch: VillageBatch, fields: list[dict]) -> None:
    """Reissue the (rare) numbers already held by someone outside this run."""
    from huimin.registry.models import Person, person_id_fields

    while True:
        wanted = {f["id_number_index"]: i for i, f in enumerate(fields)}
        taken = set(
            Person.objects.filter(id_number_index__in=list(wanted)).values_list(
                "id_number_index", flat=True
            )
        )
        if not taken:
            return
        for index in taken:
            i = wanted[index]
            p = batch.people[i]
            p.id_number = generator.ids.issue(p.id_number[:6], p.birth_date, p.sex)
            fields[i] = person_id_fields(p.id_number)

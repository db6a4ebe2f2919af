"""The pure generator: a county's divisions, institutions and households from a seed."""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from huimin.core.dates import age_on
from huimin.core.idnumber import SEX_FEMALE, SEX_MALE
from huimin.registry import rules
from huimin.registry.synthetic import pools
from huimin.registry.synthetic.codes import AddressCodes, IDNumbers
from huimin.registry.synthetic.pools import (
    apportion,
    between,
    make_credit_code,
    safe_date,
    years_before,
)
from huimin.registry.synthetic.rows import (
    DEATH_REASON,
    DEATH_WINDOW_YEARS,
    DEFAULT_COUNTY,
    DEFAULT_RESIDENTS,
    DEFAULT_SEED,
    DUPLICATE_RATE,
    CategoryRow,
    HouseholdRow,
    InstitutionRow,
    MemberRow,
    PersonRow,
    RegionRow,
    VillageBatch,
)


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
        self.codes = AddressCodes(self.rng, county, counties)
        self.county_name = county_name or self.codes.host_code.name or county
        self.ids = IDNumbers(self.rng, county)
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
                stem = self._surname() + "家" + rng.choice(pools.PLACE_CLAN_END)
            else:
                stem = rng.choice(pools.PLACE_FIRST) + rng.choice(pools.PLACE_SECOND)
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
        counts = apportion(n_villages, weights, minimum=1)
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
                    stem = rng.choice(pools.COMMUNITY_STEMS)
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
            since = between(rng, datetime.date(2004, 1, 1), datetime.date(2008, 12, 31))
            road = rng.choice(["人民路", "建设路", "解放路", "新华路", "沿江路"])
            address = f"{cname}{seat}{road}{rng.randint(1, 300)}号"
            add(kind, f"{cname}{title}", kind, "2", self.county, None, "12", since, address)
        for i, name in enumerate(pools.PHARMACY_NAMES[: 2 + self.residents // 200_000]):
            since = between(rng, datetime.date(2012, 1, 1), datetime.date(2020, 12, 31))
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
            since = between(rng, datetime.date(2005, 1, 1), datetime.date(2010, 12, 31))
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
            since = between(rng, datetime.date(2012, 1, 1), datetime.date(2021, 12, 31))
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
        return rng.choices(pools.SURNAMES, cum_weights=pools.SURNAME_CUM)[0]

    def _given(self, sex: str, birth_year: int) -> str:
        rng = self.rng
        male = sex == SEX_MALE
        if birth_year < 1965 and rng.random() < 0.6:
            return rng.choice(pools.MALE_OLD if male else pools.FEMALE_OLD)
        if birth_year >= 1995 and rng.random() < 0.6:
            return rng.choice(pools.MALE_YOUNG if male else pools.FEMALE_YOUNG)
        if rng.random() < 0.5:
            middle = rng.choice(pools.MALE_MIDDLE if male else pools.FEMALE_MIDDLE)
            return middle + rng.choice(pools.MALE_ONE if male else pools.FEMALE_ONE)
        return rng.choice(pools.MALE_MID if male else pools.FEMALE_MID)

    def _birth(self, age: float) -> datetime.date:
        days = int((max(age, 0) + self.rng.random()) * 365.2425)
        return self.as_of - datetime.timedelta(days=days)

    def _age(self, birth: datetime.date) -> int:
        return age_on(birth, self.as_of)

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
        earliest = max(datetime.date(1990, 1, 1), safe_date(head.birth, 20))
        founded = between(rng, earliest, max(earliest, self.as_of - datetime.timedelta(days=90)))
        founded = min(founded, self.as_of)
        for m in members:
            if m.relation == "80":  # married in: at about 23-30
                m.joined_on = max(founded, safe_date(m.birth, rng.randint(22, 30)))
            else:
                m.joined_on = max(founded, m.birth)
            m.joined_on = min(m.joined_on, self.as_of)

    def _mortality(self, age: int) -> float:
        for bound, q in pools.MORTALITY:
            if age < bound:
                return q
        return pools.MORTALITY_OLDEST

    def _deaths(self, members: list[_Draft]) -> None:
        """Deaths over the last DEATH_WINDOW_YEARS, by age. A head dies only when a
        spouse can take over or nobody is left, so relation codes stay true."""
        rng = self.rng
        window = years_before(self.as_of, DEATH_WINDOW_YEARS)

        def dies(m: _Draft) -> bool:
            q = self._mortality(self._age(m.birth))
            return rng.random() < 1 - (1 - q) ** DEATH_WINDOW_YEARS

        for m in members[1:]:
            if dies(m):
                m.death = between(rng, max(window, m.joined_on, m.birth), self.as_of)
        head = members[0]
        if dies(head):
            spouse_alive = any(m.relation == "10" and m.death is None for m in members)
            others_alive = any(m.death is None for m in members[1:])
            if spouse_alive or not others_alive:
                head.death = between(rng, max(window, head.joined_on, head.birth), self.as_of)

    def _phone(self, age: int) -> str:
        rng = self.rng
        share = 0.0 if age < 18 else 0.6 if age < 75 else 0.2
        if rng.random() >= share:
            return ""
        return rng.choice(pools.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"

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
        ethnicity = "01" if rng.random() < 0.975 else rng.choice(pools.MINORITIES)
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
        address = self._address(village, number)
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

    def _address(self, village: RegionRow, number: int) -> str:
        township = self._names.get(village.code[:9], "")
        group = self.rng.randint(1, 12)  # 村民小组
        return f"{self.county_name}{township}{village.name}{group}组{number}号"

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
        valid_from = between(rng, start, max(start, end - datetime.timedelta(days=30)))
        valid_to = d.death
        if valid_to is None and category != "disabled" and rng.random() < 0.08:
            # Some left the group again (income rose, review); their record stays.
            valid_to = between(rng, valid_from, self.as_of - datetime.timedelta(days=1))
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
        joined = between(rng, datetime.date(2018, 1, 1), self.as_of)
        batch.households.append(
            HouseholdRow(
                number=rules.household_number(village.code, number),
                village=village.code,
                address=self._address(village, number),
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
        return apportion(self.residents, weights, minimum=0)

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
                size = min(rng.choices(pools.SIZES, weights=pools.SIZE_WEIGHTS)[0], remaining)
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


def generate_all(generator: CountyGenerator) -> VillageBatch:
    """Every village's rows in one batch (small runs and tests)."""
    out = VillageBatch(village="")
    for b in generator.batches():
        out.people += b.people
        out.households += b.households
        out.categories += b.categories
        out.duplicates += b.duplicates
    return out

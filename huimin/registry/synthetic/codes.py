"""Address codes an ID number could carry, and unique ID numbers (GB 11643)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from huimin.core import idnumber
from huimin.core.idnumber import SEX_MALE
from huimin.registry import rules
from huimin.registry.regions import stdnum_counties
from huimin.registry.synthetic.pools import FAR_PROVINCES


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
        counties = stdnum_counties()
    out = []
    for c in counties:
        code = c["code"]
        # City rows (xx00) and 市辖区 (xx01) were not issued as ID address codes.
        if rules.region_level(code) != "county" or code.endswith("01"):
            continue
        out.append(_Code(code, c["name"], c["valid_from"] or 1980, c["valid_to"] or 9999))
    return out


class AddressCodes:
    """Which address code an ID number issued in a given year could carry."""

    def __init__(self, rng: random.Random, host: str, counties: list[dict] | None):
        self.rng = rng
        self.host = host
        codes = _load_codes(counties)
        self.by_code = {c.code: c for c in codes}
        self.host_code = self.by_code.get(host) or _Code(host, "", 1980, 9999)
        self.city = [c for c in codes if c.code[:4] == host[:4] and c.code != host]
        self.province = [c for c in codes if c.code[:2] == host[:2] and c.code[:4] != host[:4]]
        self.far = {p: [c for c in codes if c.code[:2] == p] for p in FAR_PROVINCES}
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


class IDNumbers:
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

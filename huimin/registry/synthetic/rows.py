"""Constants and the plain rows the generator yields and the writer inserts."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

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

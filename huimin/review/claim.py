"""What review rules read: plain frozen data, built by the service layer from the tables.

A `Claim` is a settlement in hand — the person's facts on the visit date, the
institution, the visit and its fee lines with the catalog's facts about each item.
`History` is the same person's recent stays, visits and dispensings (the service
bounds it, e.g. the last 90 days, every institution). The pattern rules read aggregates
instead: a terminal's recent swipes (`TerminalActivity`) and peers' average costs
(`PeerCost`). Money is Decimal yuan, dates are `datetime.date`. No database, no clock.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from huimin.core.dates import age_on
from huimin.core.money import r2

INPATIENT = "inpatient"
SEX_NAMES = {"1": "男", "2": "女"}  # GB/T 2261.1
LEVEL_NAMES = {"1": "一级", "2": "二级", "3": "三级", "out_of_area": "异地就医"}
KINDS = {"drug": "药品", "service": "医疗服务项目", "consumable": "医用耗材"}
# Fee categories (住院收费类别), as the service maps the catalog's items onto them.
FEE_CATEGORIES = {
    "bed": "床位费",
    "nursing": "护理费",
    "consultation": "诊查费",
    "exam": "检查费",
    "lab": "化验费",
    "treatment": "治疗费",
    "surgery": "手术费",
    "drug": "药品费",
    "material": "卫生材料费",
    "other": "其他费",
}


@dataclass(frozen=True)
class CoveragePeriod:
    """A span the person is insured for, both ends included (from enrollment)."""

    start: datetime.date
    end: datetime.date

    def covers(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Person:
    id: str  # the registry's person id, never the ID number (it ends up in findings)
    sex: str  # "1" male, "2" female (GB/T 2261.1)
    birth_date: datetime.date
    death_date: datetime.date | None = None
    coverage: tuple[CoveragePeriod, ...] = ()

    def insured_on(self, day: datetime.date) -> bool:
        return any(p.covers(day) for p in self.coverage)

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)


@dataclass(frozen=True)
class Institution:
    id: str  # the national medical-insurance institution code
    name: str
    level: str  # "1", "2", "3" (insurance.plan.LEVELS)
    # What the institution is licensed for (registry/qualifications.py codes: "dialysis",
    # "surgery_3", …); None when the registry has not recorded them (not judged).
    qualifications: frozenset[str] | None = None


@dataclass(frozen=True)
class Item:
    """The catalog's facts about an item on the service date (defaults: unrestricted)."""

    kind: str = "service"  # drug | service | consumable
    # Fee category (收费类别): bed, nursing, consultation, exam, lab, treatment, surgery,
    # drug, material, other. Decides what counts as treatment for bed-without-treatment.
    category: str = "other"
    sex: str = ""  # catalog restriction 限性别: "1" or "2"; empty: either
    age_min: int | None = None
    age_max: int | None = None
    levels: tuple[str, ...] = ()  # institution levels allowed; empty: every level
    # The item can only concern a body of this sex (剖宫产, 前列腺电切): a mismatch is an
    # impersonation indicator, not merely a payment restriction.
    physiological_sex: str = ""
    max_quantity_per_day: Decimal | None = None  # the catalog's 每日最大数量
    day_based: bool = False  # charged per day of stay (bed, nursing)
    mue: Decimal | None = None  # medically unlikely units per day (as NCCI's MUEs)
    components: frozenset[str] = frozenset()  # a bundled service's own component codes
    exclusive_with: frozenset[str] = frozenset()  # codes not billed with it on one day
    qualification: str = ""  # the qualification an institution needs to provide it
    ingredient: str = ""  # drugs: the generic name's code, so makers' codes add up
    days_supply_per_unit: Decimal | None = None  # drugs: days one unit lasts


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, as on the bill; findings name lines by it
    code: str
    name: str
    cls: str  # catalog class A/B/C
    quantity: Decimal
    unit_price: Decimal
    service_date: datetime.date
    ceiling: Decimal | None = None
    item: Item = field(default_factory=Item)
    # drugs: the days the quantity lasts (quantity × the catalog's days per unit, whole
    # days); None when the catalog does not say
    days_supply: int | None = None

    @property
    def amount(self) -> Decimal:
        return r2(self.quantity * self.unit_price)

    @property
    def ingredient(self) -> str:
        return self.item.ingredient or self.code


@dataclass(frozen=True)
class CapPosition:
    """The year's basic-fund payments against the annual cap, before and after this claim."""

    annual_cap: Decimal
    paid_before: Decimal
    paid_after: Decimal


@dataclass(frozen=True)
class Claim:
    id: str  # the settlement (or visit) number
    person: Person
    institution: Institution
    visit_type: str  # a key of the plan's basic.visit_types
    admission_date: datetime.date  # the visit date for an outpatient visit
    diagnosis: str  # ICD-10 code, e.g. "I21.0"
    lines: tuple[Line, ...] = ()
    discharge_date: datetime.date | None = None  # inpatient only
    doctor: str = ""
    terminal: str = ""
    settled_at: datetime.datetime | None = None
    cap: CapPosition | None = None

    @property
    def inpatient(self) -> bool:
        return self.visit_type == INPATIENT

    @property
    def visit_date(self) -> datetime.date:
        return self.admission_date

    @property
    def last_date(self) -> datetime.date:
        return self.discharge_date or self.admission_date

    @property
    def length_of_stay(self) -> int:
        """Days of stay as bed days are counted (算入不算出): a same-day stay is one day."""
        return max(1, (self.last_date - self.admission_date).days)


@dataclass(frozen=True)
class PastStay:
    claim_id: str
    institution_id: str
    institution_name: str
    admission_date: datetime.date
    discharge_date: datetime.date
    diagnosis: str


@dataclass(frozen=True)
class PastVisit:
    claim_id: str
    institution_id: str
    institution_name: str
    date: datetime.date
    diagnosis: str = ""


@dataclass(frozen=True)
class Dispensing:
    claim_id: str
    institution_id: str
    institution_name: str
    date: datetime.date
    code: str
    name: str
    days_supply: int
    ingredient: str = ""

    @property
    def group(self) -> str:
        return self.ingredient or self.code


@dataclass(frozen=True)
class History:
    """The person's recent claims at any institution. Entries of the claim under review
    itself (same claim id) are ignored by the rules, so the service need not filter."""

    stays: tuple[PastStay, ...] = ()
    visits: tuple[PastVisit, ...] = ()
    dispensings: tuple[Dispensing, ...] = ()


# ---------------------------------------------------------------- pattern inputs


@dataclass(frozen=True)
class Swipe:
    claim_id: str
    person_id: str
    at: datetime.datetime


@dataclass(frozen=True)
class TerminalActivity:
    """The settlements one terminal made over a period, for bulk swiping (套刷)."""

    terminal: str
    institution_id: str
    institution_name: str
    swipes: tuple[Swipe, ...]


@dataclass(frozen=True)
class PeerCost:
    """An institution's or a doctor's average cost per admission or visit in a period."""

    subject_id: str
    subject_name: str
    level: str  # peers are compared within one institution level
    cases: int
    average_cost: Decimal

"""Plain rows, constants and small date helpers shared by the generator's modules."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from huimin.core.dates import age_on  # noqa: F401 - used here and by importers
from huimin.records.forms.spec import FormSpec

DEFAULT_SEED = 2026
CHINA = dt.timezone(dt.timedelta(hours=8))  # no daylight saving: a fixed offset is exact

FILE_RATE = 0.85  # residents with a health record (the national target)
ELDERLY_AGE = 65


# ---------------------------------------------------------------- plain rows


@dataclass(frozen=True, slots=True)
class PersonIn:
    id: int
    sex: str  # "1" male, "2" female
    birth_date: dt.date
    death_date: dt.date | None
    village: str


@dataclass(slots=True)
class RecordRow:
    person: int
    village: str
    opened_on: dt.date
    last_activity_on: dt.date
    closed_on: dt.date | None = None
    close_reason: str = ""


@dataclass(slots=True)
class ProgrammeRow:
    person: int
    village: str
    kind: str
    registered_on: dt.date
    ended_on: dt.date | None = None
    end_reason: str = ""
    details: dict = field(default_factory=dict)


@dataclass(slots=True)
class FormRow:
    person: int
    village: str
    kind: str
    data: dict
    signed: bool = True
    programme: int | None = None  # index into the batch's programmes
    signed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Injected:
    """A deliberate quality problem: which person, which form (an index into the
    batch's forms, or None for a problem of the schedule, such as a gap)."""

    person: int
    kind: str
    problem: str
    form: int | None = None


@dataclass
class RecordBatch:
    village: str
    records: list[RecordRow] = field(default_factory=list)
    programmes: list[ProgrammeRow] = field(default_factory=list)
    forms: list[FormRow] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)


def form_columns(spec: FormSpec, data: dict) -> dict:
    """The Form columns lifted out of `data` (service date, next due date, doctor and
    the spec's measurements), as services._apply sets them on a model instance."""
    day = data.get(spec.date_field)
    nxt = data.get(spec.next_due_field) if spec.next_due_field else None
    out = {
        "service_date": dt.date.fromisoformat(day) if day else None,
        "next_due_date": dt.date.fromisoformat(nxt) if nxt else None,
        "doctor_name": data.get(spec.doctor_field, "") if spec.doctor_field else "",
    }
    for source, column in spec.measures.items():
        out[column] = data.get(source)
    return out


# ---------------------------------------------------------------- dates and numbers


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def rate_for(table: tuple[tuple[int, float], ...], age: int) -> float:
    for below, rate in table:
        if age < below:
            return rate
    return 0.0


def clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def interpolate(table: dict[int, float], months: int) -> float:
    keys = sorted(table)
    for a, b in itertools.pairwise(keys):
        if a <= months <= b:
            return table[a] + (table[b] - table[a]) * (months - a) / (b - a)
    return table[keys[-1]]


# ---------------------------------------------------------------- names

_SURNAMES = "王李张刘陈杨赵黄周吴邓曾彭谢罗唐蒋肖"
_GIVEN = ("建国", "卫东", "志明", "春梅", "德胜", "红霞", "海波", "玉兰", "立新", "秀英")


def village_doctor_name(seed: int, village: str) -> str:
    """A stable name for a village's doctor when no staff account is given."""
    rng = random.Random(f"{seed}:doctor:{village}")  # noqa: S311 - synthetic data, not secrets
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def some_name(rng: random.Random) -> str:
    """A plausible name for a relative or contact (not a registry person)."""
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"

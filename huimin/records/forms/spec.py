"""The form-specification framework: fields, code tables and logic checks, as data.

Each form of the national basic public-health service specification (third edition) is
a `FormSpec` in its own module of this package. `clean(spec, raw, ctx, final=...)` turns
what a page or an API sent (strings, or JSON values) into the stored JSON form and a
list of `Problem`s, each naming the field, a machine code and a Chinese reason.

Pure: no database, no Django. Drafts are cleaned with `final=False` (types and ranges
only, so a half-filled form is never lost); signing uses `final=True` (required fields
and the form's logic checks too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TEXT, INT, DECIMAL, DATE, CODE, CODES, BOOL, ROWS = (
    "text",
    "int",
    "decimal",
    "date",
    "code",
    "codes",
    "bool",
    "rows",
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    required: bool = False  # for signing; drafts may leave it empty
    codes: dict[str, str] | None = None  # code → label, for CODE and CODES
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    places: int = 1  # DECIMAL: digits kept after the point
    unit: str = ""
    max_length: int = 200
    derived: bool = False  # computed by the spec's `derive`, never typed
    rows: tuple[Field, ...] = ()  # ROWS: the columns of each row
    section: str = ""
    # DATE: may it lie before the person's birth? (e.g. a mother's last period: no person)
    allow_before_birth: bool = False
    allow_future: bool = False  # DATE: next follow-up dates lie ahead


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    message: str


@dataclass(frozen=True)
class Context:
    """What a form's checks may know about the person and the day."""

    today: dt.date
    birth_date: dt.date | None = None
    sex: str | None = None  # "1" male, "2" female (GB/T 2261.1)
    death_date: dt.date | None = None

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


Check = Callable[[dict, Context], list[Problem]]


@dataclass(frozen=True)
class FormSpec:
    kind: str
    title: str
    fields: tuple[Field, ...]
    date_field: str = "visit_date"  # the service date
    doctor_field: str | None = "doctor"  # the signing doctor's name
    next_due_field: str | None = None
    checks: tuple[Check, ...] = ()
    derive: Callable[[dict], dict] | None = None
    sexes: frozenset[str] | None = None  # only for these sexes (maternal care: {"2"})
    min_age: int | None = None
    max_age: int | None = None
    per_person: bool = True  # False: activity logs that belong to no one
    # A report about a death (an infectious-disease card) may be dated after it.
    allow_after_death: bool = False
    # Which stored values are lifted into Form's measurement columns.
    measures: dict[str, str] = field(default_factory=dict)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def sections(self) -> list[tuple[str, list[Field]]]:
        out: list[tuple[str, list[Field]]] = []
        for f in self.fields:
            if not out or out[-1][0] != f.section:
                out.append((f.section, []))
            out[-1][1].append(f)
        return out


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _parse(f: Field, value, ctx: Context, problems: list[Problem], prefix: str = ""):
    name = prefix + f.name
    if f.kind == TEXT:
        text = str(value).strip()
        if len(text) > f.max_length:
            problems.append(Problem(name, "too_long", f"{f.label}不能超过{f.max_length}个字"))
            return None
        return text
    if f.kind in (INT, DECIMAL):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            problems.append(Problem(name, "not_a_number", f"{f.label}应为数字"))
            return None
        if not number.is_finite():
            problems.append(Problem(name, "not_a_number", f"{f.label}应为数字"))
            return None
        if f.kind == INT and number != number.to_integral_value():
            problems.append(Problem(name, "not_an_integer", f"{f.label}应为整数"))
            return None
        if f.min is not None and number < Decimal(f.min):
            problems.append(Problem(name, "below_range", f"{f.label}不能小于{f.min}{f.unit}"))
            return None
        if f.max is not None and number > Decimal(f.max):
            problems.append(Problem(name, "above_range", f"{f.label}不能大于{f.max}{f.unit}"))
            return None
        if f.kind == INT:
            return int(number)
        quantum = Decimal(1).scaleb(-f.places)
        return str(number.quantize(quantum, rounding=ROUND_HALF_UP))
    if f.kind == DATE:
        if isinstance(value, dt.date):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                problems.append(Problem(name, "bad_date", f"{f.label}应为日期（YYYY-MM-DD）"))
                return None
        if not f.allow_future and day > ctx.today:
            problems.append(Problem(name, "date_in_future", f"{f.label}不能晚于今天"))
            return None
        if ctx.birth_date and not f.allow_before_birth and day < ctx.birth_date:
            problems.append(Problem(name, "before_birth", f"{f.label}不能早于出生日期"))
            return None
        return day.isoformat()
    if f.kind == CODE:
        code = str(value).strip()
        if code not in (f.codes or {}):
            problems.append(Problem(name, "unknown_code", f"{f.label}的代码“{code}”不在代码表中"))
            return None
        return code
    if f.kind == CODES:
        items = value if isinstance(value, list | tuple) else [value]
        codes = []
        for item in items:
            code = str(item).strip()
            if code == "":
                continue
            if code not in (f.codes or {}):
                problems.append(
                    Problem(name, "unknown_code", f"{f.label}的代码“{code}”不在代码表中")
                )
                return None
            if code not in codes:
                codes.append(code)
        return codes
    if f.kind == BOOL:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "on", "yes", "是"):
            return True
        if text in ("0", "false", "off", "no", "否"):
            return False
        problems.append(Problem(name, "not_a_boolean", f"{f.label}应为“是”或“否”"))
        return None
    if f.kind == ROWS:
        if not isinstance(value, list | tuple):
            problems.append(Problem(name, "not_a_list", f"{f.label}应为列表"))
            return None
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, dict):
                problems.append(
                    Problem(f"{name}.{i}", "not_an_object", f"{f.label}第{i + 1}行格式不对")
                )
                continue
            cleaned = {}
            for col in f.rows:
                if _empty(row.get(col.name)):
                    continue
                parsed = _parse(col, row[col.name], ctx, problems, prefix=f"{name}.{i}.")
                if parsed is not None:
                    cleaned[col.name] = parsed
            if cleaned:
                rows.append(cleaned)
        return rows
    raise ValueError(f"unknown field kind {f.kind}")


def clean(spec: FormSpec, raw: dict, ctx: Context, *, final: bool) -> tuple[dict, list[Problem]]:
    """Parse `raw` against the spec. Returns the JSON-ready data (unknown keys dropped,
    derived fields computed) and every problem at once."""
    problems: list[Problem] = []
    data: dict = {}
    for f in spec.fields:
        if f.derived:
            continue
        value = raw.get(f.name)
        if _empty(value):
            continue
        parsed = _parse(f, value, ctx, problems)
        if parsed is not None and not _empty(parsed):
            data[f.name] = parsed
    if spec.derive is not None:
        data.update({k: v for k, v in spec.derive(data).items() if v is not None})
    service_day = _date(data.get(spec.date_field))
    if (
        service_day
        and ctx.death_date
        and service_day > ctx.death_date
        and not spec.allow_after_death
    ):
        problems.append(
            Problem(
                spec.date_field, "after_death", "服务日期晚于居民死亡日期，已死亡居民不能再填写此表"
            )
        )
    if spec.per_person and service_day:
        problems += _eligibility(spec, ctx, service_day)
    if final:
        for f in spec.fields:
            if f.required and not f.derived and _empty(data.get(f.name)):
                if not any(p.field == f.name for p in problems):
                    problems.append(Problem(f.name, "required", f"请填写{f.label}"))
        if not any(p.field == spec.date_field for p in problems) and not data.get(spec.date_field):
            problems.append(
                Problem(spec.date_field, "required", f"请填写{spec.field(spec.date_field).label}")
            )
        if spec.doctor_field and not data.get(spec.doctor_field):
            if not any(p.field == spec.doctor_field for p in problems):
                problems.append(Problem(spec.doctor_field, "required", "请填写医生签名"))
    # Logic checks see only well-formed values; on a draft they report too, so the
    # page can show them early, but only signing refuses.
    for check in spec.checks:
        problems += check(data, ctx)
    return data, problems


def _eligibility(spec: FormSpec, ctx: Context, day: dt.date) -> list[Problem]:
    out = []
    if spec.sexes is not None and ctx.sex is not None and ctx.sex not in spec.sexes:
        out.append(Problem("person", "wrong_sex", f"{spec.title}不适用于该性别的居民"))
    age = ctx.age_on(day)
    if age is not None and spec.min_age is not None and age < spec.min_age:
        out.append(
            Problem("person", "too_young", f"{spec.title}只适用于{spec.min_age}岁及以上的居民")
        )
    if age is not None and spec.max_age is not None and age > spec.max_age:
        out.append(
            Problem("person", "too_old", f"{spec.title}只适用于{spec.max_age}岁及以下的居民")
        )
    return out


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def number(data: dict, name: str) -> Decimal | None:
    """A stored numeric value as Decimal (checks use this)."""
    value = data.get(name)
    if value is None:
        return None
    return Decimal(str(value))


def date_of(data: dict, name: str) -> dt.date | None:
    return _date(data.get(name))


def bmi(height_cm, weight_kg) -> str | None:
    """体质指数 = 体重(kg) / 身高(m)², one decimal, as the specification prints it."""
    if height_cm is None or weight_kg is None:
        return None
    h = Decimal(str(height_cm)) / 100
    if h <= 0:
        return None
    return str((Decimal(str(weight_kg)) / (h * h)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def blood_pressure_check(systolic: str, diastolic: str) -> Check:
    """Systolic must be above diastolic (80/120 is a swapped entry)."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        s, d = number(data, systolic), number(data, diastolic)
        if s is not None and d is not None and s <= d:
            return [
                Problem(
                    systolic,
                    "systolic_not_above_diastolic",
                    f"收缩压（{s}）应高于舒张压（{d}），请核对是否填反",
                )
            ]
        return []

    return check


def not_before(later: str, earlier: str, message: str) -> Check:
    def check(data: dict, ctx: Context) -> list[Problem]:
        a, b = date_of(data, later), date_of(data, earlier)
        if a and b and a < b:
            return [Problem(later, "date_order", message)]
        return []

    return check


def required_if(name: str, when: Callable[[dict], bool], label: str) -> Check:
    """`name` is needed when `when(data)` (e.g. a referral needs its reason)."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        if when(data) and _empty(data.get(name)):
            return [Problem(name, "required", f"请填写{label}")]
        return []

    return check


def none_alone(name: str, none_code: str, label: str) -> Check:
    """A multi-select whose "none" choice excludes every other choice."""

    def check(data: dict, ctx: Context) -> list[Problem]:
        chosen = data.get(name) or []
        if not isinstance(chosen, list):
            chosen = [chosen]
        if none_code in chosen and len(chosen) > 1:
            return [Problem(name, "contradiction", f"{label}选了“无”就不能再选其他项")]
        return []

    return check

"""Synthetic health records for demos and benchmarks, deterministic from a seed.

Pure: from people rows already in the registry (id, sex, birth date, death date,
village), a seed, the year and its reference date ("today"), `RecordsGenerator` yields
plain rows per village — records, programmes and forms — and `synthetic_writer` is the
only part that touches the database (the registry's generator has the same split).

Shape (rural county, national basic public-health service orders of magnitude):

* about 85% of residents have a file (children nearly all, young migrants fewer);
  deceased residents' files are closed on the death date;
* hypertension registered for about 15% of adults with a file and type-2 diabetes for
  about 4%, rising with age; each patient followed up about every 90 days through the
  year up to the reference date, the next visit asked for about 90 days later, so
  some are overdue today;
* 0–6-year-olds in child care, women 20–40 with pregnancies (open, or delivered this
  year), everyone 65+ with an annual health check and self-care assessment, most with
  TCM constitution identification; forms of a kind are made only when its spec module
  has landed in huimin/records/forms/.

Every clean form passes `clean(spec, data, ctx, final=True)`. Quality problems are
injected at realistic rates and listed in `RecordBatch.injected`, so a test can count
them: follow-ups missing weight, a few height drops, swapped blood pressure in old
imported data, drafts never signed, gaps in follow-ups, duplicate same-day forms.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from huimin.records.forms import SPECS
from huimin.records.forms.spec import FormSpec, bmi

DEFAULT_SEED = 2026
CHINA = dt.timezone(dt.timedelta(hours=8))  # no daylight saving: a fixed offset is exact

FILE_RATE = 0.85  # residents with a health record (the national target)
FOLLOWUP_DAYS = 90  # HTN/DM: at least 4 follow-ups a year
# Registered prevalence by age (managed patients, not true prevalence), tuned so that a
# rural age pyramid gives about 15% (HTN) and 4% (DM) of adults with a file.
HTN_BY_AGE = ((35, 0.02), (45, 0.06), (55, 0.13), (65, 0.24), (75, 0.31), (200, 0.34))
DM_BY_AGE = ((35, 0.004), (45, 0.015), (55, 0.04), (65, 0.065), (75, 0.08), (200, 0.07))
# Women 20–40 with a file pregnant at some time in the window (about 5.5% give birth a
# year; the window of last periods spans about a year and a half).
PREGNANCY_RATE = 0.08

# Quality problems, per follow-up unless noted.
MISSING_WEIGHT_RATE = 0.05
SWAPPED_BP_RATE = 0.004  # imported paper forms where 收缩压 and 舒张压 were swapped
HEIGHT_DROP_RATE = 0.004  # a height typed 20+ cm short
DUPLICATE_RATE = 0.01  # the same follow-up entered twice on one day
DRAFT_RATE = 0.015  # started, never signed
GAP_RATE = 0.06  # patients (per programme) who missed a quarter mid-year
LAPSE_RATE = 0.10  # patients who stopped coming before the reference date: overdue now

# Problems that make a form fail clean(final=True); the others are visible only to
# the quality rules that compare forms (consistency, gaps, duplicates).
FAILS_CLEAN = frozenset({"missing_weight", "swapped_bp", "draft"})


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


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _rate(table: tuple[tuple[int, float], ...], age: int) -> float:
    for below, rate in table:
        if age < below:
            return rate
    return 0.0


# ---------------------------------------------------------------- value pools

_HTN_DRUGS = (
    ("苯磺酸氨氯地平片", "5mg 每日1次"),
    ("硝苯地平缓释片", "20mg 每日2次"),
    ("厄贝沙坦片", "150mg 每日1次"),
    ("缬沙坦胶囊", "80mg 每日1次"),
    ("吲达帕胺片", "2.5mg 每日1次"),
    ("酒石酸美托洛尔片", "25mg 每日2次"),
    ("卡托普利片", "25mg 每日2次"),
)
_DM_DRUGS = (
    ("盐酸二甲双胍片", "0.5g 每日3次"),
    ("格列美脲片", "2mg 每日1次"),
    ("阿卡波糖片", "50mg 每日3次"),
    ("格列齐特缓释片", "30mg 每日1次"),
)
_INSULIN = "甘精胰岛素 睡前皮下注射 12单位"
_DOCTOR_SURNAMES = "王李张刘陈杨赵黄周吴邓曾彭谢罗唐蒋肖"
_DOCTOR_GIVEN = ("建国", "卫东", "志明", "春梅", "德胜", "红霞", "海波", "玉兰", "立新", "秀英")


def village_doctor_name(seed: int, village: str) -> str:
    """A stable name for a village's doctor when no staff account is given."""
    rng = random.Random(f"{seed}:doctor:{village}")  # noqa: S311 - synthetic data, not secrets
    return rng.choice(_DOCTOR_SURNAMES) + rng.choice(_DOCTOR_GIVEN)


# ---------------------------------------------------------------- the generator


class RecordsGenerator:
    """Plans health records for people of the registry, village by village.

    `doctors` maps a village code to the responsible doctor's name (a staff account's
    name in the database); villages without one get a stable invented name. Each
    person's rows depend only on (seed, person id), so batching and reruns do not
    change them.
    """

    def __init__(
        self,
        year: int,
        *,
        as_of: dt.date | None = None,
        seed: int = DEFAULT_SEED,
        doctors: Mapping[str, str] | None = None,
        units: Mapping[str, str] | None = None,
        specs: Mapping[str, FormSpec] | None = None,
    ):
        self.year = year
        self.start = dt.date(year, 1, 1)
        self.as_of = min(as_of or dt.date(year, 12, 31), dt.date(year, 12, 31))
        if self.as_of < self.start:
            raise ValueError("as_of must lie in the year")
        self.seed = seed
        self.doctors = dict(doctors or {})
        # Township code → the health centre that vaccinates (预防接种门诊).
        self.units = dict(units or {})
        self.specs = dict(SPECS if specs is None else specs)

    # -- entry points

    def batches(self, people: Iterable[PersonIn]) -> Iterator[RecordBatch]:
        """One batch per run of consecutive people of the same village (callers pass
        people ordered by village)."""
        batch: RecordBatch | None = None
        for p in people:
            if batch is None or batch.village != p.village:
                if batch is not None:
                    yield batch
                batch = RecordBatch(village=p.village)
            self.person(p, batch)
        if batch is not None:
            yield batch

    def doctor(self, village: str) -> str:
        name = self.doctors.get(village)
        if not name:
            name = self.doctors[village] = village_doctor_name(self.seed, village)
        return name

    def person(self, p: PersonIn, batch: RecordBatch) -> None:
        """Add one person's record, programmes and forms to the batch (or nothing: no
        file, or born after the reference date)."""
        if p.birth_date > self.as_of:
            return
        rng = random.Random(self.seed * 10_000_019 + p.id)  # noqa: S311 - synthetic data
        age = age_on(p.birth_date, self.as_of)
        # Children are filed at birth; young adults who work away are filed least.
        rate = 0.97 if age < 7 else 0.78 if 18 <= age < 45 else FILE_RATE + 0.03
        if rng.random() >= rate:
            return
        ctx = _Person(p, rng, self, batch)
        ctx.build()


@dataclass
class _Person:
    p: PersonIn
    rng: random.Random
    gen: RecordsGenerator
    batch: RecordBatch

    def build(self) -> None:
        p, gen, rng = self.p, self.gen, self.rng
        self.end = min(gen.as_of, p.death_date) if p.death_date else gen.as_of
        self.doctor = gen.doctor(p.village)
        # Heights and a usual weight, kept across the person's forms.
        if p.sex == "1":
            self.height = _clip(rng.gauss(166, 6), 150, 185)
        else:
            self.height = _clip(rng.gauss(155, 5.5), 142, 172)
        self.bmi = _clip(rng.gauss(24.2, 3.0), 17.5, 34)
        self.smoker = p.sex == "1" and rng.random() < 0.45
        self.drinker = p.sex == "1" and rng.random() < 0.3
        self.opened_on = self._opened_on()
        if self.opened_on > self.end:
            return
        self.last = self.opened_on
        record = RecordRow(
            person=p.id, village=p.village, opened_on=self.opened_on, last_activity_on=self.end
        )
        if p.death_date and p.death_date <= gen.as_of:
            record.closed_on = p.death_date
            record.close_reason = "死亡"
        self.batch.records.append(record)
        self.form("personal_info", self.opened_on, partial(self._personal_info, self.opened_on))
        age = age_on(p.birth_date, gen.as_of)
        if age < 7:
            self._child()
        if self.end >= gen.start:
            self._chronic()
            if p.sex == "2" and 20 <= age <= 40 and p.death_date is None:
                self._pregnancy()
        record.last_activity_on = self.last

    # -- dates

    def _opened_on(self) -> dt.date:
        p, rng = self.p, self.rng
        if age_on(p.birth_date, self.gen.as_of) < 7:
            return min(p.birth_date + dt.timedelta(days=rng.randint(3, 40)), self.end)
        # Files were opened in drives from 2009 on; some this year.
        first = max(dt.date(2009, 6, 1), p.birth_date + dt.timedelta(days=30))
        span = (self.gen.as_of - first).days
        return first + dt.timedelta(days=int(span * rng.random() ** 0.6))

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        return a + dt.timedelta(days=self.rng.randint(0, max(0, (b - a).days)))

    def signed_at(self, day: dt.date) -> dt.datetime:
        minutes = self.rng.randint(8 * 60, 17 * 60 + 30)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=CHINA)

    # -- forms

    def form(self, kind: str, day: dt.date, build, *, programme: int | None = None) -> int | None:
        """Add a signed form of `kind` dated `day` if its spec has landed."""
        if kind not in self.gen.specs or day > self.end:
            return None
        data = build()
        if data is None:
            return None
        self.batch.forms.append(
            FormRow(
                person=self.p.id,
                village=self.p.village,
                kind=kind,
                data=data,
                programme=programme,
                signed_at=self.signed_at(day),
            )
        )
        self.last = max(self.last, day)
        return len(self.batch.forms) - 1

    def inject(self, kind: str, problem: str, form: int | None = None) -> None:
        self.batch.injected.append(Injected(self.p.id, kind, problem, form))

    def programme(self, kind: str, registered_on: dt.date, **details) -> int:
        row = ProgrammeRow(
            person=self.p.id,
            village=self.p.village,
            kind=kind,
            registered_on=registered_on,
            details=details,
        )
        if self.p.death_date and self.p.death_date <= self.gen.as_of:
            row.ended_on, row.end_reason = self.p.death_date, "死亡"
        self.batch.programmes.append(row)
        return len(self.batch.programmes) - 1

    def _personal_info(self, day: dt.date) -> dict | None:
        return None  # filled in when huimin/records/forms/personal.py lands

    # -- hypertension and diabetes

    def _chronic(self) -> None:
        p, rng, gen = self.p, self.rng, self.gen
        if age_on(p.birth_date, gen.as_of) < 18:
            return
        age = age_on(p.birth_date, gen.as_of)
        htn = rng.random() < _rate(HTN_BY_AGE, age)
        dm = rng.random() < _rate(DM_BY_AGE, age)
        if not (htn or dm):
            return
        adult_on = _years_after(p.birth_date, 18)
        earliest = max(adult_on, self.opened_on, dt.date(2010, 1, 1))
        # Most were registered in earlier years (before the 12 months a follow-up count
        # looks back over); about one in ten this year.
        if rng.random() < 0.1:
            registered = self.day_between(max(gen.start, earliest), self.end)
        else:
            registered = self.day_between(earliest, gen.as_of - dt.timedelta(days=460))
        registered = max(registered, earliest)
        if registered > self.end:
            return
        dates, gap = self._followup_dates(registered)
        self.sys = _clip(rng.gauss(138, 10), 122, 165)
        self.dia = _clip(rng.gauss(84, 6), 72, 96)
        self.glucose = _clip(rng.gauss(7.6, 1.4), 5.4, 11.5)
        for kind, prog_kind, on in (
            ("htn_followup", "hypertension", htn),
            ("dm_followup", "diabetes", dm),
        ):
            if not on:
                continue
            prog = self.programme(prog_kind, registered)
            if gap and kind in gen.specs:
                self.inject(kind, "followup_gap")
            drugs = rng.sample(
                _HTN_DRUGS if kind == "htn_followup" else _DM_DRUGS, rng.randint(1, 2)
            )
            self.insulin = kind == "dm_followup" and rng.random() < 0.12
            for i, day in enumerate(dates):
                # The next date is asked for about a quarter later, from the visit.
                nxt = day + dt.timedelta(days=FOLLOWUP_DAYS + rng.randint(-5, 5))
                at = self.form(
                    kind, day, partial(self._followup, kind, day, nxt, drugs), programme=prog
                )
                if at is None:
                    continue
                self._followup_problems(kind, at, i)
            if dates and kind in gen.specs and rng.random() < DRAFT_RATE * len(dates):
                self._draft(kind, prog, drugs)

    def _followup_dates(self, registered: dt.date) -> tuple[list[dt.date], bool]:
        """Visit dates over the 12 months up to the reference date (from one visit
        before them, as last year's round left it), or from soon after a recent
        registration; about every 90 days. Some patients miss a quarter (a gap of about
        180 days: returned as True), some lapse and are overdue now."""
        rng, gen = self.rng, self.gen
        anchor = gen.as_of - dt.timedelta(days=365 + rng.randint(0, 80))
        if registered >= anchor:
            day = registered + dt.timedelta(days=rng.randint(0, 14))
        else:
            day = anchor
        stop = self.end
        if rng.random() < LAPSE_RATE:
            stop = min(stop, gen.as_of - dt.timedelta(days=rng.randint(115, 200)))
        dates = []
        while day <= stop:
            dates.append(day)
            day += dt.timedelta(days=FOLLOWUP_DAYS + rng.randint(-10, 5))
        gap = rng.random() < GAP_RATE and len(dates) >= 3
        if gap:
            del dates[rng.randint(1, len(dates) - 2)]
        return dates, gap

    def _followup(self, kind: str, day: dt.date, nxt: dt.date, drugs) -> dict:
        rng = self.rng
        sys_ = int(_clip(self.sys + rng.gauss(0, 7), 120, 170))
        dia = int(_clip(self.dia + rng.gauss(0, 4), 70, 100))
        if sys_ < dia + 21:
            sys_ = dia + 21 + rng.randint(0, 8)
        weight = _clip(self.bmi * (self.height / 100) ** 2 + rng.gauss(0, 0.8), 38, 120)
        adherence = rng.choices(("1", "2", "3"), (80, 17, 3))[0]
        data = {
            "visit_date": day.isoformat(),
            "mode": rng.choices(("1", "2", "3"), (62, 33, 5))[0],
            "systolic": sys_,
            "diastolic": dia,
            "height": f"{self.height:.1f}",
            "weight": f"{weight:.1f}",
            "weight_target": f"{min(weight, 24 * (self.height / 100) ** 2):.1f}",
            "exercise_times_week": rng.randint(0, 7),
            "exercise_minutes": rng.choice((20, 30, 30, 40, 60)),
            "psychology": rng.choices(("1", "2"), (85, 15))[0],
            "compliance": rng.choices(("1", "2"), (85, 15))[0],
            "adherence": adherence,
            "adverse_reaction": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }
        if self.smoker:
            data["cigarettes_per_day"] = rng.choice((5, 10, 10, 20))
            data["cigarettes_target"] = rng.choice((0, 5))
        if self.drinker:
            data["alcohol_per_day"] = rng.choice((1, 2, 3))
            data["alcohol_target"] = 1
        if adherence != "3":
            data["medications"] = [{"name": n, "dose": d} for n, d in drugs]
        if kind == "htn_followup":
            data["symptoms"] = ["1"] if rng.random() < 0.8 else rng.sample(["2", "4", "6"], 1)
            data["heart_rate"] = rng.randint(60, 92)
            data["salt"] = rng.choices(("1", "2", "3"), (30, 55, 15))[0]
            data["salt_target"] = "1"
            controlled = sys_ < 140 and dia < 90
        else:
            glucose = _clip(self.glucose + rng.gauss(0, 0.7), 5.0, 12.0)
            data["symptoms"] = ["1"] if rng.random() < 0.8 else rng.sample(["2", "4", "5"], 1)
            data["fasting_glucose"] = f"{glucose:.1f}"
            data["dorsalis_pedis"] = rng.choices(("1", "2"), (92, 8))[0]
            data["staple_food_g"] = rng.choice((250, 300, 350, 400))
            data["staple_food_target_g"] = 250
            data["hypoglycaemia"] = "1"
            if rng.random() < 0.25:
                data["hba1c"] = f"{_clip(glucose * 0.9 + 0.6, 5.5, 11):.1f}"
                data["hba1c_date"] = (day - dt.timedelta(days=rng.randint(0, 20))).isoformat()
            if self.insulin:
                data["insulin"] = _INSULIN
            controlled = glucose < 7.0
        data["classification"] = "1" if controlled else "2"
        data["bmi"] = bmi(data["height"], data["weight"])
        return data

    def _followup_problems(self, kind: str, at: int, i: int) -> None:
        """Deliberate quality problems on one follow-up just written."""
        rng, row = self.rng, self.batch.forms[at]
        roll = rng.random()
        if roll < MISSING_WEIGHT_RATE:
            del row.data["weight"]
            row.data.pop("bmi", None)
            self.inject(kind, "missing_weight", at)
        elif roll < MISSING_WEIGHT_RATE + SWAPPED_BP_RATE:
            # Old paper forms typed in later: the two readings in each other's box.
            row.data["systolic"], row.data["diastolic"] = (
                row.data["diastolic"],
                row.data["systolic"],
            )
            self.inject(kind, "swapped_bp", at)
        elif roll < MISSING_WEIGHT_RATE + SWAPPED_BP_RATE + HEIGHT_DROP_RATE and i > 0:
            short = Decimal(row.data["height"]) - rng.randint(20, 30)
            row.data["height"] = str(short)
            row.data["bmi"] = bmi(row.data["height"], row.data.get("weight"))
            self.inject(kind, "height_drop", at)
        else:
            self._duplicate(kind, at)

    def _duplicate(self, kind: str, at: int) -> None:
        rng, row = self.rng, self.batch.forms[at]
        if rng.random() < DUPLICATE_RATE:
            twin = FormRow(**{s: getattr(row, s) for s in FormRow.__slots__})
            twin.data = dict(row.data)
            twin.signed_at = row.signed_at + dt.timedelta(minutes=rng.randint(5, 90))
            self.batch.forms.append(twin)
            self.inject(kind, "duplicate_same_day", len(self.batch.forms) - 1)

    def _draft(self, kind: str, prog: int, drugs) -> None:
        """A follow-up started and never signed: no next date or signature yet."""
        day = self.day_between(self.gen.start, self.end)
        nxt = day + dt.timedelta(days=FOLLOWUP_DAYS)
        data = self._followup(kind, day, nxt, drugs)
        data.pop("next_visit_date")
        data.pop("doctor")
        self.batch.forms.append(
            FormRow(self.p.id, self.p.village, kind, data, signed=False, programme=prog)
        )
        self.inject(kind, "draft", len(self.batch.forms) - 1)

    # -- children

    def _child(self) -> None:
        prog = self.programme("child", self.opened_on)
        self._immunisations()
        if "child_check" in self.gen.specs:
            self._child_checks(prog)

    def _child_checks(self, prog: int) -> None:
        """The newborn home visit within a week, then the checks at the set months (a
        few missed), with TCM guidance at 6–36 months on the same day."""
        from huimin.records.forms.child import MONTH_AGES, TCM_METHODS_BY_AGE, month_age_for

        p, rng = self.p, self.rng
        girl = p.sex == "2"
        self.z = rng.gauss(0, 0.8)
        ages = [int(m) for m in MONTH_AGES]
        home = p.birth_date + dt.timedelta(days=rng.randint(3, 7))
        first_check = add_months(p.birth_date, 1)
        self.form(
            "newborn_visit", home, partial(self._newborn, home, first_check, girl), programme=prog
        )
        for i, m in enumerate(ages):
            day = add_months(p.birth_date, m) + dt.timedelta(days=rng.randint(0, 10))
            if month_age_for(p.birth_date, day) != m:
                day = add_months(p.birth_date, m)
            if day > self.end:
                break
            if rng.random() < 0.04:
                self.inject("child_check", "missed_check")
                continue
            nxt = add_months(p.birth_date, ages[i + 1]) if i + 1 < len(ages) else None
            self.form(
                "child_check", day, partial(self._child_check, m, day, nxt, girl), programme=prog
            )
            if m in TCM_METHODS_BY_AGE:
                later = [a for a in TCM_METHODS_BY_AGE if a > m]
                tcm_next = add_months(p.birth_date, later[0]) if later else None
                services = ["1", "2", *TCM_METHODS_BY_AGE[m]]
                self.form(
                    "tcm_child",
                    day,
                    partial(_tcm_child, m, day, tcm_next, services, self.doctor),
                    programme=prog,
                )

    def _growth(self, months: int, girl: bool) -> tuple[float, float]:
        """Weight (kg) and length/height (cm) near the WHO medians for the age."""
        w = _interpolate(_WEIGHT_BY_MONTH, months) * (0.95 if girl else 1.0)
        h = _interpolate(_HEIGHT_BY_MONTH, months) - (1.2 if girl else 0.0)
        return w * (1 + 0.08 * self.z), h * (1 + 0.035 * self.z)

    def _newborn(self, day: dt.date, nxt: dt.date, girl: bool) -> dict:
        rng = self.rng
        birth_weight = _clip(3.25 + rng.gauss(0, 0.4) - (0.1 if girl else 0), 2.5, 4.3)
        return {
            "gestational_weeks": rng.choices((37, 38, 39, 40, 41), (8, 20, 35, 30, 7))[0],
            "mother_illness": ["1"],
            "birth_conditions": [rng.choices(("1", "4"), (65, 35))[0]],
            "asphyxia": "1",
            "malformation": "1",
            "hearing_screening": "1",
            "disease_screening": ["2"],
            "birth_weight": f"{birth_weight:.2f}",
            "weight": f"{birth_weight + rng.uniform(-0.1, 0.15):.2f}",
            "birth_length": f"{rng.uniform(48, 52):.1f}",
            "feeding": rng.choices(("1", "2", "3"), (60, 30, 10))[0],
            "temperature": f"{rng.uniform(36.4, 37.2):.1f}",
            "heart_rate": rng.randint(120, 150),
            "respiration": rng.randint(35, 50),
            "complexion": "1",
            "jaundice": ["1"],
            "fontanelle": "1",
            **{k: "1" for k in _NEWBORN_EXAMS},
            "skin": "1",
            "umbilical_cord": "1",
            "referral": "1",
            "guidance": ["1", "2", "3"],
            "visit_date": day.isoformat(),
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }

    def _child_check(self, m: int, day: dt.date, nxt: dt.date | None, girl: bool) -> dict:
        rng = self.rng
        weight, height = self._growth(m, girl)
        data = {
            "visit_date": day.isoformat(),
            "month_age": str(m),
            "weight": f"{weight:.2f}",
            "weight_eval": "2",
            "height": f"{height:.1f}",
            "height_eval": "2",
            "complexion": "1",
            "neck_mass": "1",
            **{k: "1" for k in _CHILD_EXAMS},
            "hearing": "1",
            "illnesses": ["1"],
            "referral": "1",
            "guidance": ["1", "2", "3"] if m < 36 else ["1", "3", "4", "5"],
            "doctor": self.doctor,
        }
        if m <= 30:
            data["head_circumference"] = f"{_interpolate(_HEAD_BY_MONTH, m):.1f}"
            data["fontanelle"] = "2" if m <= 12 else "1"
            data["rickets_symptoms"] = ["1"]
            data["rickets_signs"] = ["1"]
        if m <= 3:
            data["umbilicus"] = "2"
        if m >= 8:
            data["teeth"] = min(20, max(0, m - 6 + rng.randint(-2, 2)))
            data["caries"] = 0 if rng.random() < 0.8 or m < 24 else 1
        if m >= 36:
            data["vision"] = rng.choice(("4.9", "5.0", "5.0", "5.1"))
            data["weight_for_height_eval"] = "2"
            data["physical_evaluation"] = "1"
            data["bmi"] = bmi(data["height"], data["weight"])
        if m in (6, 12, 24, 36):
            data["haemoglobin"] = rng.randint(108, 132)
        if m <= 24:
            data["vitamin_d_iu"] = 400
        if m > 1:
            data["development"] = ["0"]
        data["outdoor_hours"] = f"{rng.choice((1, 1.5, 2)):.1f}"
        if nxt is not None:
            data["next_visit_date"] = nxt.isoformat()
        return data

    def _immunisations(self) -> None:
        """The national programme's doses a child has reached the age for, each a few
        days after its due age (never before the starting age or the minimum interval);
        some children miss their latest dose of a series and are overdue."""
        if "immunisation" not in self.gen.specs:
            return
        from huimin.records.forms.immunisation import PROGRAMME_SCHEDULE, SERIES, VACCINES

        p, rng = self.p, self.rng
        township = p.village[:9]
        unit = self.gen.units.get(township) or "乡镇卫生院预防接种门诊"
        vaccinator = village_doctor_name(self.gen.seed, township)
        previous: dict[str, dt.date] = {}
        latest: dict[str, int] = {}  # series → index of its last dose due by the end
        for i, d in enumerate(PROGRAMME_SCHEDULE):
            if p.birth_date + dt.timedelta(days=d.due_age_days) <= self.end:
                latest[SERIES[d.vaccine]] = i
        for i, d in enumerate(PROGRAMME_SCHEDULE):
            series = SERIES[d.vaccine]
            if latest.get(series, -1) < i:
                continue
            if i == latest[series] and rng.random() < 0.05:
                self.inject("immunisation", "missed_dose")
                continue
            delay = rng.randint(0, 1) if d.due_age_days == 0 else rng.randint(0, 20)
            day = p.birth_date + dt.timedelta(days=d.due_age_days + delay)
            months = round(d.due_age_days * 12 / 365.25)
            day = max(day, add_months(p.birth_date, months))
            if series in previous:
                day = max(day, previous[series] + dt.timedelta(days=d.min_interval_days))
            if day > self.end:
                continue
            previous[series] = day
            vaccine = VACCINES[d.vaccine]
            self.form("immunisation", day, partial(self._dose, d, vaccine, day, unit, vaccinator))

    def _dose(self, d, vaccine, day: dt.date, unit: str, vaccinator: str) -> dict:
        rng = self.rng
        route = vaccine.route
        infant = day < add_months(self.p.birth_date, 12)
        site = {
            "1": "1",
            "2": rng.choice(("1", "2")),
            "3": rng.choice(("3", "4")) if infant else rng.choice(("1", "2")),
            "4": "7",
        }[route]
        return {
            "vaccine": d.vaccine,
            "dose": d.dose,
            "vaccinated_on": day.isoformat(),
            "lot_number": f"{day.year - rng.randint(0, 1)}{rng.randint(1, 12):02d}"
            f"{rng.choice('ABCDE')}{rng.randint(100, 999)}",
            "expires_on": (day + dt.timedelta(days=rng.randint(120, 600))).isoformat(),
            "site": site,
            "route": route,
            "vaccinating_unit": unit,
            "vaccinator": vaccinator,
            "adverse_reaction": "1",
        }

    # -- pregnancies

    def _pregnancy(self) -> None:
        """A pregnancy seen in the year: open now, or delivered, with the first visit
        mostly before 13 weeks, the 2nd–5th antenatal visits, and after delivery the
        home visit within 28 days and the 42-day check."""
        rng, gen = self.rng, self.gen
        if rng.random() >= PREGNANCY_RATE:
            return
        lmp = self.day_between(
            gen.start - dt.timedelta(days=270), gen.as_of - dt.timedelta(days=60)
        )
        lmp = max(lmp, self.opened_on)
        first = lmp + dt.timedelta(weeks=rng.randint(8, 12) if rng.random() < 0.9 else 14)
        first += dt.timedelta(days=rng.randint(0, 6))
        if first > self.end:
            return
        edd = lmp + dt.timedelta(days=280)
        delivered = lmp + dt.timedelta(days=rng.randint(266, 290))
        details = {"last_menstrual_period": lmp.isoformat(), "expected_delivery": edd.isoformat()}
        if delivered <= self.end:
            details["delivered_on"] = delivered.isoformat()
        prog = self.programme("pregnancy", first, **details)
        self.weight = _clip(self.bmi * (self.height / 100) ** 2, 40, 95)
        visits = [(1, first)]
        for n, (low, high) in {2: (16, 20), 3: (21, 24), 4: (28, 36), 5: (37, 39)}.items():
            day = lmp + dt.timedelta(days=rng.randint(low * 7, high * 7 + 6))
            if day < delivered:
                visits.append((n, day))
        for i, (n, day) in enumerate(visits):
            nxt = visits[i + 1][1] if i + 1 < len(visits) else day + dt.timedelta(days=28)
            if n == 1:
                self.form(
                    "prenatal_first",
                    day,
                    partial(self._prenatal_first, day, lmp, nxt),
                    programme=prog,
                )
            else:
                self.form(
                    "prenatal_followup",
                    day,
                    partial(self._prenatal_followup, n, day, lmp, nxt),
                    programme=prog,
                )
        home = delivered + dt.timedelta(days=rng.randint(3, 10))
        check = delivered + dt.timedelta(days=rng.randint(42, 50))
        self.form(
            "postpartum_visit",
            home,
            partial(self._postpartum, "visit", home, delivered, check),
            programme=prog,
        )
        done = self.form(
            "postpartum_42",
            check,
            partial(self._postpartum, "42", check, delivered, None),
            programme=prog,
        )
        if done is not None:
            row = self.batch.programmes[prog]
            row.ended_on, row.end_reason = check, "产后42天检查结案"

    def _bp_normal(self) -> tuple[int, int]:
        dia = self.rng.randint(62, 82)
        return dia + self.rng.randint(30, 45), dia

    def _prenatal_first(self, day: dt.date, lmp: dt.date, nxt: dt.date) -> dict:
        rng = self.rng
        births = rng.choices((0, 1, 2), (45, 45, 10))[0]
        caesarean = 1 if births and rng.random() < 0.3 else 0
        abortions = rng.choices((0, 1), (80, 20))[0]
        sys_, dia = self._bp_normal()
        return {
            "visit_date": day.isoformat(),
            "gestational_weeks": (day - lmp).days // 7,
            "age": age_on(self.p.birth_date, day),
            "gravidity": 1 + births + abortions,
            "parity_vaginal": births - caesarean,
            "parity_caesarean": caesarean,
            "induced_abortions": abortions,
            "lmp": lmp.isoformat(),
            "past_history": ["1"],
            "family_history": ["1"],
            "personal_history": ["1"],
            "gyn_surgery": "2" if caesarean else "1",
            **({"gyn_surgery_detail": "剖宫产术"} if caesarean else {}),
            "height": f"{self.height:.1f}",
            "weight": f"{self.weight:.1f}",
            "systolic": sys_,
            "diastolic": dia,
            **{k: "1" for k in ("heart", "lungs", "vulva", "vagina", "cervix", "uterus", "adnexa")},
            "haemoglobin": rng.randint(100, 135),
            "urine_protein": "1",
            "urine_glucose": "1",
            "blood_type_abo": rng.choices(("1", "2", "3", "4"), (28, 24, 41, 7))[0],
            "blood_type_rh": "2",
            "hbsag": "2" if rng.random() < 0.06 else "1",
            "syphilis": "1",
            "hiv": "1",
            "ultrasound": "宫内早孕",
            "evaluation": "1",
            "guidance": ["1", "3", "5"],
            "referral": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
            "bmi": bmi(f"{self.height:.1f}", f"{self.weight:.1f}"),
            "edd": (lmp + dt.timedelta(days=280)).isoformat(),
        }

    def _prenatal_followup(self, n: int, day: dt.date, lmp: dt.date, nxt: dt.date) -> dict:
        rng = self.rng
        weeks = (day - lmp).days // 7
        sys_, dia = self._bp_normal()
        data = {
            "visit_date": day.isoformat(),
            "visit_number": n,
            "gestational_weeks": weeks,
            "complaints": "无",
            "weight": f"{self.weight + weeks * 0.35:.1f}",
            "systolic": sys_,
            "diastolic": dia,
            "haemoglobin": rng.randint(100, 130),
            "urine_protein": "1",
            "classification": "1",
            "guidance": ["1", "2", "5"] if n < 4 else ["5", "6", "7"],
            "referral": "1",
            "next_visit_date": nxt.isoformat(),
            "doctor": self.doctor,
        }
        if weeks >= 20:
            data["fundal_height"] = str(min(weeks - 2, 35))
            data["abdominal_circumference"] = str(80 + weeks)
            data["fetal_heart_rate"] = rng.randint(125, 155)
        if weeks >= 32:
            data["fetal_position"] = "头位"
        return data

    def _postpartum(self, which: str, day: dt.date, delivered: dt.date, nxt) -> dict:
        sys_, dia = self._bp_normal()
        data = {
            "visit_date": day.isoformat(),
            "delivery_date": delivered.isoformat(),
            "discharge_date": min(day, delivered + dt.timedelta(days=3)).isoformat(),
            "general_health": "良好",
            "general_psychology": "良好",
            "systolic": sys_,
            "diastolic": dia,
            **{k: "1" for k in ("breasts", "lochia", "uterus", "wound")},
            "classification": "1",
            "doctor": self.doctor,
        }
        if which == "visit":
            data["temperature"] = f"{self.rng.uniform(36.2, 37.2):.1f}"
            data["guidance"] = ["1", "3", "4", "5"]
            data["referral"] = "1"
            data["next_visit_date"] = nxt.isoformat()
        else:
            data["guidance"] = ["1", "2", "3"]
            data["disposal"] = "1"
        return data


_NEWBORN_EXAMS = "eyes limbs ears nose mouth anus heart_lungs chest abdomen genitals spine".split()
_CHILD_EXAMS = "skin eyes ears heart_lungs abdomen limbs gait genitals".split()
# WHO child growth medians (boys): months → weight kg, length/height cm, head cm.
_WEIGHT_BY_MONTH = {
    0: 3.3,
    1: 4.5,
    3: 6.4,
    6: 7.9,
    8: 8.6,
    12: 9.6,
    18: 10.9,
    24: 12.2,
    30: 13.3,
    36: 14.3,
    48: 16.3,
    60: 18.3,
    72: 20.5,
}
_HEIGHT_BY_MONTH = {
    0: 49.9,
    1: 54.7,
    3: 61.4,
    6: 67.6,
    8: 70.6,
    12: 75.7,
    18: 82.3,
    24: 87.8,
    30: 91.9,
    36: 96.1,
    48: 103.3,
    60: 110.0,
    72: 116.0,
}
_HEAD_BY_MONTH = {
    0: 34.5,
    1: 37.3,
    3: 40.5,
    6: 43.3,
    8: 44.5,
    12: 46.1,
    18: 47.4,
    24: 48.3,
    30: 49.0,
}


def _interpolate(table: dict[int, float], months: int) -> float:
    keys = sorted(table)
    for a, b in itertools.pairwise(keys):
        if a <= months <= b:
            return table[a] + (table[b] - table[a]) * (months - a) / (b - a)
    return table[keys[-1]]


def _tcm_child(m: int, day: dt.date, nxt: dt.date | None, services: list[str], doctor: str) -> dict:
    data = {
        "visit_date": day.isoformat(),
        "month_age": str(m),
        "services": services,
        "doctor": doctor,
    }
    if nxt is not None:
        data["next_visit_date"] = nxt.isoformat()
    return data


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
